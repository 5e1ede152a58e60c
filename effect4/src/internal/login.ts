/**
 * What both logins and the token provider share: register-or-reuse with its
 * reuse margin, and the wire → model conversions of RegisterClient and
 * CreateToken replies (epoch and relative seconds become `Date`s here, once).
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as SsoOidcClient from "../SsoOidcClient.js"
import * as SsoOidcError from "../SsoOidcError.js"
import type { CreateTokenResponse, RegisterClientRequest } from "../SsoOidcSchema.js"
import type { Registration, Token } from "../SsoToken.js"

/**
 * A registration is reused while it has at least this long to live: a login
 * started with it must be able to finish (the AWS CLI uses the same 15 minutes).
 */
export const registrationReuseMargin = Duration.minutes(15)

/** Whether a registration can serve a new login: time left, the same scopes, the same region. */
export const isReusable = (
  registration: Registration,
  nowMillis: number,
  scopes: ReadonlyArray<string> | undefined,
  region: string | undefined
): boolean => {
  // An untyped caller may still pass the epoch seconds of 0.1: register again rather than die.
  const expiresAt = registration.clientSecretExpiresAt instanceof Date
    ? registration.clientSecretExpiresAt.getTime()
    : Number.NaN
  return expiresAt - nowMillis > Duration.toMillis(registrationReuseMargin) &&
    sameScopes(registration.scopes, scopes) &&
    (registration.region === undefined || region === undefined || registration.region === region)
}

const sameScopes = (a: ReadonlyArray<string> | undefined, b: ReadonlyArray<string> | undefined) => {
  const left = [...(a ?? [])].sort()
  const right = [...(b ?? [])].sort()
  return left.length === right.length && left.every((scope, i) => scope === right[i])
}

/** A 2xx reply without a member the login cannot do without. */
export const missing = (operation: SsoOidcError.OperationName, member: string) =>
  new SsoOidcError.ResponseDecodeError({ operation, status: 200, description: `${member} is missing` })

/** An empty string is as good as no value (and a cache file with one reads back as corrupt). */
const isEmpty = (value: string | Redacted.Redacted<string> | undefined) =>
  value === undefined || (typeof value === "string" ? value : Redacted.value(value)) === ""

/** Epoch seconds of the wire (bounded by the schema to the years 1970–9999) as a `Date`. */
const fromEpochSeconds = (seconds: number) => new Date(seconds * 1000)

/**
 * The given registration while {@link isReusable}, else a new one from
 * RegisterClient with `request` (its `scopes` are the login's).
 */
export const registerOrReuse = (
  client: SsoOidcClient.Service,
  options: {
    readonly registration: Registration | undefined
    readonly request: RegisterClientRequest
  }
): Effect.Effect<{ readonly registration: Registration; readonly reused: boolean }, SsoOidcError.RegisterClientError> =>
  Effect.gen(function*() {
    const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
    const scopes = options.request.scopes
    if (options.registration !== undefined && isReusable(options.registration, now, scopes, client.region)) {
      return { registration: options.registration, reused: true }
    }
    const reply = yield* client.registerClient(options.request)
    if (reply.clientId === undefined || reply.clientId === "") return yield* missing("RegisterClient", "clientId")
    if (isEmpty(reply.clientSecret)) return yield* missing("RegisterClient", "clientSecret")
    const registration: Registration = {
      clientId: reply.clientId,
      clientSecret: reply.clientSecret!,
      clientIdIssuedAt: reply.clientIdIssuedAt === 0 ? undefined : fromEpochSeconds(reply.clientIdIssuedAt),
      clientSecretExpiresAt: fromEpochSeconds(reply.clientSecretExpiresAt),
      scopes,
      region: client.region
    }
    return { registration, reused: false }
  })

/** When a token with `expiresIn` seconds (bounded by the schema to 10 years) received at `receivedAt` expires. */
export const expiresAtOf = (receivedAt: number, expiresIn: number): Date => new Date(receivedAt + expiresIn * 1000)

/**
 * The token of a CreateToken reply, with absolute expiry and what a cache
 * needs; a reply without an access token (or with an empty one) is a
 * `ResponseDecodeError`.
 */
export const tokenOf = (
  reply: CreateTokenResponse,
  context: {
    readonly receivedAt: number
    readonly registration: Registration
    readonly clientRegion: string | undefined
    readonly startUrl: string
  }
): Effect.Effect<Token, SsoOidcError.ResponseDecodeError> =>
  isEmpty(reply.accessToken)
    ? Effect.fail(missing("CreateToken", "accessToken"))
    : Effect.succeed({
      accessToken: reply.accessToken!,
      refreshToken: reply.refreshToken,
      idToken: reply.idToken,
      tokenType: reply.tokenType,
      expiresAt: expiresAtOf(context.receivedAt, reply.expiresIn),
      registration: context.registration,
      region: context.registration.region ?? context.clientRegion,
      startUrl: context.startUrl
    })
