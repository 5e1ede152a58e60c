/**
 * `sso-oidc login` and `sso-oidc credentials`, as the launcher runs them
 * when quickParse.ts could parse the flags: @effect/cli, and the other
 * commands, are not loaded (issue 14: start-up; `credentials` is what
 * `credential_process` runs before every AWS SDK client that reads the
 * profile). A usage error found after parsing (two sessions named, …)
 * hands the arguments to the whole CLI (main.ts), which reports it exactly
 * as it always has; nothing has been written by then. Every other failure
 * is the one line main.ts's `run` prints, with the same exit code.
 *
 * This is a bundle of its own (dist/sso-oidc-quick.cjs, scripts/build.mjs),
 * a little over half the whole CLI's code. It is CommonJS, one file, so
 * that the launcher can run it with V8's code cache (codeCache.ts). The
 * whole CLI is another bundle, with its own copy of Effect, so the
 * hand-over runs it as a process of its own (dist/sso-oidc-main.cjs, which
 * the launcher names) rather than beside this one's runtime.
 *
 * @internal
 */
import { Cause, Data, Effect, Option } from "effect"
import { describeFailure } from "../cli/common.js"
import { credentialsProgram } from "../cli/credentialsRun.js"
import { loginProgram } from "../cli/loginRun.js"
import { printable } from "../cli/printable.js"
import type { QuickCredentialsFlags, QuickLoginFlags } from "../cli/quickParse.js"
import { type Environment, runCli } from "./runtime.js"
import { spawn } from "node:child_process"
import { constants } from "node:os"
import { fileURLToPath } from "node:url"

class HandOver extends Data.TaggedError("HandOver")<{ readonly message: string }> {}

/**
 * Runs the whole CLI (`main`, dist/sso-oidc-main.cjs) on `argv`, with this process's
 * terminal, and succeeds with its exit code (128 + the signal that killed it).
 * Interrupted (Ctrl-C), it stops the child too.
 */
const handOver = (main: URL, argv: ReadonlyArray<string>) =>
  Effect.async<number>((resume) => {
    const script = fileURLToPath(main)
    const child = spawn(process.execPath, [...process.execArgv, script, ...argv], { stdio: "inherit" })
    child.once("error", (error) => {
      process.stderr.write(`sso-oidc: cannot start ${printable(script)}: ${printable(error.message)}\n`)
      resume(Effect.succeed(1))
    })
    child.once("exit", (code, signal) =>
      resume(Effect.succeed(code ?? 128 + (signal === null ? 0 : constants.signals[signal]))))
    return Effect.sync(() => void child.kill("SIGTERM"))
  })

const option = <A>(value: A | undefined) => Option.fromNullable(value)

/** As main.ts's `run`: success 0; a failure (or a defect) one line and 1; a hand-over what the whole CLI exits with. */
const finish = <E>(program: Effect.Effect<void, E, Environment>, main: URL, argv: ReadonlyArray<string>) =>
  runCli(
    program.pipe(
      Effect.as(0),
      Effect.catchAll((error) =>
        error instanceof HandOver
          ? handOver(main, argv)
          : Effect.as(Effect.sync(() => void process.stderr.write(`sso-oidc: ${describeFailure(error)}\n`)), 1)
      ),
      Effect.catchAllDefect((defect) =>
        Effect.as(
          Effect.sync(() =>
            process.stderr.write(`sso-oidc: unexpected error: ${printable(Cause.pretty(Cause.die(defect)).split("\n")[0] ?? "")}\n`)
          ),
          1
        )
      )
    )
  )

/**
 * Runs `login` with `flags`, parsed from `argv` (the arguments after the script);
 * a usage error hands `argv` over to the whole CLI, the script `main`.
 */
export const runLogin = (flags: QuickLoginFlags, argv: ReadonlyArray<string>, main: URL): void =>
  finish(
    loginProgram({
      ...flags,
      region: option(flags.region),
      endpointUrl: option(flags.endpointUrl),
      cliReadTimeout: option(flags.cliReadTimeout),
      ssoSession: option(flags.ssoSession),
      profile: option(flags.profile),
      startUrl: option(flags.startUrl),
      clientName: option(flags.clientName)
    }, (message) => new HandOver({ message })),
    main,
    argv
  )

/** Runs `credentials` with `flags`, parsed from `argv` (the arguments after the script). */
export const runCredentials = (flags: QuickCredentialsFlags, argv: ReadonlyArray<string>, main: URL): void =>
  finish(
    credentialsProgram({ ...flags, profile: option(flags.profile), cliReadTimeout: option(flags.cliReadTimeout) }),
    main,
    argv
  )
