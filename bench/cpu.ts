/**
 * Client CPU per CreateToken call: effect-sso-oidc vs @aws-sdk/client-sso-oidc
 * vs raw fetch, against a loopback server in a separate process.
 * CPU is `process.cpuUsage()` (user + system) of this process only.
 */
import { CreateTokenCommand, SSOOIDCClient } from "@aws-sdk/client-sso-oidc"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { SsoOidcClient } from "effect-sso-oidc"
import { fileURLToPath } from "node:url"
import { startServer, summarize, type Summary } from "./lib.js"

const warmup = Number(process.env.BENCH_WARMUP ?? 300)
const calls = Number(process.env.BENCH_CALLS ?? 3000)
const runs = Number(process.env.BENCH_RUNS ?? 5)

const input = {
  clientId: "client-id-0123456789",
  clientSecret: "client-secret-0123456789abcdef",
  grantType: "refresh_token",
  refreshToken: "aorAAAAAGexampleRefreshToken0123456789"
}

type Caller = (n: number) => Promise<void>

const makeCallers = (endpoint: string) => {
  const runtime = ManagedRuntime.make(
    SsoOidcClient.layer({ region: "us-east-1", endpoint }).pipe(Layer.provide(FetchHttpClient.layer))
  )
  const ours: Caller = (n) =>
    runtime.runPromise(Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const request = {
        ...input,
        clientSecret: Redacted.make(input.clientSecret),
        refreshToken: Redacted.make(input.refreshToken)
      }
      for (let i = 0; i < n; i++) yield* client.createToken(request)
    }))

  const sdkClient = new SSOOIDCClient({ region: "us-east-1", endpoint })
  const sdk: Caller = async (n) => {
    for (let i = 0; i < n; i++) await sdkClient.send(new CreateTokenCommand(input))
  }

  const raw: Caller = async (n) => {
    for (let i = 0; i < n; i++) {
      const response = await fetch(`${endpoint}/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(input)
      })
      if (response.status !== 200) throw new Error(`status ${response.status}`)
      await response.json()
    }
  }
  return { callers: { "effect-sso-oidc": ours, "@aws-sdk/client-sso-oidc": sdk, "raw fetch": raw }, close: () => runtime.dispose() }
}

const cpuMicros = async (call: Caller, n: number) => {
  const before = process.cpuUsage()
  await call(n)
  const used = process.cpuUsage(before)
  return (used.user + used.system) / n
}

export interface CpuResult {
  readonly perCall: Record<string, Summary>
  readonly calls: number
  readonly warmup: number
}

export const runCpu = async (): Promise<CpuResult> => {
  const server = await startServer(fileURLToPath(new URL("./token-server.mjs", import.meta.url)))
  const { callers, close } = makeCallers(`http://127.0.0.1:${server.port}`)
  try {
    const samples: Record<string, Array<number>> = {}
    for (const [name, call] of Object.entries(callers)) {
      await call(warmup)
      samples[name] = []
    }
    for (let run = 0; run < runs; run++) {
      // Interleaved, so drift of the machine hits every client alike.
      for (const [name, call] of Object.entries(callers)) samples[name]!.push(await cpuMicros(call, calls))
    }
    const perCall = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, summarize(values)]))
    return { perCall, calls, warmup }
  } finally {
    await close()
    server.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCpu().then((result) => console.log(JSON.stringify(result, null, 2)))
}
