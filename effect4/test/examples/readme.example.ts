// The README's example, type-checked with the suite (test/docs.test.ts keeps the two in sync).
// --- example start
import { FetchHttpClient } from "effect/http"
import { Duration, Effect, Layer, Stream } from "effect"
import { DeviceLogin, SsoOidcClient } from "effect-sso-oidc"

const program = DeviceLogin.deviceLogin({ startUrl: "https://my-portal.awsapps.com/start" }).pipe(
  Stream.runForEach((event) =>
    DeviceLogin.DeviceLoginEvent.$match(event, {
      Registered: () => Effect.void,
      AwaitingUser: ({ userCode, verificationUri }) => Effect.log(`Open ${verificationUri} and enter ${userCode}`),
      Pending: ({ nextPollIn }) => Effect.log(`waiting… next poll in ${Duration.format(nextPollIn)}`),
      SlowedDown: ({ interval }) => Effect.log(`slowing down to every ${Duration.format(interval)}`),
      Authorized: ({ token }) => Effect.log(`signed in until ${token.expiresAt.toISOString()}`)
    })
  ),
  Effect.catchTags({ AccessDenied: () => Effect.log("denied"), ExpiredToken: () => Effect.log("too late") })
)

program.pipe(
  Effect.provide(SsoOidcClient.layer({ region: "eu-west-1" }).pipe(Layer.provide(FetchHttpClient.layer))),
  Effect.runPromise
)
// --- example end
