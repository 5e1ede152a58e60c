/**
 * Runs the CLI's CommonJS bundles (dist/sso-oidc-quick.cjs and
 * dist/sso-oidc-main.cjs) with V8's code cache, taken *after* a run
 * (issue 14: start-up). Node's own compile cache
 * (`module.enableCompileCache()`, Node 22.1+) keeps only what V8 compiled
 * before the module ran; V8 compiles a function lazily, on its first call,
 * so most of a command's compiling happens while it runs, in that cache's
 * blind spot. Here the cache is taken at exit (`save`), with every function
 * the run compiled: the next run compiles nothing it already did. Node 20
 * has no compile cache at all.
 *
 * The cache is bytecode, and whoever can write it runs code in the next
 * command: V8 checks only its own version, its flags and the source's
 * length, and not even a checksum of the payload (a flipped byte crashes
 * V8). So:
 * - the file starts with the SHA-256 of the source it was taken from and
 *   of its own payload, both checked before V8 sees it;
 * - it lives in the user's cache directory, and is neither read nor
 *   written when that directory, one above it, or the file is not the
 *   user's (or root's), or others may write it (a directory with the sticky
 *   bit, as /tmp, excepted: others cannot replace what is in it);
 * - it is read without following a symlink or waiting on a FIFO, and
 *   written under a random name, exclusively, in the same directory, still
 *   the one checked, then renamed over.
 * The code cache holds compiled code and the source's constants, never a
 * value the run computed (no token, no secret).
 *
 * There is a file for each version of the bundle, command, Node version,
 * architecture and set of V8 flags (about 1.5 MB each). A file read is touched (at most once a day);
 * one untouched for 30 days (the Node it was for is gone, most likely) is
 * removed when another is written.
 *
 * Effect-free: the launcher loads it before Effect.
 *
 * @internal
 */
import { createHash, randomBytes } from "node:crypto"
import type { Stats } from "node:fs"
import {
  closeSync,
  constants,
  fstatSync,
  futimesSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync
} from "node:fs"
import { createRequire } from "node:module"
import { homedir } from "node:os"
import { basename, dirname, isAbsolute, join } from "node:path"
import { fileURLToPath } from "node:url"
import { debuglog } from "node:util"
import { Script } from "node:vm"

/**
 * What became of the cache: used (`accepted`); refused by V8 (`rejected`);
 * taken from other code (`stale`: copied, or a name two sources share); damaged
 * (`corrupt`); absent; not to be trusted (`unsafe`); in a directory that
 * could not be made (`unavailable`); or not asked for (`off`).
 */
export type CacheState = "accepted" | "rejected" | "stale" | "corrupt" | "absent" | "unsafe" | "unavailable" | "off"

export interface Compiled {
  readonly state: CacheState
  /** The cache file, when there is a directory to keep it in. */
  readonly cacheFile: string | undefined
  /**
   * Writes the code cache, with what the run has compiled so far, unless the
   * one read was used, or there is no directory to trust; otherwise does
   * nothing. Call it late (at exit). It never throws: a cache that cannot be
   * written costs the next run time only.
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

// POSIX only: Windows has no uid, and %LOCALAPPDATA% is the user's own profile.
const uid = process.getuid?.()

/** Only the user (or root) may have written it: theirs or root's, and not writable by group or others. */
const ownedAndClosed = (stats: Stats) => uid === undefined || ((stats.uid === uid || stats.uid === 0) && (stats.mode & 0o022) === 0)

/** A directory above the cache: the user's or root's, and writable by others only with the sticky bit. */
const safeAncestor = (stats: Stats) =>
  uid === undefined || ((stats.uid === uid || stats.uid === 0) && ((stats.mode & 0o022) === 0 || (stats.mode & 0o1000) !== 0))

/**
 * The directory, made (0700) when missing: its real path and identity when it
 * and every directory above it are safe (see {@link safeAncestor}), `"unsafe"`
 * when one is not, `undefined` when it cannot be made.
 */
const ownDirectory = (dir: string): { readonly path: string; readonly id: string } | "unsafe" | undefined => {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const path = realpathSync(dir)
    const stats = statSync(path)
    if (!stats.isDirectory() || !ownedAndClosed(stats)) return "unsafe"
    for (let above = dirname(path); ; above = dirname(above)) {
      if (!safeAncestor(statSync(above))) return "unsafe"
      if (dirname(above) === above) break
    }
    return { path, id: `${stats.dev}:${stats.ino}` }
  } catch {
    return undefined
  }
}

// Not through a symlink, and without waiting for a writer when it is a FIFO (0 where the platform has neither).
const readFlags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/** The file's bytes when it is a regular file only the user may have written; `"unsafe"` when not; `undefined` when absent. */
const readTrusted = (file: string): Buffer | "unsafe" | undefined => {
  let fd: number
  try {
    fd = openSync(file, readFlags)
  } catch (error) {
    // ELOOP: a symlink where the cache file should be.
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? undefined : "unsafe"
  }
  try {
    // Checked on the open file, so that what is read is what was checked.
    const stats = fstatSync(fd)
    if (!stats.isFile() || !ownedAndClosed(stats)) return "unsafe"
    // Its modification time says when it was last used, for the pruning (see removeOld).
    if (Date.now() - stats.mtimeMs > touchAfterMs) {
      const now = new Date()
      try {
        futimesSync(fd, now, now)
      } catch {
        try {
          // Windows opens a read-only descriptor without the right to set times; the path may.
          if (process.platform === "win32") utimesSync(file, now, now)
        } catch {
          // Root's, or a read-only file system: it may be pruned, and written again.
        }
      }
    }
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

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest()
const hashLength = 32

/** The V8 flags that make another cache: `execArgv` and `NODE_OPTIONS`, as a short hash (none: no suffix). */
const flagsSuffix = () => {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].filter((flag) => flag !== "")
  return flags.length === 0 ? [] : [sha256(Buffer.from(flags.join("\0"))).toString("hex").slice(0, 8)]
}

const hourMs = 3_600_000
/** How stale a cache file's modification time may get before a read touches it. */
const touchAfterMs = 24 * hourMs
/** A cache file unused this long is removed (see removeOld). */
const unusedForMs = 30 * 24 * hourMs

/**
 * Temporary files a killed run left, more than an hour old, and cache files
 * unused for 30 days (a read touches them daily): the Node or the command
 * they were for is no longer used. Regular files only; nothing else in the
 * directory.
 */
const removeOld = (dir: string) => {
  const now = Date.now()
  for (const name of readdirSync(dir)) {
    const maxAge = name.endsWith(".tmp") ? hourMs : name.endsWith(".v8cache") ? unusedForMs : undefined
    if (maxAge === undefined) continue
    const file = join(dir, name)
    try {
      const stats = lstatSync(file, { throwIfNoEntry: false })
      if (stats?.isFile() === true && now - stats.mtimeMs > maxAge) rmSync(file, { force: true })
    } catch {
      // Gone or busy (another run's): the others are still looked at.
    }
  }
}

/**
 * Compiles `file`, a CommonJS bundle, to run as Node's `require` would (the
 * same wrapper, its own `require`), with its code cache from `dir` (see
 * {@link cacheDirectory}; `undefined`: no cache). Each version of the
 * bundle, `variant` (one for each command of the whole CLI, which compiles
 * its own path), Node version, architecture and set of V8 flags has its own
 * cache file, so a user who switches between Nodes, or between two installed
 * versions of the package, keeps one for each (until unused for 30 days). A
 * file under the name that holds another source's cache is `stale`, and
 * replaced.
 */
export const compile = (file: string, dir: string | undefined, variant?: string): Compiled => {
  const bytes = readFileSync(file)
  const sourceHash = sha256(bytes)
  const own = dir === undefined ? undefined : ownDirectory(dir)
  const cacheDir = own === undefined || own === "unsafe" ? undefined : own
  // The bundle's hash in the name: two installed versions of the package (a global one, a project's) keep a cache
  // each, rather than replacing each other's at every switch; the one no longer used is pruned (removeOld).
  const name = [
    basename(file).replace(/\.c?js$/, ""),
    ...(variant === undefined ? [] : [variant]),
    sourceHash.toString("hex").slice(0, 12),
    process.version,
    process.arch,
    ...flagsSuffix()
  ]
  const cacheFile = cacheDir === undefined ? undefined : join(cacheDir.path, `${name.join("-")}.v8cache`)
  const found = cacheFile === undefined ? undefined : readTrusted(cacheFile)
  const header = hashLength * 2
  const checked: CacheState | Buffer = found === undefined
    ? "absent"
    : found === "unsafe"
    ? "unsafe"
    : found.length <= header
    ? "corrupt"
    : !found.subarray(0, hashLength).equals(sourceHash)
    ? "stale"
    : !found.subarray(hashLength, header).equals(sha256(found.subarray(header)))
    ? "corrupt"
    : found.subarray(header)
  const cachedData = checked instanceof Buffer ? checked : undefined
  // The wrapper's head on a line of its own (lineOffset -1): positions in a stack trace are the bundle's own.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${bytes.toString("utf8")}\n})`, {
    filename: file,
    lineOffset: -1,
    ...(cachedData === undefined ? {} : { cachedData })
  })
  const state: CacheState = dir === undefined
    ? "off"
    : own === "unsafe"
    ? "unsafe"
    : cacheDir === undefined
    ? "unavailable"
    : cachedData === undefined
    ? checked as CacheState
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
    if (cacheDir === undefined || cacheFile === undefined || state === "accepted" || state === "unsafe") return
    let temporary: string | undefined
    try {
      // Still the directory that was checked (a command may run for minutes), and still safe.
      const again = ownDirectory(cacheDir.path)
      if (again === undefined || again === "unsafe" || again.id !== cacheDir.id) return
      const payload = script.createCachedData()
      temporary = `${cacheFile}.${randomBytes(6).toString("hex")}.tmp`
      // "wx": created here, never through what was there (a symlink included).
      writeFileSync(temporary, Buffer.concat([sourceHash, sha256(payload), payload]), { mode: 0o600, flag: "wx" })
      renameSync(temporary, cacheFile)
      temporary = undefined
      removeOld(cacheDir.path)
    } catch {
      // Nothing to do: the next run compiles afresh.
    } finally {
      try {
        if (temporary !== undefined) rmSync(temporary, { force: true })
      } catch {
        // Left for a later save to remove.
      }
    }
  }
  return { state, cacheFile, save, run }
}

/**
 * Runs the CommonJS bundle at `url` (see {@link compile}) with its code
 * cache in the user's cache directory, written at exit (when the run has
 * compiled all it will), and returns its exports. `NODE_DISABLE_COMPILE_CACHE`,
 * Node's own switch, turns the cache off; `NODE_DEBUG=sso-oidc` says what
 * became of it.
 */
export const runBundle = (url: URL, variant?: string): Record<string, unknown> => {
  const off = (process.env.NODE_DISABLE_COMPILE_CACHE ?? "") !== ""
  const compiled = compile(fileURLToPath(url), off ? undefined : cacheDirectory(), variant)
  debuglog("sso-oidc")("%s: code cache %s (%s)", variant ?? basename(compiled.cacheFile ?? "bundle"), compiled.state, compiled.cacheFile ?? "no directory")
  // Before the run: a command may end, and exit, before its first await.
  process.once("exit", compiled.save)
  return compiled.run()
}
