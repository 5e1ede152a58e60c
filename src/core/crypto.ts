/**
 * Hashes, HMAC and random bytes that run wherever `fetch` runs: SHA-1 and
 * SHA-256 from `@noble/hashes` (synchronous, unlike Web Crypto's `digest`,
 * which PKCE's `codeChallenge` and the emulator's SigV4 check need), random
 * bytes from the global Web Crypto.
 *
 * @internal
 */
import { hmac } from "@noble/hashes/hmac.js"
import { sha1 } from "@noble/hashes/legacy.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js"

type Bytes = Uint8Array

const bytesOf = (input: string | Bytes): Bytes => typeof input === "string" ? utf8ToBytes(input) : input

/** @internal */
export const sha1Hex = (input: string): string => bytesToHex(sha1(utf8ToBytes(input)))

/** @internal */
export const sha256Hex = (input: string | Bytes): string => bytesToHex(sha256(bytesOf(input)))

/** @internal */
export const sha256Base64Url = (input: string | Bytes): string => base64Url(sha256(bytesOf(input)))

/** @internal */
export const hmacSha256 = (key: string | Bytes, data: string | Bytes): Bytes => hmac(sha256, bytesOf(key), bytesOf(data))

/** @internal */
export const hex = bytesToHex

/** Base64url without padding (RFC 4648 §5). */
export const base64Url = (bytes: Bytes): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

/** Cryptographically random bytes from the platform's Web Crypto. */
export const randomBytes = (length: number): Bytes => globalThis.crypto.getRandomValues(new Uint8Array(length))

/** Compares two strings in time that depends only on their lengths. */
export const constantTimeEqual = (a: string, b: string): boolean => {
  const x = utf8ToBytes(a)
  const y = utf8ToBytes(b)
  if (x.length !== y.length) return false
  let difference = 0
  for (let i = 0; i < x.length; i++) difference |= x[i]! ^ y[i]!
  return difference === 0
}
