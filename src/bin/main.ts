/**
 * The whole `sso-oidc` CLI, parsed by @effect/cli: what the launcher
 * (sso-oidc.ts) loads for everything it does not answer itself.
 *
 * @internal
 */
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Effect } from "effect"
import { run } from "../cli/main.js"
import { runCli } from "./runtime.js"

// @effect/cli needs a Terminal (its prompts, the wizard); the fast `login` does not load it.
runCli(Effect.provide(run(process.argv.slice(2)), NodeTerminal.layer))
