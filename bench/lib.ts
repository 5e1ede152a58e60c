/** Small helpers shared by the benchmark scripts. */
import { spawn } from "node:child_process"
import { once } from "node:events"

export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly runs: number
}

export const summarize = (values: ReadonlyArray<number>): Summary => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: sorted.length }
}

/**
 * The environment of an Effect 3 worker run through tsx: it resolves `effect-sso-oidc` as the package's
 * exports do, to dist/ (the compiled code users run), not through tsconfig.json's paths to src/, which tsx
 * would compile itself (with esbuild's `keepNames`, which gives every named closure a property store: heap).
 */
export const againstDist = { TSX_TSCONFIG_PATH: "tsconfig.build.json" }

export const fmt = (value: number, digits = 1) => value.toFixed(digits)

export const fmtSummary = (s: Summary, unit: string, digits = 1) =>
  `${fmt(s.median, digits)} ${unit} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`

/** Starts `node script` and waits for its first stdout line, which must be the port it listens on. */
export const startServer = async (script: string, args: ReadonlyArray<string> = []) => {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "inherit"] })
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer]
  const port = Number(chunk.toString().trim().split("\n")[0])
  if (!Number.isInteger(port)) throw new Error(`${script} did not print a port`)
  return { port, stop: () => child.kill() }
}

/** Wall time of a command in milliseconds. */
export const timeCommand = async (command: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) => {
  const start = process.hrtime.bigint()
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "ignore"], env })
  const [code] = (await once(child, "exit")) as [number]
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}`)
  return ms
}

/** One goal of the issue, as the bench measured it. */
export interface Goal {
  /** The goal as the issue states it, e.g. "CPU per CreateToken ≤ 1.0× the AWS SDK (Node default transport)". */
  readonly goal: string
  /** The measured figure with its spread, e.g. "0.93× (0.88–0.97)". */
  readonly figure: string
  readonly met: boolean
}

/**
 * What each area's bench module (`bench/cpu.ts`, `memory.ts`, `startup.ts`,
 * `bundle.ts`, `polls.ts`) returns from its `run()`: bench/run.ts writes the
 * goals into one table and the sections, in order, into docs/benchmarks.md.
 */
export interface Section {
  /** The section's heading, e.g. "Client CPU per call". */
  readonly title: string
  /** Markdown: how it was measured (one short paragraph), then its table(s). Every figure with its spread. */
  readonly body: string
  readonly goals: ReadonlyArray<Goal>
}
