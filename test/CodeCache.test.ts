/**
 * The launcher's code cache (src/bin/codeCache.ts): what it reads, what it
 * refuses, what it writes. The CLI's own use of it is in Cli.test.ts.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { cacheDirectory, compile } from "../src/bin/codeCache.js"
import { transformSync } from "esbuild"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"

const made: Array<string> = []
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})
const temporaryDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

/**
 * Loads in a process of its own, as each command does: within one process V8 keeps what it compiled by the
 * source, and compiles the same source again from that, never from the cache. Plain `node`, without this
 * worker's flags (which would name another cache file).
 */
const driverDir = temporaryDir("sso-oidc-code-cache-driver-")
writeFileSync(
  join(driverDir, "codeCache.mjs"),
  transformSync(readFileSync(new URL("../src/bin/codeCache.ts", import.meta.url), "utf8"), { loader: "ts", format: "esm" }).code
)
writeFileSync(
  join(driverDir, "driver.mjs"),
  `import { compile } from "./codeCache.mjs"
const [file, cache, save, variant] = process.argv.slice(2)
const compiled = compile(file, cache, variant || undefined)
const exports = compiled.run()
if (save === "save") compiled.save()
process.stdout.write(JSON.stringify({ state: compiled.state, answer: exports.answer(), cacheFile: compiled.cacheFile ?? null }))
`
)
interface Outcome {
  readonly state: string
  readonly answer: string
  readonly cacheFile: string | null
}
/** Compiles and runs `file` with its cache in `cache`, in a new `node` (with `flags`), saving it after with `save`. */
const inProcess = (
  file: string,
  cache: string,
  options: { readonly save?: boolean; readonly flags?: ReadonlyArray<string>; readonly variant?: string } = {}
): Outcome =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [...(options.flags ?? []), join(driverDir, "driver.mjs"), file, cache, options.save ? "save" : "", options.variant ?? ""],
      { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: driverDir }, timeout: 20_000 }
    )
  )
const saved = (file: string, cache: string) => inProcess(file, cache, { save: true })

/** A CommonJS bundle in a directory of its own, and a cache directory beside it. */
const fixture = (source: string) => {
  const dir = temporaryDir("sso-oidc-code-cache-")
  const file = join(dir, "bundle.cjs")
  writeFileSync(file, source)
  return { dir, file, cache: join(dir, "cache") }
}

/** Enough functions that V8's cache of them is worth the name; `answer`, a top-level constant, says which code ran. */
const bundle = (answer: string) =>
  `"use strict"\n` +
  Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x + ${i} }`).join("\n") +
  `\nconst answer = ${JSON.stringify(answer)}\nexports.answer = () => f0(0) === 0 ? answer : "broken"\n` +
  `exports.file = __filename\nexports.node = typeof require("node:path").join\n` +
  `exports.where = () => new Error("here").stack.split("\\n")[1]\n`

/** The cache file's name for the bundle now at `file`: its variant, its source's hash, this Node and architecture. */
const cacheName = (file: string, variant?: string) =>
  `bundle-${variant === undefined ? "" : `${variant}-`}${sourceHash(file)}-${process.version}-${process.arch}.v8cache`
const sourceHash = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 12)

/** Compiles and runs, in this process (for what needs no second process). */
const load = (file: string, dir: string | undefined, variant?: string) => {
  const compiled = compile(file, dir, variant)
  return { ...compiled, exports: compiled.run() }
}
const answerOf = (loaded: ReturnType<typeof load>) => (loaded.exports.answer as () => string)()

describe("codeCache: V8's code cache for the CLI's bundles", () => {
  it("runs the bundle as Node's require would, and with no cache yet writes one (the user's alone) at save", () => {
    const { file, cache } = fixture(bundle("first"))
    const first = load(file, cache)
    expect(first.state).toBe("absent")
    expect(answerOf(first)).toBe("first")
    expect(first.exports.file).toBe(file)
    expect(first.exports.node).toBe("function")
    expect(saved(file, cache)).toEqual({ state: "absent", answer: "first", cacheFile: join(cache, cacheName(file)) })
    expect(readdirSync(cache)).toEqual([cacheName(file)])
    expect(statSync(cache).mode & 0o777).toBe(0o700)
    expect(statSync(join(cache, cacheName(file))).mode & 0o777).toBe(0o600)
    expect(inProcess(file, cache).state).toBe("accepted")
  })

  it("reports the bundle's own lines and columns in a stack trace", () => {
    const { file } = fixture(bundle("lines"))
    const where = load(file, undefined).exports.where as () => string
    const line = bundle("lines").split("\n").findIndex((text) => text.startsWith("exports.where")) + 1
    const column = bundle("lines").split("\n")[line - 1]!.indexOf("new Error") + 1
    expect(where()).toContain(`${file}:${line}:${column}`)
  })

  it("gives a new version of the bundle a cache of its own, and takes another source's cache under its name as stale", () => {
    // V8 itself compares only the length, and would run the old code: the cache's source hash tells the two apart.
    const { file, cache } = fixture(bundle("old"))
    saved(file, cache)
    const oldCache = join(cache, cacheName(file))
    writeFileSync(file, bundle("new"))
    expect(saved(file, cache)).toMatchObject({ state: "absent", answer: "new" })
    // Both versions keep theirs: switching between two installed copies of the package replaces nothing.
    expect(readdirSync(cache).sort()).toEqual([basename(oldCache), cacheName(file)].sort())
    expect(inProcess(file, cache)).toMatchObject({ state: "accepted", answer: "new" })
    // The old version's cache under the new one's name (copied there): stale, the new code runs, and it is replaced.
    const newCache = join(cache, cacheName(file))
    writeFileSync(newCache, readFileSync(oldCache), { mode: 0o600 })
    expect(saved(file, cache)).toMatchObject({ state: "stale", answer: "new" })
    expect(readFileSync(newCache).equals(readFileSync(oldCache))).toBe(false)
    expect(inProcess(file, cache)).toMatchObject({ state: "accepted", answer: "new" })
  })

  it("takes a cache with one byte changed in V8's payload as corrupt (V8 would crash on it), and replaces it", () => {
    const { file, cache } = fixture(bundle("x"))
    saved(file, cache)
    const cacheFile = join(cache, cacheName(file))
    const data = readFileSync(cacheFile)
    data[data.length - 10] = data[data.length - 10]! ^ 0xff
    writeFileSync(cacheFile, data, { mode: 0o600 })
    expect(saved(file, cache)).toMatchObject({ state: "corrupt", answer: "x" })
    expect(inProcess(file, cache)).toMatchObject({ state: "accepted", answer: "x" })
    // So is one too short to hold its header.
    writeFileSync(cacheFile, "short", { mode: 0o600 })
    expect(inProcess(file, cache).state).toBe("corrupt")
  })

  it("keeps a cache for each set of V8 flags, each variant (each command of the whole CLI) and no other", () => {
    const { file, cache } = fixture(bundle("f"))
    saved(file, cache)
    const flagged = inProcess(file, cache, { save: true, flags: ["--max-old-space-size=200"] })
    expect(flagged.state).toBe("absent")
    expect(flagged.cacheFile).toMatch(new RegExp(`bundle-${sourceHash(file)}-${process.version}-${process.arch}-[0-9a-f]{8}\\.v8cache$`))
    expect(inProcess(file, cache).state).toBe("accepted")
    expect(inProcess(file, cache, { flags: ["--max-old-space-size=200"] }).state).toBe("accepted")
    inProcess(file, cache, { save: true, variant: "status" })
    expect(inProcess(file, cache, { variant: "status" }).state).toBe("accepted")
    expect(readdirSync(cache)).toHaveLength(3)
    expect(readdirSync(cache)).toContain(cacheName(file, "status"))
  })

  it.skipIf(process.getuid === undefined)("neither reads nor writes a cache file others may write", () => {
    const { file, cache } = fixture(bundle("y"))
    saved(file, cache)
    const cacheFile = join(cache, cacheName(file))
    chmodSync(cacheFile, 0o666)
    const before = statSync(cacheFile).mtimeMs
    expect(saved(file, cache)).toMatchObject({ state: "unsafe", answer: "y" })
    expect(statSync(cacheFile).mtimeMs).toBe(before)
    // The control: the same file, the user's alone again, is used.
    chmodSync(cacheFile, 0o600)
    expect(inProcess(file, cache)).toMatchObject({ state: "accepted", answer: "y" })
  })

  it.skipIf(process.getuid === undefined)("never reads or writes through a symlink where the cache file should be", () => {
    const { dir, file, cache } = fixture(bundle("s"))
    saved(file, cache)
    const cacheFile = join(cache, cacheName(file))
    const precious = join(dir, "precious")
    renameSync(cacheFile, precious)
    symlinkSync(precious, cacheFile)
    const kept = readFileSync(precious)
    expect(saved(file, cache)).toMatchObject({ state: "unsafe", answer: "s" })
    expect(readFileSync(precious).equals(kept)).toBe(true)
  })

  it.skipIf(process.getuid === undefined)("does not wait on a FIFO where the cache file should be", () => {
    const { file, cache } = fixture(bundle("p"))
    mkdirSync(cache, { mode: 0o700 })
    execFileSync("mkfifo", ["-m", "600", join(cache, cacheName(file))])
    // The driver's own timeout (20 s) fails the test if the open waits for a writer.
    expect(saved(file, cache)).toMatchObject({ state: "unsafe", answer: "p" })
  })

  it.skipIf(process.getuid === undefined)("neither reads nor writes in a directory others may write, or below one", () => {
    const { dir, file, cache } = fixture(bundle("z"))
    mkdirSync(cache, { mode: 0o700 })
    chmodSync(cache, 0o777)
    const unsafe = load(file, cache)
    expect(unsafe.state).toBe("unsafe")
    expect(unsafe.cacheFile).toBeUndefined()
    unsafe.save()
    expect(readdirSync(cache)).toEqual([])
    // One level up, writable by others without the sticky bit: anyone could replace the cache directory.
    const open = join(dir, "open")
    mkdirSync(join(open, "cache"), { recursive: true, mode: 0o700 })
    chmodSync(open, 0o777)
    expect(load(file, join(open, "cache")).state).toBe("unsafe")
    // With the sticky bit, as /tmp: others cannot rename what is not theirs.
    chmodSync(open, 0o1777)
    expect(load(file, join(open, "cache")).state).toBe("absent")
  })

  it("writes nothing when the cache directory was replaced while the command ran", () => {
    const { dir, file, cache } = fixture(bundle("r"))
    const loaded = load(file, cache)
    expect(loaded.state).toBe("absent")
    renameSync(cache, join(dir, "moved"))
    mkdirSync(cache, { mode: 0o700 })
    loaded.save()
    expect(readdirSync(cache)).toEqual([])
    expect(readdirSync(join(dir, "moved"))).toEqual([])
  })

  it("removes temporary files a killed run left, once they are an hour old", () => {
    const { file, cache } = fixture(bundle("l"))
    mkdirSync(cache, { mode: 0o700 })
    const old = join(cache, `${cacheName(file)}.0123456789ab.tmp`)
    const recent = join(cache, `${cacheName(file)}.ba9876543210.tmp`)
    writeFileSync(old, "left by a run killed while it saved")
    writeFileSync(recent, "another run, saving now")
    const hoursAgo = Date.now() / 1000 - 2 * 3600
    utimesSync(old, hoursAgo, hoursAgo)
    const loaded = load(file, cache)
    loaded.save()
    expect(readdirSync(cache).sort()).toEqual([basename(loaded.cacheFile!), `${cacheName(file)}.ba9876543210.tmp`].sort())
  })

  it("removes cache files no run has read for 30 days when it writes one, and nothing else", () => {
    const { file, cache } = fixture(bundle("p"))
    mkdirSync(cache, { mode: 0o700 })
    const daysAgo = (days: number) => Date.now() / 1000 - days * 24 * 3600
    const aged = (name: string, days: number) => {
      writeFileSync(join(cache, name), "x")
      utimesSync(join(cache, name), daysAgo(days), daysAgo(days))
    }
    aged("bundle-login-v0.0.1-x64.v8cache", 31)
    aged("bundle-login-v0.0.2-x64.v8cache", 29)
    aged("notes.txt", 400)
    mkdirSync(join(cache, "old-dir.v8cache"))
    utimesSync(join(cache, "old-dir.v8cache"), daysAgo(400), daysAgo(400))
    // Reading does not prune: only a save does.
    expect(inProcess(file, cache, { variant: "login" }).state).toBe("absent")
    expect(readdirSync(cache)).toContain("bundle-login-v0.0.1-x64.v8cache")
    expect(saved(file, cache).state).toBe("absent")
    expect(readdirSync(cache).sort()).toEqual(
      [cacheName(file), "bundle-login-v0.0.2-x64.v8cache", "notes.txt", "old-dir.v8cache"].sort()
    )
  })

  it("marks a cache file used when it reads it, at most once a day, so that one in use is never pruned", () => {
    const { file, cache } = fixture(bundle("t"))
    saved(file, cache)
    const cacheFile = join(cache, cacheName(file))
    const daysAgo = (days: number) => Date.now() / 1000 - days * 24 * 3600
    utimesSync(cacheFile, daysAgo(40), daysAgo(40))
    expect(inProcess(file, cache).state).toBe("accepted")
    expect(Date.now() - statSync(cacheFile).mtimeMs).toBeLessThan(3_600_000)
    // A day has not passed: not touched again (no write for every command).
    utimesSync(cacheFile, daysAgo(0.5), daysAgo(0.5))
    const before = statSync(cacheFile).mtimeMs
    expect(inProcess(file, cache).state).toBe("accepted")
    expect(statSync(cacheFile).mtimeMs).toBe(before)
    // Another command's save keeps it.
    expect(inProcess(file, cache, { save: true, variant: "other" }).state).toBe("absent")
    expect(existsSync(cacheFile)).toBe(true)
  })

  it("with no directory uses no cache, and save writes nothing", () => {
    const { file, cache } = fixture(bundle("w"))
    const off = load(file, undefined)
    expect(off.state).toBe("off")
    expect(answerOf(off)).toBe("w")
    off.save()
    expect(existsSync(cache)).toBe(false)
  })

  it("goes without a cache where its directory cannot be made", () => {
    const { file, cache } = fixture(bundle("t"))
    writeFileSync(cache, "a file where the directory would be")
    const unavailable = load(file, join(cache, "sub"))
    expect(unavailable.state).toBe("unavailable")
    expect(answerOf(unavailable)).toBe("t")
    expect(() => unavailable.save()).not.toThrow()
  })

  it("save never throws where the cache cannot be written, and leaves no temporary file", () => {
    const { file, cache } = fixture(bundle("v"))
    const loaded = load(file, cache)
    // The cache file's place is taken by a directory: the rename fails.
    mkdirSync(loaded.cacheFile!)
    expect(() => loaded.save()).not.toThrow()
    expect(readdirSync(cache)).toEqual([basename(loaded.cacheFile!)])
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
