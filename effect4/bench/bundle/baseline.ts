// An Effect app's baseline: effect + platform HttpClient + Schema, one request.
import { FetchHttpClient, HttpClient, HttpClientResponse } from "effect/http"
import { Effect, Schema } from "effect"

const Reply = Schema.Struct({ name: Schema.String })

export const main = Effect.gen(function*() {
  const client = yield* HttpClient.HttpClient
  const response = yield* client.get("https://example.com/")
  return yield* HttpClientResponse.schemaBodyJson(Reply)(response)
}).pipe(Effect.provide(FetchHttpClient.layer), Effect.runPromise)
