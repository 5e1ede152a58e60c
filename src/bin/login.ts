/**
 * `sso-oidc login`, as the launcher runs it when quickParse.ts could parse
 * the flags: @effect/cli is not loaded. A usage error found after parsing
 * (two sessions named, …) hands the arguments to the whole CLI (main.ts),
 * which reports it exactly as it always has; nothing has been written by then.
 *
 * @internal
 */
import { Cause, Data, Effect, Option } from "effect"
import { describeFailure } from "../cli/common.js"
import { loginProgram } from "../cli/loginRun.js"
import { printable } from "../cli/printable.js"
import type { QuickLoginFlags } from "../cli/quickParse.js"
import { runCli } from "./runtime.js"

class HandOver extends Data.TaggedError("HandOver")<{ readonly message: string }> {}

const option = <A>(value: A | undefined) => Option.fromNullable(value)

/** Runs `login` with `flags`, parsed from `argv` (the arguments after the script). */
export const runLogin = (flags: QuickLoginFlags, argv: ReadonlyArray<string>): void =>
  runCli(
    loginProgram({
      ...flags,
      region: option(flags.region),
      endpointUrl: option(flags.endpointUrl),
      cliReadTimeout: option(flags.cliReadTimeout),
      ssoSession: option(flags.ssoSession),
      profile: option(flags.profile),
      startUrl: option(flags.startUrl),
      clientName: option(flags.clientName)
    }, (message) => new HandOver({ message })).pipe(
      Effect.as(0),
      Effect.catchAll((error) =>
        error instanceof HandOver
          ? Effect.flatMap(
            Effect.promise(() => Promise.all([import("../cli/main.js"), import("@effect/platform-node/NodeTerminal")])),
            ([main, NodeTerminal]) => Effect.provide(main.run(argv), NodeTerminal.layer)
          )
          : Effect.as(Effect.sync(() => void process.stderr.write(`sso-oidc: ${describeFailure(error)}\n`)), 1)
      ),
      // As main.ts's `run`: a defect is one line too.
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
