/**
 * Pieces of the commands that need no @effect/cli: the CLI's own error,
 * the connection flags as client options, and the one-line failure
 * report. The launcher's fast `login` and `credentials` (src/bin/quick.ts)
 * use them without loading the parser.
 *
 * @internal
 */
import { ConfigError, Duration, Option, Schema } from "effect"
import * as Endpoint from "../Endpoint.js"
import { CaBundleError } from "../node/NodeSso.js"
import type * as SsoOidcClient from "../SsoOidcClient.js"
import * as SsoOidcError from "../SsoOidcError.js"
import { lastRequest } from "./http.js"
import { printable } from "./printable.js"

/** A failure of the CLI's own, whose message is the whole line (an unusable config value, a busy port). */
export class CliError extends Schema.TaggedError<CliError>()("CliError", { message: Schema.String }) {}

/** The client options the connection flags set: the http:// endpoint opt-in and the per-attempt timeout. */
export const connectionOptions = (flags: {
  readonly allowInsecureEndpoint: boolean
  readonly cliReadTimeout: Option.Option<number>
}): Pick<SsoOidcClient.Options, "timeout" | "allowInsecureEndpoint"> => ({
  ...(flags.allowInsecureEndpoint ? { allowInsecureEndpoint: true } : {}),
  ...Option.match(flags.cliReadTimeout, {
    onNone: () => ({}),
    onSome: (seconds) => ({ timeout: seconds === 0 ? Duration.infinity : Duration.seconds(seconds) })
  })
})

/** What to check when a TLS handshake fails: the usual cause is a proxy that inspects TLS. */
const tlsHint = (description: string) =>
  /certificate|self[- ]signed|CERT_|UNABLE_TO_VERIFY/i.test(description)
    ? "; if a proxy inspects TLS, set AWS_CA_BUNDLE (or ca_bundle in the profile) to its CA's PEM file"
    : ""

const describeRaw = (error: unknown): string => {
  if (error instanceof CliError) return error.message
  if (SsoOidcError.isSsoOidcError(error)) {
    const line = `${error._tag}: ${error.message}`
    if (error._tag !== "TransportError") return line
    const request = lastRequest()
    return `${line}${request === undefined ? "" : ` (${request})`}${tlsHint(error.description)}`
  }
  if (error instanceof Endpoint.EndpointError) {
    const hint = /region/i.test(error.message)
      ? "give --region, or set AWS_REGION"
      : "check --endpoint-url, AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL"
    return `${error._tag}: ${error.message} (${hint})`
  }
  if (error instanceof CaBundleError) return `${error._tag}: ${error.message} (named by AWS_CA_BUNDLE or ca_bundle)`
  if (ConfigError.isConfigError(error)) return `Invalid configuration: ${String(error)}`
  if (typeof error === "object" && error !== null && "_tag" in error) {
    const tagged = error as { readonly _tag: string; readonly message?: unknown }
    return typeof tagged.message === "string" && tagged.message !== ""
      ? `${tagged._tag}: ${tagged.message}`
      : tagged._tag
  }
  if (error instanceof Error) return error.message
  return String(error)
}

/** One line naming the typed error, for stderr; what the service said is escaped, so it cannot drive the terminal. */
export const describeFailure = (error: unknown): string => printable(describeRaw(error))
