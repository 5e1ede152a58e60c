/**
 * The guards every reply of the service goes through, whichever `HttpClient`
 * the application provides (fetch, Node's `http`, undici, a test double):
 *
 * - no redirect is followed: fetch is told so (`redirect: "manual"`), and any
 *   3xx (or a browser's opaque redirect) is an `UnexpectedRedirect` before its
 *   body is read, so the request and its secrets never go anywhere else;
 * - a body is read as a stream and cut off at {@link maxReplyBytes} of
 *   *decoded* bytes: a client that decompresses (fetch does) cannot turn a
 *   small gzip reply into gigabytes in memory.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as CoreHttp from "../core/http.js"
import * as SsoOidcError from "../SsoOidcError.js"

/** The largest reply read, decoded: the service's replies are a few KiB; a bigger one is a bad server. */
export const maxReplyBytes: number = CoreHttp.maxReplyBytes

/**
 * Runs a request with fetch's `redirect: "manual"`, keeping the other
 * `RequestInit` options found in context: those of the client's own context
 * (`inherited`, captured when the client was built) and the caller's. Other
 * clients ignore the tag; they never follow redirects.
 */
export const withoutRedirects = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  inherited: Option.Option<globalThis.RequestInit>
): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (current) =>
    Effect.provideService(effect, FetchHttpClient.RequestInit, {
      ...Option.getOrUndefined(inherited),
      ...Option.getOrUndefined(current),
      redirect: "manual"
    }))

/**
 * Fails with `UnexpectedRedirect` when the reply is a redirect: any 3xx, or
 * status 0 (what a browser's fetch answers for a redirect it did not follow).
 */
export const refuseRedirect = (
  operation: string,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<void, SsoOidcError.UnexpectedRedirect> => {
  const status = response.status
  if (!CoreHttp.isRedirectStatus(status)) return Effect.void
  const origin = CoreHttp.locationOrigin(response.headers["location"], response.request.url)
  const requestId = response.headers["x-amzn-requestid"]
  return Effect.fail(
    new SsoOidcError.UnexpectedRedirect({
      operation,
      status,
      ...(origin === undefined ? {} : { locationOrigin: origin }),
      ...(requestId === undefined ? {} : { requestId })
    })
  )
}

const tooLarge = (operation: string, response: HttpClientResponse.HttpClientResponse) =>
  new SsoOidcError.ResponseDecodeError({
    operation,
    status: response.status,
    requestId: response.headers["x-amzn-requestid"],
    description: CoreHttp.tooLargeDescription
  })

/**
 * Reads a reply body of at most {@link maxReplyBytes} as text.
 *
 * A `content-length` counts the bytes on the wire. With no content encoding
 * that is the body's length (fetch, Node's `http` and undici all hold a body to
 * it): over the limit fails at once, unread; within it, the body is read whole,
 * the cheap way. With a content encoding (fetch decompresses gzip, deflate, br)
 * or no declared length, the body is streamed and counted as the client hands
 * it over, decoded, and cut off at the limit.
 */
export const readBody = (
  operation: string,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, SsoOidcError.TransportError | SsoOidcError.ResponseDecodeError> => {
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && CoreHttp.isIdentityEncoded(response.headers["content-encoding"])) {
    if (declared > maxReplyBytes) return Effect.fail(tooLarge(operation, response))
    return Effect.mapError(response.text, (error) =>
      new SsoOidcError.TransportError({
        operation,
        reason: "Transport",
        description: CoreHttp.cutShortDescription(error.cause)
      }))
  }
  return response.stream.pipe(
    // The platform's body errors hold the request, whose body holds secrets: replace
    // them inside the stream, so not even the stream's own fiber fails with them.
    Stream.catchAll((error) =>
      error.reason === "EmptyBody"
        ? Stream.empty // no body at all reads as empty text, as `response.text` does
        : Stream.fail(
          new SsoOidcError.TransportError({
            operation,
            reason: "Transport",
            description: CoreHttp.cutShortDescription(error.cause)
          })
        )
    ),
    // Failing here ends the stream, which cancels the body: nothing past the limit is decoded for long.
    Stream.runFoldEffect({ chunks: [] as Array<Uint8Array>, size: 0 }, (read, chunk) => {
      const size = read.size + chunk.byteLength
      if (size > maxReplyBytes) return Effect.fail(tooLarge(operation, response))
      read.chunks.push(chunk)
      return Effect.succeed({ chunks: read.chunks, size })
    }),
    Effect.map(({ chunks, size }) => decoder.decode(CoreHttp.concatBytes(chunks, size))),
    // The typed error is returned; the runtime need not log the stream fiber's end too.
    Effect.withUnhandledErrorLogLevel(Option.none())
  )
}

const decoder = new TextDecoder()
