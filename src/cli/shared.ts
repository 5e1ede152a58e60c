/**
 * Pieces every `sso-oidc` command shares: the global AWS CLI options, the
 * client layer they configure, output formatting and error reporting.
 *
 * @internal
 */
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect, Layer, Option, Schema } from "effect"
import * as Operations from "../internal/operations.js"
import * as SsoOidcClient from "../SsoOidcClient.js"
import * as SsoOidcError from "../SsoOidcError.js"
import { connectionOptions } from "./common.js"
import { httpClientLayer } from "./http.js"
import { printable, safeJson } from "./printable.js"

export { CliError, connectionOptions, describeFailure } from "./common.js"

/** `--region`, `--endpoint-url` and `--output`, as the AWS CLI spells them, and the connection options. */
export const globalOptions = {
  region: Options.text("region").pipe(
    Options.withDescription("The region of the IAM Identity Center instance (default: AWS_REGION / AWS_DEFAULT_REGION)"),
    Options.optional
  ),
  endpointUrl: Options.text("endpoint-url").pipe(
    Options.withDescription("Override the service URL (default: AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL)"),
    Options.optional
  ),
  output: Options.choice("output", ["json", "text"]).pipe(
    Options.withDescription("Output format"),
    Options.withDefault("json" as const)
  ),
  allowInsecureEndpoint: Options.boolean("allow-insecure-endpoint").pipe(
    Options.withDescription("Allow an http:// --endpoint-url that is not on this machine (tokens then cross the network in clear)")
  ),
  cliReadTimeout: Options.integer("cli-read-timeout").pipe(
    Options.withDescription("Seconds one request may take before it is retried or fails (default 30; 0: no limit)"),
    Options.mapEffect((seconds) =>
      seconds >= 0 ? Effect.succeed(seconds) : Effect.fail(usageError("--cli-read-timeout must be 0 or more seconds"))
    ),
    Options.optional
  )
}

export type OutputFormat = "json" | "text"

/** A usage error raised after parsing (conflicting flags, a bad value): reported like @effect/cli's own, exit 2. */
export const usageError = (message: string): ValidationError.ValidationError =>
  ValidationError.invalidValue(HelpDoc.p(message))

/** The client, configured from the flags first and the environment second. */
export const clientLayer = (flags: {
  readonly region: Option.Option<string>
  readonly endpointUrl: Option.Option<string>
  readonly allowInsecureEndpoint: boolean
  readonly cliReadTimeout: Option.Option<number>
}) =>
  SsoOidcClient.layerConfig({
    region: Option.getOrUndefined(flags.region),
    endpoint: Option.getOrUndefined(flags.endpointUrl),
    ...connectionOptions(flags)
  }).pipe(Layer.provide(httpClientLayer()))

/**
 * Prints an operation's reply as the AWS CLI does: JSON with camelCase keys
 * indented by 4, or text: the values of the sorted keys, tab-separated.
 * Control characters from the service are escaped either way.
 */
export const printReply = (reply: Record<string, unknown>, output: OutputFormat) =>
  Effect.sync(() => void process.stdout.write((output === "json" ? safeJson(reply, 4) : textLine(reply)) + "\n"))

const textLine = (reply: Record<string, unknown>): string =>
  Object.keys(reply)
    .sort()
    .map((key) => {
      const value = reply[key]
      if (Array.isArray(value)) return value.map((item) => printable(String(item))).join("\t")
      if (typeof value === "object" && value !== null) return Object.values(value).map((item) => printable(String(item))).join("\t")
      return printable(String(value))
    })
    .join("\t")

/** Splits `--scopes a b c` and `--scopes a,b` style values into a flat list. */
export const splitList = (values: ReadonlyArray<string>): Array<string> =>
  values.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== "")

/**
 * A name as the AWS CLI spells it on the command line: `clientName` →
 * `client-name`, `CreateTokenWithIAM` → `create-token-with-iam`.
 */
export const flagName = (name: string): string =>
  name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2").toLowerCase()

/** Flags that take a list of values, AWS CLI style (`--scopes a b c`): the operations' list members, and login's `--scopes`. */
export const listFlags = new Set([
  ...Operations.ssoOidcOperations.flatMap((operation) =>
    Operations.inputMembers(operation).filter((member) => member.kind === "strings").map((member) =>
      `--${flagName(member.name)}`
    )
  ),
  "--scopes"
])

/**
 * Rewrites `--scopes a b c` to `--scopes a --scopes b --scopes c`, the form
 * `@effect/cli` parses, so the AWS CLI's list syntax works unchanged.
 */
export const expandListFlags = (argv: ReadonlyArray<string>): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    out.push(arg)
    if (!listFlags.has(arg)) continue
    let first = true
    while (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) {
      if (!first) out.push(arg)
      out.push(argv[++i]!)
      first = false
    }
  }
  return out
}

/** A list flag, AWS CLI style; optional, as its usage shows (`[--scopes text...]`). */
export const listOption = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.repeated,
    Options.withDefault([] as Array<string>),
    Options.map(splitList)
  )

/** Turns a Redacted-bearing reply back into the plain object the AWS CLI would print. */
export const encodeReply = <A, I>(operation: SsoOidcError.OperationName, schema: Schema.Schema<A, I>, reply: A) =>
  Schema.encode(schema)(reply).pipe(
    Effect.map((encoded) => encoded as Record<string, unknown>),
    Effect.mapError(() =>
      new SsoOidcError.ResponseDecodeError({ operation, status: 200, description: "the reply cannot be printed" })
    )
  )

/** `--output` of the commands that show a login: a display (text) or JSON lines. */
export const displayOutput = Options.choice("output", ["text", "json"]).pipe(
  Options.withDescription("text: a live display on a terminal, plain lines otherwise; json: one JSON object per event"),
  Options.withDefault("text" as const)
)
