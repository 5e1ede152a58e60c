/**
 * SSO access tokens from the AWS CLI-compatible cache, refreshed before they
 * expire, and the login that fills the cache.
 *
 * `token(session)` reads the cached token of an sso-session (or of a legacy
 * profile's start URL):
 *
 * - valid for longer than the refresh window (default 5 minutes, as the SDKs)
 *   → returned as it is;
 * - inside the window and refreshable (a refresh token, a client id and
 *   secret, a registration that has not expired) → CreateToken with
 *   `grant_type=refresh_token`, and the result written back to the cache,
 *   keeping the old refresh token when the reply has none;
 * - at most one refresh attempt per session every 30 s; concurrent callers
 *   in a process wait for one refresh; across processes a lock file next to
 *   the token makes one process refresh while the others wait and then read
 *   what it wrote;
 * - a failed refresh returns the cached token while it is still valid (as the
 *   SDKs do); once it has expired the failure is the error;
 * - a refreshed token the cache cannot take (a full disk) is still returned,
 *   and kept in memory for the process — the service may have spent the old
 *   refresh token — with a Warning log (never the token); writing it is tried
 *   again on a later call, at most once per `minRefreshInterval`.
 *
 * Errors say what to do: {@link TokenMissing} (never logged in),
 * {@link TokenExpired} (expired and not refreshable: log in again),
 * {@link RefreshFailed} (the refresh was refused or failed, with the typed cause).
 *
 * `login(session)` runs the device login and writes the token and client
 * registration files as `aws sso login --use-device-code` does, reusing a
 * cached registration while it is valid.
 *
 * All time comes from `Clock`.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AuthorizationCodeLogin from "./AuthorizationCodeLogin.js"
import * as DeviceLogin from "./DeviceLogin.js"
import * as core from "./core/provider.js"
import * as SsoConfig from "./SsoConfig.js"
import * as SsoOidcClient from "./SsoOidcClient.js"
import * as SsoOidcError from "./SsoOidcError.js"
import { GrantType } from "./SsoOidcSchema.js"
import * as SsoToken from "./SsoToken.js"
import * as TokenCache from "./TokenCache.js"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * A valid access token of a session: {@link SsoToken.AccessToken} under the
 * name it had before that module existed.
 *
 * @since 0.1.0
 * @category models
 */
export type AccessToken = SsoToken.AccessToken

/**
 * A session: the name of an `[sso-session NAME]` of the config file, or an
 * {@link SsoConfig.SsoSession} (from `SsoConfig.profile`, or built by hand).
 *
 * @since 0.1.0
 * @category models
 */
export type SessionInput = string | SsoConfig.SsoSession

const sessionFields = {
  /** The sso-session; absent for a legacy profile. */
  sessionName: Schema.optional(Schema.String),
  startUrl: Schema.String
}

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * There is no cached token for the session: nobody has logged in.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenMissing extends Schema.TaggedError<TokenMissing>("effect-sso-oidc/TokenMissing")(
  "TokenMissing",
  { ...sessionFields, path: Schema.String }
) {
  override get message() {
    return core.tokenMissingMessage(this, this.path)
  }
}

/**
 * Why an expired token cannot be refreshed:
 *
 * - `NoRefreshToken`: the cache has no refresh token (the client was registered without scopes);
 * - `NoClientRegistration`: the cache has no client id or secret;
 * - `RegistrationExpired`: the client registration has expired (`registrationExpiresAt`);
 * - `RefreshThrottled`: a refresh was attempted less than the minimum interval ago.
 *
 * @since 0.1.0
 * @category models
 */
export const NotRefreshableReason = Schema.Literal(...core.notRefreshableReasons)

/**
 * @since 0.1.0
 * @category models
 */
export type NotRefreshableReason = typeof NotRefreshableReason.Type

/**
 * The cached token has expired and cannot be refreshed: the user must log in
 * again.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenExpired extends Schema.TaggedError<TokenExpired>("effect-sso-oidc/TokenExpired")(
  "TokenExpired",
  { ...sessionFields, expiredAt: Schema.DateFromSelf, reason: NotRefreshableReason }
) {
  override get message() {
    return core.tokenExpiredMessage(this, this.expiredAt, this.reason)
  }
}

/**
 * What made a refresh fail: the CreateToken error, or a lock that another
 * process held too long.
 *
 * @since 0.1.0
 * @category models
 */
export type RefreshFailure = SsoOidcError.CreateTokenError | TokenCache.LockTimeout

const RefreshFailureSchema: Schema.Schema<RefreshFailure> = Schema.declare(
  (u): u is RefreshFailure => Predicate.hasProperty(u, "_tag") && u instanceof Error,
  { identifier: "RefreshFailure" }
)

/**
 * Refreshing an expired token failed. `cause` is the typed error (for
 * example `InvalidGrant` when the IAM Identity Center session has ended).
 *
 * @since 0.1.0
 * @category errors
 */
export class RefreshFailed extends Schema.TaggedError<RefreshFailed>("effect-sso-oidc/RefreshFailed")(
  "RefreshFailed",
  { ...sessionFields, cause: RefreshFailureSchema }
) {
  /** Whether the cause means the session is over and only a new login helps. */
  get sessionEnded(): boolean {
    return core.isSessionEnded(this.cause._tag)
  }
  override get message() {
    return core.refreshFailedMessage(this, this.cause._tag, this.cause.message)
  }
}

/**
 * The errors of {@link Service.token}.
 *
 * @since 0.1.0
 * @category errors
 */
export type TokenError =
  | TokenMissing
  | TokenExpired
  | RefreshFailed
  | TokenCache.TokenCacheError
  | SsoConfig.SsoConfigError

/**
 * The errors of {@link Service.login}.
 *
 * @since 0.1.0
 * @category errors
 */
export type LoginError =
  | DeviceLogin.DeviceLoginError
  | AuthorizationCodeLogin.AuthorizationCodeLoginError
  | TokenCache.TokenCacheError
  | TokenCache.LockTimeout
  | SsoConfig.SsoConfigError

// -----------------------------------------------------------------------------
// service
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Refresh when less than this is left. Default 5 minutes, as the JS, Rust
   * and Java SDKs; the AWS CLI uses 15 minutes.
   */
  readonly refreshWindow?: Duration.DurationInput | undefined
  /**
   * At most one refresh attempt per session within this, and at most one
   * try to write a refreshed token the cache could not take. Default 30 s.
   */
  readonly minRefreshInterval?: Duration.DurationInput | undefined
  /** How the cross-process lock waits and recovers. */
  readonly lock?: TokenCache.LockOptions | undefined
  /** Settings of the SSO OIDC clients (one per region; the region is the session's). */
  readonly client?: Omit<SsoOidcClient.Options, "region"> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LoginOptions {
  /** The client name to register. Default `effect-sso-oidc-<session name>`. */
  readonly clientName?: string | undefined
  /**
   * `device` (the default): the device code flow. `browser`: the
   * authorization code flow with PKCE and a loopback redirect, as
   * `aws sso login` runs by default since AWS CLI 2.22.
   */
  readonly flow?: "device" | "browser" | undefined
  /** Called with every event of the device login (show `AwaitingUser` to the user). */
  readonly onEvent?: ((event: DeviceLogin.DeviceLoginEvent) => Effect.Effect<void>) | undefined
  /** Called with every event of the browser login (open `AwaitingBrowser.authorizeUrl`). */
  readonly onBrowserEvent?:
    | ((event: AuthorizationCodeLogin.AuthorizationCodeLoginEvent) => Effect.Effect<void>)
    | undefined
  /** How long the browser login waits for the redirect. Default 10 minutes. */
  readonly browserTimeout?: Duration.DurationInput | undefined
  /** See {@link DeviceLogin.PollingOptions.maxBackoff}. */
  readonly maxBackoff?: Duration.DurationInput | undefined
  /**
   * Replace a corrupt token or registration file instead of failing with
   * `CacheFileCorrupt` before the login starts. Default `false`.
   */
  readonly replaceCorrupt?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** A valid access token of the session, refreshed when it is about to expire. */
  readonly token: (session: SessionInput) => Effect.Effect<AccessToken, TokenError>
  /** Signs in with the device login and writes the token (and registration) to the cache. */
  readonly login: (session: SessionInput, options?: LoginOptions) => Effect.Effect<AccessToken, LoginError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class SsoTokenProvider extends Context.Tag("effect-sso-oidc/SsoTokenProvider")<SsoTokenProvider, Service>() {}

/**
 * The SDKs' refresh window: refresh when less than 5 minutes are left.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRefreshWindow: Duration.Duration = Duration.millis(core.defaultRefreshWindowMillis)

/**
 * At most one refresh attempt per session within 30 s (as the JS and Rust SDKs).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMinRefreshInterval: Duration.Duration = Duration.millis(core.defaultMinRefreshIntervalMillis)

interface Attempt {
  readonly at: number
  readonly failure: RefreshFailed | undefined
}

/** A refreshed token the cache could not take, kept for this process until a later write succeeds. */
interface Unwritten {
  readonly token: TokenCache.CachedToken
  /** When writing it is next tried (at most once per `minRefreshInterval`). */
  readonly retryAt: number
}

/**
 * Builds the service. It reads tokens through `TokenCache`, session names
 * through `SsoConfig`, and builds one SSO OIDC client per region over the
 * `HttpClient`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Service, never, TokenCache.TokenCache | SsoConfig.SsoConfig | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const cache = yield* TokenCache.TokenCache
    const config = yield* SsoConfig.SsoConfig
    const httpClient = yield* HttpClient.HttpClient
    // Only a browser login needs it; a provider without one still serves tokens and device logins.
    const loopback = yield* Effect.serviceOption(AuthorizationCodeLogin.LoopbackListener)
    const windowMillis = Duration.toMillis(Duration.decode(options.refreshWindow ?? defaultRefreshWindow))
    const minIntervalMillis = Duration.toMillis(
      Duration.decode(options.minRefreshInterval ?? defaultMinRefreshInterval)
    )

    const clients = new Map<string, SsoOidcClient.Service>()
    const clientFor = (region: string) =>
      Effect.suspend(() => {
        const existing = clients.get(region)
        if (existing !== undefined) return Effect.succeed(existing)
        return SsoOidcClient.make({ ...options.client, region }).pipe(
          Effect.provideService(HttpClient.HttpClient, httpClient),
          Effect.tap((client) => Effect.sync(() => clients.set(region, client)))
        )
      })

    const attempts = new Map<TokenCache.CacheKey, Attempt>()
    // A refresh spends the old refresh token when the service rotates it: a
    // refreshed token that cannot be written (a full disk) is the only valid
    // one left, so it is served from here and written again later.
    const unwritten = new Map<TokenCache.CacheKey, Unwritten>()
    const semaphores = new Map<TokenCache.CacheKey, Effect.Semaphore>()
    const semaphoreOf = (key: TokenCache.CacheKey) => {
      let semaphore = semaphores.get(key)
      if (semaphore === undefined) {
        semaphore = Effect.unsafeMakeSemaphore(1)
        semaphores.set(key, semaphore)
      }
      return semaphore
    }

    const resolve = (input: SessionInput): Effect.Effect<SsoConfig.SsoSession, SsoConfig.SsoConfigError> =>
      typeof input === "string" ? config.session(input) : Effect.succeed(input)

    const ids = core.sessionIds

    const toAccessToken = (session: SsoConfig.SsoSession, token: TokenCache.CachedToken): AccessToken =>
      SsoToken.fromCachedToken(token, session)

    const readFile = (session: SsoConfig.SsoSession, key: TokenCache.CacheKey) =>
      cache.getToken(key).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.fail(new TokenMissing({ ...ids(session), path: cache.pathOf(key) })),
          onSome: Effect.succeed
        }))
      )

    /**
     * The session's newest token: the cache file's, or the refreshed one it
     * could not take — unless the file has caught up (another process wrote a
     * token that lives as long or longer), which ends keeping it.
     */
    const read = (session: SsoConfig.SsoSession, key: TokenCache.CacheKey) =>
      Effect.suspend(() => {
        const kept = unwritten.get(key)
        if (kept === undefined) return readFile(session, key)
        return cache.getToken(key).pipe(
          Effect.orElseSucceed(() => Option.none<TokenCache.CachedToken>()),
          Effect.map((onDisk) => {
            if (Option.isSome(onDisk) && core.isCaughtUp(onDisk.value, kept.token)) {
              if (unwritten.get(key) === kept) unwritten.delete(key)
              return onDisk.value
            }
            return kept.token
          })
        )
      })

    const warnUnwritten = (session: SsoConfig.SsoSession, error: TokenCache.CacheIoError | TokenCache.LockTimeout) =>
      Effect.logWarning(core.unwrittenWarning(session, error.message))

    /** Writes a kept token when its retry is due, under the lock, unless the file already has a newer one. */
    const retryUnwritten = (session: SsoConfig.SsoSession, key: TokenCache.CacheKey) =>
      Effect.gen(function*() {
        const kept = unwritten.get(key)
        const now = yield* Clock.currentTimeMillis
        if (kept === undefined || now < kept.retryAt) return
        unwritten.set(key, { token: kept.token, retryAt: now + minIntervalMillis })
        yield* cache.withLock(
          key,
          Effect.gen(function*() {
            const onDisk = yield* cache.getToken(key).pipe(Effect.orElseSucceed(() => Option.none()))
            const newer = Option.isSome(onDisk) && core.isCaughtUp(onDisk.value, kept.token)
            if (!newer) yield* cache.setToken(key, kept.token)
            // A refresh in between (under the semaphore, so not concurrently) may have replaced it.
            if (unwritten.get(key)?.token === kept.token) unwritten.delete(key)
          }),
          options.lock
        ).pipe(Effect.catchAll((error) => warnUnwritten(session, error)))
      })

    const isFresh = (token: TokenCache.CachedToken, now: number) => core.isFresh(token.expiresAt, now, windowMillis)
    const isExpired = (token: TokenCache.CachedToken, now: number) => core.isExpired(token.expiresAt, now)

    /** Records a failed attempt; the cached token while it is valid, else the failure. */
    const failedAttempt = (
      session: SsoConfig.SsoSession,
      key: TokenCache.CacheKey,
      token: TokenCache.CachedToken,
      attemptAt: number,
      cause: RefreshFailure
    ) =>
      Effect.gen(function*() {
        const failure = new RefreshFailed({ ...ids(session), cause })
        attempts.set(key, { at: attemptAt, failure })
        yield* Effect.annotateCurrentSpan("refresh.failed", cause._tag)
        const now = yield* Clock.currentTimeMillis
        if (!isExpired(token, now)) return toAccessToken(session, token)
        return yield* Effect.fail(failure)
      })

    const refresh = (
      session: SsoConfig.SsoSession,
      key: TokenCache.CacheKey,
      token: TokenCache.CachedToken,
      now: number
    ) =>
      Effect.gen(function*() {
        attempts.set(key, { at: now, failure: undefined })
        const client = yield* clientFor(session.region)
        const reply = yield* client.createToken({
          clientId: token.clientId!,
          clientSecret: token.clientSecret!,
          grantType: GrantType.RefreshToken,
          refreshToken: token.refreshToken!
        }).pipe(Effect.either)
        if (reply._tag === "Left") return yield* failedAttempt(session, key, token, now, reply.left)
        const checked = core.checkRefreshReply(reply.right, (secret) => Redacted.value(secret) === "")
        if (checked._tag === "Unusable") {
          const { description } = checked
          return yield* failedAttempt(
            session,
            key,
            token,
            now,
            new SsoOidcError.ResponseDecodeError({ operation: "CreateToken", status: 200, description })
          )
        }
        const receivedAt = yield* Clock.currentTimeMillis
        // The reply may leave the refresh token out: the old one stays valid and is kept.
        const refreshed: TokenCache.CachedToken = core.refreshedToken(session, token, checked.reply, receivedAt)
        yield* Effect.annotateCurrentSpan("refresh.succeeded", true)
        // The refresh is done whether or not the cache takes it: the caller gets the token either way.
        yield* cache.setToken(key, refreshed).pipe(
          Effect.matchEffect({
            onSuccess: () => Effect.sync(() => unwritten.delete(key)),
            onFailure: (error) =>
              Effect.sync(() => unwritten.set(key, { token: refreshed, retryAt: receivedAt + minIntervalMillis })).pipe(
                Effect.zipRight(Effect.annotateCurrentSpan("refresh.unwritten", true)),
                Effect.zipRight(warnUnwritten(session, error))
              )
          })
        )
        return toAccessToken(session, refreshed)
      })

    /**
     * Serves the token, fails, or runs `onRefresh`, as the core's rules decide
     * (`last` is the session's last attempt; none under the lock).
     */
    const settle = (
      session: SsoConfig.SsoSession,
      token: TokenCache.CachedToken,
      now: number,
      last: Attempt | undefined,
      onRefresh: () => Effect.Effect<AccessToken, TokenError>
    ): Effect.Effect<AccessToken, TokenError> => {
      const decision = core.decide(token, now, { windowMillis, minIntervalMillis, lastAttempt: last })
      switch (decision._tag) {
        case "Serve":
          return Effect.succeed(toAccessToken(session, token))
        case "Expired":
          return Effect.fail(new TokenExpired({ ...ids(session), expiredAt: token.expiresAt, reason: decision.reason }))
        case "LastFailure":
          return Effect.fail(decision.failure)
        case "Refresh":
          return onRefresh()
      }
    }

    /** Under the cross-process lock: read again (another process may have refreshed), then refresh. */
    const underLock = (session: SsoConfig.SsoSession, key: TokenCache.CacheKey) =>
      Effect.gen(function*() {
        const token = yield* read(session, key)
        const now = yield* Clock.currentTimeMillis
        return yield* settle(session, token, now, undefined, () => refresh(session, key, token, now))
      })

    /** Takes the cross-process lock to refresh; a lock not to be had leaves the token read in place while valid. */
    const lockedRefresh = (
      session: SsoConfig.SsoSession,
      key: TokenCache.CacheKey,
      token: TokenCache.CachedToken,
      now: number
    ): Effect.Effect<AccessToken, TokenError> =>
      cache.withLock(key, underLock(session, key), options.lock).pipe(
        Effect.catchTag("LockTimeout", (error) => failedAttempt(session, key, token, now, error)),
        // No lock (a full disk cannot take the lock file) means no refresh; the token read is still served while valid.
        Effect.catchTag("CacheIoError", (error) =>
          isExpired(token, now)
            ? Effect.fail(error)
            : Effect.logWarning(core.notRefreshedWarning(session, error.message)).pipe(
              Effect.zipRight(Effect.sync(() => attempts.set(key, { at: now, failure: undefined }))),
              Effect.as(toAccessToken(session, token))
            ))
      )

    /** In-process: one caller per session at a time; the ones after it read what it wrote. */
    const refreshPath = (session: SsoConfig.SsoSession, key: TokenCache.CacheKey) =>
      Effect.gen(function*() {
        const token = yield* read(session, key)
        const now = yield* Clock.currentTimeMillis
        return yield* settle(session, token, now, attempts.get(key), () => lockedRefresh(session, key, token, now))
      })

    const token = Effect.fn("SsoTokenProvider.token")(function*(input: SessionInput) {
      const session = yield* resolve(input)
      const key = TokenCache.tokenKeyOf(session)
      if (unwritten.has(key)) yield* semaphoreOf(key).withPermits(1)(retryUnwritten(session, key))
      const cached = yield* read(session, key)
      const now = yield* Clock.currentTimeMillis
      if (isFresh(cached, now)) return toAccessToken(session, cached)
      return yield* semaphoreOf(key).withPermits(1)(refreshPath(session, key))
    })

    const login = Effect.fn("SsoTokenProvider.login")(function*(input: SessionInput, loginOptions: LoginOptions = {}) {
      const session = yield* resolve(input)
      const key = TokenCache.tokenKeyOf(session)
      const registrationKey = TokenCache.registrationKey(session)
      const replaceCorrupt = loginOptions.replaceCorrupt === true
      const tolerate = <A>(effect: Effect.Effect<Option.Option<A>, TokenCache.TokenCacheError>) =>
        replaceCorrupt ? Effect.catchTag(effect, "CacheFileCorrupt", () => Effect.succeedNone) : effect
      // A corrupt token file is reported before the user is asked to sign in, never replaced silently.
      yield* tolerate(cache.getToken(key))
      const cachedRegistration = yield* tolerate(cache.getRegistration(registrationKey))
      const flow = loginOptions.flow ?? "device"
      const browser = flow === "browser"
      // The login reuses it while it has 15 minutes left and the same scopes (or registers anew).
      const reusable = Option.filter(
        cachedRegistration,
        (registration) => core.registrationUsableFor(flow, registration.grantTypes)
      )
      const offered = Option.getOrUndefined(
        Option.map(reusable, (registration) => SsoToken.fromCachedRegistration(registration, session.region))
      )
      const client = yield* clientFor(session.region)
      const common = {
        startUrl: session.startUrl,
        clientName: loginOptions.clientName ?? core.defaultClientName(session),
        scopes: session.registrationScopes,
        registration: offered
      }
      // A new registration is written as soon as it is made, before the person is asked to sign in, as the
      // AWS CLI does: a login stopped at its prompt, or whose code expires, leaves it for the next one to reuse.
      const keepRegistration = (event: DeviceLogin.DeviceLoginEvent | AuthorizationCodeLogin.AuthorizationCodeLoginEvent) =>
        event._tag === "Registered" && !event.reused
          ? cache.setRegistration(
            registrationKey,
            SsoToken.toCachedRegistration(event.registration, {
              // The AWS CLI writes grantTypes only for authorization-code registrations.
              grantTypes: core.registrationGrantTypesFor(flow)
            })
          )
          : Effect.void
      const token = yield* (browser
        ? Option.match(loopback, {
          onNone: () =>
            Effect.fail(
              new AuthorizationCodeLogin.CallbackError({
                description: "no loopback listener for the browser login (provide NodeSso.layer on Node)"
              })
            ),
          onSome: (listener) =>
            AuthorizationCodeLogin.login({
              ...common,
              timeout: loginOptions.browserTimeout,
              onEvent: (event) =>
                Effect.zipRight(keepRegistration(event), loginOptions.onBrowserEvent?.(event) ?? Effect.void)
            }).pipe(Effect.provideService(AuthorizationCodeLogin.LoopbackListener, listener))
        })
        : DeviceLogin.login({
          ...common,
          maxBackoff: loginOptions.maxBackoff,
          onEvent: (event) => Effect.zipRight(keepRegistration(event), loginOptions.onEvent?.(event) ?? Effect.void)
        })).pipe(
          Effect.provideService(SsoOidcClient.SsoOidcClient, client)
        )
      const cached: TokenCache.CachedToken = {
        ...SsoToken.toCachedToken(token),
        startUrl: session.startUrl,
        region: session.region
      }
      yield* cache.withLock(key, cache.setToken(key, cached), options.lock)
      attempts.delete(key)
      unwritten.delete(key)
      return toAccessToken(session, cached)
    })

    return SsoTokenProvider.of({ token, login })
  })

/**
 * The provider, given a `TokenCache`, an `SsoConfig` and an `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<SsoTokenProvider, never, TokenCache.TokenCache | SsoConfig.SsoConfig | HttpClient.HttpClient> =>
  Layer.effect(SsoTokenProvider, make(options))

/**
 * The provider with the SSO OIDC endpoint settings of `Config` (the
 * environment by default): `AWS_ENDPOINT_URL_SSO_OIDC` / `AWS_ENDPOINT_URL`,
 * `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT` (see
 * {@link SsoOidcClient.endpointConfig}). The region is always the session's;
 * settings in `options.client` win.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Options = {}
): Layer.Layer<
  SsoTokenProvider,
  ConfigError.ConfigError,
  TokenCache.TokenCache | SsoConfig.SsoConfig | HttpClient.HttpClient
> =>
  Layer.unwrapEffect(
    Effect.map(SsoOidcClient.endpointConfig, (fromConfig) => {
      const client: Omit<SsoOidcClient.Options, "region"> = { ...options.client }
      for (const key of ["endpoint", "useFips", "useDualStack"] as const) {
        if (client[key] === undefined && fromConfig[key] !== undefined) Object.assign(client, { [key]: fromConfig[key] })
      }
      return layer({ ...options, client })
    })
  )

/**
 * A valid access token of the session (see {@link Service.token}).
 *
 * @since 0.1.0
 * @category accessors
 */
export const token = (session: SessionInput): Effect.Effect<AccessToken, TokenError, SsoTokenProvider> =>
  Effect.flatMap(SsoTokenProvider, (provider) => provider.token(session))

/**
 * Signs in with the device login and writes the caches as
 * `aws sso login --use-device-code` does (see {@link Service.login}).
 *
 * @since 0.1.0
 * @category accessors
 */
export const loginToCache = (
  session: SessionInput,
  options?: LoginOptions
): Effect.Effect<AccessToken, LoginError, SsoTokenProvider> =>
  Effect.flatMap(SsoTokenProvider, (provider) => provider.login(session, options))

/**
 * A session's token as an AWS SDK v3 token provider (the
 * `TokenIdentityProvider` shape, `() => Promise<{ token, expiration }>`), for
 * SDK clients that take a bearer token (`token: …`). Each call returns a valid
 * token, refreshed when it is about to expire; a failure rejects with the
 * typed error (its message names no secret).
 *
 * @since 0.2.0
 * @category conversions
 */
export const toSdkTokenProvider = <E>(
  runtime: ManagedRuntime.ManagedRuntime<SsoTokenProvider, E>,
  session: SessionInput
): () => Promise<{ token: string; expiration: Date }> =>
() =>
  // `runPromise` would reject with a FiberFailure; Effect 4's rejects with the error itself, as this does.
  runtime.runPromiseExit(
    Effect.map(token(session), (accessToken) => ({
      token: Redacted.value(accessToken.accessToken),
      expiration: accessToken.expiresAt
    }))
  ).then((exit) => Exit.isSuccess(exit) ? exit.value : Promise.reject(Cause.squash(exit.cause)))
