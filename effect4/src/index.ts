/**
 * `effect-sso-oidc`: the client, the logins, the token cache and provider.
 * Platform-neutral: it runs wherever `fetch` runs. Node's file system and
 * loopback listener come from `effect-sso-oidc/node`; the emulator and test
 * helpers from `effect-sso-oidc/testing`.
 *
 * This is the Effect 4 edition (peer `effect` ^4.1): the modules and names of
 * the Effect 3 edition, but the few its README lists as renamed.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Endpoint from "./Endpoint.js"

/**
 * @since 0.1.0
 */
export * as SsoOidcClient from "./SsoOidcClient.js"

/**
 * @since 0.1.0
 */
export * as SsoOidcError from "./SsoOidcError.js"

/**
 * @since 0.1.0
 */
export * as SsoOidcSchema from "./SsoOidcSchema.js"

/**
 * The shared models: `Registration`, `Token` and `AccessToken` (every time
 * a `Date`), and their conversions to and from cache entries.
 *
 * @since 0.2.0
 */
export * as SsoToken from "./SsoToken.js"

/**
 * @since 0.1.0
 */
export * as DeviceLogin from "./DeviceLogin.js"

/**
 * @since 0.1.0
 */
export * as AwsCredentials from "./AwsCredentials.js"

/**
 * @since 0.1.0
 */
export * as AuthorizationCodeLogin from "./AuthorizationCodeLogin.js"

/**
 * @since 0.1.0
 */
export * as SsoConfig from "./SsoConfig.js"

/**
 * @since 0.1.0
 */
export * as TokenCache from "./TokenCache.js"

/**
 * @since 0.1.0
 */
export * as SsoTokenProvider from "./SsoTokenProvider.js"

/**
 * @since 0.2.0
 */
export * as SsoPortalClient from "./SsoPortalClient.js"

/**
 * @since 0.2.0
 */
export * as SsoPortalError from "./SsoPortalError.js"

/**
 * @since 0.2.0
 */
export * as SsoPortalSchema from "./SsoPortalSchema.js"

/**
 * @since 0.2.0
 */
export * as SsoCredentials from "./SsoCredentials.js"
