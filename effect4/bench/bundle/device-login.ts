// The baseline app (no Stream of its own) plus the `deviceLogin` stream.
import { FetchHttpClient, HttpClient, HttpClientResponse } from "effect/http"
import { Effect, Layer, Schema, Stream } from "effect"
import * as DeviceLogin from "effect-sso-oidc/DeviceLogin"
import * as SsoOidcClient from "effect-sso-oidc/SsoOidcClient"

const Reply = Schema.Struct({ name: Schema.String })

export const main = Effect.gen(function*() {
  const client = yield* HttpClient.HttpClient
  const response = yield* client.get("https://example.com/")
  return yield* HttpClientResponse.schemaBodyJson(Reply)(response)
}).pipe(Effect.provide(FetchHttpClient.layer), Effect.runPromise)

export const login = DeviceLogin.deviceLogin({ startUrl: "https://example.awsapps.com/start" }).pipe(
  Stream.runForEach((event) => Effect.log(event._tag)),
  Effect.provide(SsoOidcClient.layer({ region: "us-east-1" }).pipe(Layer.provide(FetchHttpClient.layer))),
  Effect.runPromise
)
