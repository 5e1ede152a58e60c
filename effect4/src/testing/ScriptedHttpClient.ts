/**
 * A scripted `HttpClient` for an application's tests: every request is
 * recorded with the time (`Clock`, so virtual under `TestClock`) at which it
 * was sent, and answered by a reply the test chooses — a JSON body, an error
 * as AWS sends it, a transport failure or a request that never returns.
 *
 * @since 0.2.0
 */
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as SsoOidcClient from "../SsoOidcClient.js"

/**
 * One request as the scripted client received it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Recorded {
  readonly method: string
  readonly url: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  /** The raw request body text. */
  readonly text: string
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: any
  /** Virtual time in milliseconds when the request was sent. */
  readonly at: number
}

/**
 * What the scripted client answers: a reply, a transport failure, or nothing ever.
 *
 * @since 0.2.0
 * @category models
 */
export type Reply =
  | { readonly _tag: "Reply"; readonly status: number; readonly body: string; readonly headers: Record<string, string> }
  | { readonly _tag: "TransportFailure"; readonly message: string }
  | { readonly _tag: "Hang" }

/**
 * A 200 (or other status) reply with a JSON body.
 *
 * @since 0.2.0
 * @category replies
 */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Reply => ({
  _tag: "Reply",
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", "x-amzn-requestid": "req-1", ...headers }
})

/**
 * A reply with a raw body.
 *
 * @since 0.2.0
 * @category replies
 */
export const raw = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
  _tag: "Reply",
  status,
  body,
  headers
})

/**
 * An error as real AWS sends it: the name only in `x-amzn-ErrorType` with the
 * coral suffix, and `{ error, error_description }` in the body.
 *
 * @since 0.2.0
 * @category replies
 */
export const awsError = (
  wireName: string,
  options: { status?: number; error?: string; description?: string; extra?: Record<string, unknown> } = {}
): Reply =>
  json(
    {
      error: options.error ?? "some_error",
      error_description: options.description ?? "Something happened",
      ...options.extra
    },
    options.status ?? 400,
    {
      "x-amzn-errortype": `${wireName}:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/`,
      "x-amzn-requestid": "7c1c1a52-0000-4000-8000-000000000000"
    }
  )

/**
 * A network failure (connection refused / reset).
 *
 * @since 0.2.0
 * @category replies
 */
export const transportFailure = (message = "connect ECONNREFUSED 127.0.0.1:1"): Reply => ({
  _tag: "TransportFailure",
  message
})

/**
 * A request that never gets a reply.
 *
 * @since 0.2.0
 * @category replies
 */
export const hang: Reply = { _tag: "Hang" }

const bodyText = (request: HttpClientRequest.HttpClientRequest): string =>
  request.body._tag === "Uint8Array"
    ? new TextDecoder().decode(request.body.body)
    : request.body._tag === "Raw" && typeof request.body.body === "string"
    ? request.body.body
    : ""

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * @since 0.2.0
 * @category models
 */
export interface ScriptedHttpClient {
  readonly client: HttpClient.HttpClient
  readonly requests: Effect.Effect<ReadonlyArray<Recorded>>
}

/**
 * A mock whose replies come from `handler`, given the recorded request and its index.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  handler: (request: Recorded, index: number) => Effect.Effect<Reply> | Reply
): Effect.Effect<ScriptedHttpClient> =>
  Effect.gen(function*() {
    const log = yield* Ref.make<ReadonlyArray<Recorded>>([])
    const client = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const text = bodyText(request)
        const recorded: Recorded = {
          method: request.method,
          url: url.toString(),
          path: url.pathname + url.search,
          headers: request.headers,
          text,
          json: parse(text),
          at: yield* Clock.currentTimeMillis
        }
        const index = (yield* Ref.getAndUpdate(log, (all) => [...all, recorded])).length
        const result = handler(recorded, index)
        const reply = Effect.isEffect(result) ? yield* result : result
        switch (reply._tag) {
          case "Hang":
            return yield* Effect.never
          case "TransportFailure":
            return yield* Effect.fail(
              new HttpClientError.HttpClientError({
                reason: new HttpClientError.TransportError({
                  request,
                  cause: new TypeError("fetch failed", { cause: new Error(reply.message) })
                })
              })
            )
          case "Reply":
            return HttpClientResponse.fromWeb(
              request,
              new Response(reply.body.length === 0 ? null : reply.body, { status: reply.status, headers: reply.headers })
            )
        }
      })
    )
    return { client, requests: Ref.get(log) }
  })

/**
 * A mock that answers with `replies` in order, repeating the last one.
 *
 * @since 0.2.0
 * @category constructors
 */
export const script = (replies: ReadonlyArray<Reply>) =>
  make((_, index) => replies[Math.min(index, replies.length - 1)]!)

/**
 * The client layer over a mock.
 *
 * @since 0.2.0
 * @category layers
 */
export const clientLayer = (mock: ScriptedHttpClient, options: SsoOidcClient.Options = {}) =>
  SsoOidcClient.layer({ region: "us-east-1", ...options }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client))
  )
