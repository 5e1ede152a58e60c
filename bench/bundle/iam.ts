// The baseline app plus one CreateTokenWithIAM call: the only kind of bundle that should carry the SigV4 signer.
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Layer, Redacted, Schema } from "effect"
import * as AwsCredentials from "effect-sso-oidc/AwsCredentials"
import * as SsoOidcClient from "effect-sso-oidc/SsoOidcClient"

const Reply = Schema.Struct({ name: Schema.String })

export const main = Effect.gen(function*() {
  const client = yield* HttpClient.HttpClient
  const response = yield* client.get("https://example.com/")
  return yield* HttpClientResponse.schemaBodyJson(Reply)(response)
}).pipe(Effect.provide(FetchHttpClient.layer), Effect.runPromise)

export const token = Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) =>
  client.createTokenWithIam({
    clientId: "arn:aws:sso::123456789012:application/ssoins-1111111111111111/apl-2222222222222222",
    grantType: "authorization_code",
    code: "code",
    redirectUri: "https://example.com/callback"
  })).pipe(
    Effect.provide(SsoOidcClient.layer({ region: "us-east-1" }).pipe(Layer.provide(FetchHttpClient.layer))),
    Effect.provide(AwsCredentials.layerStatic({ accessKeyId: "AKID", secretAccessKey: Redacted.make("secret") })),
    Effect.runPromise
  )
