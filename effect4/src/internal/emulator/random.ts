/**
 * Random values of the emulator. Secrets (client secrets, device codes,
 * tokens) come from the platform's cryptographic generator (Web Crypto,
 * available in Node ≥ 19, Bun, Deno and browsers), never from Effect's
 * seeded `Random`.
 */
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"

const bytes = (length: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(length))

/**
 * `length` random bytes as base64url, after an optional prefix. The value
 * never starts with `-` or `_`: command-line parsers (the AWS CLI's argparse)
 * would take `--device-code -abc…` for an option, and real AWS values start
 * with a letter or digit.
 */
export const token = (length: number, prefix = ""): Effect.Effect<string> =>
  Effect.sync(() => {
    for (;;) {
      const value = prefix + Encoding.encodeBase64Url(bytes(length))
      if (/^[A-Za-z0-9]/.test(value)) return value
    }
  })

/** A random UUID for `x-amzn-RequestId`. */
export const requestId: Effect.Effect<string> = Effect.sync(() => globalThis.crypto.randomUUID())

/**
 * The user code alphabet of RFC 8628 §6.1: base-20 consonants, no vowels (no
 * words) and none of the easily confused 0/O, 1/I/L… pairs (there are no digits).
 */
export const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

/** A user code `XXXX-XXXX` drawn uniformly from {@link userCodeAlphabet} (rejection sampling, no modulo bias). */
export const userCode: Effect.Effect<string> = Effect.sync(() => {
  const n = userCodeAlphabet.length
  const limit = 256 - (256 % n)
  const chars: Array<string> = []
  while (chars.length < 8) {
    for (const byte of bytes(16)) {
      if (byte < limit && chars.length < 8) chars.push(userCodeAlphabet[byte % n]!)
    }
  }
  return `${chars.slice(0, 4).join("")}-${chars.slice(4).join("")}`
})

/**
 * A user code as a person may type it (lower case, spaces, no dash) in the
 * canonical `XXXX-XXXX` form; other input comes back trimmed and upper-cased.
 */
export const normalizeUserCode = (input: string): string => {
  const compact = input.toUpperCase().replace(/[\s-]/g, "")
  return compact.length === 8 ? `${compact.slice(0, 4)}-${compact.slice(4)}` : input.trim().toUpperCase()
}

/** The alphabet of AWS access key ids after their prefix (base32: A–Z, 2–7). */
const keyIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

/**
 * Fresh temporary AWS credentials in the shapes STS issues: an `ASIA…` key
 * id of 20 characters, a 40-character secret key and a long base64 session
 * token.
 */
export const roleCredentials: Effect.Effect<{
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
}> = Effect.sync(() => ({
  // 32 symbols divide 256: `byte % 32` has no bias.
  accessKeyId: "ASIA" + Array.from(bytes(16), (byte) => keyIdAlphabet[byte % 32]!).join(""),
  secretAccessKey: Encoding.encodeBase64(bytes(30)),
  sessionToken: Encoding.encodeBase64(bytes(384))
}))
