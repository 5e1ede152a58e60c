/** @since 0.1.0 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Core from "./core/endpoint.js"
import { TaggedError } from "./internal/taggedError.js"

/**
 * The endpoint configuration cannot be resolved. `message` is the error text
 * of the SSO OIDC endpoint rule set, verbatim (for example
 * `Invalid Configuration: Missing Region`).
 *
 * @since 0.1.0
 * @category errors
 */
export class EndpointError extends TaggedError<EndpointError>("effect-sso-oidc/EndpointError")(
  "EndpointError",
  { message: Schema.String }
) {}

/**
 * The parameters of the SSO OIDC endpoint rule set (`Region`, `UseFIPS`,
 * `UseDualStack`, `Endpoint`). `useFips` and `useDualStack` default to
 * `false`; `endpoint` is a custom endpoint URL that replaces the resolved one.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndpointParameters extends Core.EndpointParameters {}

/** The core's plain result as a `Result`, its error text in an `EndpointError`. */
const toResult = (resolution: Core.Resolution): Result.Result<string, EndpointError> =>
  resolution._tag === "Ok"
    ? Result.succeed(resolution.url)
    : Result.fail(new EndpointError({ message: resolution.message }))

/**
 * Resolves the SSO OIDC service endpoint URL as the service's Smithy endpoint
 * rule set (`smithy.rules#endpointRuleSet` 1.0) does, rule by rule and in the
 * same order. Beyond the rule set, a region must be a host label, and a custom
 * endpoint must be an absolute http(s) URL without a user name or password,
 * over https unless it is a loopback address or `allowInsecureEndpoint` is set.
 *
 * @example
 * ```ts
 * import * as Endpoint from "effect-sso-oidc/Endpoint"
 *
 * Endpoint.resolve({ region: "eu-west-1" })
 * // Result.succeed("https://oidc.eu-west-1.amazonaws.com")
 * Endpoint.resolve({ region: "us-gov-west-1", useFips: true })
 * // Result.succeed("https://oidc.us-gov-west-1.amazonaws.com")
 * ```
 *
 * @since 0.1.0
 * @category resolution
 */
export const resolve = (params: EndpointParameters): Result.Result<string, EndpointError> =>
  toResult(Core.resolve(params))

/**
 * Resolves the SSO portal endpoint URL (`portal.sso`: GetRoleCredentials,
 * ListAccounts, ListAccountRoles, Logout). The portal's rule set is the SSO
 * OIDC one with other host names (`portal.sso.` and `portal.sso-fips.` for
 * `oidc.` and `oidc-fips.`), so it is resolved by the same rules.
 *
 * @example
 * ```ts
 * import * as Endpoint from "effect-sso-oidc/Endpoint"
 *
 * Endpoint.resolvePortal({ region: "eu-west-1" })
 * // Result.succeed("https://portal.sso.eu-west-1.amazonaws.com")
 * ```
 *
 * @since 0.2.0
 * @category resolution
 */
export const resolvePortal = (params: EndpointParameters): Result.Result<string, EndpointError> =>
  toResult(Core.resolvePortal(params))
