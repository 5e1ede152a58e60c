/**
 * Pieces every `sso-oidc` command shares: the global AWS CLI options, the
 * client layer they configure, output formatting and error reporting.
 *
 * @internal
 */
import { Options } from "@effect/cli"
import { FetchHttpClient } from "@effect/platform"
import { Console, Effect, Layer, Option, Schema } from "effect"
import * as Operations from "../internal/operations.js"
import * as SsoOidcClient from "../SsoOidcClient.js"
import * as SsoOidcError from "../SsoOidcError.js"

/** `--region`, `--endpoint-url` and `--output`, as the AWS CLI spells them. */
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
  )
}

export type OutputFormat = "json" | "text"

/** The client, configured from the flags first and the environment second. */
export const clientLayer = (flags: { readonly region: Option.Option<string>; readonly endpointUrl: Option.Option<string> }) =>
  SsoOidcClient.layerConfig({
    region: Option.getOrUndefined(flags.region),
    endpoint: Option.getOrUndefined(flags.endpointUrl)
  }).pipe(Layer.provide(FetchHttpClient.layer))

/**
 * Prints an operation's reply as the AWS CLI does: JSON with camelCase keys
 * indented by 4, or text: the values of the sorted keys, tab-separated.
 */
export const printReply = (reply: Record<string, unknown>, output: OutputFormat) =>
  Console.log(output === "json" ? JSON.stringify(reply, null, 4) : textLine(reply))

const textLine = (reply: Record<string, unknown>): string =>
  Object.keys(reply)
    .sort()
    .map((key) => {
      const value = reply[key]
      if (Array.isArray(value)) return value.join("\t")
      if (typeof value === "object" && value !== null) return Object.values(value).join("\t")
      return String(value)
    })
    .join("\t")

/** One line naming the typed error, for stderr. */
export const describeFailure = (error: unknown): string => {
  if (SsoOidcError.isSsoOidcError(error)) return `${error._tag}: ${error.message}`
  if (typeof error === "object" && error !== null && "_tag" in error) {
    const tagged = error as { readonly _tag: string; readonly message?: unknown }
    return typeof tagged.message === "string" && tagged.message !== ""
      ? `${tagged._tag}: ${tagged.message}`
      : tagged._tag
  }
  return String(error)
}

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
