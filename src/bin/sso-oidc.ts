#!/usr/bin/env node
/**
 * The `sso-oidc` launcher: what the binary runs first. It answers
 * `--help`, `help [command]`, bare `sso-oidc` and `--version` itself, from
 * the command table (src/cli/table.ts, rendered by src/cli/help.ts), runs
 * `login` and `credentials` without @effect/cli when their flags are plain
 * (src/bin/quick.ts), and the whole CLI (main.ts) for everything else. Both
 * are CommonJS
 * bundles of their own (scripts/build.mjs), loaded with V8's code cache
 * (codeCache.ts), so a command loads only what it needs and compiles
 * nothing a run before it did (issue 14: start-up).
 *
 * @internal
 */
import { colour } from "../cli/colour.js"
import { findCommand, helpText } from "../cli/help.js"
import { parseCredentials, parseLogin } from "../cli/quickParse.js"
import { VERSION } from "../internal/version.js"
import type * as Quick from "./quick.js"

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
  // Imported here: --help and --version need none of it (node:vm, node:crypto).
  const { runBundle } = await import("./codeCache.js")
  const login = args[0] === "login" ? parseLogin(args.slice(1)) : undefined
  const credentials = args[0] === "credentials" ? parseCredentials(args.slice(1)) : undefined
  const main = new URL("./sso-oidc-main.cjs", import.meta.url)
  const quick = new URL("./sso-oidc-quick.cjs", import.meta.url)
  // Each command its own cache: each compiles its own path.
  if (login !== undefined) {
    ;(runBundle(quick, "login") as typeof Quick).runLogin(login, args, main)
  } else if (credentials !== undefined) {
    ;(runBundle(quick, "credentials") as typeof Quick).runCredentials(credentials, args, main)
  } else {
    const known = args[0] !== undefined && findCommand(args[0]) !== undefined
    runBundle(main, known ? args[0]! : "other")
  }
}
