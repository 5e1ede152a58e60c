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
import type { runLogin } from "./login.js"

// NODE_DISABLE_COMPILE_CACHE=1 turns both caches off, as it does Node's own.
const cacheOff = (process.env.NODE_DISABLE_COMPILE_CACHE ?? "") !== ""

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
  if (login !== undefined) {
    // Imported here: --help and --version need none of it (node:vm, node:crypto).
    const [{ cacheDirectory, load }, { fileURLToPath }, { debuglog }] = await Promise.all([
      import("./codeCache.js"),
      import("node:url"),
      import("node:util")
    ])
    const bundle = (name: string) => fileURLToPath(new URL(name, import.meta.url))
    const loaded = load(bundle("./sso-oidc-login.cjs"), cacheOff ? undefined : cacheDirectory())
    debuglog("sso-oidc")("login: code cache %s (%s)", loaded.state, loaded.cacheFile ?? "no directory")
    // At exit, with all the run compiled; the runtime's teardown exits after the login's finalizers.
    process.once("exit", loaded.save)
    ;(loaded.exports.runLogin as typeof runLogin)(login, args, bundle("./sso-oidc-main.js"))
  } else {
    // V8's code cache for the whole CLI's chunks, where this Node has it (22.1+; Node 20 has none).
    const { enableCompileCache } = Module as { enableCompileCache?: () => unknown }
    try {
      if (!cacheOff) enableCompileCache?.()
    } catch {
      // A cache that cannot be written (a read-only tmpdir) only costs time.
    }
    await import("./main.js")
  }
}
