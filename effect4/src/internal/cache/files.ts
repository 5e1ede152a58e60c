/**
 * Reading the files of `~/.aws` defensively: only a regular file (or a
 * symbolic link to one) up to a size limit is read, and its type is checked
 * before it is opened, so a FIFO never blocks and `/dev/zero` is never read
 * without end. Permission checks warn as ssh does, naming the path and the
 * mode, never the content.
 *
 * @internal
 */
import type * as FileSystem from "effect/FileSystem"
import type { PlatformError } from "effect/PlatformError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** @internal */
export type ReadFailure =
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "NotRegular"; readonly type: FileSystem.File.Type }
  | { readonly _tag: "TooLarge"; readonly maxBytes: number }
  | { readonly _tag: "Platform"; readonly error: PlatformError }

/** "a directory", "a FIFO", … for messages. @internal */
export const describeType = (type: FileSystem.File.Type): string => {
  switch (type) {
    case "File":
      return "a regular file"
    case "Directory":
      return "a directory"
    case "SymbolicLink":
      return "a symbolic link"
    case "FIFO":
      return "a FIFO (named pipe)"
    case "Socket":
      return "a socket"
    case "CharacterDevice":
      return "a character device"
    case "BlockDevice":
      return "a block device"
    default:
      return "not a regular file"
  }
}

const sizeText = (bytes: number) =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`

/** The text of a failure, for an error's description (never any content). @internal */
export const describeReadFailure = (failure: ReadFailure): string => {
  switch (failure._tag) {
    case "NotFound":
      return "no such file"
    case "NotRegular":
      return `it is ${describeType(failure.type)}, not a regular file`
    case "TooLarge":
      return `it is larger than ${sizeText(failure.maxBytes)}`
    case "Platform":
      return failure.error.message
  }
}

const platform = (error: PlatformError): ReadFailure =>
  error._tag === "SystemError" && error.reason === "NotFound" ? { _tag: "NotFound" } : { _tag: "Platform", error }

const chunkBytes = 64 * 1024

/**
 * The bytes of a regular file of at most `maxBytes`, and its `stat` (of the
 * target, for a symbolic link). The type is checked before `open`, which
 * would block on a FIFO, and again on the open file; the read stops at
 * `maxBytes + 1`, so a file that grows meanwhile is refused, not read on.
 *
 * @internal
 */
export const readRegularFile = (
  fs: FileSystem.FileSystem,
  file: string,
  maxBytes: number
): Effect.Effect<{ readonly bytes: Uint8Array; readonly info: FileSystem.File.Info }, ReadFailure> =>
  Effect.gen(function*() {
    const info = yield* Effect.mapError(fs.stat(file), platform)
    if (info.type !== "File") return yield* Effect.fail<ReadFailure>({ _tag: "NotRegular", type: info.type })
    if (Number(info.size) > maxBytes) return yield* Effect.fail<ReadFailure>({ _tag: "TooLarge", maxBytes })
    const bytes = yield* Effect.scoped(
      Effect.gen(function*() {
        const handle = yield* Effect.mapError(fs.open(file, { flag: "r" }), platform)
        // The path may have been swapped between stat and open.
        const opened = yield* Effect.mapError(handle.stat, platform)
        if (opened.type !== "File") return yield* Effect.fail<ReadFailure>({ _tag: "NotRegular", type: opened.type })
        const chunks: Array<Uint8Array> = []
        let total = 0
        while (true) {
          const chunk = yield* Effect.mapError(handle.readAlloc(Math.min(chunkBytes, maxBytes + 1 - total)), platform)
          if (Option.isNone(chunk)) break
          total += chunk.value.length
          if (total > maxBytes) return yield* Effect.fail<ReadFailure>({ _tag: "TooLarge", maxBytes })
          chunks.push(chunk.value)
        }
        const all = new Uint8Array(total)
        let offset = 0
        for (const chunk of chunks) {
          all.set(chunk, offset)
          offset += chunk.length
        }
        return all
      })
    )
    return { bytes, info }
  })

// --- permissions ---------------------------------------------------------------

/** The user id of this process where the runtime has POSIX users (Node, Bun, Deno); else none. */
const processUid = (): number | undefined => {
  const getuid = (globalThis as { readonly process?: { readonly getuid?: unknown } }).process?.getuid
  if (typeof getuid !== "function") return undefined
  const uid: unknown = getuid()
  return typeof uid === "number" ? uid : undefined
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0")

/** @internal */
export interface PermissionCheck {
  readonly path: string
  readonly info: FileSystem.File.Info
  /** Mode bits that must be clear. */
  readonly forbidden: number
  /** What the path is, for the message: "SSO cache file", "SSO cache folder". */
  readonly what: string
  /** What others can do when the mode is too open, for the message. */
  readonly modeRisk: string
  /** What its owner can do, for the message. */
  readonly ownerRisk: string
  /** The mode to suggest. */
  readonly fix: string
}

/**
 * Warnings for a path that other users can read or change, or that another
 * user owns (root excepted, as ssh accepts it). Nothing where the platform
 * has no POSIX owners (no process uid, or no uid in the stat).
 *
 * @internal
 */
export const permissionWarnings = (check: PermissionCheck, uid: number | undefined = processUid()): Array<string> => {
  if (uid === undefined || Option.isNone(check.info.uid)) return []
  const warnings: Array<string> = []
  const mode = check.info.mode
  if ((mode & check.forbidden) !== 0) {
    warnings.push(
      `Permissions ${octal(mode)} for the ${check.what} ${check.path} are too open: ${check.modeRisk} ` +
        `(chmod ${check.fix} it)`
    )
  }
  const owner = check.info.uid.value
  if (owner !== uid && owner !== 0) {
    warnings.push(`The ${check.what} ${check.path} is owned by another user (uid ${owner}), ${check.ownerRisk}`)
  }
  return warnings
}
