/**
 * The pure rules of reading and locking files in `~/.aws`: the texts of file
 * types and sizes, the ssh-style permission warnings, the names of temporary
 * files, and the identity and staleness of a lock file. Each edition's
 * `internal/cache` does the file-system calls and asks these.
 *
 * @internal
 */

// -----------------------------------------------------------------------------
// descriptions
// -----------------------------------------------------------------------------

/** "a directory", "a FIFO", … for messages (the `FileSystem.File.Type` names). @internal */
export const describeType = (type: string): string => {
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

/** `1 MiB`, `4 MiB`, else bytes. @internal */
export const sizeText = (bytes: number): string =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`

/** Why a path that is not a regular file is not read. @internal */
export const notRegularText = (type: string): string => `it is ${describeType(type)}, not a regular file`

/** Why a file over the limit is not read. @internal */
export const tooLargeText = (maxBytes: number): string => `it is larger than ${sizeText(maxBytes)}`

// -----------------------------------------------------------------------------
// permissions
// -----------------------------------------------------------------------------

/** The user id of this process where the runtime has POSIX users (Node, Bun, Deno); else none. @internal */
export const processUid = (): number | undefined => {
  const getuid = (globalThis as { readonly process?: { readonly getuid?: unknown } }).process?.getuid
  if (typeof getuid !== "function") return undefined
  const uid: unknown = getuid()
  return typeof uid === "number" ? uid : undefined
}

/** The process id where the platform has one (for people reading a lock file; never trusted). @internal */
export const processId = (): number | undefined =>
  (globalThis as { readonly process?: { readonly pid?: unknown } }).process?.pid as number | undefined

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0")

/** @internal */
export interface PermissionCheck {
  readonly path: string
  /** The `stat` mode bits. */
  readonly mode: number
  /** The owner's user id; `undefined` where the platform has no POSIX owners. */
  readonly owner: number | undefined
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
 * has no POSIX owners (no process uid, or no owner in the stat). Path and
 * mode only, never content.
 *
 * @internal
 */
export const permissionWarnings = (check: PermissionCheck, uid: number | undefined = processUid()): Array<string> => {
  if (uid === undefined || check.owner === undefined) return []
  const warnings: Array<string> = []
  if ((check.mode & check.forbidden) !== 0) {
    warnings.push(
      `Permissions ${octal(check.mode)} for the ${check.what} ${check.path} are too open: ${check.modeRisk} ` +
        `(chmod ${check.fix} it)`
    )
  }
  if (check.owner !== uid && check.owner !== 0) {
    warnings.push(`The ${check.what} ${check.path} is owned by another user (uid ${check.owner}), ${check.ownerRisk}`)
  }
  return warnings
}

/** The warnings of a cache folder (`forbidden` 022: others must not replace files in it). @internal */
export const cacheFolderWarnings = (path: string, mode: number, owner: number | undefined, uid?: number) =>
  permissionWarnings({
    path,
    mode,
    owner,
    forbidden: 0o022,
    what: "SSO cache folder",
    modeRisk: "other users can replace the token files in it",
    ownerRisk: "who can replace the token files in it",
    fix: "700"
  }, uid)

/** The warnings of a cache file (`forbidden` 077: it holds tokens). @internal */
export const cacheFileWarnings = (path: string, mode: number, owner: number | undefined, uid?: number) =>
  permissionWarnings({
    path,
    mode,
    owner,
    forbidden: 0o077,
    what: "SSO cache file",
    modeRisk: "it holds SSO tokens, and other users can read or change it",
    ownerRisk: "who can read and change the SSO tokens in it",
    fix: "600"
  }, uid)

// -----------------------------------------------------------------------------
// writes
// -----------------------------------------------------------------------------

/** A file name without `.json`. @internal */
export const stemOf = (name: string): string => name.replace(/\.json$/, "")

/** The name of a write's temporary file: `<stem>.<16 hex>.tmp` (never `.json`, which other tools scan). @internal */
export const temporaryName = (name: string, suffix: string): string => `${stemOf(name)}.${suffix}.tmp`

/** Whether `entry` is a temporary file of a write of `name`. @internal */
export const isTemporaryOf = (name: string, entry: string): boolean => {
  const stem = stemOf(name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  return new RegExp(`^${stem}\\.[0-9a-f]{16}\\.tmp$`).test(entry)
}

/** Temporary files older than this are leftovers of a killed writer and are removed. @internal */
export const leftoverAgeMillis = 10 * 60_000

/** 16 lowercase hex digits from two random integers in [0, 2^31). @internal */
export const randomSuffixOf = (a: number, b: number): string =>
  a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0")

// -----------------------------------------------------------------------------
// lock files (the protocol is described in each edition's internal/cache/store.ts)
// -----------------------------------------------------------------------------

/**
 * What identifies one lock file: dev + ino + mtime. Numbers as decimal text,
 * so that both editions' `stat` (numbers in one, bigints in the other) agree.
 *
 * @internal
 */
export interface Identity {
  readonly dev: string
  /** `undefined` where the platform tells none. */
  readonly ino: string | undefined
  /** Milliseconds; `undefined` where the platform tells none (such a lock is never judged stale). */
  readonly mtime: number | undefined
}

/** @internal */
export const sameInode = (a: Identity, b: Identity): boolean =>
  a.dev === b.dev && (a.ino === undefined || b.ino === undefined || a.ino === b.ino)

/**
 * dev + ino + mtime: an inode number reused by a newer file (ext4 reuses one
 * at once) differs in mtime. Not ctime or birth time: a rename changes
 * ctime, and some platforms report ctime as the birth time.
 *
 * @internal
 */
export const sameFile = (a: Identity, b: Identity): boolean => sameInode(a, b) && a.mtime === b.mtime

/** The name of a breaker's claim on the stale identity at `level`: `<lock>.<dev-ino-mtime>.<level>.break`. @internal */
export const claimName = (lockFile: string, stale: Identity, level: number): string =>
  `${lockFile}.${[stale.dev, stale.ino ?? "x", stale.mtime ?? "x"].join("-")}.${level}.break`

/** Claim levels tried on one stale lock before waiting instead (each level needs a breaker killed mid-break). @internal */
export const maxClaimLevels = 8

/** Retries without a wait in a row, each after progress. @internal */
export const maxQuickRetries = 3

/**
 * A lock file with no holder's note in it (empty or not JSON: its writer
 * failed or died between creating and writing it) is abandoned once it is
 * older than this; a live holder writes its note right after creating it.
 *
 * @internal
 */
export const unwrittenLockGraceMillis = 2_000

/** The note a holder writes into its lock file (for people; never trusted). @internal */
export const lockNote = (now: number, pid: number | undefined = processId()): string =>
  JSON.stringify({ pid, createdAt: new Date(now).toISOString() }) + "\n"

/** Whether a lock file's text is no holder's note (empty, not JSON, not a JSON object): its writer failed or died. @internal */
export const isUnwrittenNote = (text: string): boolean => {
  try {
    const note: unknown = JSON.parse(text)
    return typeof note !== "object" || note === null
  } catch {
    return true
  }
}

/**
 * How a waiter judges the lock `holder` it has watched since `watchedSince`:
 * stale when its mtime is more than `staleAfter` away from now in either
 * direction (a live holder on our clock cannot write a future one) or it has
 * not changed for `staleAfter`; past the grace of an unwritten lock, its
 * content decides; else live.
 *
 * @internal
 */
export const judgeLock = (
  holder: Identity,
  now: number,
  watchedSince: number,
  staleAfterMillis: number
): "Stale" | "Live" | "StaleIfUnwritten" => {
  if (holder.mtime === undefined) return "Live"
  if (Math.abs(now - holder.mtime) > staleAfterMillis || now - watchedSince > staleAfterMillis) return "Stale"
  return now - holder.mtime > Math.min(unwrittenLockGraceMillis, staleAfterMillis) ? "StaleIfUnwritten" : "Live"
}

/** Whether a leftover of a killed breaker may be swept now: a `.stale` file always, a claim once stale. @internal */
export const isSweepable = (
  lockName: string,
  entry: string,
  mtime: number,
  now: number,
  staleAfterMillis: number
): boolean => {
  if (!entry.startsWith(`${lockName}.`)) return false
  if (entry.endsWith(".stale")) return true
  return entry.endsWith(".break") && Math.abs(now - mtime) > staleAfterMillis
}
