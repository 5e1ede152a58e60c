/**
 * CLI start-up: `sso-oidc --help`, `sso-oidc login` to its first prompt
 * against the emulator, and `aws sso-oidc help` for comparison.
 */
import { spawn } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { summarize, type Summary, timeCommand } from "./lib.js"

const bin = fileURLToPath(new URL("../dist/sso-oidc.js", import.meta.url))
const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 10)

const repeat = async (n: number, f: () => Promise<number>) => {
  await f() // warm the file cache
  const values: Array<number> = []
  for (let i = 0; i < n; i++) values.push(await f())
  return summarize(values)
}

/** Starts `sso-oidc emulator` and reads its URL from the first line. */
const startEmulator = async () => {
  const child = spawn(process.execPath, [bin, "emulator", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] })
  let output = ""
  while (!/http:\/\/127\.0\.0\.1:\d+/.test(output)) {
    const [chunk] = (await once(child.stdout!, "data")) as [Buffer]
    output += chunk.toString()
  }
  return { url: output.match(/http:\/\/127\.0\.0\.1:\d+/)![0], stop: () => child.kill() }
}

/** Milliseconds from spawning `sso-oidc login` to the line that shows the user code. */
const loginToPrompt = (url: string) => async () => {
  const start = process.hrtime.bigint()
  const child = spawn(process.execPath, [
    bin, "login", "--start-url", `${url}/start`, "--region", "us-east-1", "--endpoint-url", url,
    "--no-browser", "--output", "json"
  ], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, HOME: process.env.BENCH_HOME ?? "/tmp" } })
  let output = ""
  while (!output.includes("AwaitingUser")) {
    const [chunk] = (await once(child.stdout!, "data")) as [Buffer]
    output += chunk.toString()
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  child.kill()
  return ms
}

export interface StartupResult {
  readonly help: Summary
  readonly loginToPrompt: Summary
  readonly awsHelp: Summary | string
}

export const runStartup = async (): Promise<StartupResult> => {
  const help = await repeat(runs, () => timeCommand(process.execPath, [bin, "--help"]))
  const emulator = await startEmulator()
  let toPrompt: Summary
  try {
    toPrompt = await repeat(runs, loginToPrompt(emulator.url))
  } finally {
    emulator.stop()
  }
  let awsHelp: Summary | string
  try {
    awsHelp = await repeat(Math.min(runs, 5), () =>
      timeCommand("aws", ["sso-oidc", "help"], { ...process.env, AWS_PAGER: "", PAGER: "cat", MANPAGER: "cat" }))
  } catch (error) {
    awsHelp = `not measured: ${(error as Error).message}`
  }
  return { help, loginToPrompt: toPrompt, awsHelp }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runStartup().then((result) => console.log(JSON.stringify(result, null, 2)))
}
