/**
 * The whole `sso-oidc` CLI, parsed by @effect/cli: what the launcher
 * (sso-oidc.ts) loads for everything it does not answer itself.
 *
 * @internal
 */
import { run } from "../cli/main.js"
import { runCli } from "./runtime.js"

runCli(run(process.argv.slice(2)))
