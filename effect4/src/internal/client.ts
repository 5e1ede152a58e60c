/**
 * What the SSO OIDC and SSO portal clients share: one request and its whole
 * reply through the application's `HttpClient`, with the per-attempt timeout,
 * the reply guards of `http.ts` (no redirect followed, a decoded-size cap),
 * secret headers redacted in the platform's spans, and retries of transient
 * failures with exponential backoff and jitter.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as CoreHttp from "../core/http.js"
import * as SsoOidcError from "../SsoOidcError.js"
import * as Http from "./http.js"
import { VERSION } from "./version.js"

/** How transient failures are retried (documented on `SsoOidcClient.RetryOptions`). */
export interface RetryOptions {
  readonly times?: number | undefined
  readonly base?: Duration.Input | undefined
  readonly cap?: Duration.Input | undefined
}

/** The transport settings a client's options carry. */
export interface TransportOptions {
  readonly retry?: RetryOptions | false | undefined
  readonly timeout?: Duration.Input | undefined
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/** The `User-Agent` both clients send. */
export const userAgent = `effect-sso-oidc/${VERSION}`

/** Set by `SsoOidcClient.withoutRetries`: the caller owns the retry policy (the device login's polling). */
export const retriesDisabled = Context.Reference<boolean>("effect-sso-oidc/internal/client/retriesDisabled", {
  defaultValue: () => false
})

const defaultTimeout = Duration.seconds(30)

/** The endpoint without a trailing slash, so paths append cleanly (`Endpoint` checked the rest). */
export const trimEndpoint = (url: string): string => url.replace(/\/+$/, "")

const backoff = (options: RetryOptions) => {
  const cap = Duration.fromInputUnsafe(options.cap ?? Duration.seconds(20))
  const jittered = Schedule.exponential(options.base ?? Duration.millis(100), 2).pipe(
    // A uniform factor in [0.5, 1] of the exponential delay (Effect 3's `jitteredWith({ min: 0.5, max: 1 })`), then the cap.
    Schedule.modifyDelay(({ duration }) =>
      Effect.map(Random.next, (random) => {
        const millis = Duration.toMillis(duration)
        return Duration.min(Duration.millis(millis * 0.5 * (1 - random) + millis * random), cap)
      })
    )
  )
  // Both must recur; the delay is the larger one (the counter's is zero).
  return Schedule.max([jittered, Schedule.recurs(options.times ?? 3)])
}

/** Whether the platform failed after a reply began (Effect 3's `ResponseError`), not before it. */
const isResponseError = (reason: HttpClientError.HttpClientErrorReason): reason is HttpClientError.ResponseError =>
  reason._tag === "StatusCodeError" || reason._tag === "DecodeError" || reason._tag === "EmptyBodyError"

/** A reply read whole. */
export interface Exchanged {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly text: string
}

/** The failures of one exchange, whichever the service. */
export type ExchangeError = SsoOidcError.TransportError | SsoOidcError.ResponseDecodeError | SsoOidcError.UnexpectedRedirect

/** A transport over the `HttpClient` in context. */
export interface Transport {
  /** One request and its whole reply; `secretHeaders` are redacted in the platform's `http.client` span. */
  readonly exchange: (
    operation: string,
    request: HttpClientRequest.HttpClientRequest,
    secretHeaders: ReadonlyArray<string>
  ) => Effect.Effect<Exchanged, ExchangeError>
  /**
   * `once`, retried while it fails transiently (unless retries are off in
   * the options or the fiber). The retry machinery is set up only after a
   * first transient failure: most calls never need it.
   */
  readonly retrying: <A, E, R>(once: Effect.Effect<A, E, R>, isTransient: (error: E) => boolean) => Effect.Effect<A, E, R>
}

/** Builds the transport from the `HttpClient` in context. */
export const makeTransport = Effect.fnUntraced(function*(options: TransportOptions) {
  // Trace context headers are of no use to AWS and would leak internal trace ids.
  const baseClient = HttpClient.transformResponse(
    yield* HttpClient.HttpClient,
    Effect.provideService(HttpClient.TracerPropagationEnabled, false)
  )
  const httpClient = options.transformClient ? options.transformClient(baseClient) : baseClient
  // fetch's options given to the app (a proxy dispatcher…), kept when redirects are turned off.
  const requestInit = yield* Effect.serviceOption(FetchHttpClient.RequestInit)
  const timeout = options.timeout ?? defaultTimeout
  const schedule = options.retry === false ? undefined : backoff(options.retry ?? {})

  const exchange: Transport["exchange"] = (operation, request, secretHeaders) =>
    Effect.gen(function*() {
      const execute = Http.withoutRedirects(httpClient.execute(request), requestInit)
      // No secret header (every unsigned SSO OIDC call): no service to change for the call.
      const response = yield* (secretHeaders.length === 0
        ? execute
        : Effect.updateService(execute, Headers.CurrentRedactedNames, (names) => [...names, ...secretHeaders]))
      yield* Http.refuseRedirect(operation, response)
      const text = yield* Http.readBody(operation, response)
      return { response, text }
    }).pipe(
      // The platform's error holds the request, whose body holds secrets: only a description is kept.
      Effect.catchTag("HttpClientError", (error: HttpClientError.HttpClientError) =>
        Effect.fail(
          new SsoOidcError.TransportError({
            operation,
            reason: "Transport",
            description: isResponseError(error.reason)
              ? CoreHttp.cutShortDescription(error.reason.cause)
              : CoreHttp.transportDescription(error.reason.cause)
          })
        )),
      // Effect 4's own timeout, as the Effect 3 edition uses its own: it costs a few µs per call.
      Effect.timeoutOrElse({
        duration: timeout,
        orElse: () =>
          Effect.fail(
            new SsoOidcError.TransportError({
              operation,
              reason: "Timeout",
              description: `no complete reply within ${Duration.format(Duration.fromInputUnsafe(timeout))}`
            })
          )
      })
    )

  const retrying: Transport["retrying"] = (once, isTransient) =>
    Effect.flatMap(retriesDisabled, (disabled) =>
      schedule === undefined || disabled
        ? once
        : Effect.catchIf(once, isTransient, (first) => {
          let replayed = false
          const again = Effect.suspend(() => replayed ? once : (replayed = true, Effect.fail(first)))
          return Effect.retry(again, { schedule, while: isTransient })
        }))

  return { exchange, retrying } satisfies Transport
})
