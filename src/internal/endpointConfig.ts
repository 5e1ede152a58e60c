/**
 * The endpoint settings the AWS CLI and SDKs read from the environment, for
 * either service: `AWS_REGION` (else `AWS_DEFAULT_REGION`), the service's own
 * endpoint variable (else `AWS_ENDPOINT_URL`; both ignored when
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true), `AWS_USE_FIPS_ENDPOINT` and
 * `AWS_USE_DUALSTACK_ENDPOINT`, all through Effect `Config`.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Endpoint from "../Endpoint.js"

const optionalString = (name: string) =>
  Config.string(name).pipe(
    Config.option,
    Config.map(Option.filter((value) => value.trim() !== ""))
  )

/** A boolean as the AWS CLI reads it: `true` / `false` in any case; empty or blank reads as unset. */
const optionalBoolean = (name: string) =>
  optionalString(name).pipe(
    Config.mapOrFail((option) => {
      if (Option.isNone(option)) return Either.right(Option.none<boolean>())
      const lower = option.value.trim().toLowerCase()
      return lower === "true" || lower === "false"
        ? Either.right(Option.some(lower === "true"))
        : Either.left(ConfigError.InvalidData([name], `Expected true or false, got "${option.value}"`))
    })
  )

/** The settings of a service whose endpoint variable is `serviceVariable` (e.g. `AWS_ENDPOINT_URL_SSO_OIDC`). */
export const endpointConfigFor = (serviceVariable: string): Config.Config<Endpoint.EndpointParameters> =>
  Config.all({
    region: optionalString("AWS_REGION"),
    defaultRegion: optionalString("AWS_DEFAULT_REGION"),
    serviceEndpoint: optionalString(serviceVariable),
    globalEndpoint: optionalString("AWS_ENDPOINT_URL"),
    ignoreEndpoints: optionalBoolean("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"),
    useFips: optionalBoolean("AWS_USE_FIPS_ENDPOINT"),
    useDualStack: optionalBoolean("AWS_USE_DUALSTACK_ENDPOINT")
  }).pipe(
    Config.map((env) => {
      const ignoreEndpoints = Option.getOrElse(env.ignoreEndpoints, () => false)
      const endpoint = ignoreEndpoints ? Option.none() : Option.orElse(env.serviceEndpoint, () => env.globalEndpoint)
      return {
        region: Option.getOrUndefined(Option.orElse(env.region, () => env.defaultRegion)),
        endpoint: Option.getOrUndefined(endpoint),
        useFips: Option.getOrElse(env.useFips, () => false),
        useDualStack: Option.getOrElse(env.useDualStack, () => false)
      }
    })
  )

/** `options` with the configured settings filled in where `options` leaves them out: options win. */
export { withConfigured } from "../core/endpoint.js"
