/**
 * The Effect-free rules of the reply guards of both editions'
 * `internal/http.ts`: the largest reply read, what counts as a redirect and
 * where it pointed, when a declared length can be trusted, and what a
 * network failure may say (never the request, whose body holds secrets).
 *
 * Effect-free: no import of `effect` (it is compiled into both editions).
 *
 * @internal
 */

/** The largest reply read, decoded: the service's replies are a few KiB; a bigger one is a bad server. */
export const maxReplyBytes = 1024 * 1024

/** A too-large reply's description (a `ResponseDecodeError`'s). */
export const tooLargeDescription = `the reply is larger than ${maxReplyBytes} bytes`

/** Whether a status is a redirect: any 3xx, or 0 (what a browser's fetch answers for a redirect it did not follow). */
export const isRedirectStatus = (status: number): boolean => status === 0 || (status >= 300 && status <= 399)

/** The origin a `Location` points to (relative to the request), when it is an http(s) URL. */
export const locationOrigin = (location: string | undefined, requestUrl: string): string | undefined => {
  if (location === undefined || location.trim() === "") return undefined
  try {
    const url = new URL(location, requestUrl)
    // The origin only: a path or query may carry anything, credentials are never part of it.
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : undefined
  } catch {
    return undefined
  }
}

/** Whether a body with this `content-encoding` arrives as it was sent, so its declared length is its length. */
export const isIdentityEncoded = (encoding: string | undefined): boolean =>
  encoding === undefined || encoding.trim() === "" || encoding.trim().toLowerCase() === "identity"

/** The chunks of a body as one array of `size` bytes (the sum of their lengths). */
export const concatBytes = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1 && chunks[0]!.byteLength === size) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/** What a network failure says, without the request (whose body holds secrets). */
export const transportDescription = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    parts.push(typeof code === "string" ? `${current.message} (${code})` : current.message)
    current = current.cause
  }
  return parts.length === 0 ? "no reply" : parts.join(": ")
}

/** What a failure after the reply began says. */
export const cutShortDescription = (cause: unknown): string => `reply cut short: ${transportDescription(cause)}`
