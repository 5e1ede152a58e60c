// The browser bundle of issue 10: DeviceLogin and SsoOidcClient imported from the package root
// (not subpaths) with FetchHttpClient; the root must tree-shake to what is used, with no node:* import.
import { FetchHttpClient } from "effect/http"
import { Effect, Layer, Stream } from "effect"
import { DeviceLogin, SsoOidcClient } from "effect-sso-oidc"

export const main = DeviceLogin.deviceLogin({ startUrl: "https://example.awsapps.com/start" }).pipe(
  Stream.runDrain,
  Effect.provide(SsoOidcClient.layer({ region: "us-east-1" }).pipe(Layer.provide(FetchHttpClient.layer))),
  Effect.runPromise
)
