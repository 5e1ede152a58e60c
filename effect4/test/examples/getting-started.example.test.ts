// The example of docs/getting-started.md, run as a test against a scripted server.
// Keep the two in sync: the block between the markers is quoted verbatim by the guide.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"
import { SsoOidcClient } from "effect-sso-oidc"
import { ScriptedHttpClient } from "effect-sso-oidc/testing"

// --- example start
const program = Effect.gen(function*() {
  const client = yield* SsoOidcClient.SsoOidcClient
  const registration = yield* client.registerClient({ clientName: "my-tool", clientType: "public" })
  const authorization = yield* client.startDeviceAuthorization({
    clientId: registration.clientId!,
    clientSecret: registration.clientSecret!,
    startUrl: "https://my-portal.awsapps.com/start"
  })
  return authorization.userCode
}).pipe(
  // Typed errors: handle the ones you expect, let the rest propagate.
  Effect.catchTags({
    SlowDown: () => Effect.succeed("the service asked us to slow down"),
    InvalidClient: (error) => Effect.succeed(`bad client: ${error.error_description}`)
  })
)

const MainLayer = SsoOidcClient.layer({ region: "eu-west-1" }).pipe(Layer.provide(FetchHttpClient.layer))
// Effect.runPromise(Effect.provide(program, MainLayer)).then(console.log)
// --- example end

describe("getting started", () => {
  // In tests, the same program runs against a scripted HttpClient instead of fetch.
  const testLayer = (mock: ScriptedHttpClient.ScriptedHttpClient) =>
    SsoOidcClient.layer({ region: "eu-west-1" }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client)))

  it.effect("the example program reads the user code from the service", () =>
    Effect.gen(function*() {
      const mock = yield* ScriptedHttpClient.make((request) =>
        request.path === "/client/register"
          ? ScriptedHttpClient.json({ clientId: "id-1", clientSecret: "secret-1", clientSecretExpiresAt: 2_000_000_000 })
          : ScriptedHttpClient.json({ deviceCode: "dc", userCode: "WDJB-MJHT", verificationUri: "https://x/device", expiresIn: 600 })
      )
      expect(yield* program.pipe(Effect.provide(testLayer(mock)))).toBe("WDJB-MJHT")
      const requests = yield* mock.requests
      expect(requests.map((r) => r.url)).toEqual([
        "https://oidc.eu-west-1.amazonaws.com/client/register",
        "https://oidc.eu-west-1.amazonaws.com/device_authorization"
      ])
      // The secret is Redacted in memory and plain only on the wire.
      expect(requests[1]!.json.clientSecret).toBe("secret-1")
    }))

  it.effect("catchTags turns the typed errors it names into values", () =>
    Effect.gen(function*() {
      const mock = yield* ScriptedHttpClient.script([ScriptedHttpClient.awsError("SlowDownException", { error: "slow_down" })])
      expect(yield* program.pipe(Effect.provide(testLayer(mock)))).toBe("the service asked us to slow down")
    }))

  it("the application layer needs nothing more than fetch", () => {
    expect(Layer.isLayer(MainLayer)).toBe(true)
  })
})
