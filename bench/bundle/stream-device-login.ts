// The Stream app plus the `deviceLogin` stream: the stream's marginal cost over an app that already uses Stream.
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Layer, Schema, Stream } from "effect"
import * as DeviceLogin from "effect-sso-oidc/DeviceLogin"
import * as SsoOidcClient from "effect-sso-oidc/SsoOidcClient"

const Reply = Schema.Struct({ name: Schema.String })

export const main = Effect.gen(function*() {
  const client = yield* HttpClient.HttpClient
  const response = yield* client.get("https://example.com/")
  return yield* HttpClientResponse.schemaBodyJson(Reply)(response)
}).pipe(Effect.provide(FetchHttpClient.layer), Effect.runPromise)

export const numbers = Stream.fromIterable([1, 2, 3]).pipe(
  Stream.map((n) => n * 2),
  Stream.mapEffect((n) => Effect.succeed(n + 1)),
  Stream.take(2),
  Stream.runForEach((n) => Effect.log(n)),
  Effect.runPromise
)

export const login = DeviceLogin.deviceLogin({ startUrl: "https://example.awsapps.com/start" }).pipe(
  Stream.runForEach((event) => Effect.log(event._tag)),
  Effect.provide(SsoOidcClient.layer({ region: "us-east-1" }).pipe(Layer.provide(FetchHttpClient.layer))),
  Effect.runPromise
)
