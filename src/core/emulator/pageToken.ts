/**
 * The SSO portal's page tokens. A page token is opaque: the offset of the
 * next page and an HMAC of the listing (which operation, which account) and
 * that offset, so a token of one listing is refused by another and an edited
 * one by all.
 */
import { base64Url, constantTimeEqual, hmacSha256 } from "../crypto.js"

const macOf = (key: Uint8Array, listing: string, offset: number) =>
  hmacSha256(key, `${listing}\n${offset}`).slice(0, 16)

const fromBase64Url = (text: string): Uint8Array => {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"))
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

/** The token of `offset` in `listing`: 4 bytes of offset and 16 of MAC, base64url (27 characters). */
export const pageToken = (key: Uint8Array, listing: string, offset: number): string => {
  const bytes = new Uint8Array(20)
  new DataView(bytes.buffer).setUint32(0, offset)
  bytes.set(macOf(key, listing, offset), 4)
  return base64Url(bytes)
}

/** The offset a page token stands for in `listing`, or `undefined` when it is not one of its tokens. */
export const readPageToken = (key: Uint8Array, listing: string, token: string): number | undefined => {
  if (!/^[A-Za-z0-9_-]{27}$/.test(token)) return undefined
  const bytes = fromBase64Url(token)
  if (bytes.length !== 20) return undefined
  const offset = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0)
  const expected = base64Url(macOf(key, listing, offset))
  return constantTimeEqual(base64Url(bytes.slice(4)), expected) ? offset : undefined
}
