/**
 * Request and response shapes of the four SSO OIDC operations, with every
 * member of the official Smithy model (API version 2019-06-10).
 *
 * Member names are the JSON keys on the wire. Members whose model shape is
 * `@sensitive` (and `deviceCode`, which can be exchanged for a token) are
 * `Redacted.Redacted<string>` on both sides: the plain value exists only in
 * the encoded request body and in the raw response body.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Grants from "./core/emulator/grants.js"
import { optionalOutput, zeroByDefault } from "./internal/schema.js"

// -----------------------------------------------------------------------------
// building blocks
// -----------------------------------------------------------------------------

/**
 * A secret string: `Redacted` in memory, a plain string on the wire.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SecretString = Schema.RedactedFromValue(Schema.String)

/** An input member that may be left out; `undefined` is the same as absent. */
const optionalInput = <S extends Schema.Top>(schema: S) => Schema.optional(schema)

const ScopeList = Schema.Array(Schema.String)

/** The longest lifetime or interval read: 10 years. A larger one is a bad server, not a token. */
const maxSeconds = 10 * 365 * 24 * 3600

/** The last second the cache's `YYYY-MM-DDTHH:MM:SSZ` can hold: 9999-12-31T23:59:59Z. */
const maxEpochSeconds = 253_402_300_799

/**
 * An integer from 0 to `max`. The model's `Integer` and `Long` members are
 * bounded so that every `Date` made from them is valid and fits the cache
 * file: a reply with `expiresIn: 1e12` or `1e308`, a negative or fractional
 * number is a decode error, never a crash or a corrupt cache file later.
 */
const boundedInteger = (max: number, title: string) =>
  Schema.Number.check(Schema.makeFilter((n) => Number.isInteger(n) && n >= 0 && n <= max, { title }))

/**
 * A duration in whole seconds, from 0 to 10 years (`expiresIn`, `interval`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const Seconds: Schema.Codec<number> = boundedInteger(
  maxSeconds,
  `seconds (an integer from 0 to ${maxSeconds}, 10 years)`
)

/**
 * The polling interval in seconds, from 0 to 10 years. Unlike the other
 * durations a fraction is read as sent (`2.5`): polling never goes below one
 * second whatever the service says (`DeviceLogin.minimumInterval`), so a
 * fraction cannot flood the service, and refusing it would fail a login that
 * can proceed.
 *
 * @since 0.2.0
 * @category schemas
 */
export const IntervalSeconds: Schema.Codec<number> = Schema.Number.check(
  Schema.makeFilter((n) => Number.isFinite(n) && n >= 0 && n <= maxSeconds, {
    title: `seconds (a number from 0 to ${maxSeconds}, 10 years)`
  })
)

/**
 * An instant in whole seconds since 1970, up to the end of the year 9999
 * (`clientIdIssuedAt`, `clientSecretExpiresAt`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const EpochSeconds: Schema.Codec<number> = boundedInteger(
  maxEpochSeconds,
  `epoch seconds (an integer from 0 to ${maxEpochSeconds}, the end of 9999)`
)

// -----------------------------------------------------------------------------
// grant and token type constants
// -----------------------------------------------------------------------------

/**
 * The OAuth grant types the service documents. `grantType` stays a plain
 * string in the schemas, as in the model, so a new grant type is not rejected.
 *
 * @since 0.1.0
 * @category constants
 */
export const GrantType: typeof Grants.GrantType = Grants.GrantType

/**
 * The token type URIs of the token exchange grant.
 *
 * @since 0.1.0
 * @category constants
 */
export const TokenTypeUri: typeof Grants.TokenTypeUri = Grants.TokenTypeUri

// -----------------------------------------------------------------------------
// RegisterClient
// -----------------------------------------------------------------------------

/**
 * Input of RegisterClient (`POST /client/register`, unsigned).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterClientRequest = Schema.Struct({
  /** The friendly name of the client. */
  clientName: Schema.String,
  /**
   * The type of client. The service supports only `public` as a client type.
   * Anything other than public will be rejected by the service.
   */
  clientType: Schema.String,
  /**
   * The list of scopes that are defined by the client. Upon authorization,
   * this list is used to restrict permissions when granting an access token.
   */
  scopes: optionalInput(ScopeList),
  /**
   * The list of redirect URI that are defined by the client. At completion of
   * authorization, this list is used to restrict what locations the user agent
   * can be redirected back to.
   */
  redirectUris: optionalInput(Schema.Array(Schema.String)),
  /**
   * The list of OAuth 2.0 grant types that are defined by the client. This list
   * is used to restrict the token granting flows available to the client:
   * `authorization_code`, `urn:ietf:params:oauth:grant-type:device_code`,
   * `refresh_token`.
   */
  grantTypes: optionalInput(Schema.Array(Schema.String)),
  /**
   * The IAM Identity Center Issuer URL associated with an instance of IAM
   * Identity Center. This value is needed for user access to resources through
   * the client.
   */
  issuerUrl: optionalInput(Schema.String),
  /**
   * This IAM Identity Center application ARN is used to define
   * administrator-managed configuration for public client access to resources.
   * At authorization, the scopes, grants, and redirect URI available to this
   * client will be restricted by this application resource.
   */
  entitledApplicationArn: optionalInput(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface RegisterClientRequest extends Schema.Schema.Type<typeof RegisterClientRequest> {}

/**
 * Output of RegisterClient.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterClientResponse = Schema.Struct({
  /**
   * The unique identifier string for each client. This client uses this
   * identifier to get authenticated by the service in subsequent calls.
   */
  clientId: optionalOutput(Schema.String),
  /**
   * A secret string generated for the client. The client will use this string
   * to get authenticated by the service in subsequent calls.
   */
  clientSecret: optionalOutput(SecretString),
  /** Indicates the time at which the clientId and clientSecret were issued (epoch seconds; 0 when absent). */
  clientIdIssuedAt: zeroByDefault(EpochSeconds),
  /** Indicates the time at which the clientId and clientSecret will become invalid (epoch seconds; 0 when absent). */
  clientSecretExpiresAt: zeroByDefault(EpochSeconds),
  /** An endpoint that the client can use to request authorization. */
  authorizationEndpoint: optionalOutput(Schema.String),
  /** An endpoint that the client can use to create tokens. */
  tokenEndpoint: optionalOutput(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface RegisterClientResponse extends Schema.Schema.Type<typeof RegisterClientResponse> {}

// -----------------------------------------------------------------------------
// StartDeviceAuthorization
// -----------------------------------------------------------------------------

/**
 * Input of StartDeviceAuthorization (`POST /device_authorization`, unsigned).
 *
 * @since 0.1.0
 * @category schemas
 */
export const StartDeviceAuthorizationRequest = Schema.Struct({
  /**
   * The unique identifier string for the client that is registered with IAM
   * Identity Center. This value should come from the persisted result of the
   * RegisterClient API operation.
   */
  clientId: Schema.String,
  /**
   * A secret string that is generated for the client. This value should come
   * from the persisted result of the RegisterClient API operation.
   */
  clientSecret: SecretString,
  /** The URL for the Amazon Web Services access portal. */
  startUrl: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export interface StartDeviceAuthorizationRequest extends Schema.Schema.Type<typeof StartDeviceAuthorizationRequest> {}

/**
 * Output of StartDeviceAuthorization.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StartDeviceAuthorizationResponse = Schema.Struct({
  /**
   * The short-lived code that is used by the device when polling for a session
   * token. Not `@sensitive` in the model, but it can be exchanged for a token,
   * so it is kept `Redacted` here.
   */
  deviceCode: optionalOutput(SecretString),
  /** A one-time user verification code. This is needed to authorize an in-use device. */
  userCode: optionalOutput(Schema.String),
  /** The URI of the verification page that takes the userCode to authorize the device. */
  verificationUri: optionalOutput(Schema.String),
  /**
   * An alternate URL that the client can use to automatically launch a
   * browser. This process skips the manual step in which the user visits the
   * verification page and enters their code.
   */
  verificationUriComplete: optionalOutput(Schema.String),
  /** Indicates the number of seconds in which the verification code will become invalid (0 when absent). */
  expiresIn: zeroByDefault(Seconds),
  /**
   * Indicates the number of seconds the client must wait between attempts when
   * polling for a session (0 when absent; RFC 8628 then says 5).
   */
  interval: zeroByDefault(IntervalSeconds)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface StartDeviceAuthorizationResponse extends Schema.Schema.Type<typeof StartDeviceAuthorizationResponse> {}

// -----------------------------------------------------------------------------
// CreateToken
// -----------------------------------------------------------------------------

/**
 * Input of CreateToken (`POST /token`, unsigned).
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateTokenRequest = Schema.Struct({
  /**
   * The unique identifier string for the client or application. This value
   * comes from the result of the RegisterClient API.
   */
  clientId: Schema.String,
  /**
   * A secret string generated for the client. This value should come from the
   * persisted result of the RegisterClient API.
   */
  clientSecret: SecretString,
  /**
   * The grant type: `authorization_code`,
   * `urn:ietf:params:oauth:grant-type:device_code` or `refresh_token`
   * (see {@link GrantType}).
   */
  grantType: Schema.String,
  /**
   * Used only for the Device Code grant type. This short-lived code is used to
   * identify this authorization request. This comes from the result of the
   * StartDeviceAuthorization API.
   */
  deviceCode: optionalInput(SecretString),
  /**
   * Used only for the Authorization Code grant type. The short-lived code is
   * used to identify this authorization request.
   */
  code: optionalInput(Schema.String),
  /**
   * Used only for the Refresh Token grant type. This token is used to refresh
   * short-lived tokens, such as the access token, that might expire.
   */
  refreshToken: optionalInput(SecretString),
  /**
   * The list of scopes for which authorization is requested. This parameter
   * has no effect; the access token will always include all scopes configured
   * during client registration.
   */
  scope: optionalInput(ScopeList),
  /**
   * Used only for the Authorization Code grant type. This value specifies the
   * location of the client or application that has registered to receive the
   * authorization code.
   */
  redirectUri: optionalInput(Schema.String),
  /**
   * Used only for the Authorization Code grant type. This value is generated
   * by the client and presented to validate the original code challenge value
   * the client passed at authorization time.
   */
  codeVerifier: optionalInput(SecretString)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateTokenRequest extends Schema.Schema.Type<typeof CreateTokenRequest> {}

/**
 * Output of CreateToken.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateTokenResponse = Schema.Struct({
  /** A bearer token to access Amazon Web Services accounts and applications assigned to a user. */
  accessToken: optionalOutput(SecretString),
  /** Used to notify the client that the returned token is an access token. The supported token type is `Bearer`. */
  tokenType: optionalOutput(Schema.String),
  /** Indicates the time in seconds when an access token will expire (0 when absent). */
  expiresIn: zeroByDefault(Seconds),
  /**
   * A token that, if present, can be used to refresh a previously issued
   * access token that might have expired.
   */
  refreshToken: optionalOutput(SecretString),
  /**
   * The idToken is not implemented or supported. A JSON Web Token (JWT) that
   * identifies who is associated with the issued access token.
   */
  idToken: optionalOutput(SecretString)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateTokenResponse extends Schema.Schema.Type<typeof CreateTokenResponse> {}

// -----------------------------------------------------------------------------
// CreateTokenWithIAM
// -----------------------------------------------------------------------------

/**
 * Input of CreateTokenWithIAM (`POST /token?aws_iam=t`, SigV4-signed with the
 * signing name `sso-oauth`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateTokenWithIamRequest = Schema.Struct({
  /**
   * The unique identifier string for the client or application. This value is
   * an application ARN that has OAuth grants configured.
   */
  clientId: Schema.String,
  /**
   * The grant type: `authorization_code`, `refresh_token`,
   * `urn:ietf:params:oauth:grant-type:jwt-bearer` or
   * `urn:ietf:params:oauth:grant-type:token-exchange` (see {@link GrantType}).
   */
  grantType: Schema.String,
  /**
   * Used only for the Authorization Code grant type. This short-lived code is
   * used to identify this authorization request. The code is obtained through
   * a redirect from IAM Identity Center to a redirect URI persisted in the
   * Authorization Code GrantOptions for the application.
   */
  code: optionalInput(Schema.String),
  /**
   * Used only for the Refresh Token grant type. This token is used to refresh
   * short-lived tokens, such as the access token, that might expire.
   */
  refreshToken: optionalInput(SecretString),
  /**
   * Used only for the JWT Bearer grant type. This value specifies the JSON Web
   * Token (JWT) issued by a trusted token issuer. To authorize a trusted token
   * issuer, configure the JWT Bearer GrantOptions for the application.
   */
  assertion: optionalInput(SecretString),
  /**
   * The list of scopes for which authorization is requested. The access token
   * that is issued is limited to the scopes that are granted. If the value is
   * not specified, IAM Identity Center authorizes all scopes configured for the
   * application, including the default scopes `openid`, `aws`,
   * `sts:identity_context`.
   */
  scope: optionalInput(ScopeList),
  /**
   * Used only for the Authorization Code grant type. This value specifies the
   * location of the client or application that has registered to receive the
   * authorization code.
   */
  redirectUri: optionalInput(Schema.String),
  /**
   * Used only for the Token Exchange grant type. This value specifies the
   * subject of the exchange: an access token issued by IAM Identity Center to a
   * different client or application, whose authorized scopes name the
   * requested application as a target audience.
   */
  subjectToken: optionalInput(SecretString),
  /**
   * Used only for the Token Exchange grant type: the type of token passed as
   * the subject. Supported: `urn:ietf:params:oauth:token-type:access_token`.
   */
  subjectTokenType: optionalInput(Schema.String),
  /**
   * Used only for the Token Exchange grant type: the type of token the
   * requester can receive. Supported: `urn:ietf:params:oauth:token-type:access_token`
   * and `urn:ietf:params:oauth:token-type:refresh_token`.
   */
  requestedTokenType: optionalInput(Schema.String),
  /**
   * Used only for the Authorization Code grant type. This value is generated
   * by the client and presented to validate the original code challenge value
   * the client passed at authorization time.
   */
  codeVerifier: optionalInput(SecretString)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateTokenWithIamRequest extends Schema.Schema.Type<typeof CreateTokenWithIamRequest> {}

/**
 * Information from IAM Identity Center managed user and group information.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AwsAdditionalDetails = Schema.Struct({
  /**
   * The trusted context assertion, signed and encrypted by STS. It provides
   * access to the `sts:identity_context` claim in the idToken without JWT
   * parsing.
   */
  identityContext: optionalOutput(Schema.String)
})

/**
 * Output of CreateTokenWithIAM.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateTokenWithIamResponse = Schema.Struct({
  /** A bearer token to access Amazon Web Services accounts and applications assigned to a user. */
  accessToken: optionalOutput(SecretString),
  /** Used to notify the requester that the returned token is an access token. The supported token type is `Bearer`. */
  tokenType: optionalOutput(Schema.String),
  /** Indicates the time in seconds when an access token will expire (0 when absent). */
  expiresIn: zeroByDefault(Seconds),
  /**
   * A token that, if present, can be used to refresh a previously issued
   * access token that might have expired.
   */
  refreshToken: optionalOutput(SecretString),
  /** A JSON Web Token (JWT) that identifies the user associated with the issued access token. */
  idToken: optionalOutput(SecretString),
  /**
   * Indicates the type of tokens that are issued by IAM Identity Center:
   * `urn:ietf:params:oauth:token-type:access_token` or
   * `urn:ietf:params:oauth:token-type:refresh_token`.
   */
  issuedTokenType: optionalOutput(Schema.String),
  /**
   * The list of scopes for which authorization is granted. The access token
   * that is issued is limited to the scopes that are granted.
   */
  scope: optionalOutput(ScopeList),
  /** A structure containing information from IAM Identity Center managed user and group information. */
  awsAdditionalDetails: optionalOutput(AwsAdditionalDetails)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateTokenWithIamResponse extends Schema.Schema.Type<typeof CreateTokenWithIamResponse> {}
