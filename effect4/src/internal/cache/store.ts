/**
 * Where cache files live: a folder on a `FileSystem` (atomic writes,
 * cross-process lock files) or a `Map` in memory. `TokenCache` turns the
 * plain errors of this module into its public errors.
 *
 * Reads take only a regular file (or a link to one) of at most
 * {@link MAX_FILE_BYTES}, and warn (once per path and mode) when a file is
 * open to other users or the folder is writable by them, as ssh does.
 *
 * The lock protocol (one lock file `<key>.lock` per entry, across processes):
 *
 * - Acquire: create the lock file exclusively (`wx`, 0600). Its creator holds
 *   it, renews its mtime every `staleAfter / 3`, and on release removes it
 *   only if it is still the file it made (dev + ino + mtime as last renewed).
 * - Only a regular file is a lock. A symbolic link (even a dangling one), a
 *   folder, a FIFO… at the lock path is a typed error at once: never
 *   followed, waited on, moved or removed.
 * - Stale: the lock's mtime is more than `staleAfter` away from now, in either
 *   direction (a live holder on our clock cannot write a future one), or its
 *   identity has not changed while this waiter watched it for `staleAfter`
 *   (a live holder renews it three times in that span). The one assumption:
 *   a process that makes no progress for `staleAfter` is dead.
 * - Break: a rename moves whatever has the name at that instant, so two
 *   breakers of one stale lock could each move the other's fresh lock away and
 *   both hold it. So a breaker first claims the stale identity I by creating
 *   `<key>.lock.<I>.<n>.break` exclusively (n from 0; a claim older than
 *   `staleAfter` is a dead breaker's and is passed over for n + 1). Holding
 *   the claim, it checks that the lock is still I, renames it to a unique
 *   `.stale` name, checks that what it moved is I, removes it and its claim,
 *   and creates the lock exclusively again. At most one live breaker holds a
 *   claim on I, and I never comes back to the path once moved (a new lock
 *   has a new mtime), so a late breaker finds another identity and backs off.
 * - Waiting: between attempts an exponential backoff with jitter, never past
 *   the timeout; a retry without a wait only follows progress (the lock went
 *   away, or was broken), at most 3 in a row. Then `StoreLockTimeout`.
 * - Leftovers of a breaker killed mid-break (`.break`, `.stale`) are swept by
 *   the next holder.
 *
 * @internal
 */
import type * as FileSystem from "effect/FileSystem"
import type * as Path from "effect/Path"
import type { PlatformError, SystemErrorTag } from "effect/PlatformError"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Semaphore from "effect/Semaphore"
import type * as Scope from "effect/Scope"
import * as Files from "../../core/cache/files.js"
import { describeReadFailure, platformErrorText, readRegularFile } from "./files.js"

/** @internal */
export type StoreError =
  | {
    readonly _tag: "StoreIo"
    readonly path: string
    readonly operation: string
    readonly description: string
  }
  | { readonly _tag: "StoreLockTimeout"; readonly path: string; readonly waitedMillis: number }

/** @internal */
export interface ResolvedLockOptions {
  /** A lock file not touched for this long is abandoned and may be broken. */
  readonly staleAfterMillis: number
  /** How long to wait for a lock before failing. */
  readonly timeoutMillis: number
  /** The first wait between attempts; it doubles up to `maxPollMillis`. */
  readonly pollMillis: number
  readonly maxPollMillis: number
}

/** @internal */
export interface Store {
  readonly directory: string
  readonly pathOf: (name: string) => string
  readonly read: (name: string) => Effect.Effect<Option.Option<string>, StoreError>
  /** Replaces the file's content atomically: readers see the old or the new content, never a mix. */
  readonly write: (name: string, text: string) => Effect.Effect<void, StoreError>
  /** Holds the named lock until the scope closes. */
  readonly lock: (name: string, options: ResolvedLockOptions) => Effect.Effect<void, StoreError, Scope.Scope>
}

/**
 * The lock settings with their defaults: a lock untouched for 20 s is
 * abandoned, a wait gives up after 60 s (documented on `TokenCache.LockOptions`).
 * @internal
 */
export const resolveLockOptions = (
  options: { readonly staleAfter?: Duration.Input | undefined; readonly timeout?: Duration.Input | undefined } = {}
): ResolvedLockOptions => ({
  staleAfterMillis: Duration.toMillis(Duration.fromInputUnsafe(options.staleAfter ?? Duration.seconds(20))),
  timeoutMillis: Duration.toMillis(Duration.fromInputUnsafe(options.timeout ?? Duration.seconds(60))),
  pollMillis: 20,
  maxPollMillis: 500
})

/** Mode of cache files: read and write for the owner only. @internal */
export const FILE_MODE = 0o600
/** Mode of the cache folder when this library creates it. @internal */
export const DIRECTORY_MODE = 0o700

/** The largest cache file read; a token or registration file is well under 4 KiB. @internal */
export const MAX_FILE_BYTES = 1024 * 1024

/** @internal */
export interface FileStoreOptions {
  /** The user id to check owners against; default this process's (tests pretend to be another user). */
  readonly uid?: number | undefined
}

// Effect 4 wraps the system error: its kind is the reason's tag.
const isReason = (reason: SystemErrorTag) => (error: PlatformError) => error.reason._tag === reason
const isNotFound = isReason("NotFound")
const isAlreadyExists = isReason("AlreadyExists")
const isBusy = (error: PlatformError) => isReason("Busy")(error) || isReason("PermissionDenied")(error)

const randomSuffix: Effect.Effect<string> = Effect.map(
  Effect.all([Random.nextIntBetween(0, 0x7fffffff), Random.nextIntBetween(0, 0x7fffffff)]),
  ([a, b]) => Files.randomSuffixOf(a, b)
)

/** @internal */
export const makeFileStore = (
  fs: FileSystem.FileSystem,
  path: Path.Path,
  directory: string,
  options: FileStoreOptions = {}
): Store => {
  const pathOf = (name: string) => path.join(directory, name)
  const ioError = (operation: string, file: string) => (error: PlatformError): StoreError => ({
    _tag: "StoreIo",
    path: file,
    operation,
    description: platformErrorText(error)
  })

  const ensureDirectory = fs.makeDirectory(directory, { recursive: true, mode: DIRECTORY_MODE }).pipe(
    Effect.catchIf(isAlreadyExists, () => Effect.void),
    Effect.mapError(ioError("create the cache folder", directory))
  )

  // --- reads ------------------------------------------------------------------

  // One warning per path and mode (or owner) for the life of the store, not one per read.
  const warned = new Set<string>()
  const warnOnce = (warnings: ReadonlyArray<string>) =>
    Effect.forEach(warnings, (warning) =>
      warned.has(warning) ? Effect.void : Effect.andThen(
        Effect.sync(() => warned.add(warning)),
        Effect.logWarning(warning)
      ), { discard: true })

  const checkPermissions = (file: string, info: FileSystem.File.Info) =>
    Effect.gen(function*() {
      const folder = yield* Effect.option(fs.stat(directory))
      yield* warnOnce([
        ...(Option.isSome(folder)
          ? Files.cacheFolderWarnings(directory, folder.value.mode, Option.getOrUndefined(folder.value.uid), options.uid)
          : []),
        ...Files.cacheFileWarnings(file, info.mode, Option.getOrUndefined(info.uid), options.uid)
      ])
    })

  const read = (name: string) => {
    const file = pathOf(name)
    return readRegularFile(fs, file, MAX_FILE_BYTES).pipe(
      Effect.tap(({ info }) => checkPermissions(file, info)),
      Effect.map(({ bytes }) => Option.some(new TextDecoder().decode(bytes))),
      Effect.catch((failure) =>
        failure._tag === "NotFound"
          ? Effect.succeedNone
          : Effect.fail<StoreError>({
            _tag: "StoreIo",
            path: file,
            operation: "read",
            description: describeReadFailure(failure)
          })
      )
    )
  }

  // --- writes -----------------------------------------------------------------

  const removeLeftovers = (name: string) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      for (const entry of yield* fs.readDirectory(directory)) {
        if (!Files.isTemporaryOf(name, entry)) continue
        const info = yield* fs.stat(pathOf(entry))
        const mtime = Option.getOrElse(Option.map(info.mtime, (date) => date.getTime()), () => now)
        if (now - mtime > Files.leftoverAgeMillis) yield* fs.remove(pathOf(entry))
      }
    }).pipe(Effect.ignore)

  const write = (name: string, text: string) =>
    Effect.gen(function*() {
      const file = pathOf(name)
      yield* ensureDirectory
      const temporary = pathOf(Files.temporaryName(name, yield* randomSuffix))
      const bytes = new TextEncoder().encode(text)
      const writeTemporary = Effect.scoped(
        Effect.gen(function*() {
          const handle = yield* fs.open(temporary, { flag: "wx", mode: FILE_MODE })
          yield* handle.writeAll(bytes)
          yield* handle.sync
        })
      ).pipe(Effect.mapError(ioError("write", temporary)))
      yield* writeTemporary.pipe(
        // the mode given to open() is reduced by the umask: set it exactly
        Effect.andThen(fs.chmod(temporary, FILE_MODE).pipe(Effect.mapError(ioError("chmod", temporary)))),
        Effect.andThen(
          fs.rename(temporary, file).pipe(
            // Windows refuses to replace a file another program holds open without sharing; it passes.
            Effect.retry({ schedule: Schedule.spaced(Duration.millis(25)), times: 8, while: isBusy }),
            Effect.mapError(ioError("rename", file))
          )
        ),
        Effect.tapError(() => Effect.ignore(fs.remove(temporary)))
      )
      yield* removeLeftovers(name)
    })

  // --- lock files (the protocol is described at the top of this module) --------

  type Identity = Files.Identity
  const { sameFile, sameInode } = Files

  const identityOf = (info: FileSystem.File.Info): Identity => ({
    dev: String(info.dev),
    ino: Option.getOrUndefined(Option.map(info.ino, String)),
    mtime: Option.getOrUndefined(Option.map(info.mtime, (date) => date.getTime()))
  })

  const statIdentity = (file: string) =>
    fs.stat(file).pipe(
      Effect.map((info) => Option.some(identityOf(info))),
      Effect.catchIf(isNotFound, () => Effect.succeedNone)
    )

  const notALock = (file: string, what: string): StoreError => ({
    _tag: "StoreIo",
    path: file,
    operation: "lock",
    description: `it is ${what}, not a lock file (remove it)`
  })

  /**
   * The identity of the lock file at `file`; none when it is gone. Fails at
   * once for anything but a regular file. `stat` follows links, so a link is
   * looked for first (a dangling one would otherwise look absent forever).
   */
  const inspectLock = (file: string) =>
    Effect.gen(function*() {
      const isLink = yield* fs.readLink(file).pipe(Effect.as(true), Effect.orElseSucceed(() => false))
      if (isLink) return yield* Effect.fail(notALock(file, Files.describeType("SymbolicLink")))
      const info = yield* fs.stat(file).pipe(
        Effect.map(Option.some),
        Effect.catchIf(isNotFound, () => Effect.succeedNone)
      )
      if (Option.isNone(info)) return Option.none<Identity>()
      if (info.value.type !== "File") return yield* Effect.fail(notALock(file, Files.describeType(info.value.type)))
      return Option.some(identityOf(info.value))
    })

  const lockContent = Effect.map(Clock.currentTimeMillis, (now) => new TextEncoder().encode(Files.lockNote(now)))

  /** Creates the lock file exclusively (`wx`): its identity, or none when another holds it. */
  const tryCreate = (file: string) =>
    Effect.scoped(
      Effect.gen(function*() {
        const handle = yield* fs.open(file, { flag: "wx", mode: FILE_MODE })
        // A lock whose note cannot be written (a full disk) is removed, not left empty for others to wait on.
        return yield* Effect.gen(function*() {
          yield* handle.writeAll(yield* lockContent)
          return Option.some(identityOf(yield* handle.stat))
        }).pipe(Effect.tapError(() => Effect.ignore(fs.remove(file))))
      })
    ).pipe(Effect.catchIf(isAlreadyExists, () => Effect.succeedNone))

  const isUnwritten = (file: string) =>
    fs.readFileString(file).pipe(Effect.map(Files.isUnwrittenNote), Effect.orElseSucceed(() => false))

  /** Creates an empty file exclusively: whether this call made it. */
  const tryClaim = (file: string) =>
    Effect.scoped(fs.open(file, { flag: "wx", mode: FILE_MODE })).pipe(
      Effect.as(true),
      Effect.catchIf(isAlreadyExists, () => Effect.succeed(false))
    )

  /** What a break attempt came to: the stale lock is gone, the path changed meanwhile, or another breaker is on it. */
  type BreakOutcome = "Broken" | "Changed" | "Busy"

  /** Holding the claim on `stale`: moves it off the path if it is still there. */
  const moveAside = (file: string, stale: Identity) =>
    Effect.gen(function*() {
      const current = yield* inspectLock(file)
      if (Option.isNone(current) || !sameFile(current.value, stale)) return "Changed" as const
      const aside = `${file}.${yield* randomSuffix}.stale`
      const moved = yield* fs.rename(file, aside).pipe(
        Effect.as(true),
        Effect.catchIf(isNotFound, () => Effect.succeed(false))
      )
      if (!moved) return "Changed" as const
      const movedIdentity = yield* statIdentity(aside)
      if (Option.isNone(movedIdentity) || sameFile(movedIdentity.value, stale)) {
        yield* Effect.ignore(fs.remove(aside))
        return "Broken" as const
      }
      // Only when the assumption failed (the "dead" holder released it just now and a new lock took
      // its place): put the new lock back unless its name was taken again.
      yield* Effect.ignore(fs.link(aside, file))
      yield* Effect.ignore(fs.remove(aside))
      return "Changed" as const
    })

  const breakStale = (
    file: string,
    stale: Identity,
    staleAfterMillis: number
  ): Effect.Effect<BreakOutcome, StoreError | PlatformError> =>
    Effect.gen(function*() {
      for (let level = 0; level < Files.maxClaimLevels; level++) {
        const claim = Files.claimName(file, stale, level)
        if (yield* tryClaim(claim)) {
          return yield* moveAside(file, stale).pipe(Effect.ensuring(Effect.ignore(fs.remove(claim))))
        }
        const claimed = yield* statIdentity(claim)
        // its breaker just finished: look at the lock again
        if (Option.isNone(claimed)) return "Changed" as const
        const now = yield* Clock.currentTimeMillis
        const age = claimed.value.mtime === undefined ? 0 : Math.abs(now - claimed.value.mtime)
        if (age <= staleAfterMillis) return "Busy" as const
      }
      return "Busy" as const
    }).pipe(Effect.uninterruptible)

  /** Removes what breakers killed mid-break left, once this process holds the lock (so no break of it is under way). */
  const sweepLeftovers = (name: string, staleAfterMillis: number) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      for (const entry of yield* fs.readDirectory(directory)) {
        if (!entry.startsWith(`${name}.`) || !(entry.endsWith(".break") || entry.endsWith(".stale"))) continue
        const info = yield* fs.stat(pathOf(entry))
        if (info.type !== "File") continue
        const mtime = Option.getOrElse(Option.map(info.mtime, (date) => date.getTime()), () => now)
        if (Files.isSweepable(name, entry, mtime, now, staleAfterMillis)) yield* fs.remove(pathOf(entry))
      }
    }).pipe(Effect.ignore)

  const lock = (name: string, lockOptions: ResolvedLockOptions) => {
    const file = pathOf(name)
    const staleAfter = lockOptions.staleAfterMillis

    /** The lock this fiber holds, as last renewed. */
    interface Held {
      identity: Identity
    }

    const release = (held: Held) =>
      Effect.gen(function*() {
        const current = yield* statIdentity(file)
        if (Option.isSome(current) && sameFile(current.value, held.identity)) yield* fs.remove(file)
      }).pipe(Effect.ignore)

    // While held, the lock's mtime is renewed so that waiters never take a live lock for stale.
    const heartbeatEvery = Duration.millis(Math.max(1, Math.floor(staleAfter / 3)))
    const heartbeat = (held: Held) =>
      Effect.gen(function*() {
        const current = yield* statIdentity(file)
        if (Option.isNone(current) || !sameFile(current.value, held.identity)) return
        const now = yield* Clock.currentTimeMillis
        yield* fs.utimes(file, new Date(now), new Date(now))
        const renewed = yield* statIdentity(file)
        if (Option.isSome(renewed) && sameInode(renewed.value, held.identity)) held.identity = renewed.value
      }).pipe(
        // whole or not at all: a release after a renewal it did not record would leave the lock behind
        Effect.uninterruptible,
        Effect.ignore,
        Effect.repeat(Schedule.spaced(heartbeatEvery)),
        Effect.delay(heartbeatEvery)
      )

    // Creating the file and registering its removal happen together, so an
    // interruption never leaves a lock behind; the waiting is interruptible.
    const createHeld = Effect.uninterruptible(
      Effect.flatMap(tryCreate(file), (created) => {
        if (Option.isNone(created)) return Effect.succeedNone
        const held: Held = { identity: created.value }
        return Effect.as(Effect.addFinalizer(() => release(held)), Option.some(held))
      })
    )

    const isStale = (file: string, holder: Identity, now: number, watchedSince: number) => {
      const judged = Files.judgeLock(holder, now, watchedSince, staleAfter)
      return judged === "StaleIfUnwritten" ? isUnwritten(file) : Effect.succeed(judged === "Stale")
    }

    return Effect.gen(function*() {
      yield* ensureDirectory
      const start = yield* Clock.currentTimeMillis
      let poll = lockOptions.pollMillis
      let quick = 0
      let watched: { readonly identity: Identity; readonly since: number } | undefined
      while (true) {
        const created = yield* createHeld
        if (Option.isSome(created)) {
          yield* Effect.forkScoped(heartbeat(created.value))
          yield* sweepLeftovers(name, staleAfter)
          return
        }
        const holder = yield* inspectLock(file)
        let now = yield* Clock.currentTimeMillis
        let progress = Option.isNone(holder)
        if (Option.isSome(holder)) {
          if (watched === undefined || !sameFile(watched.identity, holder.value)) {
            watched = { identity: holder.value, since: now }
          }
          if (yield* isStale(file, holder.value, now, watched.since)) {
            progress = (yield* breakStale(file, holder.value, staleAfter)) !== "Busy"
            now = yield* Clock.currentTimeMillis
          }
        }
        const waited = now - start
        if (waited >= lockOptions.timeoutMillis) {
          return yield* Effect.fail<StoreError>({ _tag: "StoreLockTimeout", path: file, waitedMillis: waited })
        }
        if (progress && quick < Files.maxQuickRetries) {
          quick++
          continue
        }
        quick = 0
        const jitter = yield* Random.nextBetween(0.5, 1)
        yield* Effect.sleep(Duration.millis(Math.max(1, Math.min(poll * jitter, lockOptions.timeoutMillis - waited))))
        poll = Math.min(poll * 2, lockOptions.maxPollMillis)
      }
    }).pipe(Effect.catchTag("PlatformError", (error) => Effect.fail(ioError("lock", file)(error))))
  }

  return { directory, pathOf, read, write, lock }
}

/** @internal */
export const makeMemoryStore = (files: Map<string, string>, directory = "<memory>"): Store => {
  const semaphores = new Map<string, Semaphore.Semaphore>()
  const semaphoreOf = (name: string) =>
    Effect.sync(() => {
      let semaphore = semaphores.get(name)
      if (semaphore === undefined) {
        semaphore = Semaphore.makeUnsafe(1)
        semaphores.set(name, semaphore)
      }
      return semaphore
    })
  const pathOf = (name: string) => `${directory}/${name}`
  return {
    directory,
    pathOf,
    read: (name) => Effect.sync(() => Option.fromNullishOr(files.get(name))),
    write: (name, text) => Effect.sync(() => void files.set(name, text)),
    lock: (name, options) =>
      Effect.flatMap(semaphoreOf(name), (semaphore) =>
        Effect.uninterruptibleMask((restore) =>
          restore(
            semaphore.take(1).pipe(
              Effect.timeoutOrElse({
                duration: Duration.millis(options.timeoutMillis),
                orElse: () =>
                  Effect.fail<StoreError>({
                    _tag: "StoreLockTimeout",
                    path: pathOf(name),
                    waitedMillis: options.timeoutMillis
                  })
              })
            )
          ).pipe(Effect.andThen(Effect.addFinalizer(() => semaphore.release(1))))
        ))
  }
}
