/**
 * The RFC 8628 polling arithmetic of `src/core/polling.ts`, without Effect:
 * exact waits for every signal, slow_down stacking, the interval floor, the
 * backoff cap and jitter, and the deadline. Both editions' polling schedules
 * wrap this step; their suites check the same rules in virtual time.
 */
import { describe, expect, it } from "vitest"
import * as Polling from "../../src/core/polling.js"

type Signal = Polling.PollSignal

/** Runs the step over `signals` from an interval; returns every decision, the waits, and the end. */
const drive = (
  intervalMillis: number,
  signals: ReadonlyArray<Signal>,
  options: Partial<Polling.StepOptions> & { readonly randoms?: ReadonlyArray<number> } = {}
) => {
  let state = Polling.initialState(intervalMillis)
  const decisions: Array<Polling.PollDecision> = []
  const waits: Array<number> = []
  let done: Polling.PollDecision | undefined
  let draws = 0
  for (const signal of signals) {
    const random = signal === "transient_error" ? options.randoms?.[draws++ % options.randoms.length] : undefined
    const step = Polling.step(state, signal, {
      maxBackoffMillis: options.maxBackoffMillis ?? Polling.defaultMaxBackoffMillis,
      random,
      deadline: options.deadline
    })
    if (step._tag === "Done") {
      done = step.decision
      break
    }
    decisions.push(step.decision)
    waits.push(step.waitMillis)
    state = step.state
  }
  return { decisions, waits, done, state }
}

/** Poll times from 0 when the first poll is one interval in and each wait follows. */
const pollTimes = (intervalMillis: number, waits: ReadonlyArray<number>) => {
  const times = [intervalMillis]
  for (const wait of waits) times.push(times.at(-1)! + wait)
  return times
}

describe("core/polling: the interval", () => {
  it("absent, 0, negative or NaN means 5 s (RFC 8628 §3.2)", () => {
    for (const input of [undefined, 0, -1, Number.NaN]) expect(Polling.intervalMillisOf(input)).toBe(5_000)
    expect(Polling.defaultIntervalMillis).toBe(5_000)
  })

  it("is never under 1 s: 1 ms, 400 ms and 999.9 ms mean 1 s", () => {
    for (const input of [0.001, 1, 400, 999.9]) expect(Polling.intervalMillisOf(input)).toBe(1_000)
    expect(Polling.minimumIntervalMillis).toBe(1_000)
  })

  it("is kept to the millisecond above 1 s, a fraction rounding up (never sooner)", () => {
    expect(Polling.intervalMillisOf(1_000)).toBe(1_000)
    expect(Polling.intervalMillisOf(2_500)).toBe(2_500)
    expect(Polling.intervalMillisOf(1_000.5)).toBe(1_001)
    expect(Polling.intervalMillisOf(7_000)).toBe(7_000)
  })

  it("authorizationTimes: expiry from when the reply arrived; 10 minutes and 5 s when the service gave none", () => {
    expect(Polling.authorizationTimes(2_000, { expiresIn: 600, interval: 3 })).toEqual({
      expiresAtMillis: 602_000,
      intervalMillis: 3_000
    })
    expect(Polling.authorizationTimes(0, { expiresIn: 0, interval: 0 })).toEqual({
      expiresAtMillis: 600_000,
      intervalMillis: 5_000
    })
    expect(Polling.authorizationTimes(0, { expiresIn: 5, interval: 0.001 })).toEqual({
      expiresAtMillis: 5_000,
      intervalMillis: 1_000
    })
    expect(Polling.authorizationTimes(0, { expiresIn: 30, interval: 2.5 }).intervalMillis).toBe(2_500)
  })
})

describe("core/polling: authorization_pending and slow_down", () => {
  it("authorization_pending waits the interval, attempt by attempt", () => {
    const { decisions, waits } = drive(5_000, ["authorization_pending", "authorization_pending"])
    expect(waits).toEqual([5_000, 5_000])
    expect(decisions).toEqual([
      { attempt: 1, intervalMillis: 5_000, nextPollInMillis: 5_000, reason: "authorization_pending" },
      { attempt: 2, intervalMillis: 5_000, nextPollInMillis: 5_000, reason: "authorization_pending" }
    ])
  })

  it("slow_down adds 5 s to this and every later wait (5, 10, 20, 30)", () => {
    const { waits } = drive(5_000, ["authorization_pending", "slow_down", "authorization_pending"])
    expect(pollTimes(5_000, waits)).toEqual([5_000, 10_000, 20_000, 30_000])
  })

  it("slow_down stacks and never decreases (interval 2: 2, 9, 16, 28, 45, 62, 79)", () => {
    const signals: ReadonlyArray<Signal> = [
      "slow_down",
      "authorization_pending",
      "slow_down",
      "slow_down",
      "authorization_pending",
      "authorization_pending"
    ]
    const { decisions, waits } = drive(2_000, signals)
    expect(pollTimes(2_000, waits)).toEqual([2_000, 9_000, 16_000, 28_000, 45_000, 62_000, 79_000])
    expect(decisions.map((d) => d.intervalMillis)).toEqual([7_000, 7_000, 12_000, 17_000, 17_000, 17_000])
    expect(decisions.map((d) => d.reason)).toEqual(signals)
  })

  it("a fractional interval keeps its fraction under slow_down (2.5 s: 2.5, 5, 12.5, 20)", () => {
    const { waits } = drive(Polling.intervalMillisOf(2_500), ["authorization_pending", "slow_down", "authorization_pending"])
    expect(pollTimes(2_500, waits)).toEqual([2_500, 5_000, 12_500, 20_000])
  })

  it("the slow_down increment is 5 s (RFC 8628 §3.5)", () => {
    expect(Polling.slowDownIncrementMillis).toBe(5_000)
  })
})

describe("core/polling: transient failures", () => {
  it("back off as interval · 2^k, capped at 60 s, and the interval resumes after (jitter 0)", () => {
    const signals: ReadonlyArray<Signal> = [
      "authorization_pending",
      "transient_error",
      "transient_error",
      "transient_error",
      "transient_error",
      "authorization_pending"
    ]
    const { decisions, waits } = drive(5_000, signals, { randoms: [0] })
    expect(waits).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 5_000])
    expect(pollTimes(5_000, waits)).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 140_000, 145_000])
    expect(decisions.every((d) => d.intervalMillis === 5_000)).toBe(true)
  })

  it("the streak restarts after any other signal (interval 2: +4, +8, +2, +4, +2)", () => {
    const { waits } = drive(
      2_000,
      ["transient_error", "transient_error", "authorization_pending", "transient_error", "authorization_pending"],
      { randoms: [0] }
    )
    expect(waits).toEqual([4_000, 8_000, 2_000, 4_000, 2_000])
  })

  it("jitter lengthens the backoff by up to 20 %: at the top, 1.2 × interval · 2^k", () => {
    const { waits } = drive(5_000, ["transient_error", "transient_error", "authorization_pending"], { randoms: [1] })
    expect(waits).toEqual([12_000, 24_000, 5_000])
  })

  it("jitter never shortens a wait, and rounds to the millisecond", () => {
    const { waits } = drive(3_000, ["transient_error"], { randoms: [0.123456] })
    expect(waits).toEqual([Math.round(6_000 * 1.0246912)])
    expect(waits[0]).toBeGreaterThanOrEqual(6_000)
  })

  it("maxBackoff caps the backoff, jitter included (5 s, cap 30 s: +10, +20, +30, +30, +30)", () => {
    const burst: ReadonlyArray<Signal> = Array.from({ length: 5 }, () => "transient_error")
    expect(drive(5_000, burst, { randoms: [0], maxBackoffMillis: 30_000 }).waits).toEqual([
      10_000,
      20_000,
      30_000,
      30_000,
      30_000
    ])
    expect(drive(5_000, burst, { randoms: [1], maxBackoffMillis: 30_000 }).waits).toEqual([
      12_000,
      24_000,
      30_000,
      30_000,
      30_000
    ])
  })

  it("maxBackoff never shortens a wait below the interval (10 s, cap 3 s: +10, +10)", () => {
    expect(drive(10_000, ["transient_error", "transient_error"], { randoms: [0], maxBackoffMillis: 3_000 }).waits)
      .toEqual([10_000, 10_000])
  })

  it("without a random draw the jitter is 0", () => {
    expect(drive(5_000, ["transient_error"]).waits).toEqual([10_000])
  })
})

describe("core/polling: the end and the deadline", () => {
  it("stop ends at once with the last state's decision", () => {
    const { decisions, done } = drive(5_000, ["authorization_pending", "slow_down", "stop", "authorization_pending"])
    expect(decisions).toHaveLength(2)
    expect(done).toEqual({ attempt: 3, intervalMillis: 10_000, nextPollInMillis: 0, reason: "authorization_pending" })
  })

  it("no wait goes past the deadline; the decision keeps the wait the rules gave", () => {
    const step = Polling.step(Polling.initialState(10_000), "slow_down", {
      maxBackoffMillis: 60_000,
      deadline: { nowMillis: 20_000, deadlineMillis: 28_000 }
    })
    expect(step._tag).toBe("Continue")
    if (step._tag === "Continue") {
      expect(step.waitMillis).toBe(8_000)
      expect(step.decision.nextPollInMillis).toBe(15_000)
      expect(step.state.intervalMillis).toBe(15_000)
    }
  })

  it("a deadline already passed gives a wait of 0, never a negative one", () => {
    const step = Polling.step(Polling.initialState(5_000), "authorization_pending", {
      maxBackoffMillis: 60_000,
      deadline: { nowMillis: 31_000, deadlineMillis: 30_000 }
    })
    expect(step._tag === "Continue" && step.waitMillis).toBe(0)
  })

  it("a wait that ends before the deadline is not cut", () => {
    const step = Polling.step(Polling.initialState(5_000), "authorization_pending", {
      maxBackoffMillis: 60_000,
      deadline: { nowMillis: 20_000, deadlineMillis: 30_000 }
    })
    expect(step._tag === "Continue" && step.waitMillis).toBe(5_000)
  })

  it("expiresIn 30, interval 5, always pending: polls at 5…25, none at the 30 s deadline", () => {
    const deadlineMillis = 30_000
    const interval = 5_000
    const polls: Array<number> = []
    let now = Polling.firstWaitMillis(interval, 0, deadlineMillis)
    let state = Polling.initialState(interval)
    while (!Polling.isExpired(now, deadlineMillis)) {
      polls.push(now)
      const step = Polling.step(state, "authorization_pending", {
        maxBackoffMillis: 60_000,
        deadline: { nowMillis: now, deadlineMillis }
      })
      if (step._tag === "Done") break
      state = step.state
      now += step.waitMillis
    }
    expect(polls).toEqual([5_000, 10_000, 15_000, 20_000, 25_000])
    expect(now).toBe(30_000)
  })

  it("isExpired at and after the deadline; remainingMillis never negative; the first wait is cut too", () => {
    expect(Polling.isExpired(29_999, 30_000)).toBe(false)
    expect(Polling.isExpired(30_000, 30_000)).toBe(true)
    expect(Polling.remainingMillis(10_000, 30_000)).toBe(20_000)
    expect(Polling.remainingMillis(40_000, 30_000)).toBe(0)
    expect(Polling.firstWaitMillis(5_000, 0, 30_000)).toBe(5_000)
    expect(Polling.firstWaitMillis(5_000, 27_000, 30_000)).toBe(3_000)
  })

  it("the step is pure: the same state and signal give the same result, the state is not changed", () => {
    const state = Polling.initialState(5_000)
    const options = { maxBackoffMillis: 60_000, random: 0.5 }
    expect(Polling.step(state, "transient_error", options)).toEqual(Polling.step(state, "transient_error", options))
    expect(state).toEqual({ attempt: 1, intervalMillis: 5_000, transientStreak: 0 })
  })
})

describe("core/polling: signalOf", () => {
  const transient = (error: { readonly _tag: string; readonly status?: number }) => error.status === 503
  it("pending and slow_down by tag, transient by the edition's rule, anything else stops", () => {
    expect(Polling.signalOf({ _tag: "AuthorizationPending" }, transient)).toBe("authorization_pending")
    expect(Polling.signalOf({ _tag: "SlowDown" }, transient)).toBe("slow_down")
    expect(Polling.signalOf({ _tag: "ServiceError", status: 503 }, transient)).toBe("transient_error")
    expect(Polling.signalOf({ _tag: "AccessDenied", status: 400 }, transient)).toBe("stop")
    // the two that keep polling do so whatever the transient rule says
    expect(Polling.signalOf({ _tag: "SlowDown", status: 503 }, transient)).toBe("slow_down")
  })
})
