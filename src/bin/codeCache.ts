/**
 * Loads a CommonJS bundle (the login bundle, dist/sso-oidc-login.cjs) with
 * V8's code cache, taken *after* a run (issue 14: start-up). Node's own
 * compile cache (`module.enableCompileCache()`, Node 22.1+) keeps only what
 * V8 compiled before the module ran; V8 compiles a function lazily, on its
 * first call, so most of a login's compiling happens while it runs, and
 * stays in that cache's blind spot. Here the cache is taken at exit
 * (`save`), with every function the run compiled: the next run compiles
 * nothing it already did. Node 20 has no compile cache at all.
 *
 * The cache is bytecode, and whoever can write it runs code in the next
 * login (V8 checks only its version, flags and the source's length). So it
 * lives in the user's own cache directory, and a directory or file that is
 * not the user's, or that others may write, is neither read nor written.
 * The code cache holds compiled code and the source's constants, never a
 * value the run computed (no token, no secret).
 *
 * Effect-free: the launcher loads it before Effect.
 *
 * @internal
 */
import { createHash } from "node:crypto"
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import type { Stats } from "node:fs"
import { createRequire } from "node:module"
import { homedir } from "node:os"
import { basename, dirname, isAbsolute, join } from "node:path"
import { fileURLToPath } from "node:url"
import { debuglog } from "node:util"
import { Script } from "node:vm"

/**
 * What became of the cache: used (`accepted`), refused (by V8, or taken from
 * other code), absent, not to be trusted, in a directory that could not be
 * made (`unavailable`), or not asked for (`off`).
 */
export type CacheState = "accepted" | "rejected" | "absent" | "unsafe" | "unavailable" | "off"

export interface Compiled {
  readonly state: CacheState
  /** The cache file, when there is a directory to keep it in. */
  readonly cacheFile: string | undefined
  /**
   * Writes the code cache, with what the run has compiled so far, when the
   * one read was not used (absent or rejected); otherwise does nothing. Call
   * it late (at exit). It never throws: a cache that cannot be written costs
   * the next run time only.
   */
  readonly save: () => void
  /** Runs the bundle's top level, and returns its `module.exports`. */
  readonly run: () => Record<string, unknown>
}

/**
 * The user's cache directory for the CLI: `$XDG_CACHE_HOME` (when absolute)
 * or `~/.cache` on Linux and the BSDs, `~/Library/Caches` on macOS,
 * `%LOCALAPPDATA%` on Windows; `undefined` when there is no home.
 */
export const cacheDirectory = (env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform) => {
  const home = (() => {
    try {
      return homedir()
    } catch {
      return ""
    }
  })()
  const xdg = env.XDG_CACHE_HOME
  const base = platform === "win32"
    ? env.LOCALAPPDATA
    : platform === "darwin"
    ? (home === "" ? undefined : join(home, "Library", "Caches"))
    : xdg !== undefined && isAbsolute(xdg)
    ? xdg
    : (home === "" ? undefined : join(home, ".cache"))
  return base === undefined || base === "" ? undefined : join(base, "effect-sso-oidc")
}

/** Only the user may have written it: theirs, and not writable by group or others (POSIX; Windows' profile is per user). */
const trusted = (stats: Stats) =>
  process.getuid === undefined || (stats.uid === process.getuid() && (stats.mode & 0o022) === 0)

/** The directory, made (0700) when missing; `"unsafe"` when it is not to be trusted, `undefined` when it cannot be made. */
const ownDirectory = (dir: string): string | "unsafe" | undefined => {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    return trusted(statSync(dir)) ? dir : "unsafe"
  } catch {
    return undefined
  }
}

/** The file's bytes when it is a file only the user may have written; `"unsafe"` when not; `undefined` when absent. */
const readTrusted = (file: string): Buffer | "unsafe" | undefined => {
  let fd: number
  try {
    fd = openSync(file, "r")
  } catch {
    return undefined
  }
  try {
    // Checked on the open file, so that what is read is what was checked.
    const stats = fstatSync(fd)
    if (!stats.isFile() || !trusted(stats)) return "unsafe"
    const data = Buffer.allocUnsafe(stats.size)
    let read = 0
    while (read < stats.size) {
      const n = readSync(fd, data, read, stats.size - read, read)
      if (n === 0) break
      read += n
    }
    return data.subarray(0, read)
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
}

/**
 * Compiles `file`, a CommonJS bundle, to run as Node's `require` would (the
 * same wrapper, its own `require`), with its code cache from `dir` (see
 * {@link cacheDirectory}; `undefined`: no cache). Each `variant` (one for
 * each command of the whole CLI, which compiles its own path), Node version
 * and architecture has its own cache file, so a user who switches between
 * Nodes keeps one for each. The file starts with the SHA-256 of the source
 * it was taken from, which is what says it belongs to this bundle: V8
 * compares only the source's length, and a new version of the package
 * that happened to keep it would run the old one's code.
 */
export const compile = (file: string, dir: string | undefined, variant?: string): Compiled => {
  const bytes = readFileSync(file)
  // Of the bytes, not the string: hashing a string encodes it again first.
  const sourceHash = createHash("sha256").update(bytes).digest()
  const source = bytes.toString("utf8")
  const name = basename(file).replace(/\.c?js$/, "")
  const ownDir = dir === undefined ? undefined : ownDirectory(dir)
  const cacheDir = ownDir === "unsafe" ? undefined : ownDir
  const cacheFile = cacheDir === undefined ? undefined : join(
    cacheDir,
    `${[name, ...(variant === undefined ? [] : [variant]), process.version, process.arch].join("-")}.v8cache`
  )
  const found = cacheFile === undefined ? undefined : readTrusted(cacheFile)
  const cachedData = found instanceof Buffer && found.length > sourceHash.length &&
      found.subarray(0, sourceHash.length).equals(sourceHash)
    ? found.subarray(sourceHash.length)
    : undefined
  // One line, as Node's own wrapper: the bundle's line numbers stay its own in a stack trace.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData })
  })
  const state: CacheState = dir === undefined
    ? "off"
    : ownDir === "unsafe" || found === "unsafe"
    ? "unsafe"
    : cacheFile === undefined
    ? "unavailable"
    : cachedData === undefined
    ? (found === undefined ? "absent" : "rejected")
    : script.cachedDataRejected === true
    ? "rejected"
    : "accepted"
  const run = () => {
    const module = { exports: {} as Record<string, unknown> }
    const wrapper = script.runInThisContext() as (...args: ReadonlyArray<unknown>) => void
    wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file))
    return module.exports
  }
  const save = () => {
    if (cacheFile === undefined || (state !== "absent" && state !== "rejected")) return
    // Written aside and renamed over: a run reading it meanwhile sees the old file or the new one, never half.
    const temporary = `${cacheFile}.${process.pid}.tmp`
    try {
      writeFileSync(temporary, Buffer.concat([sourceHash, script.createCachedData()]), { mode: 0o600 })
      renameSync(temporary, cacheFile)
    } catch {
      rmSync(temporary, { force: true })
    }
  }
  return { state, cacheFile, save, run }
}

/**
 * Runs the CommonJS bundle at `url` (see {@link compile}) with its code
 * cache in the user's cache directory, written at exit (when the run has
 * compiled all it will), and returns its exports. `NODE_DISABLE_COMPILE_CACHE`,
 * Node's own switch, turns the cache off; `NODE_DEBUG=sso-oidc` says whether
 * a run used it.
 */
export const runBundle = (url: URL, variant?: string): Record<string, unknown> => {
  const off = (process.env.NODE_DISABLE_COMPILE_CACHE ?? "") !== ""
  const compiled = compile(fileURLToPath(url), off ? undefined : cacheDirectory(), variant)
  debuglog("sso-oidc")("%s: code cache %s (%s)", variant ?? "login", compiled.state, compiled.cacheFile ?? "no directory")
  // Before the run: a command may end, and exit, before its first await.
  process.once("exit", compiled.save)
  return compiled.run()
}
