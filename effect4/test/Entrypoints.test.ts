/**
 * The Effect 4 edition's entry points against the Effect 3 edition's: the
 * root, `node` and `testing` entry points export the same modules, and each
 * module the same public names (values and types, each of the same kind),
 * except the renames listed in `effect4/renames.json`:
 *
 *     [{ "effect3": "Module.name", "effect4": "Module.otherName", "why": "…" }]
 *
 * (`"effect3": null` for a name only the Effect 4 edition has, `"effect4": null`
 * for one it dropped; the README's mapping table is written from the same list.)
 *
 * Names are read from both editions' sources with TypeScript's parser, which
 * also sees the type-only exports; the value names are checked against the
 * modules as they load at run time: the Effect 4 edition's here, and the
 * Effect 3 edition's too (its sources, on the root's `effect@3` and
 * `@effect/platform`, load into this process beside Effect 4).
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const editions = {
  effect3: fileURLToPath(new URL("../../src/", import.meta.url)),
  effect4: fileURLToPath(new URL("../src/", import.meta.url))
} as const
type Edition = keyof typeof editions

const entries = ["index.ts", "node.ts", "testing.ts"] as const

/** How a name is exported: as a value, a type, or both (a class, a const with a same-named type). */
interface Kinds {
  value: boolean
  type: boolean
}

type Exports = Map<string, Kinds>

const add = (exports: Exports, name: string, kinds: Partial<Kinds>) => {
  const known = exports.get(name) ?? { value: false, type: false }
  exports.set(name, { value: known.value || kinds.value === true, type: known.type || kinds.type === true })
}

const hasExport = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

const sourceOf = (file: string) =>
  ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)

/** `./X.js` of a source file → the `.ts` file. */
const target = (from: string, specifier: string) => resolve(dirname(from), specifier.replace(/\.js$/, ".ts"))

/** The public names of a module file: its own exports and what it re-exports. */
const exportsOf = (file: string, seen: ReadonlySet<string> = new Set()): Exports => {
  const exports: Exports = new Map()
  for (const statement of sourceOf(file).statements) {
    if (ts.isExportDeclaration(statement)) {
      const specifier = statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined
      const clause = statement.exportClause
      if (clause === undefined) {
        // `export * from "./x.js"`: its names, but not a second time round a cycle
        if (specifier === undefined) continue
        const next = target(file, specifier)
        if (seen.has(next)) continue
        for (const [name, kinds] of exportsOf(next, new Set([...seen, file]))) add(exports, name, kinds)
      } else if (ts.isNamespaceExport(clause)) {
        add(exports, clause.name.text, { value: !statement.isTypeOnly, type: true })
      } else {
        for (const element of clause.elements) {
          const typeOnly = statement.isTypeOnly || element.isTypeOnly
          add(exports, element.name.text, { value: !typeOnly, type: true })
        }
      }
      continue
    }
    if (!hasExport(statement)) continue
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) add(exports, declaration.name.text, { value: true })
      }
    } else if (ts.isFunctionDeclaration(statement) && statement.name !== undefined) {
      add(exports, statement.name.text, { value: true })
    } else if ((ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name !== undefined) {
      add(exports, statement.name.text, { value: true, type: true })
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      add(exports, statement.name.text, { type: true })
    } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
      // `export declare namespace X` (types beside a class X): no value of its own
      add(exports, statement.name.text, { type: true })
    }
  }
  return exports
}

/** The modules an entry point re-exports (`export * as X from "./X.js"`), by name, with their files. */
const modulesOf = (edition: Edition, entry: string): Map<string, string> => {
  const file = join(editions[edition], entry)
  const modules = new Map<string, string>()
  for (const statement of sourceOf(file).statements) {
    if (!ts.isExportDeclaration(statement)) continue
    const clause = statement.exportClause
    if (clause === undefined || !ts.isNamespaceExport(clause)) {
      throw new Error(`${edition}/${entry}: an entry point holds only \`export * as X from\` lines`)
    }
    const specifier = statement.moduleSpecifier
    if (specifier === undefined || !ts.isStringLiteral(specifier)) throw new Error(`${edition}/${entry}: no module path`)
    modules.set(clause.name.text, target(file, specifier.text))
  }
  return modules
}

interface Rename {
  readonly effect3: string | null
  readonly effect4: string | null
  readonly why: string
}

const renames: ReadonlyArray<Rename> = JSON.parse(
  readFileSync(fileURLToPath(new URL("../renames.json", import.meta.url)), "utf8")
)

/** `Module.name` → the module and the member (the module alone for a renamed module). */
const split = (qualified: string) => {
  const dot = qualified.indexOf(".")
  return dot === -1
    ? { module: qualified, member: undefined }
    : { module: qualified.slice(0, dot), member: qualified.slice(dot + 1) }
}

const renamedModule = (effect3Module: string): string => {
  const rename = renames.find((r) => r.effect3 === effect3Module && !effect3Module.includes("."))
  return rename?.effect4 ?? effect3Module
}

/** The Effect 3 module's names as the Effect 4 module should have them, after the renames. */
const expectedIn4 = (effect3Module: string, names: Exports): Array<string> => {
  const out = new Set<string>()
  for (const name of names.keys()) {
    const rename = renames.find((r) => r.effect3 === `${effect3Module}.${name}`)
    if (rename === undefined) out.add(name)
    else if (rename.effect4 !== null) out.add(split(rename.effect4).member ?? name)
  }
  const module4 = renamedModule(effect3Module)
  for (const rename of renames) {
    if (rename.effect3 === null && rename.effect4 !== null) {
      const { member, module } = split(rename.effect4)
      if (module === module4 && member !== undefined) out.add(member)
    }
  }
  return [...out].sort()
}

const sorted = (names: Iterable<string>) => [...names].sort()

const kindText = (kinds: Kinds | undefined) =>
  kinds === undefined ? "absent" : kinds.value && kinds.type ? "value+type" : kinds.value ? "value" : "type"

describe("entry points", () => {
  for (const entry of entries) {
    it(`${entry}: the same modules in both editions`, () => {
      const effect3 = sorted([...modulesOf("effect3", entry).keys()].map(renamedModule))
      expect(sorted(modulesOf("effect4", entry).keys())).toEqual(effect3)
    })
  }
})

describe("modules", () => {
  for (const entry of entries) {
    for (const [module3, file3] of modulesOf("effect3", entry)) {
      const module4 = renamedModule(module3)
      it(`${entry}: ${module4} has the same public names (and kinds) as in Effect 3, but the documented renames`, () => {
        const file4 = modulesOf("effect4", entry).get(module4)
        expect(file4, `${module4} in effect4/src/${entry}`).toBeDefined()
        const names3 = exportsOf(file3)
        const names4 = exportsOf(file4!)
        expect(sorted(names4.keys())).toEqual(expectedIn4(module3, names3))
        // A name kept is the same kind of thing: a type stays a type, a value a value.
        for (const [name, kinds] of names3) {
          if (renames.some((r) => r.effect3 === `${module3}.${name}`)) continue
          expect(`${module4}.${name}: ${kindText(names4.get(name))}`).toBe(`${module4}.${name}: ${kindText(kinds)}`)
        }
      })
    }
  }
})

describe("renames.json", () => {
  const all = (edition: Edition) => {
    const names = new Set<string>()
    for (const entry of entries) {
      for (const [module, file] of modulesOf(edition, entry)) {
        names.add(module)
        for (const name of exportsOf(file).keys()) names.add(`${module}.${name}`)
      }
    }
    return names
  }

  it("lists real renames: each old name is only in Effect 3, each new one only in Effect 4, each with a reason", () => {
    const effect3 = all("effect3")
    const effect4 = all("effect4")
    expect(Array.isArray(renames)).toBe(true)
    for (const rename of renames) {
      expect(rename.effect3 !== null || rename.effect4 !== null, JSON.stringify(rename)).toBe(true)
      expect(typeof rename.why === "string" && rename.why.trim().length > 0, JSON.stringify(rename)).toBe(true)
      if (rename.effect3 !== null) {
        expect(effect3.has(rename.effect3), `${rename.effect3} in Effect 3`).toBe(true)
        expect(effect4.has(rename.effect3), `${rename.effect3} not in Effect 4`).toBe(false)
      }
      if (rename.effect4 !== null) {
        expect(effect4.has(rename.effect4), `${rename.effect4} in Effect 4`).toBe(true)
        expect(effect3.has(rename.effect4), `${rename.effect4} not in Effect 3`).toBe(false)
      }
    }
    const olds = renames.flatMap((r) => (r.effect3 === null ? [] : [r.effect3]))
    expect(new Set(olds).size).toBe(olds.length)
  })
})

describe("the names read are the names loaded", () => {
  // The values each edition's modules export when they load, against the value names read from the text.
  const loaded = async (edition: Edition, entry: string): Promise<Record<string, Record<string, unknown>>> =>
    (await import(/* @vite-ignore */ join(editions[edition], entry))) as Record<string, Record<string, unknown>>

  for (const edition of ["effect3", "effect4"] as const) {
    for (const entry of entries) {
      it(`${edition} ${entry}: every module loads with exactly the value names of its source`, async () => {
        const namespace = await loaded(edition, entry)
        const modules = modulesOf(edition, entry)
        expect(sorted(Object.keys(namespace))).toEqual(sorted(modules.keys()))
        for (const [module, file] of modules) {
          const values = [...exportsOf(file)].filter(([, kinds]) => kinds.value).map(([name]) => name)
          expect(sorted(Object.keys(namespace[module]!)), `${edition} ${module}`).toEqual(sorted(values))
        }
      }, 120_000)
    }
  }
})

describe("the reader itself", () => {
  it("sees values, types, classes with namespaces, and type-only re-exports", () => {
    const emulator = exportsOf(join(editions.effect3, "testing/Emulator.ts"))
    expect(kindText(emulator.get("Emulator"))).toBe("value+type") // a class merged with a declared namespace
    expect(kindText(emulator.get("HandlerRequest"))).toBe("type") // `export type { … } from`
    const provider = exportsOf(join(editions.effect3, "SsoTokenProvider.ts"))
    expect(kindText(provider.get("NotRefreshableReason"))).toBe("value+type") // a schema and its type
    expect(kindText(provider.get("Options"))).toBe("type")
    expect(kindText(provider.get("token"))).toBe("value")
    expect(provider.has("sessionIds")).toBe(false) // not exported
  })
})
