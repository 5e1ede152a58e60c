/**
 * A virtual-time `Clock` for benchmarks with thousands of sleeping fibers.
 * `TestClock` checks every fiber for suspension on each wake-up, which is
 * quadratic in the number of fibers; this clock keeps sleeps in a binary heap
 * and lets the scheduler drain between instants.
 */
import { Clock, Duration, Effect } from "effect"

interface Sleeper {
  readonly at: number
  readonly seq: number
  resume: (() => void) | undefined
}

export class VirtualClock implements Clock.Clock {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  now = 0
  private heap: Array<Sleeper> = []
  private seq = 0
  private cancelled = 0
  registrations = 0

  unsafeCurrentTimeMillis() {
    return this.now
  }
  readonly currentTimeMillis = Effect.sync(() => this.now)
  unsafeCurrentTimeNanos() {
    return BigInt(this.now) * 1_000_000n
  }
  readonly currentTimeNanos = Effect.sync(() => BigInt(this.now) * 1_000_000n)

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      const sleeper: Sleeper = {
        at: this.now + Duration.toMillis(duration),
        seq: this.seq++,
        resume: () => resume(Effect.void)
      }
      this.registrations++
      this.push(sleeper)
      return Effect.sync(() => this.cancel(sleeper))
    })
  }

  get pending() {
    return this.heap.length
  }

  /** Runs every sleep due up to `target`, instant by instant, letting fibers settle in between. */
  async advanceTo(target: number) {
    await settle(this)
    while (this.heap.length > 0 && this.heap[0]!.at <= target) {
      const at = this.heap[0]!.at
      this.now = at
      while (this.heap.length > 0 && this.heap[0]!.at === at) {
        const sleeper = this.pop()
        const resume = sleeper.resume
        if (resume === undefined) this.cancelled--
        else {
          sleeper.resume = undefined
          resume()
        }
      }
      await settle(this)
    }
    this.now = Math.max(this.now, target)
    await settle(this)
  }

  /**
   * An interrupted sleep (a poll's timeout, once the poll is done) leaves the
   * heap: kept until its instant, each would look like memory the client holds.
   */
  private cancel(sleeper: Sleeper) {
    if (sleeper.resume === undefined) return
    sleeper.resume = undefined
    this.cancelled++
    if (this.cancelled > 64 && this.cancelled * 2 > this.heap.length) this.purge()
  }

  /** Drops every interrupted sleep from the heap now. */
  purge() {
    // A sorted array is a heap.
    this.heap = this.heap.filter((s) => s.resume !== undefined).sort((a, b) => (this.less(a, b) ? -1 : 1))
    this.cancelled = 0
  }

  private less(a: Sleeper, b: Sleeper) {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }
  private push(item: Sleeper) {
    const heap = this.heap
    heap.push(item)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }
  private pop(): Sleeper {
    const heap = this.heap
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && this.less(heap[l]!, heap[m]!)) m = l
        if (r < heap.length && this.less(heap[r]!, heap[m]!)) m = r
        if (m === i) break
        ;[heap[i], heap[m]] = [heap[m]!, heap[i]!]
        i = m
      }
    }
    return top
  }
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/** Waits until no new sleep has been registered for a few scheduler turns. */
const settle = async (clock: VirtualClock) => {
  let quiet = 0
  let last = clock.registrations
  while (quiet < 3) {
    await tick()
    if (clock.registrations === last) quiet++
    else {
      quiet = 0
      last = clock.registrations
    }
  }
}
