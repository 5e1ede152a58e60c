/**
 * `docs/reliability.md` shows the fault matrix and its policy as generated
 * from `test/fault-matrix.ts`, so the doc and the tests cannot drift.
 *
 * To regenerate the two blocks after changing the data:
 *
 *     UPDATE_DOCS=1 npx vitest run test/fault-matrix.md.test.ts
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync, writeFileSync } from "node:fs"
import { faults, markdownTable, operations, policyTable, rows } from "./fault-matrix.js"

const docUrl = new URL("../docs/reliability.md", import.meta.url)

const blocks = {
  "fault-matrix": markdownTable,
  "fault-policy": policyTable
} as const

const marker = (name: string, end: "start" | "end") =>
  end === "start" ? `<!-- ${name}:start (generated from test/fault-matrix.ts) -->` : `<!-- ${name}:end -->`

/** The text between a block's markers. */
const block = (doc: string, name: string): string | undefined => {
  const start = doc.indexOf(marker(name, "start"))
  const end = doc.indexOf(marker(name, "end"))
  if (start < 0 || end < start) return undefined
  return doc.slice(start + marker(name, "start").length, end).trim()
}

describe("docs/reliability.md", () => {
  if (process.env["UPDATE_DOCS"] === "1") {
    it("regenerates its generated blocks", () => {
      let doc = readFileSync(docUrl, "utf8")
      for (const [name, generate] of Object.entries(blocks)) {
        const start = doc.indexOf(marker(name, "start"))
        const end = doc.indexOf(marker(name, "end"))
        expect(start, `${name} has its start marker`).toBeGreaterThanOrEqual(0)
        expect(end, `${name} has its end marker after the start`).toBeGreaterThan(start)
        doc = doc.slice(0, start + marker(name, "start").length) + `\n\n${generate()}\n\n` + doc.slice(end)
      }
      writeFileSync(docUrl, doc)
    })
  }

  it("shows the fault matrix generated from test/fault-matrix.ts", () => {
    const doc = readFileSync(docUrl, "utf8")
    expect(block(doc, "fault-matrix")).toBe(markdownTable())
    // One table row per fault, one column per operation: every cell of the tests is in the doc.
    expect(markdownTable().split("\n").length).toBe(2 + faults.length)
    expect(rows.length).toBe(faults.length * operations.length)
  })

  it("shows the policy the bounds come from", () => {
    const doc = readFileSync(docUrl, "utf8")
    expect(block(doc, "fault-policy")).toBe(policyTable())
  })
})
