// The baseline app as Effect apps are usually written: its services composed as one Layer
// (`Layer.mergeAll`), so Effect's Layer module is already in it, as in any app of some size.
import { FetchHttpClient, HttpClient, HttpClientResponse } from "effect/http"
import { Effect, Layer, Schema } from "effect"

const Reply = Schema.Struct({ name: Schema.String })

const AppLayer = Layer.mergeAll(FetchHttpClient.layer)

export const main = Effect.gen(function*() {
  const client = yield* HttpClient.HttpClient
  const response = yield* client.get("https://example.com/")
  return yield* HttpClientResponse.schemaBodyJson(Reply)(response)
}).pipe(Effect.provide(AppLayer), Effect.runPromise)
