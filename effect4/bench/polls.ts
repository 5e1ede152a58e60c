/**
 * Polls per login against the RFC minimum, the Effect 4 edition (its built
 * package, effect4/dist): the same scenarios as bench/polls.ts, printed as
 * JSON rows. Run by bench/polls.ts on Node 24 (`--import tsx`).
 *
 * The clock is stepped by the test suite's VirtualTime driver: Effect 4's
 * TestClock does not wait for the emulator's reply bodies, read through a
 * Promise, so a bare `adjust` would let a poll's next sleep start late.
 */
import { Duration, Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { DeviceLogin, SsoOidcClient } from "../dist/index.js"
import { Emulator } from "../dist/testing.js"
import * as VirtualTime from "../test/utils/virtualTime.js"

const scenario = (interval: number, approvedAfter: number) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    const time = yield* VirtualTime.make
    const fiber = yield* Effect.forkChild(time.watched(DeviceLogin.login({ startUrl: "https://portal.example/start" })))
    yield* time.drive(fiber, Duration.seconds(approvedAfter + 10 * interval + 60))
    yield* Fiber.join(fiber)
    const [authorization] = yield* emulator.authorizations
    return { interval, approvedAfter, polls: authorization!.polls, minimum: Math.max(1, Math.ceil(approvedAfter / interval)) }
  }).pipe(
    Effect.provide(
      SsoOidcClient.layer({ region: "us-east-1", endpoint: Emulator.inProcessUrl }).pipe(
        Layer.provideMerge(Emulator.layerInProcess({
          interval: Duration.seconds(interval),
          autoApproveAfter: Duration.millis(approvedAfter * 1000)
        }))
      )
    ),
    Effect.provide(TestClock.layer())
  )

const cases = JSON.parse(process.argv[2] ?? "[]") as ReadonlyArray<readonly [number, number]>
const rows = await Effect.runPromise(Effect.forEach(cases, ([interval, t]) => scenario(interval, t)))
process.stdout.write(JSON.stringify(rows))
