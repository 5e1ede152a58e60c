/**
 * Entry point of the `sso-oidc` binary.
 *
 * @internal
 */
// Subpath imports: the package index would pull in undici (half a megabyte) for nothing.
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Effect, Layer, Logger } from "effect"
import { run } from "../cli/main.js"

// The library's log lines (e.g. a cache file others can read) go to stderr, never into the JSON on stdout.
const stderrLogger = Logger.make(({ logLevel, message }) => {
  const parts: ReadonlyArray<unknown> = Array.isArray(message) ? message : [message]
  const level = logLevel._tag === "Warning" ? "warning" : logLevel.label.toLowerCase()
  process.stderr.write(`sso-oidc: ${level}: ${parts.map(String).join(" ")}\n`)
})

run(process.argv.slice(2)).pipe(
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)),
  Effect.provide(Logger.replace(Logger.defaultLogger, stderrLogger)),
  // The error is already reported on one line: exit non-zero without a stack dump.
  Effect.catchAll(() => Effect.sync(() => { process.exitCode = 1 })),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
