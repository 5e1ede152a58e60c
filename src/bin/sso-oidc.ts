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
import { Effect, Layer } from "effect"
import { run } from "../cli/main.js"

run(process.argv.slice(2)).pipe(
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)),
  // The error is already reported on one line: exit non-zero without a stack dump.
  Effect.catchAll(() => Effect.sync(() => { process.exitCode = 1 })),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
