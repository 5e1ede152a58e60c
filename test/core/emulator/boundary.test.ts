/**
 * The emulator core is compiled into both editions: it may import only other
 * core modules and @noble/hashes — no `effect`, no `@effect/*`, no `node:*`,
 * no module of an edition (checked transitively through its relative imports).
 */
import { readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const core = resolve(dirname(fileURLToPath(import.meta.url)), "../../../src/core")
const entry = join(core, "emulator")

const importsOf = (file: string): ReadonlyArray<string> =>
  Array.from(readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\b[^"']*?from\s+["']([^"']+)["']/gm), (m) => m[1]!)

describe("core emulator boundary", () => {
  it("imports nothing outside src/core but @noble/hashes, transitively", () => {
    const seen = new Set<string>()
    const problems: Array<string> = []
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      for (const specifier of importsOf(file)) {
        if (specifier.startsWith(".")) {
          const target = resolve(dirname(file), specifier.replace(/\.js$/, ".ts"))
          if (relative(core, target).startsWith("..")) problems.push(`${relative(core, file)} imports ${specifier}`)
          else visit(target)
        } else if (!specifier.startsWith("@noble/hashes")) {
          problems.push(`${relative(core, file)} imports ${specifier}`)
        }
      }
    }
    for (const name of ["portal", "faults", "handler", "state", "wire", "page", "iam", "persistentMap", "random", "reply", "grants", "pageToken", "sigv4"]) {
      visit(join(entry, `${name}.ts`))
    }
    expect(problems).toEqual([])
    expect(seen.size).toBeGreaterThan(10)
  })
})
