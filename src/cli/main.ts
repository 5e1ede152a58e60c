/**
 * The `sso-oidc` command: the AWS CLI's `sso-oidc` commands, `login`,
 * `emulator` and `demo`.
 *
 * @internal
 */
import { Command, HelpDoc, Usage, ValidationError } from "@effect/cli"
import { Cause, Console, Effect } from "effect"
import { VERSION } from "../internal/version.js"
import { colour, plainUnless, sgr } from "./colour.js"
import { demoCommand, emulatorCommand } from "./emulator.js"
import { loginCommand } from "./login.js"
import { operationCommands } from "./operations.js"
import { credentialsCommand } from "./credentials.js"
import { accountsCommand, logoutCommand, rolesCommand, statusCommand } from "./portal.js"
import { printable } from "./printable.js"
import { describeFailure, expandListFlags } from "./shared.js"

export const rootCommand = Command.make("sso-oidc").pipe(
  Command.withDescription("AWS IAM Identity Center OIDC from the command line"),
  Command.withSubcommands([
    ...operationCommands,
    loginCommand,
    accountsCommand,
    rolesCommand,
    logoutCommand,
    statusCommand,
    credentialsCommand,
    emulatorCommand,
    demoCommand
  ])
)

const cliApp = Command.run(rootCommand, { name: "sso-oidc", version: VERSION })

/** Exit codes: 0 success, 1 failure, 2 usage error (130 and 143, interrupted, are the binary's). */
export const ExitCode = { success: 0, failure: 1, usage: 2 } as const

export { colour }

/** @effect/cli writes a usage line as `$ login …`; what a person types is `sso-oidc login …`. */
const fixUsage = (text: string) =>
  text.includes("USAGE")
    ? text.replace(/^\$ sso-oidc(?=\s*$)/m, "sso-oidc <command> [options]").replace(/^\$ /gm, "sso-oidc ")
    : text

/**
 * The Console @effect/cli prints help and version with: colour only where
 * {@link colour} allows, usage lines as typed. Its `error` prints the parse
 * errors, which {@link run} reports itself (one line and the usage), so it
 * is silent here; the commands write to process.stdout / stderr directly.
 */
const cliConsole = (base: Console.Console, write: (text: string) => void, coloured: boolean): Console.Console => ({
  ...base,
  log: (...args: ReadonlyArray<unknown>) =>
    Effect.sync(() => write(fixUsage(plainUnless(coloured, args.map(String).join(" "))) + "\n")),
  error: () => Effect.void
})

const toStdout = (text: string) => void process.stdout.write(text)
const toStderr = (text: string) => void process.stderr.write(text)

const entry = <Name extends string, R, E, A>(command: Command.Command<Name, R, E, A>) => ({
  name: Array.from(Command.getNames(command))[0] ?? "",
  usage: Command.getUsage(command)
})

const usages = [
  entry(operationCommands[0]),
  entry(operationCommands[1]),
  entry(operationCommands[2]),
  entry(operationCommands[3]),
  entry(loginCommand),
  entry(accountsCommand),
  entry(rolesCommand),
  entry(logoutCommand),
  entry(statusCommand),
  entry(credentialsCommand),
  entry(emulatorCommand),
  entry(demoCommand)
]

/** The usage of the command `argv` names (the root's when none), as lines for stderr. */
const usageLines = (argv: ReadonlyArray<string>): string => {
  const command = usages.find(({ name }) => argv.includes(name))
  if (command === undefined) {
    const names = usages.map(({ name }) => name).join(", ")
    return `Usage: sso-oidc <command> [options]; commands: ${names}\nRun 'sso-oidc --help' for more.\n`
  }
  const usage = plainUnless(colour(process.stderr.isTTY === true), HelpDoc.toAnsiText(Usage.getHelp(command.usage)))
  return `Usage: sso-oidc ${usage.trim()}\nRun 'sso-oidc ${command.name} --help' for more.\n`
}

/** A usage error as one line: @effect/cli's paragraphs, joined. */
const usageMessage = (error: ValidationError.ValidationError): string => {
  const doc = "error" in error ? error.error : HelpDoc.p("help requested")
  const paragraphs = HelpDoc.toAnsiText(doc).replace(sgr, "").split(/\n\s*\n/).map((p) => p.trim().replace(/\s*\n\s*/g, " "))
  return printable(paragraphs.filter((p) => p !== "").join("; "))
}

const report = (error: unknown, argv: ReadonlyArray<string>) =>
  Effect.sync(() => {
    if (ValidationError.isValidationError(error)) {
      toStderr(`sso-oidc: ${usageMessage(error)}\n${usageLines(argv)}`)
      return ExitCode.usage
    }
    toStderr(`sso-oidc: ${describeFailure(error)}\n`)
    return ExitCode.failure
  })

/**
 * Runs the CLI on `argv` (without the node and script paths) and returns
 * its exit code. Each failure is reported here: one line on stderr, and
 * the command's usage after a usage error. `sso-oidc` alone prints the
 * help on stderr (a usage error); `sso-oidc help [command]` is `--help`.
 */
export const run = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const base = yield* Effect.console
    if (argv.length === 0) {
      yield* cliApp(["node", "sso-oidc", "--help"]).pipe(
        Effect.withConsole(cliConsole(base, toStderr, colour(process.stderr.isTTY === true))),
        Effect.ignore
      )
      return ExitCode.usage
    }
    const args = argv[0] === "help" ? [...argv.slice(1), "--help"] : argv
    return yield* cliApp(["node", "sso-oidc", ...expandListFlags(args)]).pipe(
      Effect.withConsole(cliConsole(base, toStdout, colour(process.stdout.isTTY === true))),
      Effect.as(ExitCode.success as number),
      Effect.catchAll((error) => report(error, args)),
      Effect.catchAllDefect((defect) =>
        Effect.as(
          Effect.sync(() => toStderr(`sso-oidc: unexpected error: ${printable(Cause.pretty(Cause.die(defect)).split("\n")[0] ?? "")}\n`)),
          ExitCode.failure as number
        )
      )
    )
  })
