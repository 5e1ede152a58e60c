// The example of docs/testing.md: an application's login flow, tested in
// virtual time against the in-process emulator. Keep the two in sync.
// --- example start
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { DeviceLogin, SsoOidcClient } from "effect-sso-oidc"
import { Emulator } from "effect-sso-oidc/testing"

// The application code under test: sign in and report what the user saw.
const signIn = DeviceLogin.deviceLogin({ startUrl: "https://my-portal.awsapps.com/start" }).pipe(
  Stream.filter((event) => event._tag === "AwaitingUser" || event._tag === "Authorized"),
  Stream.map((event) => event._tag),
  Stream.runCollect
)

// The emulator answers in-process (no socket) and reads the test's Clock.
const TestLayer = (options: Emulator.Options) =>
  SsoOidcClient.layer({ region: "us-east-1", endpoint: Emulator.inProcessUrl }).pipe(
    Layer.provideMerge(Emulator.layerInProcess(options))
  )

describe("sign-in", () => {
  it.effect("completes when the user approves after 20 seconds", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(signIn)
      yield* TestClock.adjust(Duration.seconds(30)) // 10 minutes of waiting would take no longer
      const seen = yield* Fiber.join(fiber)
      expect([...seen]).toEqual(["AwaitingUser", "Authorized"])
      const emulator = yield* Emulator.Emulator
      const [authorization] = yield* emulator.authorizations
      expect(authorization!.status).toBe("consumed")
      expect(authorization!.slowDowns).toBe(0) // our client never polled too fast
    }).pipe(Effect.provide(TestLayer({ autoApproveAfter: Duration.seconds(20), interval: Duration.seconds(5) }))))

  it.effect("fails with AccessDenied when the user denies", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const fiber = yield* Effect.forkChild(signIn)
      yield* TestClock.adjust(Duration.seconds(1))
      const [authorization] = yield* emulator.authorizations
      yield* emulator.deny(authorization!.userCode)
      yield* TestClock.adjust(Duration.seconds(10))
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag).toBe("AccessDenied")
    }).pipe(Effect.provide(TestLayer({ interval: Duration.seconds(5) }))))

  it.effect("survives a burst of 503s from the service", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(signIn)
      yield* TestClock.adjust(Duration.minutes(2))
      expect([...(yield* Fiber.join(fiber))]).toEqual(["AwaitingUser", "Authorized"])
    }).pipe(Effect.provide(TestLayer({
      autoApproveAfter: Duration.seconds(10),
      faults: [{ fault: Emulator.Fault.status(503), operation: "CreateToken", count: 3 }]
    }))))
})
// --- example end
