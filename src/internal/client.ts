/**
 * What the SSO OIDC and SSO portal clients share: one request and its whole
 * reply through the application's `HttpClient`, with the per-attempt timeout,
 * the reply guards of `http.ts` (no redirect followed, a decoded-size cap),
 * secret headers redacted in the platform's spans, and retries of transient
 * failures with exponential backoff and jitter.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Schedule from "effect/Schedule"
import * as CoreHttp from "../core/http.js"
import * as SsoOidcError from "../SsoOidcError.js"
import * as Http from "./http.js"
import { VERSION } from "./version.js"

/** How transient failures are retried (documented on `SsoOidcClient.RetryOptions`). */
export interface RetryOptions {
  readonly times?: number | undefined
  readonly base?: Duration.DurationInput | undefined
  readonly cap?: Duration.DurationInput | undefined
}

/** The transport settings a client's options carry. */
export interface TransportOptions {
  readonly retry?: RetryOptions | false | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/** The `User-Agent` both clients send. */
export const userAgent = `effect-sso-oidc/${VERSION}`

/** Set by `SsoOidcClient.withoutRetries`: the caller owns the retry policy (the device login's polling). */
export const retriesDisabled = FiberRef.unsafeMake(false)

const defaultTimeout = Duration.seconds(30)

/** The endpoint without a trailing slash, so paths append cleanly (`Endpoint` checked the rest). */
export const trimEndpoint = (url: string): string => url.replace(/\/+$/, "")

const backoff = (options: RetryOptions) => {
  const cap = Duration.decode(options.cap ?? Duration.seconds(20))
  return Schedule.exponential(options.base ?? Duration.millis(100), 2).pipe(
    Schedule.jitteredWith({ min: 0.5, max: 1 }),
    // The second argument is the jittered delay; the first is the exponential's output, without the jitter.
    Schedule.modifyDelay((_, delay) => Duration.min(delay, cap)),
    Schedule.intersect(Schedule.recurs(options.times ?? 3))
  )
}

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
  const baseClient = HttpClient.withTracerPropagation(yield* HttpClient.HttpClient, false)
  const httpClient = options.transformClient ? options.transformClient(baseClient) : baseClient
  // fetch's options given to the app (a proxy dispatcher…), kept when redirects are turned off.
  const requestInit = yield* Effect.serviceOption(FetchHttpClient.RequestInit)
  const timeout = Duration.decode(options.timeout ?? defaultTimeout)
  const schedule = options.retry === false ? undefined : backoff(options.retry ?? {})

  const exchange: Transport["exchange"] = (operation, request, secretHeaders) =>
    Effect.gen(function*() {
      const execute = Http.withoutRedirects(httpClient.execute(request), requestInit)
      // No secret header (every unsigned SSO OIDC call): no FiberRef to change for the call.
      const response = yield* (secretHeaders.length === 0
        ? execute
        : Effect.locallyWith(execute, Headers.currentRedactedNames, (names) => [...names, ...secretHeaders]))
      yield* Http.refuseRedirect(operation, response)
      const text = yield* Http.readBody(operation, response)
      return { response, text }
    }).pipe(
      Effect.catchTags({
        RequestError: (error: HttpClientError.RequestError) =>
          Effect.fail(
            new SsoOidcError.TransportError({
              operation,
              reason: "Transport",
              description: CoreHttp.transportDescription(error.cause)
            })
          ),
        ResponseError: (error: HttpClientError.ResponseError) =>
          Effect.fail(
            new SsoOidcError.TransportError({
              operation,
              reason: "Transport",
              description: CoreHttp.cutShortDescription(error.cause)
            })
          )
      }),
      // Effect's own timeout: a hand-made one (a plain timer under the live clock, a fiber under
      // any other) saved ~20 µs a call but held ~4× the heap per waiting login under a virtual
      // clock (bench/memory.ts), for a goal met without it.
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new SsoOidcError.TransportError({
            operation,
            reason: "Timeout",
            description: `no complete reply within ${Duration.format(timeout)}`
          })
      })
    )

  const retrying: Transport["retrying"] = (once, isTransient) =>
    Effect.flatMap(FiberRef.get(retriesDisabled), (disabled) =>
      schedule === undefined || disabled
        ? once
        : Effect.catchIf(once, isTransient, (first) => {
          let replayed = false
          const again = Effect.suspend(() => replayed ? once : (replayed = true, Effect.fail(first)))
          return Effect.retry(again, { schedule, while: isTransient })
        }))

  return { exchange, retrying } satisfies Transport
})
