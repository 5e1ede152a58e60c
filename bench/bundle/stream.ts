// The baseline app that also uses Stream (map, mapEffect, take, runForEach): the base for the stream's marginal cost.
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Schema, Stream } from "effect"

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
