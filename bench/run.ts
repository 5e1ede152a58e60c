/**
 * `npm run bench`: runs every benchmark once and writes docs/benchmarks.md.
 * Goals are checked here and reported, never asserted in the test suite.
 */
import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import os from "node:os"
import { fileURLToPath } from "node:url"
import { runBundle } from "./bundle.js"
import { runCpu } from "./cpu.js"
import { fmt, fmtSummary } from "./lib.js"
import { runPolls } from "./polls.js"
import type { ScaleResult } from "./scale.js"
import { runStartup } from "./startup.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const started = Date.now()
const log = (line: string) => process.stderr.write(`bench: ${line}\n`)

const verdict = (ok: boolean) => (ok ? "met" : "**missed**")
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`

log("building the CLI")
execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" })

log("client CPU per call")
const cpu = await runCpu()
log("bundle sizes")
const bundle = await runBundle()
log("CLI start-up")
const startup = await runStartup()
const runScale = (api: "login" | "stream", flows: number) =>
  JSON.parse(
    execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "bench/scale.ts"], {
      cwd: root,
      env: { ...process.env, BENCH_API: api, BENCH_FLOWS: String(flows) },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 20
    })
  ) as ScaleResult
log("scale: 10,000 logins (separate process, --expose-gc)")
const scale = runScale("login", Number(process.env.BENCH_FLOWS ?? 10_000))
log("scale: 2,000 deviceLogin streams")
const scaleStream = runScale("stream", 2_000)
log("polls per login")
const polls = await runPolls()

const ours = cpu.perCall["effect-sso-oidc"]!
const sdk = cpu.perCall["@aws-sdk/client-sso-oidc"]!
const raw = cpu.perCall["raw fetch"]!
const marginal = bundle.withDeviceLogin.gzip - bundle.baseline.gzip
const extraPolls = polls.reduce((sum, row) => sum + Math.max(0, row.polls - row.minimum), 0)
const awsHelp = typeof startup.awsHelp === "string" ? startup.awsHelp : fmtSummary(startup.awsHelp, "ms", 0)

const cpuInfo = os.cpus()[0]?.model ?? "unknown CPU"
const doc = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts) — do not edit by hand.

- Date: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC
- Machine: ${os.cpus().length} × ${cpuInfo}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, ${os.type()} ${os.release()}
- Node ${process.version}; figures are medians of the runs shown, with min–max.

## Goals

| goal | figure | verdict |
|---|---|---|
| CPU per CreateToken ≤ 1.1× raw fetch | ${fmt(ours.median / raw.median, 2)}× raw fetch | ${verdict(ours.median <= raw.median * 1.1)} |
| CPU per CreateToken ≤ the AWS SDK's | ${fmt(ours.median / sdk.median, 2)}× the AWS SDK | ${verdict(ours.median <= sdk.median)} |
| marginal bundle of deviceLogin ≤ 15 KB gz | ${kb(marginal)} gz | ${verdict(marginal <= 15 * 1024)} |
| \`sso-oidc --help\` ≤ 0.3 s | ${fmt(startup.help.median / 1000, 2)} s | ${verdict(startup.help.median <= 300)} |
| ≤ 5 KB heap per waiting flow | ${kb(scale.heapPerWaitingFlowBytes)} (\`login\`), ${kb(scaleStream.heapPerWaitingFlowBytes)} (\`deviceLogin\` stream) | ${verdict(scale.heapPerWaitingFlowBytes <= 5 * 1024)} |
| zero polls above the RFC minimum | ${extraPolls} extra polls in ${polls.length} logins | ${verdict(extraPolls === 0)} |

## 1. Client CPU per CreateToken call

\`process.cpuUsage()\` of the client process only; the server (bench/token-server.mjs) runs in
its own process on 127.0.0.1. ${cpu.warmup} warm-up calls, then ${cpu.calls} sequential calls per run,
clients interleaved run by run.

| client | µs CPU per call | vs raw fetch | vs AWS SDK |
|---|---|---|---|
${Object.entries(cpu.perCall).map(([name, s]) =>
  `| ${name} | ${fmtSummary(s, "µs", 0)} | ${fmt(s.median / raw.median, 2)}× | ${fmt(s.median / sdk.median, 2)}× |`
).join("\n")}

## 2. Bundle cost (esbuild, minified, gzip -9)

| bundle | minified | gzipped |
|---|---|---|
| Effect app baseline (effect + platform HttpClient + Schema, one request) | ${kb(bundle.baseline.bytes)} | ${kb(bundle.baseline.gzip)} |
| the same app + \`deviceLogin\` | ${kb(bundle.withDeviceLogin.bytes)} | ${kb(bundle.withDeviceLogin.gzip)} |
| **marginal cost of deviceLogin** | ${kb(bundle.withDeviceLogin.bytes - bundle.baseline.bytes)} | **${kb(marginal)}** |
| standalone browser bundle: \`deviceLogin\` + \`FetchHttpClient\` | ${kb(bundle.deviceLoginOnly.bytes)} | ${kb(bundle.deviceLoginOnly.gzip)} |
| the same from the package root (\`import { DeviceLogin, SsoOidcClient } from "effect-sso-oidc"\`; no \`node:*\` import, checked by test/consumer) | ${kb(bundle.rootEntry.bytes)} | ${kb(bundle.rootEntry.gzip)} |
| \`@aws-sdk/client-sso-oidc\` doing the same three calls | ${kb(bundle.awsSdk.bytes)} | ${kb(bundle.awsSdk.gzip)} |

## 3. CLI start-up (wall time)

| command | time |
|---|---|
| \`sso-oidc --help\` | ${fmtSummary(startup.help, "ms", 0)} |
| \`sso-oidc login\` to its first prompt (the user code), against \`sso-oidc emulator\` | ${fmtSummary(startup.loginToPrompt, "ms", 0)} |
| \`aws sso-oidc help\` (the AWS CLI on this machine) | ${awsHelp} |

## 4. Scale: ${scale.flows.toLocaleString("en")} concurrent logins in one process

\`DeviceLogin.login\` × ${scale.flows.toLocaleString("en")} against the in-process emulator, in virtual
time (bench/virtual-clock.ts; interval 5 s, approval after 20 s).

| figure | value |
|---|---|
| flows waiting for approval at once | ${scale.waiting.toLocaleString("en")} |
| heap per waiting flow, client side | ${kb(scale.heapPerWaitingFlowBytes)} |
| heap per flow, emulator side (subtracted above) | ${kb(scale.emulatorHeapPerFlowBytes)} |
| flows authorized | ${scale.authorized.toLocaleString("en")} |
| wall time, start to all authorized | ${fmt(scale.wallMs / 1000, 1)} s |

The same with each flow consuming the \`deviceLogin\` stream (\`Stream.runDrain\`), ${scaleStream.flows.toLocaleString("en")} flows:
${kb(scaleStream.heapPerWaitingFlowBytes)} per waiting flow, ${scaleStream.authorized.toLocaleString("en")} authorized, ${fmt(scaleStream.wallMs / 1000, 1)} s.
The stream's Channel machinery is most of the difference; \`login\` runs the same steps without it.

## 5. Polls per login vs the RFC minimum

The user approves \`t\` s after the code is shown; the fewest polls that can see the approval is
max(1, ⌈t / interval⌉).

| interval (s) | approved after (s) | polls | RFC minimum |
|---|---|---|---|
${polls.map((row) => `| ${row.interval} | ${row.approvedAfter} | ${row.polls} | ${row.minimum} |`).join("\n")}

_The whole run took ${fmt((Date.now() - started) / 1000, 0)} s._
`

writeFileSync(new URL("../docs/benchmarks.md", import.meta.url), doc)
log(`wrote docs/benchmarks.md in ${fmt((Date.now() - started) / 1000, 0)} s`)
