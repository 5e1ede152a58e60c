/**
 * From a signed-in session to AWS credentials: a profile's `sso_session` (or
 * legacy `sso_start_url`), `sso_account_id` and `sso_role_name` become the
 * role's short-term credentials through the SSO portal's
 * GetRoleCredentials, as the AWS CLI and SDKs resolve an SSO profile.
 *
 * - The access token comes from `SsoTokenProvider`, refreshed when it is
 *   about to expire; the role credentials are fetched again before *they*
 *   expire (default: 5 minutes before, as the SDKs).
 * - Role credentials are cached where the AWS CLI keeps them,
 *   `~/.aws/cli/cache/<sha1>.json`, byte for byte its format, keyed by
 *   session (or start URL) + account + role: the CLI reuses ours and we reuse
 *   its, and one account's keys never serve another profile. Files are
 *   written atomically, 0600.
 * - Concurrent requests for one role are coalesced: in the process by a
 *   per-role semaphore, across processes by the cache's lock file, and each
 *   re-reads the cache once it holds the lock, so N callers make one
 *   GetRoleCredentials.
 * - A cache the disk cannot take (full, read-only) does not fail the call:
 *   the credentials are kept in memory for the process, with a warning.
 *
 * `layer({ profile })` provides `AwsCredentials.AwsCredentials` for the rest
 * of the app (CreateTokenWithIAM, or your own signed calls), and
 * `AwsCredentials.toSdkCredentialProvider` hands them to AWS SDK clients.
 *
 * @since 0.2.0
 */
import * as FileSystem from "effect/FileSystem"
import * as HttpClient from "effect/http/HttpClient"
import * as Path from "effect/Path"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Semaphore from "effect/Semaphore"
import * as AwsCredentials from "./AwsCredentials.js"
import * as core from "./core/provider.js"
import { cliCacheDirectory } from "./internal/cache/home.js"
import {
  type CachedRoleCredentials,
  decodeRoleCredentials,
  encodeRoleCredentials,
  roleCredentialsKey
} from "./internal/cache/roleCredentials.js"
import * as Store from "./internal/cache/store.js"
import { TaggedError } from "./internal/taggedError.js"
import * as SsoConfig from "./SsoConfig.js"
import * as SsoPortalClient from "./SsoPortalClient.js"
import type * as SsoPortalError from "./SsoPortalError.js"
import * as SsoTokenProvider from "./SsoTokenProvider.js"
import * as TokenCache from "./TokenCache.js"

/**
 * A role's credentials, with the account they are for.
 *
 * @since 0.2.0
 * @category models
 */
export interface RoleCredentials extends AwsCredentials.Credentials {
  readonly expiration: Date
  readonly accountId: string
}

/**
 * GetRoleCredentials answered without one of the four members. Nothing was cached.
 *
 * @since 0.2.0
 * @category errors
 */
export class IncompleteRoleCredentials extends TaggedError<IncompleteRoleCredentials>(
  "effect-sso-oidc/IncompleteRoleCredentials"
)("IncompleteRoleCredentials", {
  /** The member that was missing, e.g. `sessionToken`. */
  member: Schema.String
}) {
  override get message() {
    return `the SSO portal's role credentials have no ${this.member}`
  }
}

/**
 * Why a profile's credentials could not be had: the config, the session's
 * token (none, expired, refresh failed), the portal, or the cache.
 *
 * @since 0.2.0
 * @category errors
 */
export type SsoCredentialsError =
  | SsoConfig.SsoConfigError
  | SsoTokenProvider.TokenError
  | SsoPortalError.PortalReadError
  | IncompleteRoleCredentials
  | TokenCache.CacheIoError
  | TokenCache.LockTimeout

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** The profile's role credentials (`AWS_PROFILE`, else `default`, when no name is given). */
  readonly get: (profile?: string) => Effect.Effect<RoleCredentials, SsoCredentialsError>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class SsoCredentials extends Context.Service<SsoCredentials, Service>()("effect-sso-oidc/SsoCredentials") {}

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Fetch new role credentials when fewer than this are left. Default 5 minutes. */
  readonly refreshWindow?: Duration.Input | undefined
  /** The role-credential cache folder. Default `~/.aws/cli/cache`, the AWS CLI's. */
  readonly cacheDirectory?: string | undefined
  /** The portal client's settings other than the region (which is the session's `sso_region`). */
  readonly portal?: Omit<SsoPortalClient.Options, "region"> | undefined
  /** The cache's lock settings (see `TokenCache.LockOptions`). */
  readonly lock?: TokenCache.LockOptions | undefined
}

const defaultRefreshWindow = Duration.millis(core.defaultRoleRefreshWindowMillis)

const fromStoreError = (error: Store.StoreError): TokenCache.CacheIoError | TokenCache.LockTimeout =>
  error._tag === "StoreIo"
    ? new TokenCache.CacheIoError({ path: error.path, operation: error.operation, description: error.description })
    : new TokenCache.LockTimeout({ path: error.path, waitedMillis: error.waitedMillis })

/**
 * Builds the service over the token provider, the config, an `HttpClient`
 * (for the portal) and the file system (for the cache).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options = {}) {
  const config = yield* SsoConfig.SsoConfig
  const provider = yield* SsoTokenProvider.SsoTokenProvider
  const httpClient = yield* HttpClient.HttpClient
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const directory = options.cacheDirectory ?? (yield* cliCacheDirectory(path))
  const store = Store.makeFileStore(fs, path, directory)
  const windowMillis = Duration.toMillis(Duration.fromInputUnsafe(options.refreshWindow ?? defaultRefreshWindow))
  // AWS_ENDPOINT_URL_SSO (else AWS_ENDPOINT_URL), read once; the options win.
  const configuredEndpoint = yield* Effect.orElseSucceed(
    Effect.map(SsoPortalClient.endpointConfig, (config) => config.endpoint),
    () => undefined
  )
  const lock = Store.resolveLockOptions(options.lock)

  const portals = new Map<string, SsoPortalClient.Service>()
  const portalFor = (region: string) =>
    Effect.suspend(() => {
      const existing = portals.get(region)
      if (existing !== undefined) return Effect.succeed(existing)
      const endpoint = options.portal?.endpoint ?? configuredEndpoint
      return SsoPortalClient.make({ ...options.portal, ...(endpoint === undefined ? {} : { endpoint }), region }).pipe(
        Effect.provideService(HttpClient.HttpClient, httpClient),
        Effect.tap((client) => Effect.sync(() => portals.set(region, client)))
      )
    })

  /** Credentials held for the process, by cache key: the last fetched, even if the disk refused them. */
  const memory = new Map<string, RoleCredentials>()
  const semaphores = new Map<string, Semaphore.Semaphore>()
  const semaphoreOf = (key: string) => {
    let semaphore = semaphores.get(key)
    if (semaphore === undefined) semaphores.set(key, semaphore = Semaphore.makeUnsafe(1))
    return semaphore
  }

  const isFresh = (credentials: { readonly expiration: number | Date }, now: number) =>
    core.isFresh(credentials.expiration, now, windowMillis)

  const toRole = (cached: CachedRoleCredentials, accountId: string): RoleCredentials => ({
    accessKeyId: cached.accessKeyId,
    secretAccessKey: cached.secretAccessKey,
    sessionToken: cached.sessionToken,
    expiration: new Date(cached.expiration),
    accountId: core.accountOf(cached, accountId)
  })

  /** The cache file's credentials when they are fresh; a corrupt or foreign file reads as none. */
  const readCached = (file: string, accountId: string, now: number) =>
    store.read(file).pipe(
      Effect.mapError(fromStoreError),
      Effect.map(Option.flatMap((text) => Result.getSuccess(decodeRoleCredentials(text)))),
      Effect.map(Option.filter((cached) => isFresh(cached, now))),
      Effect.map(Option.map((cached) => toRole(cached, accountId)))
    )

  const fetch = (role: SsoConfig.RoleProfile) =>
    Effect.gen(function*() {
      const token = yield* provider.token(role.session)
      const portal = yield* portalFor(role.session.region)
      const reply = yield* portal.getRoleCredentials({
        accessToken: token.accessToken,
        accountId: role.accountId,
        roleName: role.roleName
      })
      // The cache file holds whole seconds; so does the result, so that what we return is what a reader gets.
      const checked = core.roleCredentialsOf(reply.roleCredentials, role.accountId)
      if (checked._tag === "Missing") return yield* new IncompleteRoleCredentials({ member: checked.member })
      return checked.credentials satisfies CachedRoleCredentials
    })

  const get = Effect.fn("SsoCredentials.get")(function*(profile?: string) {
    const role = yield* config.roleProfile(profile)
    const key = roleCredentialsKey({
      accountId: role.accountId,
      roleName: role.roleName,
      session: role.session.sessionName === undefined
        ? { _tag: "StartUrl", startUrl: role.session.startUrl }
        : { _tag: "Session", name: role.session.sessionName }
    })
    const file = `${key}.json`
    const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
    const held = memory.get(key)
    if (held !== undefined && isFresh(held, now)) return held

    return yield* semaphoreOf(key).withPermits(1)(
      Effect.gen(function*() {
        // Another fiber may have fetched while this one waited.
        const again = memory.get(key)
        const checkedAt = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        if (again !== undefined && isFresh(again, checkedAt)) return again
        const cached = yield* readCached(file, role.accountId, checkedAt)
        if (Option.isSome(cached)) return cached.value
        return yield* Effect.scoped(Effect.gen(function*() {
          yield* store.lock(`${key}.lock`, lock).pipe(Effect.mapError(fromStoreError))
          // Another process may have fetched while this one waited for the lock.
          const lockedAt = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          const underLock = yield* readCached(file, role.accountId, lockedAt)
          if (Option.isSome(underLock)) return underLock.value
          const fresh = yield* fetch(role)
          yield* store.write(file, encodeRoleCredentials(fresh)).pipe(
            Effect.catch((error) =>
              Effect.logWarning(
                core.roleCredentialsUncachedWarning(
                  role.profileName,
                  error.path,
                  error._tag === "StoreIo" ? error.description : "lock"
                )
              )
            )
          )
          return toRole(fresh, role.accountId)
        }))
      }).pipe(Effect.tap((credentials) => Effect.sync(() => memory.set(key, credentials))))
    )
  })

  return SsoCredentials.of({ get })
})

/**
 * The service, given a token provider, the config, an `HttpClient` and a
 * file system (`NodeSso.layer` on Node).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerService = (
  options: Options = {}
): Layer.Layer<
  SsoCredentials,
  never,
  SsoTokenProvider.SsoTokenProvider | SsoConfig.SsoConfig | HttpClient.HttpClient | FileSystem.FileSystem | Path.Path
> => Layer.effect(SsoCredentials, make(options))

/**
 * `AwsCredentials` for the rest of the app: the role credentials of
 * `profile` (default `AWS_PROFILE`, else `default`), fetched on first use
 * and again before they expire. A failure is a `CredentialsError` whose
 * `source` is `sso` and whose description is the cause's message.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: Options & { readonly profile?: string | undefined } = {}
): Layer.Layer<
  AwsCredentials.AwsCredentials,
  never,
  SsoTokenProvider.SsoTokenProvider | SsoConfig.SsoConfig | HttpClient.HttpClient | FileSystem.FileSystem | Path.Path
> =>
  Layer.effect(
    AwsCredentials.AwsCredentials,
    Effect.map(make(options), (service) => ({
      get: service.get(options.profile).pipe(
        Effect.mapError((cause) => new AwsCredentials.CredentialsError({ source: "sso", description: cause.message }))
      )
    }))
  )

/**
 * The role credentials of a profile.
 *
 * @since 0.2.0
 * @category accessors
 */
export const get = (profile?: string): Effect.Effect<RoleCredentials, SsoCredentialsError, SsoCredentials> =>
  Effect.flatMap(SsoCredentials, (service) => service.get(profile))
