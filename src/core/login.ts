/**
 * What both logins and the token provider share, without Effect:
 * register-or-reuse's decision with its reuse margin, and the wire → model
 * conversions of RegisterClient and CreateToken replies (epoch and relative
 * seconds become `Date`s here, once).
 *
 * Secrets stay whatever the caller's schema made them (`Redacted` in both
 * editions): the conversions are generic in the secret's type and only look
 * inside one through the caller's `reveal`, to tell an empty one.
 *
 * @internal
 */

/**
 * A registration is reused while it has at least this long to live: a login
 * started with it must be able to finish (the AWS CLI uses the same 15 minutes).
 */
export const registrationReuseMarginMillis = 15 * 60 * 1000

/** A client registration, as `SsoToken.Registration` of either edition (`Secret` is `Redacted<string>` there). */
export interface Registration<Secret> {
  readonly clientId: string
  readonly clientSecret: Secret
  readonly clientIdIssuedAt: Date | undefined
  readonly clientSecretExpiresAt: Date
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly region?: string | undefined
}

/** A login's token, as `SsoToken.Token` of either edition. */
export interface Token<Secret, R extends Registration<Secret> = Registration<Secret>> {
  readonly accessToken: Secret
  readonly refreshToken: Secret | undefined
  readonly idToken: Secret | undefined
  readonly tokenType: string | undefined
  readonly expiresAt: Date
  readonly registration: R
  readonly region: string | undefined
  readonly startUrl: string
}

/** A conversion's result: the value, or the name of a member the reply lacked (or sent empty). */
export type Built<A> =
  | { readonly _tag: "Built"; readonly value: A }
  | { readonly _tag: "Missing"; readonly member: string }

const built = <A>(value: A): Built<A> => ({ _tag: "Built", value })
const missing = (member: string): Built<never> => ({ _tag: "Missing", member })

// -----------------------------------------------------------------------------
// register or reuse
// -----------------------------------------------------------------------------

/** The same scopes, in any order; absent is the same as none. */
export const sameScopes = (a: ReadonlyArray<string> | undefined, b: ReadonlyArray<string> | undefined): boolean => {
  const left = [...(a ?? [])].sort()
  const right = [...(b ?? [])].sort()
  return left.length === right.length && left.every((scope, i) => scope === right[i])
}

/**
 * Whether a registration can serve a new login at `nowMillis`: more than
 * {@link registrationReuseMarginMillis} left, the same scopes, the same
 * region (a registration or a client without one matches any).
 */
export const isReusable = (
  registration: {
    readonly clientSecretExpiresAt: Date
    readonly scopes?: ReadonlyArray<string> | undefined
    readonly region?: string | undefined
  },
  nowMillis: number,
  scopes: ReadonlyArray<string> | undefined,
  region: string | undefined
): boolean => {
  // An untyped caller may still pass the epoch seconds of 0.1: register again rather than die.
  const expiresAt = (registration.clientSecretExpiresAt as unknown) instanceof Date
    ? registration.clientSecretExpiresAt.getTime()
    : Number.NaN
  return expiresAt - nowMillis > registrationReuseMarginMillis &&
    sameScopes(registration.scopes, scopes) &&
    (registration.region === undefined || region === undefined || registration.region === region)
}

// -----------------------------------------------------------------------------
// wire → model
// -----------------------------------------------------------------------------

/** Epoch seconds of the wire (bounded by the schema to the years 1970–9999) as a `Date`. */
export const fromEpochSeconds = (seconds: number): Date => new Date(seconds * 1000)

/** When a token with `expiresIn` seconds (bounded by the schema to 10 years) received at `receivedAt` expires. */
export const expiresAtOf = (receivedAt: number, expiresIn: number): Date => new Date(receivedAt + expiresIn * 1000)

/**
 * The registration of a RegisterClient reply, for the scopes it was asked
 * with and the client's region. A `clientIdIssuedAt` of 0 (the wire's
 * default) is unknown; a `clientSecretExpiresAt` of 0 is the epoch, so such
 * a registration is never reused. No `clientId` or `clientSecret` (or an
 * empty one) is `Missing`.
 */
export const registrationOf = <Secret>(
  reply: {
    readonly clientId?: string | undefined
    readonly clientSecret?: Secret | undefined
    readonly clientIdIssuedAt: number
    readonly clientSecretExpiresAt: number
  },
  context: { readonly scopes: ReadonlyArray<string> | undefined; readonly region: string | undefined },
  reveal: (secret: Secret) => string
): Built<Registration<Secret>> => {
  const { clientId, clientSecret } = reply
  // An empty string is as good as no value (and a cache file with one reads back as corrupt).
  if (clientId === undefined || clientId === "") return missing("clientId")
  if (clientSecret === undefined || reveal(clientSecret) === "") return missing("clientSecret")
  return built({
    clientId,
    clientSecret,
    clientIdIssuedAt: reply.clientIdIssuedAt === 0 ? undefined : fromEpochSeconds(reply.clientIdIssuedAt),
    clientSecretExpiresAt: fromEpochSeconds(reply.clientSecretExpiresAt),
    scopes: context.scopes,
    region: context.region
  })
}

/**
 * The token of a CreateToken reply received at `receivedAt` (epoch millis),
 * with its absolute expiry and what a cache needs; the region is the
 * registration's, else the client's. No `accessToken` (or an empty one) is
 * `Missing`.
 */
export const tokenOf = <Secret, R extends Registration<Secret>>(
  reply: {
    readonly accessToken?: Secret | undefined
    readonly refreshToken?: Secret | undefined
    readonly idToken?: Secret | undefined
    readonly tokenType?: string | undefined
    readonly expiresIn: number
  },
  context: {
    readonly receivedAt: number
    readonly registration: R
    readonly clientRegion: string | undefined
    readonly startUrl: string
  },
  reveal: (secret: Secret) => string
): Built<Token<Secret, R>> => {
  const { accessToken } = reply
  if (accessToken === undefined || reveal(accessToken) === "") return missing("accessToken")
  return built({
    accessToken,
    refreshToken: reply.refreshToken,
    idToken: reply.idToken,
    tokenType: reply.tokenType,
    expiresAt: expiresAtOf(context.receivedAt, reply.expiresIn),
    registration: context.registration,
    region: context.registration.region ?? context.clientRegion,
    startUrl: context.startUrl
  })
}
