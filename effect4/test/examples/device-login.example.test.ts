// The example of docs/device-login.md: a whole device login in virtual time.
// The guide quotes the block between the markers verbatim; keep the two in sync.
// --- example start
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { DeviceLogin } from "effect-sso-oidc"
import { ScriptedHttpClient } from "effect-sso-oidc/testing"

// How your app shows each event to the user.
const render = DeviceLogin.DeviceLoginEvent.$match({
  Registered: ({ reused }) => (reused ? "reusing the client registration" : "registered a client"),
  AwaitingUser: ({ userCode, verificationUri }) => `open ${verificationUri} and enter ${userCode}`,
  Pending: ({ nextPollIn }) => `waiting for approval, next check in ${Duration.format(nextPollIn)}`,
  SlowedDown: ({ interval }) => `the service asked to slow down: every ${Duration.format(interval)}`,
  Authorized: ({ token }) => `signed in until ${token.expiresAt.toISOString()}`
})

describe("device login", () => {
  it.effect("shows the code, polls until the user approves, and signs in", () =>
    Effect.gen(function*() {
      // A scripted IAM Identity Center: the first poll is pending, the second
      // says slow_down, the third is granted.
      const polls = ["AuthorizationPendingException", "SlowDownException"]
      const server = yield* ScriptedHttpClient.make((request, index) => {
        if (request.path === "/client/register") {
          return ScriptedHttpClient.json({ clientId: "my-client", clientSecret: "s3cret", clientSecretExpiresAt: 7_776_000 })
        }
        if (request.path === "/device_authorization") {
          const verificationUri = "https://device.sso.eu-west-1.amazonaws.com/"
          return ScriptedHttpClient.json({ deviceCode: "dc", userCode: "WDJB-MJHT", verificationUri, expiresIn: 600, interval: 5 })
        }
        const poll = index - 2 // requests 0 and 1 were the two above
        return poll < polls.length
          ? ScriptedHttpClient.awsError(polls[poll]!)
          : ScriptedHttpClient.json({ accessToken: "token", expiresIn: 3600 })
      })

      // Start the login in the background; TestClock starts at 0.
      const login = DeviceLogin.deviceLogin({ startUrl: "https://my-portal.awsapps.com/start" }).pipe(
        Stream.map(render),
        Stream.runCollect,
        Effect.provide(ScriptedHttpClient.clientLayer(server, { region: "eu-west-1" }))
      )
      const fiber = yield* Effect.forkChild(login)

      // Polls at 5 s (pending), 10 s (slow_down: +5 s) and 20 s (granted).
      yield* TestClock.adjust("20 seconds")
      expect([...yield* Fiber.join(fiber)]).toEqual([
        "registered a client",
        "open https://device.sso.eu-west-1.amazonaws.com/ and enter WDJB-MJHT",
        "waiting for approval, next check in 5s",
        "the service asked to slow down: every 10s",
        "signed in until 1970-01-01T01:00:20.000Z"
      ])
      const requests = yield* server.requests
      expect(requests.filter((r) => r.path === "/token").map((r) => r.at)).toEqual([5_000, 10_000, 20_000])
    }))
})
// --- example end
