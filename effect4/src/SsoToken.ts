/**
 * The models every part of the library shares: a client {@link Registration}
 * (RegisterClient's result), the {@link Token} a login returns (device or
 * browser), and the {@link AccessToken} that `SsoTokenProvider` serves; and
 * the conversions between them and the cache entries of `TokenCache`.
 *
 * **One time representation: `Date`.** Every instant in these models is a
 * `Date`; durations are `Duration`s elsewhere. The wire's numbers (epoch
 * seconds such as `clientSecretExpiresAt`, relative seconds such as
 * `expiresIn`) are turned into `Date`s where a reply enters a login, and the
 * cache's `YYYY-MM-DDTHH:MM:SSZ` strings only inside `TokenCache`'s encoder
 * and decoder — nowhere else. `Date` rather than epoch millis because the
 * cache entries, `DeviceAuthorization` and `AccessToken.expiresAt` were
 * already `Date`s; because a `Date` prints as a readable instant in logs,
 * JSON and test failures; and because a bare number does not say its unit,
 * which is how seconds and milliseconds got mixed before.
 *
 * `DeviceLogin.Registration`, `DeviceLogin.Token` and
 * `SsoTokenProvider.AccessToken` are these same types under their old names.
 *
 * @since 0.2.0
 */
import type * as Redacted from "effect/Redacted"
import type * as TokenCache from "./TokenCache.js"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * A client registration (the result of RegisterClient), reusable for new
 * logins until 15 minutes before `clientSecretExpiresAt`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Registration {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  /**
   * When the registration was issued; `undefined` when unknown (the service
   * did not say, or the registration was read from a cache file, which does
   * not keep it).
   */
  readonly clientIdIssuedAt: Date | undefined
  /**
   * When the client secret expires. The epoch (1970-01-01) when the service
   * did not say, so such a registration is never reused.
   */
  readonly clientSecretExpiresAt: Date
  /** The scopes the client was registered with. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** The region the client was registered in. */
  readonly region?: string | undefined
}

/**
 * An access token from a completed login, with what a token cache needs.
 *
 * @since 0.2.0
 * @category models
 */
export interface Token {
  readonly accessToken: Redacted.Redacted<string>
  readonly refreshToken: Redacted.Redacted<string> | undefined
  readonly idToken: Redacted.Redacted<string> | undefined
  /** `Bearer`. */
  readonly tokenType: string | undefined
  /** When the access token expires (the reply's `expiresIn` from the time it arrived). */
  readonly expiresAt: Date
  /** The registration the token was issued to (needed to refresh it). */
  readonly registration: Registration
  readonly region: string | undefined
  readonly startUrl: string
}

/**
 * A valid access token of a session, as `SsoTokenProvider` serves it.
 *
 * @since 0.2.0
 * @category models
 */
export interface AccessToken {
  readonly accessToken: Redacted.Redacted<string>
  /** When it expires, to the whole second (what the cache file keeps). */
  readonly expiresAt: Date
  /** `undefined` for a legacy profile. */
  readonly sessionName: string | undefined
  readonly startUrl: string
  readonly region: string
}

// -----------------------------------------------------------------------------
// conversions to and from cache entries
// -----------------------------------------------------------------------------

/** The cache keeps whole seconds: round down, so what is returned is what is read back. */
const wholeSeconds = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000)

/**
 * The token file entry of a login's token, as `aws sso login` writes it:
 * the registration's client id, secret and expiry go with it (they are what
 * a refresh needs), and `expiresAt` is rounded down to the whole second.
 *
 * @since 0.2.0
 * @category conversions
 */
export const toCachedToken = (token: Token): TokenCache.CachedToken => ({
  startUrl: token.startUrl,
  region: token.region,
  accessToken: token.accessToken,
  expiresAt: wholeSeconds(token.expiresAt),
  clientId: token.registration.clientId,
  clientSecret: token.registration.clientSecret,
  registrationExpiresAt: token.registration.clientSecretExpiresAt,
  refreshToken: token.refreshToken
})

/**
 * The registration file entry of a registration. `grantTypes` is written by
 * the AWS CLI for authorization-code registrations only.
 *
 * @since 0.2.0
 * @category conversions
 */
export const toCachedRegistration = (
  registration: Registration,
  options: { readonly grantTypes?: ReadonlyArray<string> | undefined } = {}
): TokenCache.CachedRegistration => ({
  clientId: registration.clientId,
  clientSecret: registration.clientSecret,
  expiresAt: registration.clientSecretExpiresAt,
  scopes: registration.scopes,
  grantTypes: options.grantTypes
})

/**
 * A registration read from a registration file, for the region it was
 * registered in (the file does not keep it: its key does).
 *
 * @since 0.2.0
 * @category conversions
 */
export const fromCachedRegistration = (
  cached: TokenCache.CachedRegistration,
  region: string | undefined
): Registration => ({
  clientId: cached.clientId,
  clientSecret: cached.clientSecret,
  clientIdIssuedAt: undefined,
  clientSecretExpiresAt: cached.expiresAt,
  scopes: cached.scopes,
  region
})

/**
 * The access token of a token file entry, for the session it belongs to.
 *
 * @since 0.2.0
 * @category conversions
 */
export const fromCachedToken = (
  cached: TokenCache.CachedToken,
  session: { readonly sessionName: string | undefined; readonly startUrl: string; readonly region: string }
): AccessToken => ({
  accessToken: cached.accessToken,
  expiresAt: cached.expiresAt,
  sessionName: session.sessionName,
  startUrl: session.startUrl,
  region: session.region
})
