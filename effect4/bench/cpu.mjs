// The Effect 4 half of the CPU bench, run by bench/cpu.ts with Node 24 so `effect` resolves to v4:
// ours (the built edition, effect4/dist) over `FetchHttpClient` and over the documented Node default
// (`NodeSso.layerHttpClient()`), interleaved in this one process with the AWS SDK, raw fetch and raw
// node:http keep-alive, so its ratios are paired as the Effect 3 worker's are. Prints the samples as JSON.
// BENCH_SRC=1 (with `--import tsx`) measures effect4/src instead, for development.
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import { baselines, input, measure, settings } from "../../bench/cpu-harness.mjs"

const from = process.env.BENCH_SRC === "1" ? "../src" : "../dist"
const ext = process.env.BENCH_SRC === "1" ? "ts" : "js"
const { SsoOidcClient } = await import(`${from}/index.${ext}`)
const { NodeSso } = await import(`${from}/node.${ext}`)

const { calls, endpoint, rounds, warmup } = settings()

const ours = (transport) => {
  const runtime = ManagedRuntime.make(
    SsoOidcClient.layer({ region: "us-east-1", endpoint }).pipe(Layer.provide(transport))
  )
  const request = {
    ...input,
    clientSecret: Redacted.make(input.clientSecret),
    refreshToken: Redacted.make(input.refreshToken)
  }
  const call = (n) =>
    runtime.runPromise(Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      for (let i = 0; i < n; i++) yield* client.createToken(request)
    }))
  return { call, close: () => runtime.dispose() }
}

// The platform's FetchHttpClient alone (execute, text, JSON.parse): what ours over it builds on.
const platformFetch = () => {
  const runtime = ManagedRuntime.make(FetchHttpClient.layer)
  const body = JSON.stringify(input)
  const call = (n) =>
    runtime.runPromise(Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      for (let i = 0; i < n; i++) {
        const request = HttpClientRequest.post(`${endpoint}/token`).pipe(
          HttpClientRequest.setBody(HttpBody.raw(body, { contentType: "application/json" }))
        )
        const response = yield* client.execute(request)
        JSON.parse(yield* response.text)
      }
    }).pipe(Effect.orDie))
  return { call, close: () => runtime.dispose() }
}

const fetchOurs = ours(FetchHttpClient.layer)
const fetchPlatform = platformFetch()
const nodeOurs = ours(NodeSso.layerHttpClient())
const others = baselines(endpoint)
const samples = await measure({
  "ours4/fetch": fetchOurs.call,
  "ours4/node": nodeOurs.call,
  "platformFetch": fetchPlatform.call,
  "sdk": others.sdk,
  "fetch": others.fetch,
  "nodeHttp": others.nodeHttp
}, { rounds, calls, warmup })
await fetchOurs.close()
await nodeOurs.close()
await fetchPlatform.close()
others.close()
process.stdout.write(JSON.stringify(samples))
