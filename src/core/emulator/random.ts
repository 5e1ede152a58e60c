/**
 * Random values of the emulator. Secrets (client secrets, device codes,
 * tokens) come from the platform's cryptographic generator (Web Crypto,
 * available in Node ≥ 19, Bun, Deno and browsers), never from Effect's
 * seeded `Random`. Each edition's glue wraps these in `Effect.sync`.
 */
import { base64Url, randomBytes } from "../crypto.js"

const base64 = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * `length` random bytes as base64url, after an optional prefix. The value
 * never starts with `-` or `_`: command-line parsers (the AWS CLI's argparse)
 * would take `--device-code -abc…` for an option, and real AWS values start
 * with a letter or digit.
 */
export const token = (length: number, prefix = ""): string => {
  for (;;) {
    const value = prefix + base64Url(randomBytes(length))
    if (/^[A-Za-z0-9]/.test(value)) return value
  }
}

/** A random UUID for `x-amzn-RequestId`. */
export const requestId = (): string => globalThis.crypto.randomUUID()

/**
 * The user code alphabet of RFC 8628 §6.1: base-20 consonants, no vowels (no
 * words) and none of the easily confused 0/O, 1/I/L… pairs (there are no digits).
 */
export const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

/**
 * A user code `XXXX-XXXX` drawn uniformly from {@link userCodeAlphabet}
 * (rejection sampling, no modulo bias) from `source` (default: Web Crypto).
 */
export const userCode = (source: (length: number) => Uint8Array = randomBytes): string => {
  const n = userCodeAlphabet.length
  const limit = 256 - (256 % n)
  const chars: Array<string> = []
  while (chars.length < 8) {
    for (const byte of source(16)) {
      if (byte < limit && chars.length < 8) chars.push(userCodeAlphabet[byte % n]!)
    }
  }
  return `${chars.slice(0, 4).join("")}-${chars.slice(4).join("")}`
}

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

/** Temporary AWS credentials. */
export interface RoleCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
}

/**
 * Fresh temporary AWS credentials in the shapes STS issues: an `ASIA…` key
 * id of 20 characters, a 40-character secret key and a long base64 session
 * token.
 */
export const roleCredentials = (): RoleCredentials => ({
  // 32 symbols divide 256: `byte % 32` has no bias.
  accessKeyId: "ASIA" + Array.from(randomBytes(16), (byte) => keyIdAlphabet[byte % 32]!).join(""),
  secretAccessKey: base64(randomBytes(30)),
  sessionToken: base64(randomBytes(384))
})
