/**
 * A full disk (ENOSPC) never throws away a finished refresh, and never leaves
 * an empty lock file for the next call to wait on (issue 11, item 7).
 *
 * The cache is a real folder through a `FileSystem` wrapper whose writes fail
 * while the "disk" is full: the file is created, as on a real full disk, but
 * no byte goes in. Virtual time drives the provider; the refresh server is a
 * scripted one that rotates the refresh token on every refresh and refuses a
 * spent one with `invalid_grant`, as IAM Identity Center does.
 */
import { HttpClient } from "effect/http"
import { NodeFileSystem, NodePath } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Layer, Logger, Option, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as SsoConfig from "../src/SsoConfig.js"
import * as SsoTokenProvider from "../src/SsoTokenProvider.js"
import * as TokenCache from "../src/TokenCache.js"
import * as MockHttp from "../src/testing/ScriptedHttpClient.js"
import { writeRefusingFileSystem } from "./fixtures/fullDisk.js"

const configText = `
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`
const key = TokenCache.tokenKey("corp")
const MINUTE = 60_000

// -----------------------------------------------------------------------------
// a disk that can fill up
// -----------------------------------------------------------------------------

interface Disk {
  /** Writes fail with ENOSPC while this says so (by file name). */
  full: (file: string) => boolean
  /** Write attempts that failed, by file name. */
  readonly refused: Array<string>
}

/** Node's file system, but `open(…)` hands out files whose writes fail while `disk.full(file)`. */
const fullableFileSystem = (disk: Disk) =>
  writeRefusingFileSystem((file) => disk.full(file), (file) => disk.refused.push(file.split("/").at(-1)!))

const temporaryFolder = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "sso-disk-full-"))),
  (directory) => Effect.sync(() => rmSync(directory, { recursive: true, force: true }))
)

// -----------------------------------------------------------------------------
// a refresh server that rotates refresh tokens
// -----------------------------------------------------------------------------

/** Refresh n (from 1) answers `access-n` and `refresh-n`; only the newest refresh token is accepted. */
const rotatingServer = () => {
  let current = "refresh-0"
  let issued = 0
  return (request: MockHttp.Recorded): MockHttp.Reply => {
    if (request.json?.refreshToken !== current) {
      return MockHttp.awsError("InvalidGrantException", { error: "invalid_grant", description: "Invalid refresh token" })
    }
    issued++
    current = `refresh-${issued}`
    return MockHttp.json({ accessToken: `access-${issued}`, tokenType: "Bearer", expiresIn: 3600, refreshToken: current })
  }
}

const SECRETS = ["access-0", "access-1", "access-2", "refresh-0", "refresh-1", "refresh-2", "client-secret"]

/** A token file expiring `expiresAtMillis` (virtual time), refreshable with `refresh-0`. */
const tokenFile = (expiresAtMillis: number) =>
  TokenCache.encodeToken({
    startUrl: "https://corp.awsapps.com/start",
    region: "eu-west-1",
    accessToken: Redacted.make("access-0"),
    expiresAt: new Date(expiresAtMillis),
    clientId: "client",
    clientSecret: Redacted.make("client-secret"),
    registrationExpiresAt: new Date(90 * 24 * 60 * MINUTE),
    refreshToken: Redacted.make("refresh-0")
  })

const setup = (directory: string, disk: Disk) =>
  Effect.gen(function*() {
    const mock = yield* MockHttp.make(rotatingServer())
    const logs: Array<{ readonly level: string; readonly message: string }> = []
    const logger = Logger.make(({ logLevel, message }) => {
      logs.push({ level: logLevel, message: Array.isArray(message) ? message.join(" ") : String(message) })
    })
    const layer = SsoTokenProvider.layer({ client: { retry: false } }).pipe(
      Layer.provide(TokenCache.layer({ directory })),
      Layer.provide(SsoConfig.layerMemory(configText)),
      Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client)),
      Layer.provide(fullableFileSystem(disk)),
      Layer.provide(NodePath.layer)
    )
    const provider = yield* Effect.provide(SsoTokenProvider.SsoTokenProvider, layer)
    const token = provider.token("corp").pipe(
      Effect.map((token) => Redacted.value(token.accessToken)),
      Effect.provide(Logger.layer([logger]))
    )
    return { mock, logs, token }
  })

const onDisk = (directory: string) => JSON.parse(readFileSync(join(directory, `${key}.json`), "utf8"))
const warnings = (logs: ReadonlyArray<{ readonly level: string; readonly message: string }>) =>
  logs.filter((log) => log.level === "Warn").map((log) => log.message)
const refreshTokensSent = (mock: MockHttp.ScriptedHttpClient) =>
  Effect.map(mock.requests, (requests) => requests.map((request) => `${request.at}:${request.json.refreshToken}`))

// -----------------------------------------------------------------------------
// a refresh the cache cannot take
// -----------------------------------------------------------------------------

describe("a refresh whose token cannot be written (ENOSPC)", () => {
  it.effect("returns the new token, keeps it for the process, warns without a secret, and writes it once there is room", () =>
    Effect.gen(function*() {
      const directory = yield* temporaryFolder
      writeFileSync(join(directory, `${key}.json`), tokenFile(4 * MINUTE), { mode: 0o600 })
      // The token's temporary file cannot be written; the lock file (a few bytes) can.
      const disk: Disk = { full: (file) => file.endsWith(".tmp"), refused: [] }
      const { logs, mock, token } = yield* setup(directory, disk)

      expect(yield* token).toBe("access-1")
      expect(yield* refreshTokensSent(mock)).toEqual(["0:refresh-0"])
      expect(disk.refused).toHaveLength(1)
      expect(onDisk(directory)).toMatchObject({ accessToken: "access-0", refreshToken: "refresh-0" })
      const [warning, ...more] = warnings(logs)
      expect(more).toEqual([])
      expect(warning).toContain(`The refreshed SSO token of sso-session "corp" could not be written to the cache`)
      expect(warning).toContain("ENOSPC: no space left on device")
      for (const secret of SECRETS) expect(logs.map((log) => log.message).join("\n")).not.toContain(secret)

      // Kept in memory: served without a request, and not written again before 30 s.
      yield* TestClock.adjust(Duration.seconds(29))
      expect(yield* token).toBe("access-1")
      expect(yield* mock.requests).toHaveLength(1)
      expect(disk.refused).toHaveLength(1)

      // At 30 s the write is tried again; the disk is still full: one more warning, still served.
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* token).toBe("access-1")
      expect(disk.refused).toHaveLength(2)
      expect(warnings(logs)).toHaveLength(2)

      // Room again: the next due try writes the kept token, with the rotated refresh token.
      disk.full = () => false
      yield* TestClock.adjust(Duration.seconds(30))
      expect(yield* token).toBe("access-1")
      expect(onDisk(directory)).toMatchObject({
        accessToken: "access-1",
        refreshToken: "refresh-1",
        expiresAt: "1970-01-01T01:00:00Z"
      })
      expect(warnings(logs)).toHaveLength(2)
      expect(yield* mock.requests).toHaveLength(1)
    }))

  it.effect("while the disk stays full, the next refresh spends the kept refresh token, not the file's spent one", () =>
    Effect.gen(function*() {
      const directory = yield* temporaryFolder
      writeFileSync(join(directory, `${key}.json`), tokenFile(4 * MINUTE), { mode: 0o600 })
      const disk: Disk = { full: (file) => file.endsWith(".tmp"), refused: [] }
      const { mock, token } = yield* setup(directory, disk)

      expect(yield* token).toBe("access-1") // at 0: expires at 60 min
      yield* TestClock.adjust(Duration.minutes(56)) // 4 minutes left: inside the refresh window
      expect(yield* token).toBe("access-2")
      expect(yield* refreshTokensSent(mock)).toEqual(["0:refresh-0", `${56 * MINUTE}:refresh-1`])
      expect(onDisk(directory)).toMatchObject({ accessToken: "access-0", refreshToken: "refresh-0" })
    }))

  it.effect("a token another process wrote since, living as long or longer, replaces the kept one", () =>
    Effect.gen(function*() {
      const directory = yield* temporaryFolder
      writeFileSync(join(directory, `${key}.json`), tokenFile(4 * MINUTE), { mode: 0o600 })
      const disk: Disk = { full: (file) => file.endsWith(".tmp"), refused: [] }
      const { mock, token } = yield* setup(directory, disk)
      expect(yield* token).toBe("access-1") // kept: expires at 60 min

      writeFileSync(
        join(directory, `${key}.json`),
        tokenFile(60 * MINUTE).replace("\"access-0\"", "\"other-process\"")
      )
      expect(yield* token).toBe("other-process")
      // Nothing is kept any more: no write is tried at 30 s.
      disk.full = () => false
      yield* TestClock.adjust(Duration.seconds(30))
      expect(yield* token).toBe("other-process")
      expect(onDisk(directory).accessToken).toBe("other-process")
      expect(yield* mock.requests).toHaveLength(1)
    }))
})

// -----------------------------------------------------------------------------
// a lock file the disk cannot take
// -----------------------------------------------------------------------------

describe("a lock file the disk cannot take (ENOSPC)", () => {
  it.effect("the valid cached token is served with a warning, no empty lock is left, and a refresh follows once there is room", () =>
    Effect.gen(function*() {
      const directory = yield* temporaryFolder
      writeFileSync(join(directory, `${key}.json`), tokenFile(4 * MINUTE), { mode: 0o600 })
      const disk: Disk = { full: () => true, refused: [] }
      const { logs, mock, token } = yield* setup(directory, disk)

      expect(yield* token).toBe("access-0")
      expect(disk.refused).toEqual([`${key}.lock`])
      expect(existsSync(join(directory, `${key}.lock`))).toBe(false)
      expect(yield* mock.requests).toHaveLength(0)
      const [warning] = warnings(logs)
      expect(warning).toContain(`The SSO token of sso-session "corp" was not refreshed`)
      expect(warning).toContain("ENOSPC")

      // Within 30 s the same token, without touching the lock again.
      yield* TestClock.adjust(Duration.seconds(29))
      expect(yield* token).toBe("access-0")
      expect(disk.refused).toHaveLength(1)

      disk.full = () => false
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* token).toBe("access-1")
      expect(yield* refreshTokensSent(mock)).toEqual(["30000:refresh-0"])
      expect(onDisk(directory)).toMatchObject({ accessToken: "access-1", refreshToken: "refresh-1" })
    }))

  it.effect("an expired token with no lock to be had is the CacheIoError", () =>
    Effect.gen(function*() {
      const directory = yield* temporaryFolder
      writeFileSync(join(directory, `${key}.json`), tokenFile(0), { mode: 0o600 })
      const disk: Disk = { full: () => true, refused: [] }
      const { token } = yield* setup(directory, disk)
      yield* TestClock.adjust(Duration.seconds(1))
      const error = yield* Effect.flip(token)
      expect(error).toMatchObject({ _tag: "CacheIoError", operation: "lock" })
      expect(existsSync(join(directory, `${key}.lock`))).toBe(false)
    }))
})

// -----------------------------------------------------------------------------
// an empty lock file left behind (by an older version, or a crash between creating and writing it)
// -----------------------------------------------------------------------------

describe("an empty or unreadable lock file", () => {
  /** Runs `withLock` in virtual time set to the wall clock, so that file times and `Clock` agree. */
  const lockWith = (content: string, ageMillis: number) =>
    Effect.gen(function*() {
      const directory = yield* temporaryFolder
      const start = Date.now()
      yield* TestClock.setTime(start)
      const lock = join(directory, `${key}.lock`)
      writeFileSync(lock, content)
      utimesSync(lock, new Date(start - ageMillis), new Date(start - ageMillis))
      const cache = yield* TokenCache.make({ directory }).pipe(
        Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer))
      )
      const fiber = yield* Effect.forkChild(cache.withLock(key, Clock.currentTimeMillis))
      return { fiber, start, lock }
    })

  /** Lets the fiber's real file-system work run without moving virtual time. */
  const settle = (fiber: Fiber.Fiber<number, unknown>) =>
    Effect.gen(function*() {
      for (let i = 0; i < 50 && fiber.pollUnsafe() === undefined; i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
      }
      return Option.fromUndefinedOr(fiber.pollUnsafe())
    })

  it.effect("an empty lock older than 2 s is broken at once", () =>
    Effect.gen(function*() {
      const { fiber, lock, start } = yield* lockWith("", 3_000)
      const done = yield* settle(fiber)
      expect(Option.isSome(done)).toBe(true)
      expect(yield* Fiber.join(fiber)).toBe(start)
      expect(existsSync(lock)).toBe(false)
    }))

  it.effect("a lock that is not JSON, older than 2 s, is broken at once", () =>
    Effect.gen(function*() {
      const { fiber, start } = yield* lockWith("{\"pid\": 12", 3_000)
      expect(Option.isSome(yield* settle(fiber))).toBe(true)
      expect(yield* Fiber.join(fiber)).toBe(start)
    }))

  it.effect("an empty lock younger than 2 s is waited for until it is 2 s old", () =>
    Effect.gen(function*() {
      const { fiber, start } = yield* lockWith("", 1_000)
      expect(Option.isNone(yield* settle(fiber))).toBe(true)
      yield* TestClock.adjust(Duration.millis(900)) // 1.9 s old
      expect(Option.isNone(yield* settle(fiber))).toBe(true)
      yield* TestClock.adjust(Duration.millis(600)) // 2.5 s old; the waiter polls at least every 500 ms
      const at = yield* Fiber.join(fiber)
      expect(at - start).toBeGreaterThan(1_000)
      expect(at - start).toBeLessThanOrEqual(1_500)
    }))

  it.effect("a lock with its holder's note, 3 s old, is a live lock: not broken before staleAfter", () =>
    Effect.gen(function*() {
      const { fiber } = yield* lockWith("{\"pid\": 999999, \"createdAt\": \"2026-01-01T00:00:00.000Z\"}\n", 3_000)
      expect(Option.isNone(yield* settle(fiber))).toBe(true)
      yield* TestClock.adjust(Duration.seconds(10))
      expect(Option.isNone(yield* settle(fiber))).toBe(true)
      yield* Fiber.interrupt(fiber)
    }))
})
