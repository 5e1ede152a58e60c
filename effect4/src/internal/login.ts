/**
 * The Effect side of what both logins and the token provider share:
 * register-or-reuse against the client, and the typed errors of replies
 * that lack a member. The decisions and conversions themselves are the
 * Effect-free `core/login.ts`.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as core from "../core/login.js"
import type * as SsoOidcClient from "../SsoOidcClient.js"
import * as SsoOidcError from "../SsoOidcError.js"
import type { CreateTokenResponse, RegisterClientRequest } from "../SsoOidcSchema.js"
import type { Registration, Token } from "../SsoToken.js"

export { expiresAtOf, isReusable } from "../core/login.js"

/** A 2xx reply without a member the login cannot do without. */
export const missing = (operation: SsoOidcError.OperationName, member: string) =>
  new SsoOidcError.ResponseDecodeError({ operation, status: 200, description: `${member} is missing` })

const reveal = Redacted.value<string>

/**
 * The given registration while {@link core.isReusable}, else a new one from
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
    const now = yield* Clock.currentTimeMillis
    const scopes = options.request.scopes
    if (options.registration !== undefined && core.isReusable(options.registration, now, scopes, client.region)) {
      return { registration: options.registration, reused: true }
    }
    const reply = yield* client.registerClient(options.request)
    const registration = core.registrationOf(reply, { scopes, region: client.region }, reveal)
    if (registration._tag === "Missing") return yield* missing("RegisterClient", registration.member)
    return { registration: registration.value, reused: false }
  })

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
): Effect.Effect<Token, SsoOidcError.ResponseDecodeError> => {
  const token = core.tokenOf(reply, context, reveal)
  return token._tag === "Missing" ? Effect.fail(missing("CreateToken", token.member)) : Effect.succeed(token.value)
}
