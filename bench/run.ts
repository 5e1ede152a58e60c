/**
 * `npm run bench`: runs every area's benchmark once, side by side in one run,
 * and writes docs/benchmarks.md. Goals are checked here and reported, never
 * asserted in the test suite. Each area's module returns a `Section`
 * (bench/lib.ts): its goals, with figures and spreads, and its tables.
 *
 *   npm run bench                 # all areas
 *   npm run bench -- cpu memory   # only these (the document then holds only them)
 */
import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import os from "node:os"
import { fileURLToPath } from "node:url"
import { fmt, type Section } from "./lib.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const started = Date.now()
const log = (line: string) => process.stderr.write(`bench: ${line}\n`)

/** The areas, in the document's order; each module is imported only when it runs. */
const areas: ReadonlyArray<readonly [name: string, load: () => Promise<{ run: () => Promise<Section> }>]> = [
  ["cpu", () => import("./cpu.js")],
  ["memory", () => import("./memory.js")],
  ["startup", () => import("./startup.js")],
  ["bundle", () => import("./bundle.js")],
  ["polls", () => import("./polls.js")]
]
const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !areas.some(([area]) => area === name))
if (unknown.length > 0) throw new Error(`unknown bench area(s): ${unknown.join(", ")}`)

log("building both editions and the CLI")
execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" })

const sections: Array<Section & { readonly seconds: number }> = []
for (const [name, load] of areas) {
  if (wanted.length > 0 && !wanted.includes(name)) continue
  log(name)
  const areaStarted = Date.now()
  const section = await (await load()).run()
  sections.push({ ...section, seconds: (Date.now() - areaStarted) / 1000 })
  for (const goal of section.goals) log(`  ${goal.met ? "met   " : "MISSED"} ${goal.goal}: ${goal.figure}`)
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, ${os.type()} ${os.release()}`
const load = os.loadavg().map((value) => fmt(value, 2)).join(", ")
const doc = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts) — do not edit by hand. Each figure is a median with its
min–max over the runs stated; ratios are of paired measurements in the same round.

- Date: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC
- Machine: ${machine}; load average at the end ${load}
- Node ${process.version} runs the Effect 3 edition and the harness; the Effect 4 edition's figures come from Node 24 (its engines field asks for ≥ 22.19).

## Goals

| goal | figure | verdict |
|---|---|---|
${sections.flatMap((section) => section.goals.map((goal) =>
  `| ${goal.goal} | ${goal.figure} | ${goal.met ? "met" : "**missed**"} |`
)).join("\n")}

${sections.map((section, i) => `## ${i + 1}. ${section.title}\n\n${section.body.trim()}\n\n_${fmt(section.seconds, 0)} s._`).join("\n\n")}

_The whole run took ${fmt((Date.now() - started) / 1000, 0)} s._
`

writeFileSync(new URL("../docs/benchmarks.md", import.meta.url), doc)
log(`wrote docs/benchmarks.md in ${fmt((Date.now() - started) / 1000, 0)} s`)
