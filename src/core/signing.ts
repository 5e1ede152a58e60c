/**
 * The Effect-free parts of the clients' SigV4 signing (CreateTokenWithIAM):
 * which headers are signed, which of the signer's headers the request gets,
 * and the SigV4 date. Each edition's `internal/sigv4.ts` runs the signer
 * (aws4fetch, over WebCrypto) in its `Effect` and sets the headers on its
 * `HttpClientRequest`.
 *
 * Effect-free: no import of `effect` (it is compiled into both editions).
 *
 * @internal
 */
import { formatAmzDate } from "./emulator/sigv4.js"

/** Headers a transport may rewrite (fetch recomputes content-length), so they are not signed. */
const unsigned = new Set(["user-agent", "content-length"])

/**
 * The headers to sign: `host` (the signer adds it) and those we send,
 * `user-agent` and `content-length` left out, as in the AWS SDKs; the body's
 * content type, which the platform sends as a header, included.
 */
export const headersToSign = (
  headers: Readonly<Record<string, string>>,
  bodyContentType: string | undefined
): Record<string, string> => {
  const signed: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!unsigned.has(name)) signed[name] = value
  }
  if (bodyContentType !== undefined && signed["content-type"] === undefined) signed["content-type"] = bodyContentType
  return signed
}

/** The headers the signer adds that the request carries on. */
export const signatureHeaderNames = ["authorization", "x-amz-date", "x-amz-security-token"] as const

/** The signer's added headers that are present, by name. */
export const signatureHeaders = (get: (name: string) => string | null): Record<string, string> => {
  const added: Record<string, string> = {}
  for (const name of signatureHeaderNames) {
    const value = get(name)
    if (value !== null) added[name] = value
  }
  return added
}

/** `YYYYMMDDTHHMMSSZ`, the SigV4 date, from a Clock reading (epoch milliseconds). */
export const amzDate: (millis: number) => string = formatAmzDate
