/**
 * Polls per login against the RFC minimum, for scripted approval times: the
 * user approves `t` seconds after the code is shown; with interval `i` the
 * fewest polls that can see the approval is max(1, ceil(t / i)) (the first
 * poll comes one interval after the code is shown).
 */
import { Duration, Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import { DeviceLogin, SsoOidcClient } from "effect-sso-oidc"
import { Emulator } from "effect-sso-oidc/testing"

export interface PollsRow {
  readonly interval: number
  readonly approvedAfter: number
  readonly polls: number
  readonly minimum: number
}

const scenario = (interval: number, approvedAfter: number) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    const fiber = yield* Effect.fork(DeviceLogin.login({ startUrl: "https://portal.example/start" }))
    yield* TestClock.adjust(Duration.seconds(approvedAfter + 10 * interval + 60))
    yield* Fiber.join(fiber)
    const [authorization] = yield* emulator.authorizations
    return {
      interval,
      approvedAfter,
      polls: authorization!.polls,
      minimum: Math.max(1, Math.ceil(approvedAfter / interval))
    }
  }).pipe(
    Effect.provide(
      SsoOidcClient.layer({ region: "us-east-1", endpoint: Emulator.inProcessUrl }).pipe(
        Layer.provideMerge(Emulator.layerInProcess({
          interval: Duration.seconds(interval),
          autoApproveAfter: Duration.millis(approvedAfter * 1000)
        }))
      )
    ),
    Effect.provide(TestContext.TestContext)
  )

export const runPolls = (): Promise<ReadonlyArray<PollsRow>> =>
  Effect.runPromise(Effect.forEach(
    [1, 5].flatMap((interval) => [0.5, 3, 7.5, 12.2, 31, 59.9, 121, 299, 590].map((t) => [interval, t] as const)),
    ([interval, t]) => scenario(interval, t)
  ))

if (import.meta.url === `file://${process.argv[1]}`) {
  runPolls().then((rows) => console.table(rows))
}
