/**
 * `TestClock.adjust` as Effect 3 ran it, for code that crosses a real async
 * boundary between two sleeps.
 *
 * Effect 3's `adjust` waited, in real time, until every fiber of the test had
 * suspended before each step. Effect 4's only follows the tasks that a woken
 * fiber schedules on Effect's scheduler: a fiber that awaits a Promise (a web
 * `Response` body is read through one, as every scripted reply is) is still
 * working when `adjust` moves on, so the sleep it registers next lands after
 * the horizon and never wakes. {@link make} gives a `Clock` that records the
 * sleeps of the code under test, and an `adjust` that steps the `TestClock`
 * from one recorded sleep to the next, letting real async work settle before
 * each step and at the end. Virtual times come out as in Effect 3.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"

/**
 * Event-loop turns given to real async work before each step. Effect 4's
 * scheduler runs on `setImmediate`, and an in-memory `Response` body reads
 * within a few turns; the count does not depend on how fast the machine is.
 */
const settleTurns = 25

/** A few real milliseconds, for work off the event loop (the thread pool) to finish. */
const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 2)))

const turn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** Lets real async work (Promise resolutions and the fibers they resume) run. */
export const settle: Effect.Effect<void> = Effect.repeat(turn, { times: settleTurns - 1 })

/**
 * A virtual-time driver for one test: `watched` runs an effect with a
 * `Clock` that records its sleeps (give it to the fiber under test), and
 * `adjust` moves the `TestClock` by `horizon` through every recorded sleep
 * on the way.
 */
export interface VirtualTime {
  readonly watched: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly adjust: (horizon: Duration.Input) => Effect.Effect<void>
  /**
   * Moves the clock from one recorded sleep to the next until `fiber` ends,
   * never past `horizon`; while no sleep is recorded, real time passes. For
   * work whose real async part has no bound in event-loop turns (SigV4's
   * WebCrypto runs on libuv's thread pool): a sleep it starts late is waited
   * for, not skipped.
   */
  readonly drive: (fiber: Fiber.Fiber<unknown, unknown>, horizon: Duration.Input) => Effect.Effect<void>
}

/** A {@link VirtualTime} over the `TestClock` in force (`it.effect`'s, or `TestClock.layer()`'s). */
export const make: Effect.Effect<VirtualTime> = Effect.gen(function*() {
  const testClock = yield* Clock.Clock
  /** When each sleep in progress ends, in virtual epoch millis. */
  const pending = new Set<{ readonly at: number }>()
  const clock: Clock.Clock = {
    ...testClock,
    sleep: (duration) =>
      Effect.suspend(() => {
        const entry = { at: testClock.currentTimeMillisUnsafe() + Duration.toMillis(duration) }
        pending.add(entry)
        return Effect.ensuring(testClock.sleep(duration), Effect.sync(() => pending.delete(entry)))
      })
  }
  const nextWake = (after: number) => {
    let next: number | undefined
    for (const { at } of pending) if (at > after && (next === undefined || at < next)) next = at
    return next
  }
  const adjust = (horizon: Duration.Input) =>
    Effect.gen(function*() {
      const target = testClock.currentTimeMillisUnsafe() + Duration.toMillis(Duration.fromInputUnsafe(horizon))
      while (true) {
        yield* settle
        const now = testClock.currentTimeMillisUnsafe()
        const next = nextWake(now)
        if (next === undefined || next > target) break
        yield* TestClock.adjust(next - now)
      }
      const now = testClock.currentTimeMillisUnsafe()
      if (target > now) yield* TestClock.adjust(target - now)
      yield* settle
    })
  const drive = (fiber: Fiber.Fiber<unknown, unknown>, horizon: Duration.Input) =>
    Effect.gen(function*() {
      const target = testClock.currentTimeMillisUnsafe() + Duration.toMillis(Duration.fromInputUnsafe(horizon))
      while (fiber.pollUnsafe() === undefined) {
        yield* settle
        const next = nextWake(-Infinity)
        // setTime, not adjust: backoff jitter makes fractional millis.
        if (next !== undefined && next <= target) {
          yield* TestClock.setTime(Math.max(next, testClock.currentTimeMillisUnsafe()))
        } else yield* realPause
      }
    })
  return {
    watched: (effect) => Effect.provideService(effect, Clock.Clock, clock),
    adjust,
    drive
  }
})
