/**
 * The token cache on a hostile or damaged file system (issue 11): lock paths
 * that are not lock files, locks with impossible modification times, many
 * processes breaking one stale lock at once, cache files that are FIFOs,
 * devices or huge, and files and folders that other users can read or change.
 *
 * Every case ends in the lock, the file's content or a typed error, and the
 * ones that must not wait are run under `TestClock` without moving it: an
 * effect that slept would never finish.
 */
import { FileSystem, Path } from "@effect/platform"
import { NodeFileSystem, NodePath } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Layer, Logger, Option, Redacted, TestClock } from "effect"
import { execFileSync } from "node:child_process"
import { join } from "node:path"
import * as Store from "../src/internal/cache/store.js"
import * as TokenCache from "../src/TokenCache.js"

const NodeLayer = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer)
const key = TokenCache.tokenKey("corp")

const token: TokenCache.CachedToken = {
  startUrl: "https://corp.awsapps.com/start",
  region: "us-east-1",
  accessToken: Redacted.make("aoaHostileAccessToken"),
  expiresAt: new Date("2030-01-01T12:00:00Z"),
  clientId: "hostileClientId",
  clientSecret: Redacted.make("hostileClientSecret"),
  registrationExpiresAt: new Date("2030-03-31T12:00:00Z"),
  refreshToken: Redacted.make("aorHostileRefreshToken")
}

/** Waits in real time (the file system's own pace), whatever the test's clock. */
const realDelay = (millis: number) =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(timer))
  })

/**
 * The exit of `effect`, which must end without virtual time passing (so
 * without a single sleep); 10 s of real time are allowed for its file-system
 * calls before the test fails.
 */
const atOnce = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const exit = yield* Effect.raceFirst(
      Effect.map(Fiber.await(fiber), Option.some),
      Effect.as(realDelay(10_000), Option.none())
    )
    if (Option.isNone(exit)) {
      const sleeps = yield* TestClock.sleeps()
      yield* Fiber.interruptFork(fiber)
      throw new Error(`still waiting after 10 s of real time, with ${sleeps.length} sleep(s) pending`)
    }
    return exit.value
  })

/**
 * Moves `TestClock` in steps of `stepMillis` until `fiber` ends, letting its
 * file-system calls finish (it has a sleep pending again) between steps; the
 * virtual time it took.
 */
const driveUntilDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, stepMillis: number, maxMillis: number) =>
  Effect.gen(function*() {
    const start = yield* TestClock.currentTimeMillis
    while (Option.isNone(yield* Fiber.poll(fiber))) {
      const now = yield* TestClock.currentTimeMillis
      if (now - start > maxMillis) throw new Error(`not done after ${maxMillis} ms of virtual time`)
      yield* TestClock.adjust(Duration.millis(stepMillis))
      for (let i = 0; i < 5_000; i++) {
        if (Option.isSome(yield* Fiber.poll(fiber)) || (yield* TestClock.sleeps()).length > 0) break
        yield* realDelay(1)
      }
    }
    return (yield* TestClock.currentTimeMillis) - start
  })

const failure = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") {
    throw new Error(`expected a typed failure, got ${String(exit)}`)
  }
  return exit.cause.error
}

/** A temporary cache folder (0700) with a cache over it. */
const withCache = <A, E>(
  body: (cache: TokenCache.Service, directory: string) => Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>
) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const root = yield* fs.makeTempDirectoryScoped()
    const directory = join(root, ".aws", "sso", "cache")
    yield* fs.makeDirectory(directory, { recursive: true, mode: 0o700 })
    yield* fs.chmod(directory, 0o700)
    const cache = yield* TokenCache.make({ directory })
    return yield* body(cache, directory)
  }).pipe(Effect.provide(NodeLayer))

const leftovers = (directory: string) =>
  Effect.map(
    Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(directory)),
    (names) => names.filter((name) => name.endsWith(".break") || name.endsWith(".stale") || name.endsWith(".lock"))
  )

const mkfifo = (path: string) => execFileSync("mkfifo", ["-m", "600", path])

// -----------------------------------------------------------------------------
// 8. lock paths that are not lock files, impossible mtimes, concurrent breakers
// -----------------------------------------------------------------------------

describe("lock paths that are not lock files", () => {
  const lockOf = (directory: string) => join(directory, `${key}.lock`)
  const options = { staleAfter: "20 seconds", timeout: "60 seconds" } as const

  it.scoped("a dangling symbolic link at the lock path is CacheIoError at once, and the link stays", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        yield* fs.symlink(join(directory, "nowhere"), lockOf(directory))
        const error = failure(yield* atOnce(cache.withLock(key, Effect.void, options)))
        expect(error).toMatchObject({ _tag: "CacheIoError", path: lockOf(directory), operation: "lock" })
        expect(error.message).toContain("symbolic link, not a lock file")
        expect(yield* fs.readLink(lockOf(directory))).toBe(join(directory, "nowhere"))
      })
    ))

  it.scoped("a symbolic link to the token file is CacheIoError at once; neither the link nor the file is touched", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        yield* cache.setToken(key, token)
        const before = yield* fs.readFileString(cache.pathOf(key))
        const old = new Date(Date.now() - 3_600_000)
        yield* fs.utimes(cache.pathOf(key), old, old)
        yield* fs.symlink(cache.pathOf(key), lockOf(directory))
        const error = failure(yield* atOnce(cache.withLock(key, Effect.void, options)))
        expect(error).toMatchObject({ _tag: "CacheIoError", operation: "lock" })
        expect(yield* fs.readLink(lockOf(directory))).toBe(cache.pathOf(key))
        expect(yield* fs.readFileString(cache.pathOf(key))).toBe(before)
      })
    ))

  it.scoped("a folder at the lock path is CacheIoError at once; it stays where it is and no .stale is left", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        yield* fs.makeDirectory(lockOf(directory))
        const old = new Date(Date.now() - 3_600_000)
        yield* fs.utimes(lockOf(directory), old, old)
        const error = failure(yield* atOnce(cache.withLock(key, Effect.void, options)))
        expect(error).toMatchObject({ _tag: "CacheIoError", operation: "lock" })
        expect(error.message).toContain("a directory, not a lock file")
        expect((yield* fs.stat(lockOf(directory))).type).toBe("Directory")
        expect(yield* leftovers(directory)).toEqual([`${key}.lock`])
      })
    ))

  it.scoped("a FIFO at the lock path is CacheIoError at once", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        mkfifo(lockOf(directory))
        const error = failure(yield* atOnce(cache.withLock(key, Effect.void, options)))
        expect(error).toMatchObject({ _tag: "CacheIoError", operation: "lock" })
        expect(error.message).toContain("FIFO")
      })
    ))
})

describe("locks with impossible modification times", () => {
  const lockOf = (directory: string) => join(directory, `${key}.lock`)

  it.scoped("a lock dated more than staleAfter in the future is broken at once", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        yield* TestClock.setTime(Date.now())
        yield* fs.writeFileString(lockOf(directory), "{\"pid\": 999999}\n")
        const future = new Date(Date.now() + 3_600_000)
        yield* fs.utimes(lockOf(directory), future, future)
        const exit = yield* atOnce(cache.withLock(key, Effect.succeed("held"), { staleAfter: "20 seconds" }))
        expect(exit).toEqual(Exit.succeed("held"))
        expect(yield* leftovers(directory)).toEqual([])
      })
    ))

  it.scoped("a lock dated less than staleAfter ahead is broken once it has stayed unchanged for staleAfter", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        yield* TestClock.setTime(Date.now())
        yield* fs.writeFileString(lockOf(directory), "{\"pid\": 999999}\n")
        const soon = new Date(Date.now() + 1_500)
        yield* fs.utimes(lockOf(directory), soon, soon)
        const fiber = yield* Effect.fork(
          cache.withLock(key, Effect.succeed("held"), { staleAfter: "2 seconds", timeout: "60 seconds" })
        )
        const took = yield* driveUntilDone(fiber, 50, 10_000)
        expect(yield* Fiber.join(fiber)).toBe("held")
        // Watched from the first look: after 2 s and by the next poll (at most 500 ms later), one step of
        // 50 ms late at most; by its mtime alone it would have waited until 1.5 s + 2 s.
        expect(took).toBeGreaterThan(2_000)
        expect(took).toBeLessThanOrEqual(2_550)
        expect(yield* leftovers(directory)).toEqual([])
      })
    ))
})

describe("many breakers of one stale lock", () => {
  it.scopedLive("breakers that stall between judging a lock stale and moving it never move the next holder's lock", () =>
    withCache((_, directory) =>
      Effect.gen(function*() {
        const node = yield* FileSystem.FileSystem
        const lock = join(directory, `${key}.lock`)
        let inside = 0
        let most = 0
        let entered = 0
        const critical = Effect.gen(function*() {
          inside++
          entered++
          most = Math.max(most, inside)
          yield* Effect.sleep(Duration.millis(200))
          inside--
        })
        /** Waits in real time until `ready()`, at most 1 s (the stall of a busy machine). */
        const stall = (ready: () => boolean) =>
          Effect.gen(function*() {
            for (let i = 0; i < 500 && !ready(); i++) yield* realDelay(2)
          })
        // Three caches as three processes. Each moves the lock aside only once all three have looked at
        // it (so all judged the same file stale); "b" stalls further, until another one holds the lock;
        // and a restoring link waits until two hold it (the window in which a third one can create it).
        const looked = new Set<string>()
        const fileSystemOf = (name: string, ready: () => boolean): FileSystem.FileSystem => ({
          ...node,
          stat: (path) => Effect.zipRight(Effect.sync(() => path === lock && looked.add(name)), node.stat(path)),
          rename: (from, to) =>
            to.endsWith(".stale")
              ? Effect.zipRight(stall(() => looked.size === 3 && ready()), node.rename(from, to))
              : node.rename(from, to),
          link: (from, to) => Effect.zipRight(stall(() => inside >= 2), node.link(from, to))
        })
        const caches = yield* Effect.forEach(
          [["a", () => true], ["b", () => inside >= 1], ["c", () => true]] as const,
          ([name, ready]) =>
            TokenCache.make({ directory }).pipe(Effect.provideService(FileSystem.FileSystem, fileSystemOf(name, ready)))
        )
        yield* node.writeFileString(lock, "{\"pid\": 999999}\n")
        const old = new Date(Date.now() - 3_600_000)
        yield* node.utimes(lock, old, old)
        yield* Effect.forEach(
          caches,
          (cache) => cache.withLock(key, critical, { staleAfter: "20 seconds", timeout: "20 seconds" }),
          { concurrency: "unbounded", discard: true }
        )
        expect(entered).toBe(3)
        expect(most).toBe(1)
        expect(yield* leftovers(directory)).toEqual([])
      })
    ), 60_000)

  it.scopedLive("8 caches (as 8 processes) break one abandoned lock at once, 5 times: never two holders", () =>
    withCache((_, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const lock = join(directory, `${key}.lock`)
        const caches = yield* Effect.forEach(Array.from({ length: 8 }), () => TokenCache.make({ directory }))
        let inside = 0
        let most = 0
        let entered = 0
        const critical = Effect.gen(function*() {
          inside++
          entered++
          most = Math.max(most, inside)
          yield* Effect.sleep(Duration.millis(5))
          inside--
        })
        for (let round = 0; round < 5; round++) {
          yield* fs.writeFileString(lock, "{\"pid\": 999999}\n")
          const old = new Date(Date.now() - 3_600_000)
          yield* fs.utimes(lock, old, old)
          yield* Effect.forEach(
            caches,
            (cache) => cache.withLock(key, critical, { staleAfter: "20 seconds", timeout: "20 seconds" }),
            { concurrency: "unbounded", discard: true }
          )
        }
        expect(entered).toBe(40)
        expect(most).toBe(1)
        expect(yield* leftovers(directory)).toEqual([])
      })
    ), 60_000)

  it.scopedLive("the claim of a breaker killed mid-break is passed over once it is older than staleAfter, then swept", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const lock = join(directory, `${key}.lock`)
        yield* fs.writeFileString(lock, "{\"pid\": 999999}\n")
        const old = new Date(Date.now() - 3_600_000)
        yield* fs.utimes(lock, old, old)
        const info = yield* fs.stat(lock)
        // what a breaker leaves when killed between its claim and the rename (level 0 of this lock)
        const tag = [info.dev, Option.getOrThrow(info.ino), old.getTime()].join("-")
        const claim = join(directory, `${key}.lock.${tag}.0.break`)
        yield* fs.writeFileString(claim, "")
        yield* fs.utimes(claim, old, old)
        const aside = join(directory, `${key}.lock.0123456789abcdef.stale`)
        yield* fs.writeFileString(aside, "{\"pid\": 999998}\n")
        yield* cache.withLock(key, Effect.void, { staleAfter: "20 seconds", timeout: "5 seconds" })
        expect(yield* leftovers(directory)).toEqual([])
      })
    ))
})

// -----------------------------------------------------------------------------
// 9. reads: only regular files, at most 1 MiB
// -----------------------------------------------------------------------------

describe("cache files that are not regular files, or too large", () => {
  it.scoped("a token file that is a link to /dev/zero is CacheIoError at once, never read", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        yield* fs.symlink("/dev/zero", cache.pathOf(key))
        const error = failure(yield* atOnce(cache.getToken(key)))
        expect(error).toMatchObject({ _tag: "CacheIoError", path: cache.pathOf(key), operation: "read" })
        expect(error.message).toContain("character device, not a regular file")
      })
    ))

  it.scoped("a token file that is a FIFO is CacheIoError at once, without opening it", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        mkfifo(cache.pathOf(key))
        const error = failure(yield* atOnce(cache.getToken(key)))
        expect(error).toMatchObject({ _tag: "CacheIoError", operation: "read" })
        expect(error.message).toContain("FIFO")
      })
    ))

  it.scoped("a registration file that is a FIFO is CacheIoError at once", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        mkfifo(cache.pathOf(key))
        const error = failure(yield* atOnce(cache.getRegistration(key)))
        expect(error).toMatchObject({ _tag: "CacheIoError", operation: "read" })
      })
    ))

  it.scoped("a token file of exactly 1 MiB is read; one byte more is CacheIoError", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const json = TokenCache.encodeToken(token)
        const padded = json + " ".repeat(1024 * 1024 - json.length)
        yield* fs.writeFileString(cache.pathOf(key), padded)
        yield* fs.chmod(cache.pathOf(key), 0o600)
        const read = Option.getOrThrow(failureFree(yield* atOnce(cache.getToken(key))))
        expect(Redacted.value(read.accessToken)).toBe("aoaHostileAccessToken")
        yield* fs.writeFileString(cache.pathOf(key), padded + " ")
        const error = failure(yield* atOnce(cache.getToken(key)))
        expect(error).toMatchObject({ _tag: "CacheIoError", operation: "read" })
        expect(error.message).toContain("larger than 1 MiB")
      })
    ))

  it.scoped("a token file that is a link to a regular file is read through the link", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const elsewhere = join(directory, "..", "kept-token.json")
        yield* fs.writeFileString(elsewhere, TokenCache.encodeToken(token), { mode: 0o600 })
        yield* fs.symlink(elsewhere, cache.pathOf(key))
        const read = Option.getOrThrow(failureFree(yield* atOnce(cache.getToken(key))))
        expect(Redacted.value(read.accessToken)).toBe("aoaHostileAccessToken")
      })
    ))
})

const failureFree = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected success, got ${String(exit)}`)
  return exit.value
}

// -----------------------------------------------------------------------------
// 10. permissions: warned as ssh does, path and mode only
// -----------------------------------------------------------------------------

describe("files and folders other users can read or change", () => {
  /** Runs `effect` with its log lines at Warning collected. */
  const collectingWarnings = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag !== "Warning") return
        const parts: ReadonlyArray<unknown> = Array.isArray(message) ? message : [message]
        lines.push(parts.map(String).join(" "))
      })
      const value = yield* effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      return { value, lines }
    })

  const secrets = ["aoaHostileAccessToken", "hostileClientSecret", "aorHostileRefreshToken"]

  it.scopedLive("a 0644 token file is read, with one warning naming the path and the mode, never the content", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        yield* cache.setToken(key, token)
        yield* fs.chmod(cache.pathOf(key), 0o644)
        const first = yield* collectingWarnings(cache.getToken(key))
        expect(Option.isSome(first.value)).toBe(true)
        expect(first.lines).toEqual([
          `Permissions 0644 for the SSO cache file ${cache.pathOf(key)} are too open: ` +
          `it holds SSO tokens, and other users can read or change it (chmod 600 it)`
        ])
        for (const secret of secrets) expect(first.lines.join("\n")).not.toContain(secret)
        // the same path and mode is not warned again by this cache
        const second = yield* collectingWarnings(cache.getToken(key))
        expect(second.lines).toEqual([])
      })
    ))

  it.scopedLive("a cache folder writable by group and others is warned about, naming the folder and its mode", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        yield* cache.setToken(key, token)
        yield* fs.chmod(directory, 0o777)
        const { lines } = yield* collectingWarnings(cache.getToken(key))
        expect(lines).toEqual([
          `Permissions 0777 for the SSO cache folder ${directory} are too open: ` +
          `other users can replace the token files in it (chmod 700 it)`
        ])
      })
    ))

  it.scopedLive("a cache folder owned by another user is warned about", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const root = yield* fs.makeTempDirectoryScoped()
      const directory = join(root, "cache")
      yield* fs.makeDirectory(directory, { mode: 0o700 })
      yield* fs.writeFileString(join(directory, `${key}.json`), TokenCache.encodeToken(token), { mode: 0o600 })
      // As root the folder is given away; as anyone else the store is told it runs as another user.
      const uid = process.getuid!()
      const owner = uid === 0 ? 4242 : uid
      if (uid === 0) yield* fs.chown(directory, owner, owner)
      const store = Store.makeFileStore(fs, yield* Path.Path, directory, uid === 0 ? {} : { uid: uid + 1 })
      const { lines } = yield* collectingWarnings(store.read(`${key}.json`))
      expect(lines).toContain(
        `The SSO cache folder ${directory} is owned by another user (uid ${owner}), who can replace the token files in it`
      )
    }).pipe(Effect.provide(NodeLayer)))

  it.scopedLive("a 0600 file in a 0700 folder of this user is read without a warning", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        yield* cache.setToken(key, token)
        const { lines, value } = yield* collectingWarnings(cache.getToken(key))
        expect(Option.isSome(value)).toBe(true)
        expect(lines).toEqual([])
      })
    ))

  it.scopedLive("where stat tells no owner (not POSIX), no check is made", () =>
    Effect.gen(function*() {
      const node = yield* FileSystem.FileSystem
      // The Node file system, with stat answering as a platform without POSIX owners.
      const ownerless: FileSystem.FileSystem = {
        ...node,
        stat: (path) => Effect.map(node.stat(path), (info) => ({ ...info, uid: Option.none(), gid: Option.none() }))
      }
      const root = yield* node.makeTempDirectoryScoped()
      yield* node.chmod(root, 0o777)
      const cache = yield* TokenCache.make({ directory: root }).pipe(
        Effect.provideService(FileSystem.FileSystem, ownerless)
      )
      yield* cache.setToken(key, token)
      yield* node.chmod(cache.pathOf(key), 0o666)
      const { lines, value } = yield* collectingWarnings(cache.getToken(key))
      expect(Option.isSome(value)).toBe(true)
      expect(lines).toEqual([])
    }).pipe(Effect.provide(NodeLayer)))
})

describe("the system's reason in the error", () => {
  it.scoped("a cache folder that cannot be made (a regular file in its path) is CacheIoError carrying ENOTDIR", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const root = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(join(root, ".aws"), "")
      const directory = join(root, ".aws", "sso", "cache")
      const cache = yield* TokenCache.make({ directory })
      const error = failure(yield* Effect.exit(cache.setToken(key, token)))
      expect(error).toMatchObject({ _tag: "CacheIoError", path: directory })
      expect(error.description).toContain("ENOTDIR: not a directory")
      expect(error.message).toContain("ENOTDIR: not a directory")
    }).pipe(Effect.provide(NodeLayer)))
})
