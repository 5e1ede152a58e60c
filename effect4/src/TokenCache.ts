/**
 * The SSO token cache of the AWS CLI v2 and the AWS SDKs,
 * `~/.aws/sso/cache/`, read and written byte for byte as the AWS CLI does.
 *
 * - Token files: `<sha1(sso-session name)>.json`, or `<sha1(start URL)>.json`
 *   for legacy profiles, with `startUrl`, `region`, `accessToken`,
 *   `expiresAt`, `clientId`, `clientSecret`, `registrationExpiresAt` and
 *   `refreshToken`.
 * - Registration files: the AWS CLI's key, `sha1` of the JSON of
 *   `{tool, startUrl, region, scopes, session_name}`, with `clientId`,
 *   `clientSecret`, `expiresAt` and `scopes` (and `grantTypes` for the
 *   authorization-code flow).
 * - Written as Python's `json.dumps` writes them, timestamps as UTC
 *   `YYYY-MM-DDTHH:MM:SSZ`; read leniently (the JS SDK's fractional seconds,
 *   RFC 3339 offsets, the old `…UTC` suffix, any key case).
 * - Writes are atomic (a temporary file in the same folder, then a rename),
 *   files are `0600`, a folder this library creates is `0700`.
 * - Reads take only regular files (or links to one) up to 1 MiB, checked
 *   before opening, and log a warning (path and mode, as ssh does) for a file
 *   others can read or change, or a folder others can write or own.
 * - A file that cannot be read as a cache entry is a typed
 *   {@link CacheFileCorrupt} error and is left as it is: never overwritten or
 *   deleted behind the user's back.
 * - {@link Service.withLock} serializes work on one entry across processes
 *   with a lock file next to it.
 *
 * Secrets (`accessToken`, `refreshToken`, `clientSecret`) are
 * `Redacted` in memory; they are in plain text only inside the files.
 *
 * @since 0.1.0
 */
import * as FileSystem from "effect/FileSystem"
import * as Path from "effect/Path"
import * as Brand from "effect/Brand"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TokenFile from "./core/cache/tokenFile.js"
import { ssoCacheDirectory } from "./internal/cache/home.js"
import * as Store from "./internal/cache/store.js"
import { TaggedError } from "./internal/taggedError.js"

// -----------------------------------------------------------------------------
// keys
// -----------------------------------------------------------------------------

/**
 * The name of a cache entry without `.json`: 40 lowercase hex digits.
 *
 * @since 0.1.0
 * @category keys
 */
export type CacheKey = string & Brand.Brand<"effect-sso-oidc/CacheKey">

/**
 * A {@link CacheKey} from a string that is already one (40 lowercase hex digits).
 *
 * @since 0.1.0
 * @category keys
 */
export const CacheKey: Brand.Constructor<CacheKey> = Brand.make<CacheKey>((key) =>
  TokenFile.isCacheKey(key) || `not a cache key (40 lowercase hex digits): ${JSON.stringify(key)}`
)

/**
 * The key of a token: `sha1` (hex) of the sso-session name, or of the start
 * URL for a legacy profile, as the AWS CLI, botocore and the SDKs compute it.
 *
 * @since 0.1.0
 * @category keys
 */
export const tokenKey = (identifier: string): CacheKey => TokenFile.tokenKey(identifier) as CacheKey

/**
 * The key of a session's token: by its name, else (legacy profile) by its start URL.
 *
 * @since 0.1.0
 * @category keys
 */
export const tokenKeyOf = (session: {
  readonly sessionName: string | undefined
  readonly startUrl: string
}): CacheKey => tokenKey(session.sessionName ?? session.startUrl)

/**
 * What the AWS CLI keys a client registration by: `startUrl`, `region`,
 * `registrationScopes` (the parsed `sso_registration_scopes`, `undefined`
 * when the key is absent) and `sessionName` (`undefined` for a legacy
 * profile).
 *
 * @since 0.1.0
 * @category keys
 */
export type RegistrationKeyInput = TokenFile.RegistrationKeyInput

/**
 * The key of a client registration, as the AWS CLI v2 computes it
 * (`BaseSSOTokenFetcher._registration_cache_key`): `sha1` of
 * `json.dumps({"tool": "botocore", "startUrl": …, "region": …, "scopes": …,
 * "session_name": …}, sort_keys=True)`.
 *
 * @since 0.1.0
 * @category keys
 */
export const registrationKey = (input: RegistrationKeyInput): CacheKey =>
  TokenFile.registrationKey(input) as CacheKey

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * A cached SSO token (the content of a token file).
 *
 * @since 0.1.0
 * @category models
 */
export interface CachedToken {
  /** The AWS access portal URL the token was issued for. */
  readonly startUrl: string | undefined
  /** The region of IAM Identity Center. */
  readonly region: string | undefined
  readonly accessToken: Redacted.Redacted<string>
  readonly expiresAt: Date
  /** The client registration the token was issued to (needed to refresh it). */
  readonly clientId: string | undefined
  readonly clientSecret: Redacted.Redacted<string> | undefined
  /** When the client registration expires; after it the token cannot be refreshed. */
  readonly registrationExpiresAt: Date | undefined
  readonly refreshToken: Redacted.Redacted<string> | undefined
}

/**
 * A cached client registration (the content of a registration file).
 *
 * @since 0.1.0
 * @category models
 */
export interface CachedRegistration {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /** `clientSecretExpiresAt` of RegisterClient. */
  readonly expiresAt: Date
  /** The scopes registered; absent when none were. */
  readonly scopes: ReadonlyArray<string> | undefined
  /** Written by the AWS CLI's authorization-code flow only (`["authorization_code", "refresh_token"]`). */
  readonly grantTypes: ReadonlyArray<string> | undefined
}

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * A cache file that cannot be read as a token or registration: not JSON
 * (for example cut short by a crash of a tool that writes in place), not an
 * object, a required field missing, a field of the wrong type or a date that
 * cannot be parsed. The file is left untouched. The description names the
 * field, never a value.
 *
 * @since 0.1.0
 * @category errors
 */
export class CacheFileCorrupt extends TaggedError<CacheFileCorrupt>("effect-sso-oidc/CacheFileCorrupt")(
  "CacheFileCorrupt",
  {
    path: Schema.String,
    kind: Schema.Literals(["token", "registration"]),
    description: Schema.String
  }
) {
  override get message() {
    return `The SSO cache file ${this.path} is not a valid ${this.kind} file (${this.description}). ` +
      `It was left as it is: remove it, then sign in again.`
  }
}

/**
 * The file system refused an operation on the cache (permissions, a full
 * disk, a folder where a file should be, …), a cache file is not a regular
 * file (a FIFO, a device, …) or is larger than 1 MiB, the lock path holds
 * something other than a lock file (a symbolic link, a folder, …), or the
 * cache refused to write an entry it could not read back (a date that is
 * invalid or outside the years 0000–9999, an empty access token, client id or
 * client secret): then nothing was written and `description` names the field.
 *
 * @since 0.1.0
 * @category errors
 */
export class CacheIoError extends TaggedError<CacheIoError>("effect-sso-oidc/CacheIoError")(
  "CacheIoError",
  {
    path: Schema.String,
    /** What was being done: `read`, `write`, `rename`, `lock`, … */
    operation: Schema.String,
    description: Schema.String
  }
) {
  override get message() {
    return `Cannot ${this.operation} ${this.path}: ${this.description}`
  }
}

/**
 * Another process held the lock of a cache entry for longer than the lock
 * timeout while keeping it alive.
 *
 * @since 0.1.0
 * @category errors
 */
export class LockTimeout extends TaggedError<LockTimeout>("effect-sso-oidc/LockTimeout")(
  "LockTimeout",
  { path: Schema.String, waitedMillis: Schema.Number }
) {
  override get message() {
    return `Gave up after ${Math.round(this.waitedMillis / 1000)} s waiting for the lock ${this.path}, ` +
      `which another process keeps renewing`
  }
}

/**
 * The errors of reading the cache.
 *
 * @since 0.1.0
 * @category errors
 */
export type TokenCacheError = CacheFileCorrupt | CacheIoError

const fromStoreError = (error: Store.StoreError): CacheIoError | LockTimeout =>
  error._tag === "StoreIo"
    ? new CacheIoError({ path: error.path, operation: error.operation, description: error.description })
    : new LockTimeout({ path: error.path, waitedMillis: error.waitedMillis })

const ioOnly = (error: Store.StoreError): CacheIoError => fromStoreError(error) as CacheIoError

// -----------------------------------------------------------------------------
// encoding
// -----------------------------------------------------------------------------

/** Epoch milliseconds of a date; `NaN` for anything that is not a `Date` (refused as not a date). */
const millisOf = (date: Date | undefined): number | undefined =>
  date === undefined ? undefined : date instanceof Date ? date.getTime() : Number.NaN

const reveal = (value: Redacted.Redacted<string> | undefined) => (value === undefined ? undefined : Redacted.value(value))
const secret = (value: string | undefined) => (value === undefined ? undefined : Redacted.make(value))
const dateOf = (millis: number | undefined) => (millis === undefined ? undefined : new Date(millis))

// A required field left out by a JavaScript caller stays `undefined`, which the core reports as missing.
const tokenFileOf = (token: CachedToken): TokenFile.TokenFile => ({
  startUrl: token.startUrl,
  region: token.region,
  accessToken: reveal(token.accessToken) as string,
  expiresAt: millisOf(token.expiresAt) as number,
  clientId: token.clientId,
  clientSecret: reveal(token.clientSecret),
  registrationExpiresAt: millisOf(token.registrationExpiresAt),
  refreshToken: reveal(token.refreshToken)
})

const registrationFileOf = (registration: CachedRegistration): TokenFile.RegistrationFile => ({
  clientId: registration.clientId,
  clientSecret: reveal(registration.clientSecret) as string,
  expiresAt: millisOf(registration.expiresAt) as number,
  scopes: registration.scopes,
  grantTypes: registration.grantTypes
})

/**
 * A token file's content, exactly as the AWS CLI writes it for the same
 * token: Python `json.dumps` layout, keys in the CLI's order, absent fields
 * left out, timestamps `YYYY-MM-DDTHH:MM:SSZ`. Throws a `RangeError` for a
 * date that is invalid or outside the years 0000–9999;
 * {@link Service.setToken} checks first and fails with a typed error instead.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeToken = (token: CachedToken): string => TokenFile.encodeTokenFile(tokenFileOf(token))

/**
 * A registration file's content as the AWS CLI writes it: `clientId`,
 * `clientSecret`, `expiresAt`, then `scopes` when there are any and
 * `grantTypes` when known. Throws a `RangeError` for an invalid `expiresAt`
 * ({@link Service.setRegistration} checks first).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRegistration = (registration: CachedRegistration): string =>
  TokenFile.encodeRegistrationFile(registrationFileOf(registration))

/**
 * Reads a token file's content. `accessToken` and `expiresAt` are required
 * (as the AWS CLI's `SSOTokenLoader` requires them); the other fields are
 * optional; unknown fields are ignored; `null` reads as absent.
 *
 * @since 0.1.0
 * @category encoding
 */
export const decodeToken = (text: string, path = "<token>"): Result.Result<CachedToken, CacheFileCorrupt> => {
  const decoded = TokenFile.decodeTokenFile(text)
  if (decoded._tag === "Invalid") {
    return Result.fail(new CacheFileCorrupt({ path, kind: "token", description: decoded.description }))
  }
  const file = decoded.value
  return Result.succeed({
    startUrl: file.startUrl,
    region: file.region,
    accessToken: Redacted.make(file.accessToken),
    expiresAt: new Date(file.expiresAt),
    clientId: file.clientId,
    clientSecret: secret(file.clientSecret),
    registrationExpiresAt: dateOf(file.registrationExpiresAt),
    refreshToken: secret(file.refreshToken)
  })
}

/**
 * Reads a registration file's content: `clientId`, `clientSecret` and
 * `expiresAt` are required, `scopes` and `grantTypes` optional.
 *
 * @since 0.1.0
 * @category encoding
 */
export const decodeRegistration = (
  text: string,
  path = "<registration>"
): Result.Result<CachedRegistration, CacheFileCorrupt> => {
  const decoded = TokenFile.decodeRegistrationFile(text)
  if (decoded._tag === "Invalid") {
    return Result.fail(new CacheFileCorrupt({ path, kind: "registration", description: decoded.description }))
  }
  const file = decoded.value
  return Result.succeed({
    clientId: file.clientId,
    clientSecret: Redacted.make(file.clientSecret),
    expiresAt: new Date(file.expiresAt),
    scopes: file.scopes,
    grantTypes: file.grantTypes
  })
}

// -----------------------------------------------------------------------------
// service
// -----------------------------------------------------------------------------

/**
 * How {@link Service.withLock} waits for and recovers a lock file.
 *
 * @since 0.1.0
 * @category models
 */
export interface LockOptions {
  /**
   * A lock file whose modification time is older than this is abandoned (its
   * holder died) and is broken. The holder renews it every third of this.
   * Default 20 s.
   */
  readonly staleAfter?: Duration.Input | undefined
  /** How long to wait for a live lock before failing with {@link LockTimeout}. Default 60 s. */
  readonly timeout?: Duration.Input | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The cache folder. */
  readonly directory: string
  /** The file of an entry: `<directory>/<key>.json`. */
  readonly pathOf: (key: CacheKey) => string
  /** The token of an entry; none when there is no file. */
  readonly getToken: (key: CacheKey) => Effect.Effect<Option.Option<CachedToken>, TokenCacheError>
  /**
   * Writes a token entry atomically. An entry that would not read back (an
   * empty access token, an invalid date) is refused with `CacheIoError` and
   * nothing is written.
   */
  readonly setToken: (key: CacheKey, token: CachedToken) => Effect.Effect<void, CacheIoError>
  /** The registration of an entry; none when there is no file. */
  readonly getRegistration: (key: CacheKey) => Effect.Effect<Option.Option<CachedRegistration>, TokenCacheError>
  /** Writes a registration entry atomically; refuses one that would not read back, as `setToken`. */
  readonly setRegistration: (key: CacheKey, registration: CachedRegistration) => Effect.Effect<void, CacheIoError>
  /**
   * Runs `effect` while holding the entry's lock: a lock file
   * `<key>.lock` created exclusively (`wx`) next to the entry, in this and
   * every other process using this library. An abandoned lock (not renewed
   * for `staleAfter`) is broken.
   */
  readonly withLock: <A, E, R>(
    key: CacheKey,
    effect: Effect.Effect<A, E, R>,
    options?: LockOptions
  ) => Effect.Effect<A, E | LockTimeout | CacheIoError, R>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class TokenCache extends Context.Service<TokenCache, Service>()("effect-sso-oidc/TokenCache") {}


const fromStore = (store: Store.Store): Service => {
  const fileOf = (key: CacheKey) => `${key}.json`
  const readWith = <A>(
    key: CacheKey,
    decode: (text: string, path: string) => Result.Result<A, CacheFileCorrupt>
  ): Effect.Effect<Option.Option<A>, TokenCacheError> =>
    store.read(fileOf(key)).pipe(
      Effect.mapError(ioOnly),
      Effect.flatMap(Option.match({
        onNone: () => Effect.succeedNone,
        onSome: (text) => Effect.map(Effect.fromResult(decode(text, store.pathOf(fileOf(key)))), Option.some)
      }))
    )
  const refuse = (key: CacheKey, problem: string | undefined): Effect.Effect<void, CacheIoError> =>
    problem === undefined
      ? Effect.void
      : Effect.fail(
        new CacheIoError({ path: store.pathOf(fileOf(key)), operation: "write", description: `${problem}; nothing was written` })
      )
  return TokenCache.of({
    directory: store.directory,
    pathOf: (key) => store.pathOf(fileOf(key)),
    getToken: Effect.fn("TokenCache.getToken")(function*(key: CacheKey) {
      return yield* readWith(key, decodeToken)
    }),
    setToken: Effect.fn("TokenCache.setToken")(function*(key: CacheKey, token: CachedToken) {
      // Nothing that would read back as CacheFileCorrupt reaches the disk.
      yield* refuse(key, TokenFile.tokenFileProblem(tokenFileOf(token)))
      yield* store.write(fileOf(key), encodeToken(token)).pipe(Effect.mapError(ioOnly))
    }),
    getRegistration: Effect.fn("TokenCache.getRegistration")(function*(key: CacheKey) {
      return yield* readWith(key, decodeRegistration)
    }),
    setRegistration: Effect.fn("TokenCache.setRegistration")(function*(key: CacheKey, registration: CachedRegistration) {
      yield* refuse(key, TokenFile.registrationFileProblem(registrationFileOf(registration)))
      yield* store.write(fileOf(key), encodeRegistration(registration)).pipe(Effect.mapError(ioOnly))
    }),
    withLock: <A, E, R>(key: CacheKey, effect: Effect.Effect<A, E, R>, options?: LockOptions) =>
      Effect.scoped(
        Effect.andThen(
          store.lock(`${key}.lock`, Store.resolveLockOptions(options)).pipe(Effect.mapError(fromStoreError)),
          effect
        )
      ).pipe(Effect.withSpan("TokenCache.withLock"))
  })
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The cache folder. Default `~/.aws/sso/cache` (home from `HOME`, else `USERPROFILE`, else the OS). */
  readonly directory?: string | undefined
}

/**
 * Builds the service over a `FileSystem` and `Path`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = options.directory ?? (yield* ssoCacheDirectory(path))
    return fromStore(Store.makeFileStore(fs, path, directory))
  })

/**
 * The cache on the `FileSystem` and `Path` of the context: `NodeSso.layer`
 * (from `effect-sso-oidc/node`) provides Node's, with the home directory.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<TokenCache, never, FileSystem.FileSystem | Path.Path> => Layer.effect(TokenCache, make(options))

/**
 * A cache in memory, for tests: `files` maps file names (`<key>.json`) to
 * their text, and can be filled before and inspected after. Locks are
 * in-process only.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (files: Map<string, string> = new Map()): Layer.Layer<TokenCache> =>
  Layer.succeed(TokenCache, fromStore(Store.makeMemoryStore(files)))
