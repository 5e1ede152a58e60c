/** @since 0.1.0 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { partitionOf } from "./core/partitions.js"

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
export interface EndpointParameters {
  readonly region?: string | undefined
  readonly useFips?: boolean | undefined
  readonly useDualStack?: boolean | undefined
  readonly endpoint?: string | undefined
  /**
   * Accept a custom `endpoint` over plain `http://` to a host that is not a
   * loopback address. Requests carry client secrets, device codes and refresh
   * tokens, so by default only `https://` is accepted, and plain `http://`
   * only to 127.0.0.0/8, `::1` or `localhost` (a local emulator). Default `false`.
   *
   * @since 0.2.0
   */
  readonly allowInsecureEndpoint?: boolean | undefined
}

const fail = (message: string): Either.Either<string, EndpointError> => Either.left(new EndpointError({ message }))

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
  resolveService(oidcHosts, params)

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
  resolveService(portalHosts, params)

/** The host-name prefixes of one service's rule set. */
interface ServiceHosts {
  readonly plain: string
  readonly fips: string
}

const oidcHosts: ServiceHosts = { plain: "oidc", fips: "oidc-fips" }
const portalHosts: ServiceHosts = { plain: "portal.sso", fips: "portal.sso-fips" }

const resolveService = (hosts: ServiceHosts, params: EndpointParameters): Either.Either<string, EndpointError> => {
  const useFips = params.useFips ?? false
  const useDualStack = params.useDualStack ?? false
  const { endpoint, region } = params

  // Rule 1: `isSet(Endpoint)` — a custom endpoint.
  if (endpoint !== undefined) {
    // 1.1: a custom endpoint cannot be combined with FIPS.
    if (useFips) return fail("Invalid Configuration: FIPS and custom endpoint are not supported")
    // 1.2: nor with dual-stack.
    if (useDualStack) return fail("Invalid Configuration: Dualstack and custom endpoint are not supported")
    // 1.3: the custom endpoint, unchanged (the region is not needed) — once it
    // passes the checks the rule set leaves to the client (see `checkCustomEndpoint`).
    return checkCustomEndpoint(endpoint, params.allowInsecureEndpoint ?? false)
  }

  // Rule 2: `isSet(Region)`, then `PartitionResult = aws.partition(Region)`
  // (which always succeeds: unknown regions fall back to the `aws` partition).
  if (region !== undefined) {
    // Not in the rule set, but what every AWS SDK checks before it: the region
    // becomes part of a host name, so anything but a host label (`a@b/`, `x#`)
    // could send the request, and its secrets, to another host.
    if (!isHostLabel(region)) {
      return fail(`Invalid Configuration: the region "${region}" is not a valid host label`)
    }
    const partition = partitionOf(region)

    // 2.1: FIPS and dual-stack.
    if (useFips && useDualStack) {
      return partition.supportsFIPS && partition.supportsDualStack
        ? Either.right(`https://${hosts.fips}.${region}.${partition.dualStackDnsSuffix}`)
        : fail("FIPS and DualStack are enabled, but this partition does not support one or both")
    }

    // 2.2: FIPS only.
    if (useFips) {
      if (!partition.supportsFIPS) return fail("FIPS is enabled but this partition does not support FIPS")
      // 2.2.1: GovCloud special case — FIPS requests go to the plain `oidc.`
      // host, not `oidc-fips.` (the suffix is the literal `amazonaws.com` in
      // the rule set, not `PartitionResult#dnsSuffix`).
      if (partition.name === "aws-us-gov") return Either.right(`https://${hosts.plain}.${region}.amazonaws.com`)
      // 2.2.2: every other partition.
      return Either.right(`https://${hosts.fips}.${region}.${partition.dnsSuffix}`)
    }

    // 2.3: dual-stack only.
    if (useDualStack) {
      return partition.supportsDualStack
        ? Either.right(`https://${hosts.plain}.${region}.${partition.dualStackDnsSuffix}`)
        : fail("DualStack is enabled but this partition does not support DualStack")
    }

    // 2.4: the plain regional endpoint.
    return Either.right(`https://${hosts.plain}.${region}.${partition.dnsSuffix}`)
  }

  // Rule 3: neither a custom endpoint nor a region.
  return fail("Invalid Configuration: Missing Region")
}

/** RFC 1123 host label: letters, digits and inner hyphens, 1 to 63 characters. */
const isHostLabel = (value: string): boolean => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(value)

/**
 * The checks of a custom endpoint the rule set leaves to the client. Error
 * messages never repeat the URL's user name or password, nor its path.
 */
const checkCustomEndpoint = (endpoint: string, allowInsecure: boolean): Either.Either<string, EndpointError> => {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return fail("Invalid Configuration: endpoint is not a valid URL")
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return fail("Invalid Configuration: endpoint must be an http(s) URL")
  }
  // fetch refuses such a URL with an error quoting it whole; other clients would send the
  // credentials to the server; spans and logs would show them. None of it is wanted.
  if (url.username !== "" || url.password !== "") {
    return fail("Invalid Configuration: endpoint must not contain a user name or password")
  }
  if (url.protocol === "http:" && !allowInsecure && !isLoopback(url.hostname)) {
    return fail(
      `Invalid Configuration: endpoint ${url.origin} is plain http, which only a loopback address ` +
        "(127.0.0.0/8, ::1, localhost) may use; use https, or set allowInsecureEndpoint"
    )
  }
  return Either.right(endpoint)
}

/**
 * Whether a URL's host name (as `URL` normalizes it) is a loopback address:
 * 127.0.0.0/8, `::1` (also IPv4-mapped, `::ffff:127.x.y.z`) or `localhost`.
 */
const isLoopback = (hostname: string): boolean => {
  if (hostname === "localhost" || hostname === "[::1]") return true
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)) return true
  // `URL` writes ::ffff:127.0.0.1 as [::ffff:7f00:1]
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname)
}
