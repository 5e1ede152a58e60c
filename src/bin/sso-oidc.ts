/**
 * Entry point of the `sso-oidc` binary.
 *
 * @internal
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { run } from "../cli/main.js"

run(process.argv.slice(2)).pipe(
  Effect.provide(NodeContext.layer),
  // The error is already reported on one line: exit non-zero without a stack dump.
  Effect.catchAll(() => Effect.sync(() => { process.exitCode = 1 })),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
