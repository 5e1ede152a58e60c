/**
 * The Effect 3 half of the CPU bench (run by bench/cpu.ts under tsx, Node 20): ours over
 * `FetchHttpClient` and over the documented Node default (`NodeSso.layerHttpClient()`),
 * measured in one process with the AWS SDK, raw fetch and raw node:http keep-alive.
 * Prints the samples as JSON on stdout.
 */
import { FetchHttpClient, HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { SsoOidcClient } from "effect-sso-oidc"
import { NodeSso } from "effect-sso-oidc/node"
// @ts-expect-error: plain JavaScript, shared with the Effect 4 worker
import { baselines, input, measure, settings } from "./cpu-harness.mjs"

const { calls, endpoint, rounds, warmup } = settings() as {
  endpoint: string
  rounds: number
  calls: number
  warmup: number
}

const ours = (transport: Layer.Layer<HttpClient.HttpClient, unknown>) => {
  const runtime = ManagedRuntime.make(
    SsoOidcClient.layer({ region: "us-east-1", endpoint }).pipe(Layer.provide(transport))
  )
  const request = {
    ...input,
    clientSecret: Redacted.make(input.clientSecret),
    refreshToken: Redacted.make(input.refreshToken)
  }
  const call = (n: number) =>
    runtime.runPromise(Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      for (let i = 0; i < n; i++) yield* client.createToken(request)
    }))
  return { call, close: () => runtime.dispose() }
}

/** The platform's `FetchHttpClient` alone (execute, text, JSON.parse): what ours over it builds on. */
const platformFetch = () => {
  const runtime = ManagedRuntime.make(FetchHttpClient.layer)
  const body = JSON.stringify(input)
  const call = (n: number) =>
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
const extra: Record<string, (n: number) => Promise<void>> = {}
if (process.env.BENCH_EXTRA === "1") {
  const NodeHttpClient = await import("@effect/platform-node/NodeHttpClient")
  extra["ours3/undiciLayer"] = ours(NodeHttpClient.layerUndici).call
  extra["ours3/httpKeepAlive"] = ours(
    NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true })))
  ).call
}
const samples = await measure({
  ...extra,
  "ours3/fetch": fetchOurs.call,
  "ours3/node": nodeOurs.call,
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
