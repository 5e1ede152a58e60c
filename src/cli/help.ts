/**
 * `--help` rendered from the command table (table.ts) as @effect/cli
 * renders it for the same commands, without loading either Effect or
 * @effect/cli: the launcher prints it in a few milliseconds. Colour
 * follows main.ts's `colour` rule (the caller decides).
 *
 * Effect-free: nothing here may import `effect` or `@effect/*`.
 *
 * @internal
 */
import { type CommandSpec, commands, type OptionSpec, rootDescription } from "./table.js"

const bold = (coloured: boolean, text: string) => (coloured ? `\x1b[0;1m${text}\x1b[0m` : text)

const typeName = (option: OptionSpec): string =>
  option.kind === "boolean" ? "" : typeof option.kind === "string" ? ` ${option.kind}` : ` ${option.kind.join(" | ")}`

/** `--name type`, as in a usage line and an option's heading. */
const flag = (option: OptionSpec): string => `--${option.name}${typeName(option)}${option.repeated ? "..." : ""}`

const typeSentence = (option: OptionSpec): string =>
  option.kind === "text"
    ? "A user-defined piece of text."
    : option.kind === "integer"
    ? "An integer."
    : option.kind === "boolean"
    ? "A true or false value."
    : `One of the following: ${option.kind.join(", ")}`

/** The options @effect/cli adds to every command, as it describes them. */
const builtIns: ReadonlyArray<readonly [heading: string, ...lines: Array<string>]> = [
  ["--completions sh | bash | fish | zsh", "One of the following: sh, bash, fish, zsh", "Generate a completion script for a specific shell."],
  [
    "--log-level all | trace | debug | info | warning | error | fatal | none",
    "One of the following: all, trace, debug, info, warning, error, fatal, none",
    "Sets the minimum log level for a command."
  ],
  ["(-h, --help)", "A true or false value.", "Show the help documentation for a command."],
  ["--wizard", "A true or false value.", "Start wizard mode for a command."],
  ["--version", "A true or false value.", "Show the version of the application."]
]

const optional = "This setting is optional."

const optionBlocks = (options: ReadonlyArray<OptionSpec>): Array<readonly [string, ...Array<string>]> => [
  ...options.map((option): readonly [string, ...Array<string>] => [
    flag(option),
    typeSentence(option),
    option.description,
    ...(option.repeated ? ["This option may be repeated zero or more times."] : []),
    ...(option.required ? [] : [optional])
  ]),
  ...builtIns.map(([heading, ...lines]): readonly [string, ...Array<string>] => [heading, ...lines, optional])
]

/** A command's usage, as the USAGE section and a usage error show it: `login [--region text] …`. */
export const usage = (command: CommandSpec): string =>
  [command.name, ...command.options.map((option) => (option.required ? flag(option) : `[${flag(option)}]`))].join(" ")

/** The command `name` of the table, or `undefined`. */
export const findCommand = (name: string): CommandSpec | undefined => commands.find((command) => command.name === name)

/**
 * The help text of `command` (the root's when `undefined`), final blank
 * line included, exactly as `sso-oidc … --help` prints it.
 */
export const helpText = (command: CommandSpec | undefined, version: string, coloured: boolean): string => {
  const section = (title: string, body: string) => `${bold(coloured, title)}\n\n${body}\n\n`
  const options = optionBlocks(command?.options ?? [])
    .map(([heading, ...lines]) => [bold(coloured, heading), ...lines.map((line) => `  ${line}`)].join("\n\n"))
    .join("\n\n")
  const title = coloured ? "\x1b[0;1m\x1b[0;37;1msso-oidc\x1b[0;1m\x1b[0m" : "sso-oidc"
  let text = `${title}\n\nsso-oidc ${version}\n\n` +
    section("USAGE", `sso-oidc ${command === undefined ? "<command> [options]" : usage(command)}`) +
    section("DESCRIPTION", command?.description ?? rootDescription) +
    section("OPTIONS", options)
  if (command === undefined) {
    const usages = commands.map(usage)
    const width = Math.max(...usages.map((line) => line.length))
    const rows = commands.map((command, i) => `  - ${usages[i]!.padEnd(width)}  ${command.description}`)
    text += section("COMMANDS", rows.join("\n\n"))
  }
  return text
}
