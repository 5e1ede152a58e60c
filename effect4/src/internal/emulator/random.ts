/**
 * The emulator's random values as effects (the values themselves come from
 * the core's Web Crypto helpers, never from Effect's seeded `Random`).
 */
import * as Effect from "effect/Effect"
import * as Core from "../../core/emulator/random.js"

/** `length` random bytes as base64url after `prefix`, never starting with `-` or `_`. */
export const token = (length: number, prefix = ""): Effect.Effect<string> => Effect.sync(() => Core.token(length, prefix))

/** A random UUID for `x-amzn-RequestId`. */
export const requestId: Effect.Effect<string> = Effect.sync(Core.requestId)

/** A user code `XXXX-XXXX` (RFC 8628 §6.1 alphabet). */
export const userCode: Effect.Effect<string> = Effect.sync(() => Core.userCode())

/** Fresh temporary AWS credentials in STS's shapes. */
export const roleCredentials: Effect.Effect<Core.RoleCredentials> = Effect.sync(Core.roleCredentials)

export { normalizeUserCode, userCodeAlphabet } from "../../core/emulator/random.js"
