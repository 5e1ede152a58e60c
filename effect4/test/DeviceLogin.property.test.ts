/**
 * Property tests of the device-login polling rules (RFC 8628 §3.4–3.5 as AWS
 * applies them): for random server answers to CreateToken, a random interval
 * (0–10 s, whole or fractional, sub-second ones included) and lifetime
 * (10–900 s), the CreateToken requests the client sends, in virtual time, obey
 * every rule.
 *
 * Each case runs `deviceLogin` once under a fresh `TestClock.layer()` (at
 * 0), with the jitter drawn from `Random.withSeed(seed)`, driving time in one
 * step of `utils/virtualTime.ts` (Effect 4's `TestClock.adjust`, waiting for
 * the scripted replies' real async work as Effect 3's did).
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Duration, Effect, Exit, Option, Random, Ref, Stream } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import { DeviceLogin } from "../src/index.js"
import * as Mock from "../src/testing/ScriptedHttpClient.js"
import * as VirtualTime from "./utils/virtualTime.js"

// -----------------------------------------------------------------------------
// the model: what the server answers, and what the rules allow
// -----------------------------------------------------------------------------

const continuing = ["pending", "slow_down", "500", "503", "429", "transport"] as const
const terminal = ["AccessDenied", "InvalidGrant", "ExpiredToken"] as const
type Continuing = (typeof continuing)[number]
type Terminal = (typeof terminal)[number]
type Answer = Continuing | Terminal | "granted"

const isTransient = (a: Answer) => a === "500" || a === "503" || a === "429" || a === "transport"
const isContinuing = (a: Answer): a is Continuing => (continuing as ReadonlyArray<string>).includes(a)

const replyOf = (answer: Answer): Mock.Reply => {
  switch (answer) {
    case "pending":
      return Mock.awsError("AuthorizationPendingException", { error: "authorization_pending" })
    case "slow_down":
      return Mock.awsError("SlowDownException", { error: "slow_down" })
    case "500":
      return Mock.awsError("InternalServerException", { status: 500, error: "server_error" })
    case "503":
      return Mock.raw(503, "Service Unavailable")
    case "429":
      return Mock.awsError("ThrottlingException", { status: 429, error: "throttled" })
    case "transport":
      return Mock.transportFailure("read ECONNRESET")
    case "AccessDenied":
      return Mock.awsError("AccessDeniedException", { error: "access_denied" })
    case "InvalidGrant":
      return Mock.awsError("InvalidGrantException", { error: "invalid_grant" })
    case "ExpiredToken":
      return Mock.awsError("ExpiredTokenException", { error: "expired_token" })
    case "granted":
      return Mock.json({ accessToken: "access-token-secret", refreshToken: "refresh", expiresIn: 3600 })
  }
}

interface Case {
  /** The `interval` StartDeviceAuthorization answers, seconds (0 → 5 s; fractional ones too, under 1 → 1 s). */
  readonly interval: number
  /** The `expiresIn` StartDeviceAuthorization answers, seconds. */
  readonly expiresIn: number
  /** The answers to the first CreateToken polls. */
  readonly answers: ReadonlyArray<Continuing>
  /** The answer after those; `none`: pending for ever. */
  readonly ending: Terminal | "granted" | "none"
  /** The seed of the jitter. */
  readonly seed: number
}

/**
 * The interval the rules put in force: 5 s for 0; else the given one in whole
 * milliseconds (rounded up: never sooner), and never under 1 s, so that a tiny
 * fractional interval (0.001) cannot flood the service.
 */
const initialMillis = (c: Pick<Case, "interval">) =>
  c.interval > 0 ? Math.max(Math.ceil(c.interval * 1000), 1000) : 5000

/**
 * Random cases. Virtual time is free but each poll costs a few real
 * milliseconds of TestClock bookkeeping, so a server that says "pending" for
 * ever is only paired with lifetimes of at most 60 intervals (a 900 s lifetime
 * at a 1 s interval would be 900 polls); every other case spans the full ranges.
 */
/** Whole seconds as AWS sends them, and fractional ones, sub-second ones included, as a bad server may. */
const intervalArbitrary: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 10 }), weight: 3 },
  { arbitrary: fc.double({ min: 0.001, max: 10, noNaN: true }), weight: 2 },
  { arbitrary: fc.constantFrom(0.001, 0.01, 0.5, 0.999, 1.0005, 2.5), weight: 1 }
)

const caseArbitrary: fc.Arbitrary<Case> = fc.record({
  interval: intervalArbitrary,
  expiresIn: fc.integer({ min: 10, max: 900 }),
  answers: fc.array(
    fc.oneof(
      { arbitrary: fc.constant("pending" as const), weight: 6 },
      { arbitrary: fc.constant("slow_down" as const), weight: 2 },
      { arbitrary: fc.constantFrom("500" as const, "503" as const, "429" as const, "transport" as const), weight: 2 }
    ),
    { maxLength: 25 }
  ),
  ending: fc.constantFrom("granted" as const, "none" as const, ...terminal),
  seed: fc.integer()
}).filter((c) => c.ending !== "none" || c.expiresIn * 1000 <= 60 * initialMillis(c))

/**
 * What the server answers to the n-th poll (from 0). After the ending it
 * would grant, so a poll after a terminal answer or a grant is visible.
 */
const answerAt = (c: Case, n: number): Answer => {
  if (n < c.answers.length) return c.answers[n]!
  if (c.ending === "none") return "pending"
  return n === c.answers.length ? c.ending : "granted"
}

const maxBackoffMillis = 60_000

/**
 * The wait the rules allow before the poll after `answer`, given the interval
 * in force after it and the number of consecutive transient answers ending
 * with it: `[interval, interval]` after pending/slow_down, and after `k`
 * transient failures `[step, 1.2 · step]` with `step = interval · 2^k`,
 * capped by `maxBackoff` but never below the interval.
 */
const allowedWait = (answer: Answer, intervalMillis: number, streak: number) => {
  if (!isTransient(answer)) return { min: intervalMillis, max: intervalMillis }
  const step = Math.min(intervalMillis * 2 ** streak, Math.max(maxBackoffMillis, intervalMillis))
  return { min: step, max: Math.ceil(step * 1.2) }
}

interface Observed {
  readonly polls: ReadonlyArray<number>
  readonly events: ReadonlyArray<DeviceLogin.DeviceLoginEvent>
  readonly exit: Exit.Exit<void, DeviceLogin.DeviceLoginError>
  readonly endedAt: number
}

const startReply = (c: Case) =>
  Mock.json({
    deviceCode: "device-code-secret",
    userCode: "ABCD-EFGH",
    verificationUri: "https://device.sso.us-east-1.amazonaws.com/",
    expiresIn: c.expiresIn,
    interval: c.interval
  })

/** One login against the scripted server, under a fresh TestClock. */
const run = (c: Case): Promise<Observed> =>
  Effect.gen(function*() {
    const time = yield* VirtualTime.make
    const tokenCount = yield* Ref.make(0)
    const mock = yield* Mock.make((request) => {
      switch (request.path) {
        case "/client/register":
          return Mock.json({ clientId: "client-1", clientSecret: "client-secret", clientSecretExpiresAt: 7_776_000 })
        case "/device_authorization":
          return startReply(c)
        default:
          return Effect.map(Ref.getAndUpdate(tokenCount, (n) => n + 1), (n) => replyOf(answerAt(c, n)))
      }
    })
    const events = yield* Ref.make<ReadonlyArray<DeviceLogin.DeviceLoginEvent>>([])
    const endedAt = yield* Ref.make(-1)
    const fiber = yield* DeviceLogin.deviceLogin({ startUrl: "https://example.awsapps.com/start" }).pipe(
      Stream.runForEach((event) => Ref.update(events, (all) => [...all, event])),
      Effect.ensuring(Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(endedAt, now))),
      // No client retries: only the polling schedule's. A per-request timeout
      // beyond the horizon keeps TestClock from waking stale timers.
      Effect.provide(Mock.clientLayer(mock, { retry: false, timeout: "1 day" })),
      Random.withSeed(c.seed),
      time.watched,
      Effect.forkChild
    )
    // One big step: every sleep on the way wakes, in order.
    yield* time.adjust("2 hours")
    const exit = fiber.pollUnsafe()
    if (exit === undefined) return yield* Effect.die(new Error("the login did not end within 2 virtual hours"))
    const observed: Observed = {
      polls: (yield* mock.requests).filter((r) => r.path === "/token").map((r) => r.at),
      events: yield* Ref.get(events),
      exit,
      endedAt: yield* Ref.get(endedAt)
    }
    return observed
  }).pipe(Effect.provide(TestClock.layer()), Effect.runPromise)

/**
 * The properties below share one fast-check seed, so they draw the same cases
 * and each case's login runs once.
 */
const observations = new Map<string, Promise<Observed>>()
const observe = (c: Case): Promise<Observed> => {
  const key = JSON.stringify(c)
  let found = observations.get(key)
  if (found === undefined) {
    found = run(c)
    observations.set(key, found)
  }
  return found
}

const failureTag = (exit: Exit.Exit<void, DeviceLogin.DeviceLoginError>): string | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Option.map(Cause.findErrorOption(exit.cause), (e) => e._tag)) : undefined

const numRuns = 100
const seed = Date.now() | 0

// -----------------------------------------------------------------------------
// properties
// -----------------------------------------------------------------------------

describe("DeviceLogin polling properties", () => {
  it("every poll obeys the interval, slow_down, backoff, deadline and stop rules", async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const { endedAt, events, exit, polls } = await observe(c)
        const deadline = c.expiresIn * 1000
        const initial = initialMillis(c)

        // the first poll is one interval after StartDeviceAuthorization returned (at 0)
        if (polls.length > 0) expect(polls[0]).toBe(initial)

        let interval = initial
        let streak = 0
        const observedIntervals: Array<number> = []
        for (let i = 0; i < polls.length; i++) {
          const answer = answerAt(c, i)
          // no poll after the deadline
          expect(polls[i]).toBeLessThanOrEqual(deadline)
          // no poll after a terminal answer or a grant
          if (i < polls.length - 1) expect(isContinuing(answer), `poll ${i + 1} after ${answer}`).toBe(true)
          if (!isContinuing(answer)) break
          // the interval only grows: +5 s per slow_down, for good
          if (answer === "slow_down") interval += 5000
          streak = isTransient(answer) ? streak + 1 : 0
          if (i + 1 < polls.length) {
            const gap = polls[i + 1]! - polls[i]!
            const allowed = allowedWait(answer, interval, streak)
            // never sooner than the interval in force (nor than the backoff after failures) …
            expect(gap).toBeGreaterThanOrEqual(interval)
            expect(gap).toBeGreaterThanOrEqual(allowed.min)
            // … and not needlessly later
            expect(gap).toBeLessThanOrEqual(allowed.max)
            if (!isTransient(answer)) observedIntervals.push(gap)
          }
        }
        // the interval as observed on the wire (the gap after pending / slow_down) never decreases
        for (let i = 1; i < observedIntervals.length; i++) {
          expect(observedIntervals[i]).toBeGreaterThanOrEqual(observedIntervals[i - 1]!)
        }

        // whatever the interval said, no two polls are ever closer than 1 s
        for (let i = 1; i < polls.length; i++) expect(polls[i]! - polls[i - 1]!).toBeGreaterThanOrEqual(1000)
        if (polls.length > 0) expect(polls[0]).toBeGreaterThanOrEqual(1000)

        // never more polls than a client polling at the initial interval could make before the deadline
        expect(polls.length).toBeLessThanOrEqual(Math.ceil(deadline / initial))

        const lastAnswer = polls.length === 0 ? undefined : answerAt(c, polls.length - 1)
        const last = events.at(-1)
        if (polls.length > 0 && polls.at(-1) === deadline) {
          // a poll sent at the expiry instant: see the strict property below
        } else if (lastAnswer === "granted") {
          // granted before the deadline
          expect(Exit.isSuccess(exit)).toBe(true)
          expect(last?._tag).toBe("Authorized")
        } else if (lastAnswer !== undefined && !isContinuing(lastAnswer)) {
          // the terminal error, typed, at once
          expect(failureTag(exit)).toBe(lastAnswer)
          expect(endedAt).toBe(polls.at(-1))
          expect(last?._tag).not.toBe("Authorized")
        } else {
          // the server never said more than "keep polling": the client-side deadline ends it
          expect(failureTag(exit)).toBe("ExpiredToken")
          expect(endedAt).toBe(deadline)
          expect(last?._tag).not.toBe("Authorized")
          // and it did not give up early: the next poll the rules allow was not before the deadline
          if (polls.length === 0) {
            expect(initial).toBeGreaterThanOrEqual(deadline)
          } else {
            const allowed = allowedWait(lastAnswer!, interval, streak)
            expect(polls.at(-1)! + allowed.max).toBeGreaterThanOrEqual(deadline)
          }
        }
        // Authorized exactly when the server granted (and only as the last event)
        expect(events.filter((e) => e._tag === "Authorized").length).toBe(last?._tag === "Authorized" ? 1 : 0)
        if (last?._tag === "Authorized") expect(lastAnswer).toBe("granted")
      }),
      { numRuns, seed }
    )
  }, 60_000)

  it("no poll is sent at or after the expiry instant", async () => {
    // Lifetimes that are multiples of the interval put a poll exactly at the deadline.
    const tied = fc.record({
      interval: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constantFrom(0.001, 0.5, 2.5)),
      multiple: fc.integer({ min: 2, max: 20 }),
      seed: fc.integer()
    }).map(({ interval, multiple, seed }): Case => ({
      interval,
      expiresIn: Math.max(10, Math.ceil((initialMillis({ interval }) * multiple) / 1000)),
      answers: [],
      ending: "none",
      seed
    }))
    await fc.assert(
      fc.asyncProperty(tied, async (c) => {
        const { polls } = await observe(c)
        for (const at of polls) expect(at).toBeLessThan(c.expiresIn * 1000)
      }),
      { numRuns: 30, seed }
    )
  }, 60_000)

  it("the events mirror the polls: one Pending/SlowedDown per poll that continued, with the real next wait", async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const { events, polls } = await observe(c)
        const progress = events.filter((e) => e._tag === "Pending" || e._tag === "SlowedDown")
        const continued = polls.filter((_, i) => isContinuing(answerAt(c, i)))
        expect(progress.length).toBe(continued.length)
        let interval = initialMillis(c)
        progress.forEach((event, i) => {
          const answer = answerAt(c, i)
          expect(event.attempt).toBe(i + 1)
          if (event._tag === "SlowedDown") {
            expect(answer).toBe("slow_down")
            interval += 5000
            expect(Duration.toMillis(event.interval)).toBe(interval)
          } else {
            expect(event.reason).toBe(isTransient(answer) ? "transient_error" : "authorization_pending")
            expect(Duration.toMillis(event.nextPollIn)).toBeGreaterThanOrEqual(interval)
            if (i + 1 < polls.length) expect(Duration.toMillis(event.nextPollIn)).toBe(polls[i + 1]! - polls[i]!)
          }
        })
      }),
      { numRuns, seed }
    )
  }, 60_000)
})
