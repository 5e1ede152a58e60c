/**
 * How the `sso-oidc` binary runs a program (the whole CLI, main.ts, or the
 * launcher's fast `login`, login.ts). Exit codes: 0 success, 1 failure,
 * 2 usage error, 130 after SIGINT and 143 after SIGTERM (128 + the signal,
 * as a shell reports a process the signal killed), so that
 * `sso-oidc login && deploy` stops when the login is interrupted.
 *
 * @internal
 */
// Subpath imports: the package index would pull in undici (half a megabyte) for nothing.
import type { FileSystem, Path } from "@effect/platform"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Exit, Layer, Logger } from "effect"

// The library's log lines (e.g. a cache file others can read) go to stderr, never into the JSON on stdout.
const stderrLogger = Logger.make(({ logLevel, message }) => {
  const parts: ReadonlyArray<unknown> = Array.isArray(message) ? message : [message]
  const level = logLevel._tag === "Warning" ? "warning" : logLevel.label.toLowerCase()
  process.stderr.write(`sso-oidc: ${level}: ${parts.map(String).join(" ")}
`)
})

const signalCodes = { SIGINT: 130, SIGTERM: 143 } as const
let signal: keyof typeof signalCodes | undefined
// Registered before runMain's own listeners, which interrupt the program: its
// finalizers run (the PKCE listener closes, nothing is written) before the exit.
// `once`: a second Ctrl-C kills the process at once.
for (const name of ["SIGINT", "SIGTERM"] as const) process.once(name, () => void (signal ??= name))

/** The layers every command runs in: Node's file system and path (@effect/cli also needs a Terminal: main.ts gives it). */
export type Environment = FileSystem.FileSystem | Path.Path

/** Runs `program` (which returns the exit code) as the process, which then exits with that code. */
export const runCli = (program: Effect.Effect<number, never, Environment>): void =>
  program.pipe(
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer)),
  Effect.provide(Logger.replace(Logger.defaultLogger, stderrLogger)),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) => {
      const done = exit as Exit.Exit<number, unknown>
      onExit(signal !== undefined ? signalCodes[signal] : Exit.isSuccess(done) ? done.value : 1)
    }
  })
)
