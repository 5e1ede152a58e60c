/**
 * Where cache files live: a folder on a `FileSystem` (atomic writes,
 * cross-process lock files) or a `Map` in memory. `TokenCache` turns the
 * plain errors of this module into its public errors.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type { PlatformError } from "@effect/platform/Error"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"

/** The process id where the platform has one (for people reading a lock file; never trusted). */
const processId = (): number | undefined =>
  (globalThis as { readonly process?: { readonly pid?: unknown } }).process?.pid as number | undefined

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

/** Mode of cache files: read and write for the owner only. @internal */
export const FILE_MODE = 0o600
/** Mode of the cache folder when this library creates it. @internal */
export const DIRECTORY_MODE = 0o700

const isReason = (reason: string) => (error: PlatformError) => error._tag === "SystemError" && error.reason === reason
const isNotFound = isReason("NotFound")
const isAlreadyExists = isReason("AlreadyExists")
const isBusy = (error: PlatformError) => isReason("Busy")(error) || isReason("PermissionDenied")(error)

const randomSuffix: Effect.Effect<string> = Effect.map(
  Effect.all([Random.nextIntBetween(0, 0x7fffffff), Random.nextIntBetween(0, 0x7fffffff)]),
  ([a, b]) => a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0")
)

/** Names of temporary files of a write: `<stem>.<16 hex>.tmp` (never `.json`, which other tools scan). */
const temporaryPattern = (stem: string) =>
  new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.[0-9a-f]{16}\\.tmp$`)

/** Temporary files older than this are leftovers of a killed writer and are removed. */
const leftoverAgeMillis = Duration.toMillis(Duration.minutes(10))

/** @internal */
export const makeFileStore = (fs: FileSystem.FileSystem, path: Path.Path, directory: string): Store => {
  const pathOf = (name: string) => path.join(directory, name)
  const ioError = (operation: string, file: string) => (error: PlatformError): StoreError => ({
    _tag: "StoreIo",
    path: file,
    operation,
    description: error.message
  })

  const ensureDirectory = fs.makeDirectory(directory, { recursive: true, mode: DIRECTORY_MODE }).pipe(
    Effect.catchIf(isAlreadyExists, () => Effect.void),
    Effect.mapError(ioError("create the cache folder", directory))
  )

  const read = (name: string) => {
    const file = pathOf(name)
    return fs.readFileString(file).pipe(
      Effect.map(Option.some),
      Effect.catchIf(isNotFound, () => Effect.succeedNone),
      Effect.mapError(ioError("read", file))
    )
  }

  const stemOf = (name: string) => name.replace(/\.json$/, "")

  const removeLeftovers = (name: string) =>
    Effect.gen(function*() {
      const pattern = temporaryPattern(stemOf(name))
      const now = yield* Clock.currentTimeMillis
      for (const entry of yield* fs.readDirectory(directory)) {
        if (!pattern.test(entry)) continue
        const info = yield* fs.stat(pathOf(entry))
        const mtime = Option.getOrElse(Option.map(info.mtime, (date) => date.getTime()), () => now)
        if (now - mtime > leftoverAgeMillis) yield* fs.remove(pathOf(entry))
      }
    }).pipe(Effect.ignore)

  const write = (name: string, text: string) =>
    Effect.gen(function*() {
      const file = pathOf(name)
      yield* ensureDirectory
      const temporary = pathOf(`${stemOf(name)}.${yield* randomSuffix}.tmp`)
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
        Effect.zipRight(fs.chmod(temporary, FILE_MODE).pipe(Effect.mapError(ioError("chmod", temporary)))),
        Effect.zipRight(
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

  // --- lock files -------------------------------------------------------------

  interface Identity {
    readonly ino: Option.Option<number>
    readonly dev: number
    readonly mtime: number
  }

  const identityOf = (info: FileSystem.File.Info, now: number): Identity => ({
    ino: info.ino,
    dev: info.dev,
    mtime: Option.getOrElse(Option.map(info.mtime, (date) => date.getTime()), () => now)
  })

  /** Same file, when the platform tells inodes; else the same modification time. */
  const sameFile = (a: Identity, b: Identity) =>
    Option.isSome(a.ino) && Option.isSome(b.ino)
      ? a.ino.value === b.ino.value && a.dev === b.dev
      : a.mtime === b.mtime

  const statIdentity = (file: string) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const info = yield* fs.stat(file)
      return Option.some(identityOf(info, now))
    }).pipe(Effect.catchIf(isNotFound, () => Effect.succeedNone))

  const lockContent = Effect.map(Clock.currentTimeMillis, (now) =>
    new TextEncoder().encode(
      JSON.stringify({
        pid: processId(),
        createdAt: new Date(now).toISOString()
      }) + "\n"
    ))

  /**
   * Creates the lock file exclusively (`wx`): its identity, or none when
   * another holds it. A file created but not written (a full disk) is
   * removed again, so that no empty lock is left for others to wait on.
   */
  const tryCreate = (file: string) =>
    Effect.scoped(
      Effect.gen(function*() {
        const handle = yield* fs.open(file, { flag: "wx", mode: FILE_MODE })
        return yield* Effect.gen(function*() {
          yield* handle.writeAll(yield* lockContent)
          const now = yield* Clock.currentTimeMillis
          return Option.some(identityOf(yield* handle.stat, now))
        }).pipe(Effect.tapError(() => Effect.ignore(fs.remove(file))))
      })
    ).pipe(Effect.catchIf(isAlreadyExists, () => Effect.succeedNone))

  /**
   * A lock file with no holder's note in it (empty or not JSON: its writer
   * failed or died between creating and writing it) is abandoned once it is
   * older than this; a live holder writes its note right after creating it.
   */
  const unwrittenLockGraceMillis = 2_000

  const isUnwritten = (file: string) =>
    fs.readFileString(file).pipe(
      Effect.map((text) => {
        try {
          const note: unknown = JSON.parse(text)
          return typeof note !== "object" || note === null
        } catch {
          return true
        }
      }),
      Effect.orElseSucceed(() => false)
    )

  /**
   * Breaks an abandoned lock: moves it aside under a unique name, then
   * checks that what moved is the file judged stale. If a fresh lock took its
   * place in between, it is linked back (unless the name was taken again).
   */
  const breakStale = (file: string, stale: Identity) =>
    Effect.gen(function*() {
      const aside = `${file}.${yield* randomSuffix}.stale`
      const moved = yield* fs.rename(file, aside).pipe(
        Effect.as(true),
        Effect.catchIf(isNotFound, () => Effect.succeed(false))
      )
      if (!moved) return
      const movedIdentity = yield* statIdentity(aside)
      if (Option.isSome(movedIdentity) && !sameFile(movedIdentity.value, stale)) {
        yield* Effect.ignore(fs.link(aside, file))
      }
      yield* Effect.ignore(fs.remove(aside))
    })

  const lock = (name: string, options: ResolvedLockOptions) => {
    const file = pathOf(name)
    const release = (held: Identity) =>
      Effect.gen(function*() {
        const current = yield* statIdentity(file)
        if (Option.isSome(current) && sameFile(current.value, held)) yield* fs.remove(file)
      }).pipe(Effect.ignore)

    // While held, the lock's mtime is renewed so that waiters never take a live lock for stale.
    const heartbeatEvery = Duration.millis(Math.max(1, Math.floor(options.staleAfterMillis / 3)))
    const heartbeat = (held: Identity) =>
      Effect.gen(function*() {
        const current = yield* statIdentity(file)
        if (Option.isSome(current) && sameFile(current.value, held)) {
          const now = yield* Clock.currentTimeMillis
          yield* fs.utimes(file, new Date(now), new Date(now))
        }
      }).pipe(Effect.ignore, Effect.repeat(Schedule.spaced(heartbeatEvery)), Effect.delay(heartbeatEvery))

    // Creating the file and registering its removal happen together, so an
    // interruption never leaves a lock behind; the waiting is interruptible.
    const createHeld = Effect.uninterruptible(
      Effect.tap(tryCreate(file), (created) =>
        Option.isSome(created) ? Effect.addFinalizer(() => release(created.value)) : Effect.void)
    )

    return Effect.gen(function*() {
      yield* ensureDirectory
      const start = yield* Clock.currentTimeMillis
      let poll = options.pollMillis
      while (true) {
        const created = yield* createHeld
        if (Option.isSome(created)) {
          yield* Effect.forkScoped(heartbeat(created.value))
          return
        }
        const holder = yield* statIdentity(file)
        if (Option.isNone(holder)) continue
        const now = yield* Clock.currentTimeMillis
        const age = now - holder.value.mtime
        if (
          age > options.staleAfterMillis ||
          (age > Math.min(unwrittenLockGraceMillis, options.staleAfterMillis) && (yield* isUnwritten(file)))
        ) {
          yield* breakStale(file, holder.value)
          continue
        }
        const waited = now - start
        if (waited >= options.timeoutMillis) {
          return yield* Effect.fail<StoreError>({ _tag: "StoreLockTimeout", path: file, waitedMillis: waited })
        }
        const jitter = yield* Random.nextRange(0.5, 1)
        yield* Effect.sleep(Duration.millis(Math.max(1, Math.min(poll * jitter, options.timeoutMillis - waited))))
        poll = Math.min(poll * 2, options.maxPollMillis)
      }
    }).pipe(
      Effect.catchTag("SystemError", (error) => Effect.fail(ioError("lock", file)(error))),
      Effect.catchTag("BadArgument", (error) => Effect.fail(ioError("lock", file)(error)))
    )
  }

  return { directory, pathOf, read, write, lock }
}

/** @internal */
export const makeMemoryStore = (files: Map<string, string>, directory = "<memory>"): Store => {
  const semaphores = new Map<string, Effect.Semaphore>()
  const semaphoreOf = (name: string) =>
    Effect.sync(() => {
      let semaphore = semaphores.get(name)
      if (semaphore === undefined) {
        semaphore = Effect.unsafeMakeSemaphore(1)
        semaphores.set(name, semaphore)
      }
      return semaphore
    })
  const pathOf = (name: string) => `${directory}/${name}`
  return {
    directory,
    pathOf,
    read: (name) => Effect.sync(() => Option.fromNullable(files.get(name))),
    write: (name, text) => Effect.sync(() => void files.set(name, text)),
    lock: (name, options) =>
      Effect.flatMap(semaphoreOf(name), (semaphore) =>
        Effect.uninterruptibleMask((restore) =>
          restore(
            semaphore.take(1).pipe(
              Effect.timeoutFail({
                duration: Duration.millis(options.timeoutMillis),
                onTimeout: (): StoreError => ({
                  _tag: "StoreLockTimeout",
                  path: pathOf(name),
                  waitedMillis: options.timeoutMillis
                })
              })
            )
          ).pipe(Effect.zipRight(Effect.addFinalizer(() => semaphore.release(1))))
        ))
  }
}
