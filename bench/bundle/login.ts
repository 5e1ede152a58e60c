// The baseline app plus `DeviceLogin.login`: the marginal bytes are what effect-sso-oidc adds.
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Layer, Schema } from "effect"
import * as DeviceLogin from "effect-sso-oidc/DeviceLogin"
import * as SsoOidcClient from "effect-sso-oidc/SsoOidcClient"

const Reply = Schema.Struct({ name: Schema.String })

export const main = Effect.gen(function*() {
  const client = yield* HttpClient.HttpClient
  const response = yield* client.get("https://example.com/")
  return yield* HttpClientResponse.schemaBodyJson(Reply)(response)
}).pipe(Effect.provide(FetchHttpClient.layer), Effect.runPromise)

export const login = DeviceLogin.login({
  startUrl: "https://example.awsapps.com/start",
  onEvent: (event) => Effect.log(event._tag)
}).pipe(
  Effect.provide(SsoOidcClient.layer({ region: "us-east-1" }).pipe(Layer.provide(FetchHttpClient.layer))),
  Effect.runPromise
)
