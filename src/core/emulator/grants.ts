/**
 * The OAuth grant types and token type URIs the emulator serves. The same
 * values as the editions' `SsoOidcSchema.GrantType` / `TokenTypeUri`, kept
 * here so that the core imports nothing of an edition
 * (each edition's `test/Emulator.test.ts` checks they agree).
 */

/** The grant types of RegisterClient, CreateToken and CreateTokenWithIAM. */
export const GrantType = {
  /** RFC 8628 device code grant. */
  DeviceCode: "urn:ietf:params:oauth:grant-type:device_code",
  AuthorizationCode: "authorization_code",
  RefreshToken: "refresh_token",
  /** CreateTokenWithIAM only. */
  JwtBearer: "urn:ietf:params:oauth:grant-type:jwt-bearer",
  /** CreateTokenWithIAM only. */
  TokenExchange: "urn:ietf:params:oauth:grant-type:token-exchange"
} as const

/** The token type URIs of the token exchange grant (RFC 8693). */
export const TokenTypeUri = {
  AccessToken: "urn:ietf:params:oauth:token-type:access_token",
  RefreshToken: "urn:ietf:params:oauth:token-type:refresh_token"
} as const
