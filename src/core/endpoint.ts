/**
 * The SSO OIDC and SSO portal endpoint rule sets (`smithy.rules#endpointRuleSet`
 * 1.0), evaluated rule by rule and in the same order, and the checks the rule
 * set leaves to the client (region host label, custom endpoint URL). Each
 * edition's `Endpoint` module wraps the plain result in its `Either`/`Result`
 * and its `EndpointError`.
 *
 * `test/core/endpoint.test.ts` runs botocore's 40 endpoint test cases here.
 *
 * Effect-free: no import of `effect` (it is compiled into both editions).
 *
 * @internal
 */
import { partitionOf } from "./partitions.js"

/**
 * The parameters of the endpoint rule set (`Region`, `UseFIPS`,
 * `UseDualStack`, `Endpoint`), and `allowInsecureEndpoint`: the members of
 * each edition's `Endpoint.EndpointParameters`, which extends this.
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

/** The endpoint URL, or the rule set's error text (e.g. `Invalid Configuration: Missing Region`). */
export type Resolution =
  | { readonly _tag: "Ok"; readonly url: string }
  | { readonly _tag: "Err"; readonly message: string }

const ok = (url: string): Resolution => ({ _tag: "Ok", url })
const err = (message: string): Resolution => ({ _tag: "Err", message })

/** The host-name prefixes of one service's rule set. */
export interface ServiceHosts {
  readonly plain: string
  readonly fips: string
}

/** SSO OIDC: `oidc.` and `oidc-fips.`. */
export const oidcHosts: ServiceHosts = { plain: "oidc", fips: "oidc-fips" }

/**
 * The SSO portal: its rule set is the SSO OIDC one with other host names
 * (`portal.sso.` and `portal.sso-fips.`), so the same rules resolve it.
 */
export const portalHosts: ServiceHosts = { plain: "portal.sso", fips: "portal.sso-fips" }

/** Resolves the SSO OIDC endpoint. */
export const resolve = (params: EndpointParameters): Resolution => resolveService(oidcHosts, params)

/** Resolves the SSO portal endpoint. */
export const resolvePortal = (params: EndpointParameters): Resolution => resolveService(portalHosts, params)

/** Resolves the endpoint of the service whose host-name prefixes are `hosts`. */
export const resolveService = (hosts: ServiceHosts, params: EndpointParameters): Resolution => {
  const useFips = params.useFips ?? false
  const useDualStack = params.useDualStack ?? false
  const { endpoint, region } = params

  // Rule 1: `isSet(Endpoint)` — a custom endpoint.
  if (endpoint !== undefined) {
    // 1.1: a custom endpoint cannot be combined with FIPS.
    if (useFips) return err("Invalid Configuration: FIPS and custom endpoint are not supported")
    // 1.2: nor with dual-stack.
    if (useDualStack) return err("Invalid Configuration: Dualstack and custom endpoint are not supported")
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
      return err(`Invalid Configuration: the region "${region}" is not a valid host label`)
    }
    const partition = partitionOf(region)

    // 2.1: FIPS and dual-stack.
    if (useFips && useDualStack) {
      return partition.supportsFIPS && partition.supportsDualStack
        ? ok(`https://${hosts.fips}.${region}.${partition.dualStackDnsSuffix}`)
        : err("FIPS and DualStack are enabled, but this partition does not support one or both")
    }

    // 2.2: FIPS only.
    if (useFips) {
      if (!partition.supportsFIPS) return err("FIPS is enabled but this partition does not support FIPS")
      // 2.2.1: GovCloud special case — FIPS requests go to the plain `oidc.`
      // host, not `oidc-fips.` (the suffix is the literal `amazonaws.com` in
      // the rule set, not `PartitionResult#dnsSuffix`).
      if (partition.name === "aws-us-gov") return ok(`https://${hosts.plain}.${region}.amazonaws.com`)
      // 2.2.2: every other partition.
      return ok(`https://${hosts.fips}.${region}.${partition.dnsSuffix}`)
    }

    // 2.3: dual-stack only.
    if (useDualStack) {
      return partition.supportsDualStack
        ? ok(`https://${hosts.plain}.${region}.${partition.dualStackDnsSuffix}`)
        : err("DualStack is enabled but this partition does not support DualStack")
    }

    // 2.4: the plain regional endpoint.
    return ok(`https://${hosts.plain}.${region}.${partition.dnsSuffix}`)
  }

  // Rule 3: neither a custom endpoint nor a region.
  return err("Invalid Configuration: Missing Region")
}

/** RFC 1123 host label: letters, digits and inner hyphens, 1 to 63 characters. */
const isHostLabel = (value: string): boolean => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(value)

/**
 * The checks of a custom endpoint the rule set leaves to the client. Error
 * messages never repeat the URL's user name or password, nor its path.
 */
const checkCustomEndpoint = (endpoint: string, allowInsecure: boolean): Resolution => {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return err("Invalid Configuration: endpoint is not a valid URL")
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return err("Invalid Configuration: endpoint must be an http(s) URL")
  }
  // fetch refuses such a URL with an error quoting it whole; other clients would send the
  // credentials to the server; spans and logs would show them. None of it is wanted.
  if (url.username !== "" || url.password !== "") {
    return err("Invalid Configuration: endpoint must not contain a user name or password")
  }
  if (url.protocol === "http:" && !allowInsecure && !isLoopback(url.hostname)) {
    return err(
      `Invalid Configuration: endpoint ${url.origin} is plain http, which only a loopback address ` +
        "(127.0.0.0/8, ::1, localhost) may use; use https, or set allowInsecureEndpoint"
    )
  }
  return ok(endpoint)
}

/**
 * Whether a URL's host name (as `URL` normalizes it) is a loopback address:
 * 127.0.0.0/8, `::1` (also IPv4-mapped, `::ffff:127.x.y.z`) or `localhost`.
 */
export const isLoopback = (hostname: string): boolean => {
  if (hostname === "localhost" || hostname === "[::1]") return true
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)) return true
  // `URL` writes ::ffff:127.0.0.1 as [::ffff:7f00:1]
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname)
}

/**
 * The endpoint settings of `options`, with the configured ones (environment)
 * filled in where `options` leaves them out: options win, key by key.
 */
export const withConfigured = <O extends EndpointParameters>(options: O, fromConfig: EndpointParameters): O => {
  const merged: O = { ...options }
  for (const key of ["region", "endpoint", "useFips", "useDualStack"] as const) {
    if (merged[key] === undefined && fromConfig[key] !== undefined) Object.assign(merged, { [key]: fromConfig[key] })
  }
  return merged
}
