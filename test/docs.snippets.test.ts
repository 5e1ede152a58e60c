/**
 * Every ```ts block of the README and the guides, type-checked as written, against its edition:
 * a ```ts block against the Effect 3 edition (src/, effect 3), a ```ts effect4 block against the
 * Effect 4 edition (effect4/src, effect 4). Each block becomes a module of its own, compiled with
 * that edition's strict settings against its entry points (`effect-sso-oidc`,
 * `effect-sso-oidc/node`, `effect-sso-oidc/testing`, …), so a guide that imports a name the package
 * does not export, or uses it wrongly, fails here. Every guide shows both editions: each Effect 3
 * block is followed by its Effect 4 counterpart.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const docs = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)]

export type Edition = "effect3" | "effect4"

export interface Snippet {
  readonly doc: string
  readonly line: number
  readonly code: string
  readonly edition: Edition
}

export const snippets = (): ReadonlyArray<Snippet> =>
  docs.flatMap((doc) => {
    const text = readFileSync(join(root, doc), "utf8")
    return [...text.matchAll(/^```ts( effect4)?\n([\s\S]*?)^```$/gm)].map((m) => ({
      doc,
      line: text.slice(0, m.index).split("\n").length + 1,
      code: m[2]!,
      edition: m[1] === undefined ? "effect3" as const : "effect4" as const
    }))
  })

/** Where each edition's snippets are compiled: inside the edition, so its node_modules resolve. */
const editions: Record<Edition, { readonly dir: string; readonly tsconfig: string }> = {
  effect3: { dir: join(root, "test", ".snippets"), tsconfig: "../../tsconfig.json" },
  effect4: { dir: join(root, "effect4", "test", ".snippets"), tsconfig: "../../tsconfig.json" }
}

const typeCheck = (edition: Edition, all: ReadonlyArray<Snippet>): string => {
  const { dir, tsconfig } = editions[edition]
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const files = all.filter((s) => s.edition === edition).map(({ code, doc, line }) => {
    const file = `${doc.replace(/[/.]/g, "_")}_${line}.ts`
    // `export {}` keeps a block without imports a module, so blocks do not share names.
    writeFileSync(join(dir, file), `${code}\nexport {}\n`)
    return file
  })
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ extends: tsconfig, compilerOptions: { noUnusedLocals: false, noUnusedParameters: false, baseUrl: "../.." }, include: files })
  )
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  let output = ""
  try {
    execFileSync(process.execPath, [tsc, "--noEmit", "-p", join(dir, "tsconfig.json")], { encoding: "utf8" })
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error)
  }
  // Name each failure by its guide and line, not the temporary file.
  return output.replace(/^([\w.]+)_(\d+)\.ts\((\d+),(\d+)\)/gm, (_, file: string, line: string, row: string) =>
    `${file.replace(/_md$/, ".md").replace(/^docs_/, "docs/")}:${Number(line) + Number(row) - 1}`)
}

describe("docs snippets", () => {
  it("every ts block of the README and the guides type-checks as a module of its own (Effect 3 edition)", () => {
    const all = snippets()
    expect(all.filter((s) => s.edition === "effect3").length).toBeGreaterThan(20)
    expect(typeCheck("effect3", all)).toBe("")
  }, 120_000)

  it("every ts effect4 block type-checks as a module of its own (Effect 4 edition)", () => {
    const all = snippets()
    expect(all.filter((s) => s.edition === "effect4").length).toBeGreaterThan(20)
    expect(typeCheck("effect4", all)).toBe("")
  }, 120_000)

  it("every guide shows both editions: each Effect 3 block is followed by its Effect 4 block", () => {
    const unpaired: Array<string> = []
    for (const doc of docs) {
      const own = snippets().filter((s) => s.doc === doc)
      own.forEach((snippet, i) => {
        if (snippet.edition === "effect3" && own[i + 1]?.edition !== "effect4") unpaired.push(`${doc}:${snippet.line}`)
        if (snippet.edition === "effect4" && own[i - 1]?.edition !== "effect3") unpaired.push(`${doc}:${snippet.line} (no Effect 3 block before it)`)
      })
    }
    expect(unpaired).toEqual([])
  })
})
