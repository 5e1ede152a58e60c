/**
 * Effect 3's `Random.fixed`, which Effect 4 removed: a `Random` service that
 * hands out the given numbers in turn, repeating them, so a test can pin the
 * jitter of a backoff (0 = the shortest delay, 1 = the longest).
 */
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"

/** A `Random` answering `values` in order, cyclically; doubles are clamped to [0, 1] as Effect 3's were. */
export const fixed = (values: ReadonlyArray<number>): Random.Random => {
  if (values.length === 0) throw new Error("fixed: at least one value is needed")
  let index = 0
  const take = () => {
    const value = values[index]!
    index = (index + 1) % values.length
    return value
  }
  return {
    nextDoubleUnsafe: () => Math.max(0, Math.min(1, take())),
    nextIntUnsafe: () => Math.round(take())
  }
}

/** Runs an effect with {@link fixed} as its `Random` (Effect 3's `Effect.withRandom(Random.fixed(values))`). */
export const withFixed = (values: ReadonlyArray<number>) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, Random.Random, fixed(values))
