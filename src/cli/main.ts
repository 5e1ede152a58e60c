/**
 * The `sso-oidc` command: the AWS CLI's `sso-oidc` commands, `login`,
 * `emulator` and `demo`.
 *
 * @internal
 */
import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { VERSION } from "../internal/version.js"
import { demoCommand, emulatorCommand } from "./emulator.js"
import { loginCommand } from "./login.js"
import { operationCommands } from "./operations.js"
import { describeFailure, expandListFlags } from "./shared.js"

export const rootCommand = Command.make("sso-oidc").pipe(
  Command.withDescription("AWS IAM Identity Center OIDC from the command line"),
  Command.withSubcommands([...operationCommands, loginCommand, emulatorCommand, demoCommand])
)

const cliApp = Command.run(rootCommand, { name: "sso-oidc", version: VERSION })

/**
 * Runs the CLI on `argv` (without the node and script paths). Fails with a
 * one-line message naming the typed error; @effect/cli prints its own usage
 * errors, so those are not repeated.
 */
export const run = (argv: ReadonlyArray<string>) =>
  cliApp(["node", "sso-oidc", ...expandListFlags(argv)]).pipe(
    Effect.tapError((error) =>
      typeof error === "object" && error !== null && "_tag" in error && isValidationError(error)
        ? Effect.void
        : Console.error(`sso-oidc: ${describeFailure(error)}`)
    )
  )

const isValidationError = (error: object) =>
  ["CommandMismatch", "CorrectedFlag", "HelpRequested", "InvalidArgument", "InvalidValue", "MissingValue", "MissingFlag",
    "MultipleValuesDetected", "MissingSubcommand", "NoBuiltInMatch", "UnclusteredFlag"].includes(
      (error as { _tag: string })._tag
    )
