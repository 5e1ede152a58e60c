/**
 * Client CPU per CreateToken call (issue 14): effect-sso-oidc in both editions, over
 * `FetchHttpClient` and over the documented Node default (`NodeSso.layerHttpClient()`, undici
 * with keep-alive), against `@aws-sdk/client-sso-oidc`, raw fetch + JSON.parse and raw
 * `node:http` keep-alive (the floor).
 *
 * The loopback server (bench/token-server.mjs) runs in its own process. Each edition's
 * competitors run in one worker process — Effect 3: bench/cpu-worker.ts (tsx, this Node);
 * Effect 4: effect4/bench/cpu.mjs (Node 24, effect4/dist) — with their own SDK, raw fetch and
 * node:http rows, so every ratio is paired within one process and one round: in each round every
 * competitor makes `calls` sequential calls, in a new random order. CPU is that worker's
 * `process.cpuUsage()` (user + system). The two workers run one after the other, not at once.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { againstDist, fmt, fmtSummary, type Section, startServer, summarize, type Summary } from "./lib.js"
import { node24 } from "./runtimes.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const env = {
  BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? "18",
  BENCH_CALLS: process.env.BENCH_CALLS ?? "300",
  BENCH_WARMUP: process.env.BENCH_WARMUP ?? "800"
}

type Samples = Record<string, Array<number>>

const worker = (command: string, args: ReadonlyArray<string>, cwd: string, endpoint: string) =>
  new Promise<Samples>((resolve, reject) =>
    execFile(command, args, {
      cwd,
      env: { ...process.env, ...env, ...againstDist, BENCH_ENDPOINT: endpoint, NODE_NO_WARNINGS: "1" },
      maxBuffer: 1 << 22
    }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${args.join(" ")} failed: ${error.message}\n${stderr}`))
      resolve(JSON.parse(stdout) as Samples)
    })
  )

const measureEditions = async () => {
  const server = await startServer(fileURLToPath(new URL("./token-server.mjs", import.meta.url)))
  const endpoint = `http://127.0.0.1:${server.port}`
  try {
    const effect3 = await worker(process.execPath, ["--import", "tsx", "bench/cpu-worker.ts"], root, endpoint)
    const effect4 = await worker(await node24(), ["bench/cpu.mjs"], `${root}effect4`, endpoint)
    return { effect3, effect4 }
  } finally {
    server.stop()
  }
}

/** The per-round ratios of `a` to `b`: both ran in the same round of the same process. */
const paired = (samples: Samples, a: string, b: string): Summary =>
  summarize(samples[a]!.map((value, round) => value / samples[b]![round]!))

const ratio = (s: Summary) => `${fmt(s.median, 2)}× (${fmt(s.min, 2)}–${fmt(s.max, 2)})`

const rows = [
  ["fetch", "ours over `FetchHttpClient`"],
  ["node", "ours over `NodeSso.layerHttpClient()` (the documented Node default: undici, keep-alive)"],
  ["platformFetch", "the platform's `FetchHttpClient` alone (execute, text, JSON.parse; its `http.client` span)"],
  ["sdk", "`@aws-sdk/client-sso-oidc` (its default Node handler, keep-alive)"],
  ["rawFetch", "raw fetch + JSON.parse"],
  ["nodeHttp", "raw `node:http` keep-alive + JSON.parse (the floor)"]
] as const

/** A worker's row names: its own two `ours…` rows, then the shared baselines. */
const nameOf = (edition: "3" | "4", row: (typeof rows)[number][0]) =>
  row === "fetch" || row === "node" ? `ours${edition}/${row}` : row === "rawFetch" ? "fetch" : row

const table = (edition: "3" | "4", samples: Samples, runtime: string) => {
  const lines = [
    `**Effect ${edition} edition** (${runtime}; ${samples["sdk"]!.length} rounds × ${env.BENCH_CALLS} calls)`,
    "",
    "| client | µs CPU per call | vs raw fetch (paired) | vs AWS SDK (paired) |",
    "|---|---|---|---|"
  ]
  for (const [row, label] of rows) {
    const name = nameOf(edition, row)
    lines.push(
      `| ${label} | ${fmtSummary(summarize(samples[name]!), "µs", 0)} | ${ratio(paired(samples, name, "fetch"))} | ${
        ratio(paired(samples, name, "sdk"))
      } |`
    )
  }
  return lines.join("\n")
}

/**
 * @since 0.3.0
 */
export const run = async (): Promise<Section> => {
  const { effect3, effect4 } = await measureEditions()
  const sdk3 = paired(effect3, "ours3/node", "sdk")
  const sdk4 = paired(effect4, "ours4/node", "sdk")
  const fetch3 = paired(effect3, "ours3/fetch", "fetch")
  const fetch4 = paired(effect4, "ours4/fetch", "fetch")
  const body = [
    "Sequential CreateToken calls against a loopback server in its own process (bench/token-server.mjs,",
    "keep-alive). Each edition's competitors run interleaved in one worker process, in a new random order",
    `each round, after ${env.BENCH_WARMUP} warm-up calls each; CPU is the worker's \`process.cpuUsage()\`.`,
    "Ratios are medians (min–max) of per-round ratios within that process. The machine is shared and busy:",
    "absolute µs drift between runs, the paired ratios much less. Both workers build `NodeSso.layerHttpClient()`,",
    "which loads npm undici, and undici installs its dispatcher as Node's global one when none is set: their",
    "fetch rows run on it, as in an app wired as the Node docs show.",
    "",
    table("3", effect3, `Node ${process.versions.node}, the harness through tsx, the package from dist/`),
    "",
    table("4", effect4, "Node 24, effect4/dist"),
    "",
    "Over `FetchHttpClient`, the platform's adapter alone is already that far from raw fetch (its row);",
    `ours over it, paired with it alone: Effect 3 ${ratio(paired(effect3, "ours3/fetch", "platformFetch"))}, Effect 4 ${
      ratio(paired(effect4, "ours4/fetch", "platformFetch"))
    }.`,
    ""
  ].join("\n")
  return {
    title: "Client CPU per CreateToken call",
    body,
    goals: [
      {
        goal: "CPU per CreateToken ≤ 1.0× the AWS SDK with the documented Node default (`NodeSso.layerHttpClient()`)",
        figure: `Effect 3: ${ratio(sdk3)}; Effect 4: ${ratio(sdk4)}`,
        met: sdk3.median <= 1 && sdk4.median <= 1
      },
      {
        goal: "CPU per CreateToken ≤ 1.6× raw fetch over `FetchHttpClient`",
        figure: `Effect 3: ${ratio(fetch3)}; Effect 4: ${ratio(fetch4)}`,
        met: fetch3.median <= 1.6 && fetch4.median <= 1.6
      }
    ]
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((section) => console.log(`## ${section.title}\n\n${section.body}\n${JSON.stringify(section.goals, null, 2)}`))
}
