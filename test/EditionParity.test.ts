/**
 * The Effect 4 edition carries every scenario of the Effect 3 one: for each
 * root suite `test/X.test.ts` that is not {@link rootOnly}, a copy
 * `effect4/test/X.test.ts` exists, and every test it declares (`it`,
 * `it.effect`, `it.live`, `it.scoped`, `it.prop`, `test`, with their
 * `skipIf`/`runIf`/`each` forms), under the same `describe` path, is declared
 * in the copy too, as many times.
 *
 * The suites are read as text (TypeScript's parser, no Effect import: this
 * runs in the root's vitest on Node 20, where the Effect 4 edition cannot
 * load). A name is compared as written: a string's value, else the source of
 * the expression (a template or `row.name`), so a copy must keep the names'
 * expressions, loop variables included.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import ts from "typescript"

const rootTests = new URL("./", import.meta.url).pathname
const edition4Tests = new URL("../effect4/test/", import.meta.url).pathname

/**
 * Root suites with no Effect 4 copy, on purpose. An entry is a suite's path
 * under `test/`, or a folder ending in `/` for every suite in it.
 */
export const rootOnly: ReadonlyArray<{ readonly suite: string; readonly reason: string }> = [
  { suite: "core/", reason: "the Effect-free core's unit tests: the core is compiled into both editions, so they run once" },
  {
    suite: "Cli.test.ts",
    reason: "the CLI: one `sso-oidc` binary, built from the Effect 3 edition (effect4/src has no cli)"
  },
  { suite: "CliPortal.test.ts", reason: "the CLI's portal commands: the one binary, as Cli.test.ts" },
  { suite: "CodeCache.test.ts", reason: "the launcher's code cache (src/bin/codeCache.ts): Effect-free, in the one binary" },
  {
    suite: "CredentialFormats.test.ts",
    reason: "`sso-oidc credentials --format` output: the CLI's formatter, in the one binary"
  },
  {
    suite: "behaviour/",
    reason: "the black-box behaviour suite: drives each edition's build through a harness, so it runs once per edition already"
  },
  { suite: "consumer/", reason: "consumer tests: install each edition's packed build in a fresh project, on every runtime" },
  { suite: "docs.test.ts", reason: "docs: the guides' text and links, one set of docs for both editions" },
  { suite: "docs.snippets.test.ts", reason: "docs: compiles every snippet against its own edition already" },
  {
    suite: "fault-matrix.md.test.ts",
    reason: "docs: docs/reliability.md against the Effect-free table test/fault-matrix.ts, which both editions' fault matrices read"
  },
  { suite: "EditionParity.test.ts", reason: "this check itself, which compares the two editions' suites" }
]

// -----------------------------------------------------------------------------
// reading the suites
// -----------------------------------------------------------------------------

/** Every `*.test.ts` under `dir`, as paths relative to it (fixtures excluded). */
const suitesIn = (dir: string): Array<string> => {
  const out: Array<string> = []
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "fixtures") walk(path)
      } else if (entry.name.endsWith(".test.ts")) {
        out.push(relative(dir, path))
      }
    }
  }
  walk(dir)
  return out.sort()
}

/** `it.live.skipIf` → `["it", "live", "skipIf"]`; `undefined` for anything but a dotted name. */
const chain = (expression: ts.Expression): Array<string> | undefined => {
  if (ts.isIdentifier(expression)) return [expression.text]
  if (ts.isPropertyAccessExpression(expression)) {
    const left = chain(expression.expression)
    return left === undefined ? undefined : [...left, expression.name.text]
  }
  return undefined
}

/**
 * What a call declares: the test or suite function it calls, looking through
 * the curried forms (`it.skipIf(c)(name, f)`, `it.each(rows)(name, f)`).
 */
const declares = (call: ts.CallExpression): "test" | "suite" | undefined => {
  let callee = call.expression
  while (ts.isCallExpression(callee)) callee = callee.expression
  const names = chain(callee)
  if (names === undefined) return undefined
  const [head, ...modifiers] = names
  // `it.layer(l)(name, f)` is a suite of @effect/vitest.
  if (head === "it" && modifiers[0] === "layer") return "suite"
  if (head === "it" || head === "test") return "test"
  if (head === "describe" || head === "suite") return "suite"
  return undefined
}

/** A name as written: a string's value, else the expression's source with its spacing normalised. */
const nameOf = (node: ts.Expression | undefined, source: ts.SourceFile): string => {
  if (node === undefined) return "<no name>"
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text
  return `{${node.getText(source).replace(/\s+/g, " ")}}`
}

/** Every test a suite declares, as `describe › … › name` (one entry per declaration). */
export const testNames = (fileName: string, text: string): Array<string> => {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true)
  const out: Array<string> = []
  const visit = (node: ts.Node, path: ReadonlyArray<string>) => {
    if (ts.isCallExpression(node)) {
      const kind = declares(node)
      if (kind !== undefined) {
        const name = nameOf(node.arguments[0], source)
        if (kind === "test") out.push([...path, name].join(" › "))
        // The curried calls' arguments (a `skipIf(…)` condition, an `each` table), then the body, under the new path.
        for (let callee = node.expression; ts.isCallExpression(callee); callee = callee.expression) {
          for (const argument of callee.arguments) visit(argument, path)
        }
        for (const argument of node.arguments) visit(argument, kind === "suite" ? [...path, name] : path)
        return
      }
    }
    ts.forEachChild(node, (child) => visit(child, path))
  }
  visit(source, [])
  return out
}

/** The entries of `expected` that `actual` lacks, counted (a name declared twice must be declared twice). */
const missingFrom = (expected: ReadonlyArray<string>, actual: ReadonlyArray<string>): Array<string> => {
  const left = new Map<string, number>()
  for (const name of actual) left.set(name, (left.get(name) ?? 0) + 1)
  const out: Array<string> = []
  for (const name of expected) {
    const n = left.get(name) ?? 0
    if (n === 0) out.push(name)
    else left.set(name, n - 1)
  }
  return out
}

const isRootOnly = (suite: string) =>
  rootOnly.some((entry) => entry.suite.endsWith("/") ? suite.startsWith(entry.suite) : suite === entry.suite)

const read = (dir: string, suite: string) => readFileSync(join(dir, suite), "utf8")

// -----------------------------------------------------------------------------
// the checks
// -----------------------------------------------------------------------------

describe("edition parity — the Effect 4 edition's suites carry every test of the Effect 3 ones", () => {
  it("reads every form of test the suites use, under its describe path", () => {
    const names = testNames(
      "sample.test.ts",
      `
      describe("outer", () => {
        it("plain", () => {})
        it.effect('single quotes', () => Effect.void)
        it.live(\`no substitution\`, () => Effect.void)
        it.scoped("scoped", () => Effect.void)
        it.scopedLive("scoped live", () => Effect.void)
        it.prop("a property", [fc.nat()], () => true)
        it.effect.prop("an effect property", [fc.nat()], () => Effect.void)
        it.live.skipIf(!available)("skipped unless available", () => Effect.void)
        it.skipIf(cond)("skipped if", () => {})
        it.runIf(inCi)("run if", () => {})
        it.skip(\`skipped: \${why}\`, () => {})
        test("a test", () => {})
        describe.concurrent("inner", () => {
          for (const row of rows) {
            it.effect(row.name, () => Effect.void)
          }
          it.each([1, 2])("each %s", () => {})
        })
        describe.skipIf(aws === undefined)(\`aws \${version}\`, () => {
          it("nested", () => {})
        })
        const helper = (name: string) => it.effect(name, () => Effect.void)
        expect(it).toBeDefined()
      })
      it("top level", () => {})
      `
    )
    expect(names).toEqual([
      "outer › plain",
      "outer › single quotes",
      "outer › no substitution",
      "outer › scoped",
      "outer › scoped live",
      "outer › a property",
      "outer › an effect property",
      "outer › skipped unless available",
      "outer › skipped if",
      "outer › run if",
      "outer › {`skipped: ${why}`}",
      "outer › a test",
      "outer › inner › {row.name}",
      "outer › inner › each %s",
      "outer › {`aws ${version}`} › nested",
      "outer › {name}",
      "top level"
    ])
  })

  it("compares names as a count: a name declared twice must be copied twice", () => {
    expect(missingFrom(["a", "a", "b"], ["a", "b", "c"])).toEqual(["a"])
    expect(missingFrom(["a", "b"], ["b", "a", "a"])).toEqual([])
  })

  it("lists as root-only only suites that exist and have no copy, each with a reason", () => {
    const suites = suitesIn(rootTests)
    for (const entry of rootOnly) {
      expect(entry.reason.length, entry.suite).toBeGreaterThan(10)
      const matched = suites.filter((suite) =>
        entry.suite.endsWith("/") ? suite.startsWith(entry.suite) : suite === entry.suite
      )
      // A folder may be empty for now (the core's tests arrive with the core); a file must exist.
      if (!entry.suite.endsWith("/")) expect(matched, `${entry.suite} exists`).toEqual([entry.suite])
      expect(matched.filter((suite) => existsSync(join(edition4Tests, suite))), `${entry.suite} has no copy`).toEqual([])
    }
  })

  it("the fault matrix's table, shared by both editions and the docs, imports nothing", () => {
    const source = ts.createSourceFile("fault-matrix.ts", read(rootTests, "fault-matrix.ts"), ts.ScriptTarget.Latest)
    const imports = source.statements.filter((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s))
    expect(imports.map((s) => s.getText(source))).toEqual([])
  })

  for (const suite of suitesIn(rootTests).filter((suite) => !isRootOnly(suite))) {
    it(`${suite}: effect4/test/${suite} declares every test of the Effect 3 copy`, () => {
      const expected = testNames(suite, read(rootTests, suite))
      expect(expected.length, `tests found in test/${suite}`).toBeGreaterThan(0)
      expect(existsSync(join(edition4Tests, suite)), `effect4/test/${suite} exists`).toBe(true)
      expect(missingFrom(expected, testNames(suite, read(edition4Tests, suite)))).toEqual([])
    })
  }
})
