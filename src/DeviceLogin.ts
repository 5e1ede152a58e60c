/**
 * The device authorization grant (RFC 8628) as AWS IAM Identity Center runs
 * it: register a public client, start a device authorization, show the user a
 * code, and poll CreateToken until the user approves.
 *
 * - {@link pollingSchedule} is the polling policy as a `Schedule`;
 * - {@link awaitToken} polls as one Effect;
 * - {@link deviceLogin} streams the whole login's progress.
 *
 * One set of polling rules (`core/polling.ts`) serves all three: the schedule
 * applies them, and so does {@link awaitToken}'s own loop, which between two
 * polls holds one sleep and nothing of a `Schedule` or `Effect.retry`. All time
 * comes from `Clock`, so `TestClock` drives a whole login in virtual time.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Mailbox from "effect/Mailbox"
import * as Random from "effect/Random"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import * as Polling from "./core/polling.js"
import { missing, registerOrReuse, tokenOf } from "./internal/login.js"
import * as SsoOidcClient from "./SsoOidcClient.js"
import * as SsoOidcError from "./SsoOidcError.js"
import * as SsoOidcSchema from "./SsoOidcSchema.js"
import type * as SsoToken from "./SsoToken.js"

// Read as `SsoOidcSchema.GrantType`, not destructured: destructuring a namespace makes a bundler keep all of it.
const GrantType = SsoOidcSchema.GrantType

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * A client registration (the result of RegisterClient): {@link SsoToken.Registration}
 * under the name it had before that module existed.
 *
 * @since 0.1.0
 * @category models
 */
export type Registration = SsoToken.Registration

/**
 * A started device authorization, with absolute times.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeviceAuthorization {
  readonly deviceCode: Redacted.Redacted<string>
  readonly userCode: string
  readonly verificationUri: string
  readonly verificationUriComplete: string | undefined
  /** When StartDeviceAuthorization returned. */
  readonly issuedAt: Date
  /** When the codes expire: `issuedAt + expiresIn`. No poll is sent after it. */
  readonly expiresAt: Date
  /** The polling interval the service asked for (5 s when it gave none, at least {@link minimumInterval}). */
  readonly interval: Duration.Duration
}

/**
 * An access token from a completed login: {@link SsoToken.Token} under the
 * name it had before that module existed.
 *
 * @since 0.1.0
 * @category models
 */
export type Token = SsoToken.Token

/**
 * The progress of a device login.
 *
 * @since 0.1.0
 * @category models
 */
export type DeviceLoginEvent = Data.TaggedEnum<{
  /**
   * A client registration is ready; `reused` when the one given in the options was still valid. A second
   * `Registered` (not reused) follows when the service no longer knew the reused one (InvalidClient from
   * StartDeviceAuthorization): the login registered anew, and a cache should keep the new one.
   */
  Registered: { readonly registration: Registration; readonly reused: boolean }
  /** Show the user the code and where to enter it. */
  AwaitingUser: {
    readonly userCode: string
    readonly verificationUri: string
    readonly verificationUriComplete: string | undefined
    readonly expiresAt: Date
  }
  /**
   * A poll found the login still pending (`authorization_pending`), or failed
   * transiently (`transient_error`, after the client's own retries); the next
   * poll is in `nextPollIn`.
   */
  Pending: {
    readonly attempt: number
    readonly nextPollIn: Duration.Duration
    readonly reason: "authorization_pending" | "transient_error"
  }
  /** The service said `slow_down`: every later poll waits `interval`. */
  SlowedDown: { readonly attempt: number; readonly interval: Duration.Duration }
  /** The user approved: the token. The stream ends after this event. */
  Authorized: { readonly token: Token }
}>

/**
 * Constructors and matchers of {@link DeviceLoginEvent}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const DeviceLoginEvent = Data.taggedEnum<DeviceLoginEvent>()

/**
 * The errors of polling: every CreateToken error but the two that mean "keep
 * polling", which end in `ExpiredToken` once the deadline passes.
 *
 * @since 0.1.0
 * @category models
 */
export type AwaitTokenError = Exclude<
  SsoOidcError.CreateTokenError,
  SsoOidcError.AuthorizationPending | SsoOidcError.SlowDown
>

/**
 * The errors of a device login.
 *
 * @since 0.1.0
 * @category models
 */
export type DeviceLoginError =
  | SsoOidcError.RegisterClientError
  | SsoOidcError.StartDeviceAuthorizationError
  | AwaitTokenError

// -----------------------------------------------------------------------------
// polling schedule
// -----------------------------------------------------------------------------

/**
 * RFC 8628 §3.2: when the service gives no interval, clients MUST use 5 s.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultInterval: Duration.Duration = /* @__PURE__ */ Duration.millis(Polling.defaultIntervalMillis)

/**
 * RFC 8628 §3.5: `slow_down` adds 5 s to the interval, for this and every later poll.
 *
 * @since 0.1.0
 * @category constants
 */
export const slowDownIncrement: Duration.Duration = /* @__PURE__ */ Duration.millis(Polling.slowDownIncrementMillis)

/**
 * What the polling schedule decided after a poll.
 *
 * @since 0.1.0
 * @category models
 */
export interface PollDecision {
  /** Polls made so far. */
  readonly attempt: number
  /** The interval in force (it only grows). */
  readonly interval: Duration.Duration
  /** The wait before the next poll. */
  readonly nextPollIn: Duration.Duration
  readonly reason: "authorization_pending" | "slow_down" | "transient_error"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PollingOptions {
  /** The interval the service gave (0 or absent means 5 s; less than 1 s means 1 s). */
  readonly interval?: Duration.DurationInput | undefined
  /**
   * The largest wait after consecutive transient failures, which double the
   * wait each time (RFC 8628 §3.5 recommends exponential backoff). Default 60 s.
   */
  readonly maxBackoff?: Duration.DurationInput | undefined
}

/**
 * The shortest interval between two polls, whatever the service says: an
 * `interval` of 0.001 would otherwise poll a thousand times a second.
 *
 * @since 0.2.0
 * @category constants
 */
export const minimumInterval: Duration.Duration = /* @__PURE__ */ Duration.millis(Polling.minimumIntervalMillis)

/** The interval in force, in whole milliseconds: 5 s when absent or 0, never under {@link minimumInterval}. */
const toInterval = (input: Duration.DurationInput | undefined): number =>
  Polling.intervalMillisOf(input === undefined ? undefined : Duration.toMillis(Duration.decode(input)))

const decisionOf = (decision: Polling.PollDecision): PollDecision => ({
  attempt: decision.attempt,
  interval: Duration.millis(decision.intervalMillis),
  nextPollIn: Duration.millis(decision.nextPollInMillis),
  reason: decision.reason
})

/**
 * The polling policy of RFC 8628 as a `Schedule` fed with the failures of
 * CreateToken. It continues only on `AuthorizationPending` (wait the
 * interval), `SlowDown` (add 5 s to the interval, for good) and transient
 * failures (back off exponentially from the interval, with jitter, up to
 * `maxBackoff`, without changing the interval); any other error ends it.
 *
 * Use it with `Effect.retry` after waiting one interval for the first poll,
 * and bound it with a deadline: the schedule itself never gives up.
 *
 * @since 0.1.0
 * @category polling
 */
export const pollingSchedule = (
  options: PollingOptions = {}
): Schedule.Schedule<PollDecision, SsoOidcError.CreateTokenError> => {
  const maxBackoffMillis = maxBackoffMillisOf(options.maxBackoff)
  const initial = Polling.initialState(toInterval(options.interval))
  return Schedule.makeWithState(initial, (now, error: SsoOidcError.CreateTokenError, state) =>
    Effect.map(stepAfter(state, error, maxBackoffMillis, undefined), (step) =>
      step._tag === "Done"
        ? [state, decisionOf(step.decision), ScheduleDecision.done] as const
        : [
          step.state,
          decisionOf(step.decision),
          ScheduleDecision.continueWith(ScheduleInterval.after(now + step.waitMillis))
        ] as const))
}

const maxBackoffMillisOf = (maxBackoff: Duration.DurationInput | undefined): number =>
  Duration.toMillis(Duration.decode(maxBackoff ?? Duration.millis(Polling.defaultMaxBackoffMillis)))

/**
 * The step of `core/polling.ts` after a failed poll, the one both {@link pollingSchedule}
 * and {@link awaitToken} take; with `deadline`, no wait goes past it.
 */
const stepAfter = (
  state: Polling.PollState,
  error: SsoOidcError.CreateTokenError,
  maxBackoffMillis: number,
  deadline: Polling.StepOptions["deadline"]
): Effect.Effect<Polling.PollStep> => {
  const signal = Polling.signalOf(error, SsoOidcError.isTransient)
  const stepWith = (random: number | undefined) => Polling.step(state, signal, { maxBackoffMillis, random, deadline })
  // Drawn only when the step reads it, so a fixed Random sees one draw per backoff.
  return signal === "transient_error" ? Effect.map(Random.next, stepWith) : Effect.succeed(stepWith(undefined))
}

// -----------------------------------------------------------------------------
// steps
// -----------------------------------------------------------------------------


/**
 * @since 0.1.0
 * @category models
 */
export interface RegisterOptions {
  /** The client name shown in IAM Identity Center. Default `effect-sso-oidc`. */
  readonly clientName?: string | undefined
  /** Scopes to register the client with, e.g. `["sso:account:access"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** A registration to reuse while it is valid for at least 15 more minutes, with the same scopes and region. */
  readonly registration?: Registration | undefined
}

/**
 * Registers a public client for the device grant, or reuses the given
 * registration while it is valid.
 *
 * @since 0.1.0
 * @category steps
 */
export const register = Effect.fn("DeviceLogin.register")(function*(options: RegisterOptions) {
  const client = yield* SsoOidcClient.SsoOidcClient
  return yield* registerOrReuse(client, {
    registration: options.registration,
    request: {
      clientName: options.clientName ?? "effect-sso-oidc",
      clientType: "public",
      ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
      grantTypes: [GrantType.DeviceCode, GrantType.RefreshToken]
    }
  })
})

/**
 * Starts a device authorization for a registered client.
 *
 * @since 0.1.0
 * @category steps
 */
export const startAuthorization = Effect.fn("DeviceLogin.startAuthorization")(function*(
  registration: Registration,
  startUrl: string
) {
  const client = yield* SsoOidcClient.SsoOidcClient
  const reply = yield* client.startDeviceAuthorization({
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    startUrl
  })
  const issuedAt = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
  if (reply.deviceCode === undefined) return yield* missing("StartDeviceAuthorization", "deviceCode")
  if (reply.userCode === undefined) return yield* missing("StartDeviceAuthorization", "userCode")
  if (reply.verificationUri === undefined) return yield* missing("StartDeviceAuthorization", "verificationUri")
  const times = Polling.authorizationTimes(issuedAt, reply)
  const authorization: DeviceAuthorization = {
    deviceCode: reply.deviceCode,
    userCode: reply.userCode,
    verificationUri: reply.verificationUri,
    verificationUriComplete: reply.verificationUriComplete,
    issuedAt: new Date(issuedAt),
    expiresAt: new Date(times.expiresAtMillis),
    interval: Duration.millis(times.intervalMillis)
  }
  return authorization
})

/**
 * @since 0.1.0
 * @category models
 */
export interface AwaitTokenOptions<E = never> {
  readonly registration: Registration
  readonly authorization: DeviceAuthorization
  readonly startUrl: string
  /**
   * Called with every decision of the polling schedule (the stream's events come from here). A failure
   * of it ends the polling with that error.
   */
  readonly onPoll?: ((decision: PollDecision) => Effect.Effect<void, E>) | undefined
  /** See {@link PollingOptions.maxBackoff}. */
  readonly maxBackoff?: Duration.DurationInput | undefined
}

/**
 * Polls CreateToken until the user approves: the first poll one interval
 * after the authorization started, then as {@link pollingSchedule} says.
 * When `expiresAt` passes it fails with `ExpiredToken` and sends nothing more.
 *
 * @since 0.1.0
 * @category polling
 */
export const awaitToken = <E = never>(
  options: AwaitTokenOptions<E>
): Effect.Effect<Token, AwaitTokenError | E, SsoOidcClient.SsoOidcClient> =>
  // The span is the polls' parent, not the fiber's current span across the waits: a waiting
  // login then holds the span and one sleep, not the span's scoping frames (see docs/benchmarks.md).
  Effect.useSpan("DeviceLogin.awaitToken", spanOptions, (span) =>
    Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) => pollUntilToken(client, options, span)))

const spanOptions = { captureStackTrace: false } as const

/**
 * The polls of {@link awaitToken}, written as a loop over `core/polling.ts`'s
 * step (the rules {@link pollingSchedule} applies too): between two polls the
 * fiber holds one sleep and this closure's state, nothing more.
 */
const pollUntilToken = <E>(
  client: SsoOidcClient.Service,
  options: AwaitTokenOptions<E>,
  span: Tracer.Span
): Effect.Effect<Token, AwaitTokenError | E> => {
  const { authorization, onPoll, registration } = options
  // The first wait too: an authorization built by the caller may carry any interval.
  const interval = toInterval(authorization.interval)
  const deadline = authorization.expiresAt.getTime()
  const maxBackoffMillis = maxBackoffMillisOf(options.maxBackoff)

  const request = {
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    grantType: GrantType.DeviceCode,
    deviceCode: authorization.deviceCode
  }
  const now = Clock.currentTimeMillis
  // Built at each poll, not once: a description kept across the waits would be heap too.
  const poll = (): Effect.Effect<SsoOidcSchema.CreateTokenResponse, SsoOidcError.CreateTokenError> => Effect.flatMap(
    now,
    (at) =>
      // A poll due at or after the expiry is not sent: the code is dead by then;
      // a poll still in flight at the expiry is cut off there.
      Polling.isExpired(at, deadline)
        ? Effect.fail(expired())
        : client.createToken(request).pipe(
          Effect.timeoutFail({ duration: Duration.millis(deadline - at), onTimeout: expired })
        )
  ).pipe(
    // No quick client-side resends while polling: RFC 8628 wants the interval
    // between polls, and the steps back off from it after transient errors.
    SsoOidcClient.withoutRetries,
    Effect.withParentSpan(span)
  )
  const pollFrom = (state: Polling.PollState): Effect.Effect<SsoOidcSchema.CreateTokenResponse, AwaitTokenError | E> =>
    Effect.catchAll(poll(), (error) =>
      Effect.flatMap(now, (at) =>
        // No wait goes past the expiry: the poll due then fails with ExpiredToken at that instant.
        Effect.flatMap(
          stepAfter(state, error, maxBackoffMillis, { nowMillis: at, deadlineMillis: deadline }),
          (step): Effect.Effect<SsoOidcSchema.CreateTokenResponse, AwaitTokenError | E> => {
            if (step._tag === "Done") {
              // The steps never stop on these two; only the deadline ends them.
              return error._tag === "AuthorizationPending" || error._tag === "SlowDown"
                ? expiredError()
                : Effect.fail(error)
            }
            const wait = Effect.zipRight(Effect.sleep(step.waitMillis), Effect.suspend(() => pollFrom(step.state)))
            return onPoll === undefined
              ? wait
              : Effect.zipRight(Effect.withParentSpan(onPoll(decisionOf(step.decision)), span), wait)
          }
        )))
  return Effect.flatMap(now, (at) => Effect.sleep(Polling.firstWaitMillis(interval, at, deadline))).pipe(
    Effect.zipRight(Effect.suspend(() => pollFrom(Polling.initialState(interval)))),
    Effect.flatMap((reply) =>
      Effect.flatMap(now, (receivedAt) =>
        tokenOf(reply, {
          receivedAt,
          registration,
          clientRegion: client.region,
          startUrl: options.startUrl
        }))
    )
  )
}

const expired = () =>
  new SsoOidcError.ExpiredToken({
    error: "expired_token",
    error_description: "The device code expired before the user authorized it"
  })

const expiredError = () => Effect.fail(expired())

// -----------------------------------------------------------------------------
// the stream
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface DeviceLoginOptions extends RegisterOptions {
  /** The AWS access portal URL, e.g. `https://my-sso-portal.awsapps.com/start`. */
  readonly startUrl: string
  /** See {@link PollingOptions.maxBackoff}. */
  readonly maxBackoff?: Duration.DurationInput | undefined
}

const eventOf = (decision: PollDecision): DeviceLoginEvent =>
  decision.reason === "slow_down"
    ? DeviceLoginEvent.SlowedDown({ attempt: decision.attempt, interval: decision.interval })
    : DeviceLoginEvent.Pending({ attempt: decision.attempt, nextPollIn: decision.nextPollIn, reason: decision.reason })

/**
 * The whole device login as a stream of its progress: `Registered` (twice
 * when the service no longer knew a reused registration: see
 * {@link DeviceLoginEvent}), `AwaitingUser` (show the code), then
 * `Pending` / `SlowedDown` per poll, and
 * `Authorized` with the token, after which the stream ends. Failures are the
 * typed errors of the operations. Stopping the stream (the consumer ends,
 * `Stream.take`, interruption) stops every request at once.
 *
 * @since 0.1.0
 * @category login
 */
export const deviceLogin = (
  options: DeviceLoginOptions
): Stream.Stream<DeviceLoginEvent, DeviceLoginError, SsoOidcClient.SsoOidcClient> =>
  Stream.unwrapScoped(
    Effect.gen(function*() {
      const mailbox = yield* Mailbox.make<DeviceLoginEvent, DeviceLoginError>()
      yield* run(options, (event) => Effect.asVoid(mailbox.offer(event))).pipe(
        Mailbox.into(mailbox),
        Effect.forkScoped
      )
      return Mailbox.toStream(mailbox)
    })
  )

/** The whole login, telling `emit` each event: the one implementation behind the stream and {@link login}. */
const run = <E>(options: DeviceLoginOptions, emit: (event: DeviceLoginEvent) => Effect.Effect<void, E>) =>
  Effect.gen(function*() {
    const first = yield* register(options)
    yield* emit(DeviceLoginEvent.Registered(first))
    const started = (registration: Registration) =>
      Effect.map(startAuthorization(registration, options.startUrl), (authorization) => ({ authorization, registration }))
    const { authorization, registration } = yield* started(first.registration).pipe(
      // A reused registration the service no longer knows (InvalidClient: the instance was recreated, the
      // client deleted) is dead before its expiry: without this, every later login would reuse it and fail.
      // Once, and only for a reused one: a new registration that fails so is the service's answer.
      Effect.catchTag("InvalidClient", (error) =>
        first.reused
          ? Effect.gen(function*() {
            const fresh = yield* register({ ...options, registration: undefined })
            yield* emit(DeviceLoginEvent.Registered(fresh))
            return yield* started(fresh.registration)
          })
          : Effect.fail(error))
    )
    yield* emit(DeviceLoginEvent.AwaitingUser({
      userCode: authorization.userCode,
      verificationUri: authorization.verificationUri,
      verificationUriComplete: authorization.verificationUriComplete,
      expiresAt: authorization.expiresAt
    }))
    const token = yield* awaitToken({
      registration,
      authorization,
      startUrl: options.startUrl,
      maxBackoff: options.maxBackoff,
      onPoll: (decision) => emit(eventOf(decision))
    })
    yield* emit(DeviceLoginEvent.Authorized({ token }))
    return token
  })

/**
 * Runs the device login to its end and returns the token, calling
 * `onEvent` for each event on the way.
 *
 * @since 0.1.0
 * @category login
 */
export const login = <E = never>(
  options: DeviceLoginOptions & {
    /** Called with each event, in order; a failure of it ends the login with that error. */
    readonly onEvent?: ((event: DeviceLoginEvent) => Effect.Effect<void, E>) | undefined
  }
): Effect.Effect<Token, DeviceLoginError | E, SsoOidcClient.SsoOidcClient> =>
  // The same steps as the stream, without a stream: a waiting login then holds a few KB, not tens.
  run(options, options.onEvent ?? (() => Effect.void))
