// The edition-free half of the CPU bench (bench/cpu.ts): the competitors that are not ours
// (the AWS SDK, raw fetch, raw node:http keep-alive) and the interleaved, shuffled measuring loop.
// Plain JavaScript, imported by the Effect 3 worker (bench/cpu-worker.ts, Node 20) and the
// Effect 4 one (effect4/bench/cpu.mjs, Node 24), so both measure the same way.
import { CreateTokenCommand, SSOOIDCClient } from "@aws-sdk/client-sso-oidc"
import http from "node:http"

/** The CreateToken input every competitor sends (the token server ignores it). */
export const input = {
  clientId: "client-id-0123456789",
  clientSecret: "client-secret-0123456789abcdef",
  grantType: "refresh_token",
  refreshToken: "aorAAAAAGexampleRefreshToken0123456789"
}

/** @typedef {(n: number) => Promise<void>} Caller  n sequential CreateToken calls */

/** @returns {Record<string, Caller>} */
export const baselines = (endpoint) => {
  const sdkClient = new SSOOIDCClient({ region: "us-east-1", endpoint })
  const sdk = async (n) => {
    for (let i = 0; i < n; i++) await sdkClient.send(new CreateTokenCommand(input))
  }
  const fetchRaw = async (n) => {
    for (let i = 0; i < n; i++) {
      const response = await fetch(`${endpoint}/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(input)
      })
      if (response.status !== 200) throw new Error(`status ${response.status}`)
      JSON.parse(await response.text())
    }
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const url = new URL(`${endpoint}/token`)
  const once = () =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(input)
      const request = http.request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
      }, (response) => {
        const chunks = []
        response.on("data", (chunk) => chunks.push(chunk))
        response.on("end", () => {
          try {
            if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`)
            JSON.parse(Buffer.concat(chunks).toString("utf8"))
            resolve()
          } catch (error) {
            reject(error)
          }
        })
        response.on("error", reject)
      })
      request.on("error", reject)
      request.end(body)
    })
  const nodeHttp = async (n) => {
    for (let i = 0; i < n; i++) await once()
  }
  return {
    sdk,
    fetch: fetchRaw,
    nodeHttp,
    close: () => {
      sdkClient.destroy()
      agent.destroy()
    }
  }
}

const cpuMicrosPerCall = async (call, n) => {
  const before = process.cpuUsage()
  await call(n)
  const used = process.cpuUsage(before)
  return (used.user + used.system) / n
}

const shuffle = (items) => {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/**
 * Warms every competitor up, then runs `rounds` rounds; in each, every competitor makes `calls`
 * sequential calls, in a new random order each round. Returns µs of CPU per call, per round.
 *
 * @param {Record<string, Caller>} competitors
 * @returns {Promise<Record<string, Array<number>>>}
 */
export const measure = async (competitors, { rounds, calls, warmup }) => {
  const names = Object.keys(competitors)
  for (const name of names) await competitors[name](warmup)
  const samples = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const name of shuffle(names)) samples[name].push(await cpuMicrosPerCall(competitors[name], calls))
  }
  return samples
}

/** The settings every worker reads from its environment (bench/cpu.ts sets them). */
export const settings = () => ({
  endpoint: process.env.BENCH_ENDPOINT ?? "",
  rounds: Number(process.env.BENCH_ROUNDS ?? 15),
  calls: Number(process.env.BENCH_CALLS ?? 400),
  warmup: Number(process.env.BENCH_WARMUP ?? 400)
})
