// A standalone browser bundle: deviceLogin over FetchHttpClient and nothing else.
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, Stream } from "effect"
import * as DeviceLogin from "effect-sso-oidc/DeviceLogin"
import * as SsoOidcClient from "effect-sso-oidc/SsoOidcClient"

export const login = DeviceLogin.deviceLogin({ startUrl: "https://example.awsapps.com/start" }).pipe(
  Stream.runForEach((event) => Effect.log(event._tag)),
  Effect.provide(SsoOidcClient.layer({ region: "us-east-1" }).pipe(Layer.provide(FetchHttpClient.layer))),
  Effect.runPromise
)
