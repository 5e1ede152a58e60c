/**
 * Every export of every public module carries JSDoc with `@since` and
 * `@category`, as in Effect's own packages (the entry points' `export * as`
 * lines need `@since` only). The Effect 4 edition's copy: it reads
 * `effect4/src`, whose new exports carry `@since 1.0.0`.
 */
import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import ts from "typescript"

const src = new URL("../src/", import.meta.url).pathname
const modules = [
  ...readdirSync(src).filter((f) => /^[A-Z]\w+\.ts$/.test(f)),
  ...["node", "testing"].flatMap((dir) => readdirSync(join(src, dir)).map((f) => `${dir}/${f}`))
]
const entries = ["index.ts", "node.ts", "testing.ts"]

const tagsOf = (node: ts.Node): ReadonlyArray<string> =>
  ts.getJSDocTags(node).map((tag) => tag.tagName.text)

const exported = (statement: ts.Statement): boolean =>
  ts.canHaveModifiers(statement) &&
  (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

/** `file: name` for each export that lacks one of `required`. */
const missing = (file: string, required: ReadonlyArray<string>): Array<string> => {
  const source = ts.createSourceFile(file, readFileSync(join(src, file), "utf8"), ts.ScriptTarget.Latest, true)
  const out: Array<string> = []
  const visit = (statements: ts.NodeArray<ts.Statement>) => {
    for (const statement of statements) {
      if (ts.isModuleDeclaration(statement) && statement.body && ts.isModuleBlock(statement.body)) {
        continue // `declare namespace X` members are documented by their class
      }
      if (!exported(statement) && !ts.isExportDeclaration(statement)) continue
      // A variable statement carries its JSDoc itself.
      const node = ts.isVariableStatement(statement) ? statement.declarationList.declarations[0]! : statement
      const tags = [...tagsOf(statement), ...tagsOf(node)]
      const name = ts.isExportDeclaration(statement)
        ? statement.getText(source).slice(0, 60)
        : (node as { name?: ts.Node }).name?.getText(source) ?? "?"
      for (const tag of required) if (!tags.includes(tag)) out.push(`${file}: ${name} has no @${tag}`)
    }
  }
  visit(source.statements)
  return out
}

describe("JSDoc", () => {
  it("every export of a public module has @since and @category", () => {
    expect(modules.length).toBeGreaterThan(10)
    expect(modules.flatMap((file) => missing(file, ["since", "category"]))).toEqual([])
  })

  it("every export of an entry point has @since", () => {
    expect(entries.flatMap((file) => missing(file, ["since"]))).toEqual([])
  })
})
