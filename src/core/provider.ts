/**
 * The rules of the token provider and of the role-credential provider,
 * without Effect: when a cached SSO token is served, refreshed or reported
 * expired; what a refresh reply must hold and what token it makes; when role
 * credentials (or an SDK provider's) are fetched again; and the texts of the
 * errors that tell the user what to do. Both editions' `SsoTokenProvider`,
 * `SsoCredentials` and `AwsCredentials` call these, so a fix lands once.
 *
 * Times are epoch milliseconds; secrets stay whatever type the caller holds
 * them in (`Redacted` in both editions): the core never looks inside one.
 *
 * @internal
 */
// The service's grant type names, one copy for the core (the emulator serves the same ones).
import { GrantType } from "./emulator/grants.js"

// -----------------------------------------------------------------------------
// constants
// -----------------------------------------------------------------------------

/** Refresh when less than this is left (the JS, Rust and Java SDKs; the AWS CLI uses 15 min). @internal */
export const defaultRefreshWindowMillis = 5 * 60_000

/** At most one refresh attempt per session within this (the JS and Rust SDKs). @internal */
export const defaultMinRefreshIntervalMillis = 30_000

/** Role credentials are fetched again when fewer than this are left (the SDKs). @internal */
export const defaultRoleRefreshWindowMillis = 5 * 60_000

/** An SDK credential provider's result is asked for again this long before it expires. @internal */
export const sdkCredentialsMarginMillis = 5 * 60_000

// -----------------------------------------------------------------------------
// sessions and messages
// -----------------------------------------------------------------------------

/** What names a session in a message: its sso-session, else (legacy profile) its start URL. @internal */
export interface SessionIds {
  readonly sessionName?: string | undefined
  readonly startUrl: string
}

/** The command that signs the session in again. @internal */
export const loginCommand = (session: SessionIds): string =>
  session.sessionName === undefined
    ? `sso-oidc login --start-url ${session.startUrl}`
    : `sso-oidc login --sso-session ${session.sessionName}`

/** The session as a message names it. @internal */
export const describeSession = (session: SessionIds): string =>
  session.sessionName === undefined ? `start URL ${session.startUrl}` : `sso-session "${session.sessionName}"`

/** The ids an error carries: no `sessionName` key at all for a legacy profile. @internal */
export const sessionIds = (session: SessionIds): SessionIds =>
  session.sessionName === undefined
    ? { startUrl: session.startUrl }
    : { sessionName: session.sessionName, startUrl: session.startUrl }

/**
 * Why an expired token cannot be refreshed, in the order the checks run: the
 * members of both editions' `SsoTokenProvider.NotRefreshableReason` (documented there). @internal
 */
export const notRefreshableReasons = [
  "NoRefreshToken",
  "NoClientRegistration",
  "RegistrationExpired",
  "RefreshThrottled"
] as const

/** One of {@link notRefreshableReasons}. @internal */
export type NotRefreshableReason = typeof notRefreshableReasons[number]

const reasonText: Record<NotRefreshableReason, string> = {
  NoRefreshToken: "the cache has no refresh token (set sso_registration_scopes to get one)",
  NoClientRegistration: "the cache has no client registration",
  RegistrationExpired: "its client registration has expired",
  RefreshThrottled: "a refresh was attempted moments ago"
}

/** `TokenMissing`'s message: nobody has signed in. @internal */
export const tokenMissingMessage = (session: SessionIds, path: string): string =>
  `No SSO token for ${describeSession(session)} (no ${path}): run \`${loginCommand(session)}\` to sign in`

/** `TokenExpired`'s message: expired, not refreshable, sign in again. @internal */
export const tokenExpiredMessage = (session: SessionIds, expiredAt: Date, reason: NotRefreshableReason): string =>
  `The SSO token of ${describeSession(session)} expired at ${expiredAt.toISOString()} and cannot be ` +
  `refreshed: ${reasonText[reason]}. Run \`${loginCommand(session)}\` to sign in again.`

/** The refresh errors (by `_tag`) that mean the SSO session is over: only a new login helps. */
const sessionEndedTags: ReadonlySet<string> = new Set([
  "InvalidGrant",
  "InvalidClient",
  "ExpiredToken",
  "AccessDenied",
  "UnauthorizedClient"
])

/** Whether a refresh failure with this `_tag` means the session has ended. @internal */
export const isSessionEnded = (tag: string): boolean => sessionEndedTags.has(tag)

/** `RefreshFailed`'s message, with advice that depends on whether the session has ended. @internal */
export const refreshFailedMessage = (session: SessionIds, causeTag: string, causeMessage: string): string => {
  const advice = isSessionEnded(causeTag)
    ? `The SSO session has ended: run \`${loginCommand(session)}\` to sign in again.`
    : `Try again later, or run \`${loginCommand(session)}\` to sign in again.`
  return `Refreshing the expired SSO token of ${describeSession(session)} failed: ${causeMessage}. ${advice}`
}

/** The warning when a refreshed token could not be written (never the token itself). @internal */
export const unwrittenWarning = (session: SessionIds, errorMessage: string): string =>
  `The refreshed SSO token of ${describeSession(session)} could not be written to the cache ` +
  `(${errorMessage}); this process keeps using it and tries again later`

/** The warning when the lock could not be taken (a full disk) and the valid cached token is served. @internal */
export const notRefreshedWarning = (session: SessionIds, errorMessage: string): string =>
  `The SSO token of ${describeSession(session)} was not refreshed: ${errorMessage}`

// -----------------------------------------------------------------------------
// the token rules
// -----------------------------------------------------------------------------

/** What the rules read of a cached token (the cache's `CachedToken` in both editions). @internal */
export interface RefreshableToken<Secret> {
  readonly startUrl: string | undefined
  readonly region: string | undefined
  readonly accessToken: Secret
  readonly expiresAt: Date
  readonly clientId: string | undefined
  readonly clientSecret: Secret | undefined
  readonly registrationExpiresAt: Date | undefined
  readonly refreshToken: Secret | undefined
}

/**
 * More than the window is left: served as it is. Strict: exactly the window
 * left is refreshed (the SDKs' `expiration - now <= window`). @internal
 */
export const isFresh = (expiresAt: Date | number, now: number, windowMillis: number): boolean =>
  (typeof expiresAt === "number" ? expiresAt : expiresAt.getTime()) - now > windowMillis

/** Expired at its `expiresAt` itself: a token is usable while `now < expiresAt`. @internal */
export const isExpired = (expiresAt: Date, now: number): boolean => expiresAt.getTime() <= now

/**
 * Why the token cannot be refreshed (in the order the SDKs check), or
 * `undefined` when it can: a refresh token, a client id and secret, and a
 * registration that has not expired. @internal
 */
export const notRefreshable = <Secret>(
  token: Pick<RefreshableToken<Secret>, "refreshToken" | "clientId" | "clientSecret" | "registrationExpiresAt">,
  now: number
): NotRefreshableReason | undefined => {
  if (token.refreshToken === undefined) return "NoRefreshToken"
  if (token.clientId === undefined || token.clientSecret === undefined) return "NoClientRegistration"
  if (token.registrationExpiresAt !== undefined && token.registrationExpiresAt.getTime() <= now) {
    return "RegistrationExpired"
  }
  return undefined
}

/**
 * What to do with a cached token:
 *
 * - `Serve`: the cached token (fresh, or valid while a refresh is not possible);
 * - `Refresh`: call CreateToken with the refresh token;
 * - `Expired`: fail with `TokenExpired` and this reason;
 * - `LastFailure`: fail again with the last attempt's failure (throttled, expired).
 *
 * @internal
 */
export type TokenDecision<Failure> =
  | { readonly _tag: "Serve" }
  | { readonly _tag: "Refresh" }
  | { readonly _tag: "Expired"; readonly reason: NotRefreshableReason }
  | { readonly _tag: "LastFailure"; readonly failure: Failure }

const serve = { _tag: "Serve" } as const
const refresh = { _tag: "Refresh" } as const

/** The last refresh attempt of a session in this process, with its failure if it failed. @internal */
export interface LastAttempt<Failure> {
  readonly at: number
  readonly failure: Failure | undefined
}

/**
 * The decision for `token`, in order: fresh → serve; a refresh attempted
 * less than `minIntervalMillis` ago → serve while valid, else the last
 * failure (or `RefreshThrottled`); not refreshable → serve while valid, else
 * expired; otherwise refresh. Without `lastAttempt` (under the cross-process
 * lock, after a re-read) the throttle is not applied. @internal
 */
export const decide = <Secret, Failure = never>(
  token: RefreshableToken<Secret>,
  now: number,
  options: {
    readonly windowMillis: number
    readonly minIntervalMillis?: number | undefined
    readonly lastAttempt?: LastAttempt<Failure> | undefined
  }
): TokenDecision<Failure> => {
  if (isFresh(token.expiresAt, now, options.windowMillis)) return serve
  const last = options.lastAttempt
  if (last !== undefined && now - last.at < (options.minIntervalMillis ?? defaultMinRefreshIntervalMillis)) {
    if (!isExpired(token.expiresAt, now)) return serve
    return last.failure !== undefined
      ? { _tag: "LastFailure", failure: last.failure }
      : { _tag: "Expired", reason: "RefreshThrottled" }
  }
  const blocker = notRefreshable(token, now)
  if (blocker !== undefined) return isExpired(token.expiresAt, now) ? { _tag: "Expired", reason: blocker } : serve
  return refresh
}

/**
 * A token kept in memory because the cache refused it is dropped once the
 * file holds one that lives as long or longer (another process refreshed). @internal
 */
export const isCaughtUp = (onDisk: { readonly expiresAt: Date }, kept: { readonly expiresAt: Date }): boolean =>
  onDisk.expiresAt.getTime() >= kept.expiresAt.getTime()

/** The cache's precision: whole seconds, rounded down (so a reader never sees a later expiry). @internal */
export const wholeSeconds = (millis: number): Date => new Date(Math.floor(millis / 1000) * 1000)

/** The part of a CreateToken reply a refresh reads. @internal */
export interface RefreshReply<Secret> {
  readonly accessToken?: Secret | undefined
  readonly expiresIn: number
  readonly refreshToken?: Secret | undefined
}

/** A refresh reply with what a token needs. @internal */
export interface UsableRefreshReply<Secret> extends RefreshReply<Secret> {
  readonly accessToken: Secret
}

/**
 * A refresh reply needs a non-empty access token and a positive
 * `expiresIn`; else `Unusable` says what is wrong (for the
 * `ResponseDecodeError`'s description, never a value). @internal
 */
export const checkRefreshReply = <Secret>(
  reply: RefreshReply<Secret>,
  isEmpty: (secret: Secret) => boolean
):
  | { readonly _tag: "Usable"; readonly reply: UsableRefreshReply<Secret> }
  | { readonly _tag: "Unusable"; readonly description: string } =>
{
  const accessToken = reply.accessToken
  if (accessToken === undefined || isEmpty(accessToken)) return { _tag: "Unusable", description: "accessToken is missing" }
  if (!(reply.expiresIn > 0)) return { _tag: "Unusable", description: "expiresIn is not positive" }
  return { _tag: "Usable", reply: { ...reply, accessToken } }
}

/**
 * The token a refresh makes, for the session's start URL and region: expiry
 * `expiresIn` after the reply was received (whole seconds), the registration
 * of the old token, and the old refresh token when the reply has none (it
 * stays valid). @internal
 */
export const refreshedToken = <Secret>(
  session: { readonly startUrl: string; readonly region: string },
  old: RefreshableToken<Secret>,
  reply: UsableRefreshReply<Secret>,
  receivedAt: number
): RefreshableToken<Secret> => ({
  startUrl: session.startUrl,
  region: session.region,
  accessToken: reply.accessToken,
  expiresAt: wholeSeconds(receivedAt + reply.expiresIn * 1000),
  clientId: old.clientId,
  clientSecret: old.clientSecret,
  registrationExpiresAt: old.registrationExpiresAt,
  refreshToken: reply.refreshToken ?? old.refreshToken
})

// -----------------------------------------------------------------------------
// login
// -----------------------------------------------------------------------------

/**
 * Whether a cached registration can serve a login: the device flow takes one
 * without `grantTypes` (the AWS CLI writes them only for the
 * authorization-code flow) or one listing the device grant; the browser flow
 * needs `authorization_code` listed. @internal
 */
export const registrationUsableFor = (
  flow: "device" | "browser",
  registrationGrantTypes: ReadonlyArray<string> | undefined
): boolean =>
  flow === "browser"
    ? registrationGrantTypes !== undefined && registrationGrantTypes.includes(GrantType.AuthorizationCode)
    : registrationGrantTypes === undefined || registrationGrantTypes.includes(GrantType.DeviceCode)

/** The `grantTypes` a new registration's file records: the AWS CLI writes them for the browser flow only. @internal */
export const registrationGrantTypesFor = (flow: "device" | "browser"): ReadonlyArray<string> | undefined =>
  flow === "browser" ? [GrantType.AuthorizationCode, GrantType.RefreshToken] : undefined

/** The client name a login registers by default. @internal */
export const defaultClientName = (session: { readonly sessionName?: string | undefined }): string =>
  session.sessionName === undefined ? "effect-sso-oidc" : `effect-sso-oidc-${session.sessionName}`

// -----------------------------------------------------------------------------
// role credentials
// -----------------------------------------------------------------------------

/** The role credentials of a GetRoleCredentials reply, every member optional as on the wire. @internal */
export interface RoleCredentialsReply<Secret> {
  readonly accessKeyId?: string | undefined
  readonly secretAccessKey?: Secret | undefined
  readonly sessionToken?: Secret | undefined
  /** Epoch milliseconds. */
  readonly expiration?: number | undefined
}

/** Role credentials as the cache holds them (the cache module's `CachedRoleCredentials`). @internal */
export interface RoleCredentialsValue<Secret> {
  readonly accessKeyId: string
  readonly secretAccessKey: Secret
  readonly sessionToken: Secret
  /** Epoch milliseconds, whole seconds (the cache file's precision). */
  readonly expiration: number
  readonly accountId: string
}

/**
 * The reply's credentials for the account, or the first member it lacks
 * (`roleCredentials`, `accessKeyId`, `secretAccessKey`, `sessionToken`,
 * `expiration`). The expiry is cut to whole seconds, as the cache file holds
 * it, so that what the caller gets is what a later reader of the file gets. @internal
 */
export const roleCredentialsOf = <Secret>(
  reply: RoleCredentialsReply<Secret> | undefined,
  accountId: string
):
  | { readonly _tag: "Complete"; readonly credentials: RoleCredentialsValue<Secret> }
  | { readonly _tag: "Missing"; readonly member: string } =>
{
  if (reply === undefined) return { _tag: "Missing", member: "roleCredentials" }
  const { accessKeyId, expiration, secretAccessKey, sessionToken } = reply
  if (accessKeyId === undefined || accessKeyId === "") return { _tag: "Missing", member: "accessKeyId" }
  if (secretAccessKey === undefined) return { _tag: "Missing", member: "secretAccessKey" }
  if (sessionToken === undefined) return { _tag: "Missing", member: "sessionToken" }
  if (expiration === undefined) return { _tag: "Missing", member: "expiration" }
  return {
    _tag: "Complete",
    credentials: {
      accessKeyId,
      secretAccessKey,
      sessionToken,
      expiration: wholeSeconds(expiration).getTime(),
      accountId
    }
  }
}

/** The account of cached credentials: the file's, else (an older file without one) the profile's. @internal */
export const accountOf = (cached: { readonly accountId: string }, profileAccountId: string): string =>
  cached.accountId === "" ? profileAccountId : cached.accountId

/** The warning when the role-credential cache refused the credentials (never a secret). @internal */
export const roleCredentialsUncachedWarning = (profileName: string, path: string, problem: string): string =>
  `the role credentials of profile "${profileName}" could not be cached (${path}: ${problem}); ` +
  `they are kept in memory for this process`

/**
 * Whether an SDK credential provider's result is still served from memory:
 * no expiration (long-term keys), or more than the margin left. @internal
 */
export const sdkCredentialsFresh = (expiration: Date | undefined, now: number): boolean =>
  expiration === undefined || isFresh(expiration, now, sdkCredentialsMarginMillis)
