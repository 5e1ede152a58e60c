/** @since 0.1.0 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Core from "./core/endpoint.js"

/**
 * The endpoint configuration cannot be resolved. `message` is the error text
 * of the SSO OIDC endpoint rule set, verbatim (for example
 * `Invalid Configuration: Missing Region`).
 *
 * @since 0.1.0
 * @category errors
 */
export class EndpointError extends Schema.TaggedError<EndpointError>("effect-sso-oidc/EndpointError")(
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

/** The core's plain result as an `Either`, its error text in an `EndpointError`. */
const toEither = (resolution: Core.Resolution): Either.Either<string, EndpointError> =>
  resolution._tag === "Ok" ? Either.right(resolution.url) : Either.left(new EndpointError({ message: resolution.message }))

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
 * // Either.right("https://oidc.eu-west-1.amazonaws.com")
 * Endpoint.resolve({ region: "us-gov-west-1", useFips: true })
 * // Either.right("https://oidc.us-gov-west-1.amazonaws.com")
 * ```
 *
 * @since 0.1.0
 * @category resolution
 */
export const resolve = (params: EndpointParameters): Either.Either<string, EndpointError> =>
  toEither(Core.resolve(params))

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
 * // Either.right("https://portal.sso.eu-west-1.amazonaws.com")
 * ```
 *
 * @since 0.2.0
 * @category resolution
 */
export const resolvePortal = (params: EndpointParameters): Either.Either<string, EndpointError> =>
  toEither(Core.resolvePortal(params))
