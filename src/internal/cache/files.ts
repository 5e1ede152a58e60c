/**
 * Reading the files of `~/.aws` defensively: only a regular file (or a
 * symbolic link to one) up to a size limit is read, and its type is checked
 * before it is opened, so a FIFO never blocks and `/dev/zero` is never read
 * without end. The texts are the core's (`core/cache/files.ts`).
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type { PlatformError } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { notRegularText, tooLargeText } from "../../core/cache/files.js"
import { concatBytes } from "../../core/http.js"

/** @internal */
export type ReadFailure =
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "NotRegular"; readonly type: FileSystem.File.Type }
  | { readonly _tag: "TooLarge"; readonly maxBytes: number }
  | { readonly _tag: "Platform"; readonly error: PlatformError }

/** The text of a failure, for an error's description (never any content). @internal */
export const describeReadFailure = (failure: ReadFailure): string => {
  switch (failure._tag) {
    case "NotFound":
      return "no such file"
    case "NotRegular":
      return notRegularText(failure.type)
    case "TooLarge":
      return tooLargeText(failure.maxBytes)
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
        return concatBytes(chunks, total)
      })
    )
    return { bytes, info }
  })
