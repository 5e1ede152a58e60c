/**
 * Every ```ts block of the README and the guides, type-checked as written:
 * each block becomes a module of its own, compiled with the repository's
 * strict settings against the package's entry points (`effect-sso-oidc`,
 * `effect-sso-oidc/node`, `effect-sso-oidc/testing`, …), so a guide that
 * imports a name the package does not export, or uses it wrongly, fails here.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const docs = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)]

export const snippets = (): ReadonlyArray<{ readonly doc: string; readonly line: number; readonly code: string }> =>
  docs.flatMap((doc) => {
    const text = readFileSync(join(root, doc), "utf8")
    return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => ({
      doc,
      line: text.slice(0, m.index).split("\n").length + 1,
      code: m[1]!
    }))
  })

describe("docs snippets", () => {
  it("every ts block of the README and the guides type-checks as a module of its own", () => {
    const all = snippets()
    expect(all.length).toBeGreaterThan(20)
    const dir = join(root, "test", ".snippets")
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const files = all.map(({ code, doc, line }) => {
      const file = `${doc.replace(/[/.]/g, "_")}_${line}.ts`
      // `export {}` keeps a block without imports a module, so blocks do not share names.
      writeFileSync(join(dir, file), `${code}\nexport {}\n`)
      return file
    })
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ extends: "../../tsconfig.json", compilerOptions: { noUnusedLocals: false, noUnusedParameters: false, baseUrl: "../.." }, include: files })
    )
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
    let output = ""
    try {
      execFileSync(process.execPath, [tsc, "--noEmit", "-p", join(dir, "tsconfig.json")], { encoding: "utf8" })
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error)
    }
    // Name each failure by its guide and line, not the temporary file.
    const named = output.replace(/^([\w.]+)_(\d+)\.ts\((\d+),(\d+)\)/gm, (_, file: string, line: string, row: string) =>
      `${file.replace(/_md$/, ".md").replace(/^docs_/, "docs/")}:${Number(line) + Number(row) - 1}`)
    expect(named).toBe("")
  }, 120_000)
})
