#!/usr/bin/env node
/**
 * The `sso-oidc` launcher: what the binary runs first. It answers
 * `--help`, `help [command]`, bare `sso-oidc` and `--version` itself, from
 * the command table (src/cli/table.ts, rendered by src/cli/help.ts), runs
 * `login` without @effect/cli when its flags are plain (src/bin/login.ts),
 * and loads the whole CLI (main.ts) for everything else. Each of those is a
 * chunk of its own in the bundle (scripts/build.mjs), so a command loads
 * only what it needs (issue 14: start-up).
 *
 * @internal
 */
import * as Module from "node:module"
import { colour } from "../cli/colour.js"
import { findCommand, helpText } from "../cli/help.js"
import { parseLogin } from "../cli/quickParse.js"
import { VERSION } from "../internal/version.js"

// V8's code cache for the chunks, where this Node has it (22.1+; Node 20 has none): later runs skip compiling.
const { enableCompileCache } = Module as { enableCompileCache?: () => unknown }
try {
  enableCompileCache?.()
} catch {
  // A cache that cannot be written (a read-only tmpdir) only costs time.
}

const args = process.argv.slice(2)
const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h"
// As the CLI: bare `sso-oidc` is a usage error (the help on stderr, exit 2); `help [command]` is --help.
const named = args.length === 0
  ? ""
  : args[0] === "help" && args.length <= 2
  ? args[1] ?? ""
  : args.length <= 2 && isHelp(args.at(-1))
  ? (args.length === 2 ? args[0]! : "")
  : undefined
const command = named === undefined || named === "" ? undefined : findCommand(named)

if (named !== undefined && (named === "" || command !== undefined)) {
  const stream = args.length === 0 ? process.stderr : process.stdout
  stream.write(helpText(command, VERSION, colour(stream.isTTY === true)))
  if (args.length === 0) process.exitCode = 2
} else if (args.length === 1 && args[0] === "--version") {
  // As @effect/cli prints it (the version, then a blank line).
  process.stdout.write(`${VERSION}\n\n`)
} else {
  const login = args[0] === "login" ? parseLogin(args.slice(1)) : undefined
  if (login !== undefined) (await import("./login.js")).runLogin(login, args)
  else await import("./main.js")
}
