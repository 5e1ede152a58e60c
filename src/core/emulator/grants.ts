/**
 * The OAuth grant types and token type URIs: the values of both editions'
 * `SsoOidcSchema.GrantType` / `TokenTypeUri` (which are these objects), and
 * those the emulator serves. Written once here, so the core imports nothing
 * of an edition and the editions cannot drift apart.
 */

/**
 * The grant types of RegisterClient, CreateToken and CreateTokenWithIAM.
 * `grantType` stays a plain string in the schemas, as in the model, so a new
 * grant type is not rejected.
 */
export const GrantType = {
  /** RFC 8628 device code grant (the underscore form; the model's example misspells it). */
  DeviceCode: "urn:ietf:params:oauth:grant-type:device_code",
  /** Authorization code grant, with PKCE. */
  AuthorizationCode: "authorization_code",
  /** Refresh token grant. */
  RefreshToken: "refresh_token",
  /** JWT bearer grant (CreateTokenWithIAM only). */
  JwtBearer: "urn:ietf:params:oauth:grant-type:jwt-bearer",
  /** Token exchange grant (CreateTokenWithIAM only). */
  TokenExchange: "urn:ietf:params:oauth:grant-type:token-exchange"
} as const

/** The token type URIs of the token exchange grant (RFC 8693). */
export const TokenTypeUri = {
  AccessToken: "urn:ietf:params:oauth:token-type:access_token",
  RefreshToken: "urn:ietf:params:oauth:token-type:refresh_token"
} as const
