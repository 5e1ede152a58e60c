import * as Duration from "effect/Duration"
import type { Registration, Token } from "../DeviceLogin.js"
import * as SsoOidcError from "../SsoOidcError.js"
import type { CreateTokenResponse } from "../SsoOidcSchema.js"

/**
 * A registration is reused while it has at least this long to live: a login
 * started with it must be able to finish (AWS CLI uses the same 15 minutes).
 */
const registrationMargin = Duration.minutes(15)

/** Whether a registration can serve a new login: time left, the same scopes, the same region. */
export const isReusable = (
  registration: Registration,
  nowMillis: number,
  scopes: ReadonlyArray<string> | undefined,
  region: string | undefined
): boolean =>
  registration.clientSecretExpiresAt * 1000 - nowMillis > Duration.toMillis(registrationMargin) &&
  sameScopes(registration.scopes, scopes) &&
  (registration.region === undefined || region === undefined || registration.region === region)

const sameScopes = (a: ReadonlyArray<string> | undefined, b: ReadonlyArray<string> | undefined) => {
  const left = [...(a ?? [])].sort()
  const right = [...(b ?? [])].sort()
  return left.length === right.length && left.every((scope, i) => scope === right[i])
}

/** The token of a CreateToken reply that has an access token, with absolute expiry and what a cache needs. */
export const tokenOf = (
  reply: CreateTokenResponse & { readonly accessToken: NonNullable<CreateTokenResponse["accessToken"]> },
  context: {
    readonly receivedAt: number
    readonly registration: Registration
    readonly clientRegion: string | undefined
    readonly startUrl: string
  }
): Token => ({
  accessToken: reply.accessToken,
  refreshToken: reply.refreshToken,
  idToken: reply.idToken,
  tokenType: reply.tokenType,
  expiresAt: new Date(context.receivedAt + reply.expiresIn * 1000),
  registration: context.registration,
  region: context.registration.region ?? context.clientRegion,
  startUrl: context.startUrl
})

/** A 2xx reply without a member the login cannot do without. */
export const missing = (operation: SsoOidcError.OperationName, member: string) =>
  new SsoOidcError.ResponseDecodeError({ operation, status: 200, description: `${member} is missing` })
