/**
 * The launcher's code cache (src/bin/codeCache.ts): what it reads, what it
 * refuses, what it writes. The login's own use of it is in Cli.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { cacheDirectory, compile } from "../src/bin/codeCache.js"
import { transformSync } from "esbuild"
import { execFileSync } from "node:child_process"
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * Each load whose cache V8 is to take or refuse runs in a process of its own, as each login does: within one
 * process V8 keeps what it compiled by the source, and compiles the same source again from that, never the cache.
 */
const driverDir = mkdtempSync(join(tmpdir(), "sso-oidc-code-cache-driver-"))
writeFileSync(
  join(driverDir, "codeCache.mjs"),
  transformSync(readFileSync(new URL("../src/bin/codeCache.ts", import.meta.url), "utf8"), { loader: "ts", format: "esm" }).code
)
writeFileSync(
  join(driverDir, "driver.mjs"),
  `import { compile } from "./codeCache.mjs"
const [file, cache, save] = process.argv.slice(2)
const compiled = compile(file, cache)
const exports = compiled.run()
if (save === "save") compiled.save()
process.stdout.write(JSON.stringify({ state: compiled.state, answer: exports.answer() }))
`
)
/** Loads `file` with its cache in `cache` in a new process (saving it after, with `save`): the state and what ran. */
const inProcess = (file: string, cache: string, save?: "save"): { readonly state: string; readonly answer: string } =>
  JSON.parse(execFileSync(process.execPath, [join(driverDir, "driver.mjs"), file, cache, save ?? ""], { encoding: "utf8" }))

/** A CommonJS bundle in a directory of its own, and a cache directory beside it. */
const fixture = (source: string) => {
  const dir = mkdtempSync(join(tmpdir(), "sso-oidc-code-cache-"))
  const file = join(dir, "bundle.cjs")
  writeFileSync(file, source)
  return { file, cache: join(dir, "cache") }
}

/** Enough functions that V8's cache of them is worth the name; `answer`, a top-level constant, says which code ran. */
const bundle = (answer: string) =>
  `"use strict"\n` +
  Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x + ${i} }`).join("\n") +
  `\nconst answer = ${JSON.stringify(answer)}\nexports.answer = () => f0(0) === 0 ? answer : "broken"\nexports.file = __filename\nexports.node = typeof require("node:path").join\n`

/** Compiles and runs, in this process. */
const load = (file: string, dir: string | undefined, variant?: string) => {
  const compiled = compile(file, dir, variant)
  return { ...compiled, exports: compiled.run() }
}

describe("codeCache: V8's code cache for the login bundle", () => {
  it("runs the bundle as Node's require would, and with no cache yet writes one (the user's alone) at save", () => {
    const { file, cache } = fixture(bundle("first"))
    const first = load(file, cache)
    expect(first.state).toBe("absent")
    expect((first.exports.answer as () => string)()).toBe("first")
    expect(first.exports.file).toBe(file)
    expect(first.exports.node).toBe("function")
    first.save()
    expect(readdirSync(cache)).toEqual([`bundle-${process.version}-${process.arch}.v8cache`])
    expect(statSync(cache).mode & 0o777).toBe(0o700)
    expect(statSync(first.cacheFile!).mode & 0o777).toBe(0o600)
    expect(inProcess(file, cache)).toEqual({ state: "accepted", answer: "first" })
  })

  it("takes a source of the same length but other contents as a cache miss, and runs the new code", () => {
    // V8 itself compares only the length: the cache's SHA-256 header is what tells the two apart.
    const { file, cache } = fixture(bundle("old"))
    expect(inProcess(file, cache, "save")).toEqual({ state: "absent", answer: "old" })
    const [cacheFile] = readdirSync(cache).map((name) => join(cache, name))
    const before = readFileSync(cacheFile!)
    writeFileSync(file, bundle("new"))
    expect(inProcess(file, cache, "save")).toEqual({ state: "rejected", answer: "new" })
    expect(readFileSync(cacheFile!).equals(before)).toBe(false)
    expect(inProcess(file, cache)).toEqual({ state: "accepted", answer: "new" })
  })

  it("compiles afresh over a cache V8 refuses (garbage after a good header), and replaces it", () => {
    const { file, cache } = fixture(bundle("x"))
    const first = load(file, cache)
    first.save()
    const data = readFileSync(first.cacheFile!)
    writeFileSync(first.cacheFile!, Buffer.concat([data.subarray(0, 32), Buffer.alloc(data.length - 32, 7)]), { mode: 0o600 })
    expect(inProcess(file, cache, "save")).toEqual({ state: "rejected", answer: "x" })
    expect(inProcess(file, cache)).toEqual({ state: "accepted", answer: "x" })
  })

  it.skipIf(process.getuid === undefined)("neither reads nor writes a cache file others may write", () => {
    const { file, cache } = fixture(bundle("y"))
    const first = load(file, cache)
    first.save()
    chmodSync(first.cacheFile!, 0o666)
    const before = statSync(first.cacheFile!).mtimeMs
    const unsafe = load(file, cache)
    expect(unsafe.state).toBe("unsafe")
    expect((unsafe.exports.answer as () => string)()).toBe("y")
    unsafe.save()
    expect(statSync(first.cacheFile!).mtimeMs).toBe(before)
    // The control: the same file, the user's alone again, is used.
    chmodSync(first.cacheFile!, 0o600)
    expect(inProcess(file, cache)).toEqual({ state: "accepted", answer: "y" })
  })

  it.skipIf(process.getuid === undefined)("neither reads nor writes in a directory others may write", () => {
    const { file, cache } = fixture(bundle("z"))
    mkdirSync(cache, { mode: 0o700 })
    chmodSync(cache, 0o777)
    const unsafe = load(file, cache)
    expect(unsafe.state).toBe("unsafe")
    expect(unsafe.cacheFile).toBeUndefined()
    unsafe.save()
    expect(readdirSync(cache)).toEqual([])
  })

  it("keeps a cache for each variant (each command of the whole CLI compiles its own path)", () => {
    const { file, cache } = fixture(bundle("u"))
    load(file, cache, "status").save()
    load(file, cache, "credentials").save()
    expect(readdirSync(cache).sort()).toEqual([
      `bundle-credentials-${process.version}-${process.arch}.v8cache`,
      `bundle-status-${process.version}-${process.arch}.v8cache`
    ])
    expect(load(file, cache, "status").cacheFile).toBe(join(cache, `bundle-status-${process.version}-${process.arch}.v8cache`))
  })

  it("with no directory uses no cache, and save writes nothing", () => {
    const { file, cache } = fixture(bundle("w"))
    const off = load(file, undefined)
    expect(off.state).toBe("off")
    expect((off.exports.answer as () => string)()).toBe("w")
    off.save()
    expect(() => statSync(cache)).toThrow()
  })

  it("goes without a cache where its directory cannot be made", () => {
    const { file, cache } = fixture(bundle("t"))
    writeFileSync(cache, "a file where the directory would be")
    const unavailable = load(file, join(cache, "sub"))
    expect(unavailable.state).toBe("unavailable")
    expect((unavailable.exports.answer as () => string)()).toBe("t")
    expect(() => unavailable.save()).not.toThrow()
  })

  it("save never throws where the cache cannot be written, and leaves no temporary file", () => {
    const { file, cache } = fixture(bundle("v"))
    const loaded = load(file, cache)
    // The cache file's place is taken by a directory: the rename fails.
    mkdirSync(loaded.cacheFile!)
    expect(() => loaded.save()).not.toThrow()
    expect(readdirSync(cache)).toEqual([`bundle-${process.version}-${process.arch}.v8cache`])
    rmSync(loaded.cacheFile!, { recursive: true })
  })

  it("lives in the user's cache directory for the platform", () => {
    const home = process.env.HOME
    expect(cacheDirectory({ XDG_CACHE_HOME: "/x/cache" }, "linux")).toBe("/x/cache/effect-sso-oidc")
    // A relative XDG_CACHE_HOME is to be ignored (the XDG Base Directory specification).
    expect(cacheDirectory({ XDG_CACHE_HOME: "cache" }, "linux")).toBe(join(home!, ".cache", "effect-sso-oidc"))
    expect(cacheDirectory({}, "linux")).toBe(join(home!, ".cache", "effect-sso-oidc"))
    expect(cacheDirectory({ XDG_CACHE_HOME: "/x/cache" }, "darwin")).toBe(join(home!, "Library", "Caches", "effect-sso-oidc"))
    expect(cacheDirectory({ LOCALAPPDATA: "C:\\Users\\a\\AppData\\Local" }, "win32")).toBe(
      join("C:\\Users\\a\\AppData\\Local", "effect-sso-oidc")
    )
    expect(cacheDirectory({}, "win32")).toBeUndefined()
  })
})
