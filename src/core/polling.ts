/**
 * The polling arithmetic of the device authorization grant (RFC 8628 §3.2,
 * §3.4–3.5) as AWS IAM Identity Center applies it, as a pure step: given
 * the state after the polls so far and what the last poll said, the wait
 * before the next poll, or the end.
 *
 * Both editions' `DeviceLogin.pollingSchedule` wrap {@link step} (Effect 3
 * in `Schedule.makeWithState`, Effect 4 in `Schedule.fromStep`), so the
 * rules live here once. Every time is in whole milliseconds; the jitter is a
 * number drawn by the caller, so the step stays deterministic.
 *
 * @internal
 */

// -----------------------------------------------------------------------------
// constants
// -----------------------------------------------------------------------------

/** RFC 8628 §3.2: when the service gives no interval, clients MUST use 5 s. */
export const defaultIntervalMillis = 5_000

/** RFC 8628 §3.5: `slow_down` adds 5 s to the interval, for this and every later poll. */
export const slowDownIncrementMillis = 5_000

/**
 * The shortest interval between two polls, whatever the service says: an
 * `interval` of 0.001 would otherwise poll a thousand times a second.
 */
export const minimumIntervalMillis = 1_000

/** The largest wait after consecutive transient failures, unless the caller says otherwise. */
export const defaultMaxBackoffMillis = 60_000

/** When the service gives no `expiresIn`, assume AWS's 10 minutes rather than polling forever. */
export const defaultExpiresInMillis = 600_000

/** Jitter lengthens a backoff wait by up to this fraction (never shortens it: no poll before the interval). */
export const jitterFraction = 0.2

// -----------------------------------------------------------------------------
// the interval and the deadline
// -----------------------------------------------------------------------------

/**
 * The interval in force, in whole milliseconds, for the interval a service
 * or caller gave: 5 s when absent, 0 or not a number; never under
 * {@link minimumIntervalMillis}; a fraction of a millisecond rounds up, so
 * no poll comes before the interval.
 */
export const intervalMillisOf = (millis: number | undefined): number => {
  if (millis === undefined || !(millis > 0)) return defaultIntervalMillis
  return Math.max(Math.ceil(millis), minimumIntervalMillis)
}

/**
 * The times of a started device authorization, from when its
 * StartDeviceAuthorization reply arrived and the reply's `expiresIn` and
 * `interval` (seconds; 0 when absent): the codes' expiry (10 minutes when
 * the service gave none) and the interval in force.
 */
export const authorizationTimes = (
  issuedAtMillis: number,
  reply: { readonly expiresIn: number; readonly interval: number }
): { readonly expiresAtMillis: number; readonly intervalMillis: number } => ({
  expiresAtMillis: issuedAtMillis + (reply.expiresIn > 0 ? reply.expiresIn * 1000 : defaultExpiresInMillis),
  intervalMillis: intervalMillisOf(reply.interval > 0 ? reply.interval * 1000 : undefined)
})

/** What is left until `deadlineMillis`, never negative. */
export const remainingMillis = (nowMillis: number, deadlineMillis: number): number =>
  Math.max(0, deadlineMillis - nowMillis)

/**
 * Whether a poll due at `nowMillis` must not be sent: at or after the
 * codes' expiry the device code is dead, so such a poll is wasted.
 */
export const isExpired = (nowMillis: number, deadlineMillis: number): boolean => nowMillis >= deadlineMillis

/** The wait before the first poll: one interval, cut at the deadline. */
export const firstWaitMillis = (intervalMillis: number, nowMillis: number, deadlineMillis: number): number =>
  Math.min(intervalMillis, remainingMillis(nowMillis, deadlineMillis))

// -----------------------------------------------------------------------------
// the step
// -----------------------------------------------------------------------------

/**
 * What a poll said, as far as polling is concerned: keep polling
 * (`authorization_pending`), keep polling slower (`slow_down`), a transient
 * failure (5xx, 429, transport; back off), or anything else (`stop`).
 */
export type PollSignal = "authorization_pending" | "slow_down" | "transient_error" | "stop"

/**
 * What a CreateToken failure means for polling, by its tag:
 * `AuthorizationPending` and `SlowDown` keep polling, a failure
 * `isTransient` says is transient backs off, anything else stops.
 */
export const signalOf = <E extends { readonly _tag: string }>(
  error: E,
  isTransient: (error: E) => boolean
): PollSignal =>
  error._tag === "AuthorizationPending"
    ? "authorization_pending"
    : error._tag === "SlowDown"
    ? "slow_down"
    : isTransient(error)
    ? "transient_error"
    : "stop"

/** Why polling goes on. */
export type PollReason = Exclude<PollSignal, "stop">

/** The state of polling after the polls so far. */
export interface PollState {
  /** The number of the poll the next step judges (from 1). */
  readonly attempt: number
  /** The interval in force; it only grows. */
  readonly intervalMillis: number
  /** Consecutive transient failures up to the last poll. */
  readonly transientStreak: number
}

/** The state before the first poll, for the interval in force (see {@link intervalMillisOf}). */
export const initialState = (intervalMillis: number): PollState => ({
  attempt: 1,
  intervalMillis,
  transientStreak: 0
})

/** What the step decided after a poll. */
export interface PollDecision {
  /** Polls made so far. */
  readonly attempt: number
  /** The interval in force (it only grows). */
  readonly intervalMillis: number
  /** The wait before the next poll, by the rules (before any deadline cuts it). */
  readonly nextPollInMillis: number
  readonly reason: PollReason
}

/** The outcome of one step: poll again after `waitMillis`, or stop. */
export type PollStep =
  | {
    readonly _tag: "Continue"
    readonly state: PollState
    readonly decision: PollDecision
    /** The wait to sleep: `decision.nextPollInMillis`, cut at the deadline when one is given. */
    readonly waitMillis: number
  }
  | { readonly _tag: "Done"; readonly decision: PollDecision }

/** What a step needs besides the state and the signal. */
export interface StepOptions {
  /** The largest wait after consecutive transient failures (never less than the interval). */
  readonly maxBackoffMillis: number
  /** A draw in [0, 1) for the jitter; only read after a transient failure (draw it only then). */
  readonly random?: number | undefined
  /** The codes' expiry and when the step runs: no wait goes past the expiry (the poll due then is not sent). */
  readonly deadline?: { readonly nowMillis: number; readonly deadlineMillis: number } | undefined
}

/**
 * One step of the polling rules:
 *
 * - `authorization_pending`: wait the interval;
 * - `slow_down`: add 5 s to the interval, for good, and wait it;
 * - `transient_error`: after the k-th consecutive one, wait `interval · 2^k`,
 *   lengthened by up to 20 % of jitter, capped at `max(maxBackoff, interval)`
 *   (the cap applies after the jitter, so it is the largest wait); the
 *   interval stays as it was, and the streak restarts on the next other signal;
 * - `stop`: the end, with the state's last decision.
 */
export const step = (state: PollState, signal: PollSignal, options: StepOptions): PollStep => {
  if (signal === "stop") {
    return {
      _tag: "Done",
      decision: {
        attempt: state.attempt,
        intervalMillis: state.intervalMillis,
        nextPollInMillis: 0,
        reason: "authorization_pending"
      }
    }
  }
  let intervalMillis = state.intervalMillis
  let transientStreak = 0
  let nextPollInMillis: number
  if (signal === "authorization_pending") {
    nextPollInMillis = intervalMillis
  } else if (signal === "slow_down") {
    intervalMillis += slowDownIncrementMillis
    nextPollInMillis = intervalMillis
  } else {
    transientStreak = state.transientStreak + 1
    const cap = Math.max(options.maxBackoffMillis, intervalMillis)
    const backoff = Math.min(intervalMillis * 2 ** transientStreak, cap)
    nextPollInMillis = Math.min(Math.round(backoff * (1 + (options.random ?? 0) * jitterFraction)), cap)
  }
  const { deadline } = options
  const waitMillis = deadline === undefined
    ? nextPollInMillis
    : Math.min(nextPollInMillis, remainingMillis(deadline.nowMillis, deadline.deadlineMillis))
  return {
    _tag: "Continue",
    state: { attempt: state.attempt + 1, intervalMillis, transientStreak },
    decision: { attempt: state.attempt, intervalMillis, nextPollInMillis, reason: signal },
    waitMillis
  }
}
