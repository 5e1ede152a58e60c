/**
 * Typed errors of the SSO OIDC client: one `Schema.TaggedError` per service
 * error of the model (tags without the `Exception` suffix), a generic
 * `ServiceError` for names the model does not know, and the client-side
 * failures (`TransportError`, `ResponseDecodeError`, `UnexpectedRedirect`,
 * `InvalidInput`).
 *
 * No error ever carries a request or response body, so no secret can reach a
 * message, `toString`, a log line or a span through an error.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Text from "./core/errorText.js"
import * as CoreOperations from "./core/operations.js"
import type { EndpointError } from "./Endpoint.js"
import * as Operations from "./internal/operations.js"
import { TaggedErrorWithoutStack } from "./internal/taggedError.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-sso-oidc/SsoOidcError")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/** Fields every service error carries. */
const serviceErrorFields = {
  /** The OAuth error code sent by the service, e.g. `authorization_pending`. */
  error: Schema.optional(Schema.String),
  /** Human-readable text sent by the service. */
  error_description: Schema.optional(Schema.String),
  /** The HTTP status of the reply; absent when the client raised the error itself (a polling deadline). */
  status: Schema.optional(Schema.Number),
  /** The `x-amzn-RequestId` of the reply, for AWS support. */
  requestId: Schema.optional(Schema.String)
}

/**
 * You do not have sufficient access to perform this action (`access_denied`;
 * in the device flow: the user denied the request).
 *
 * @since 0.1.0
 * @category errors
 */
export class AccessDenied extends TaggedErrorWithoutStack<AccessDenied>("effect-sso-oidc/AccessDenied")(
  "AccessDenied",
  {
    ...serviceErrorFields,
    /** A string that uniquely identifies a reason for the error, e.g. `KMS_AccessDeniedException`. */
    reason: Schema.optional(Schema.String)
  }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * A request to authorize a client with an access user session token is
 * pending (`authorization_pending`): keep polling.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthorizationPending extends TaggedErrorWithoutStack<AuthorizationPending>(
  "effect-sso-oidc/AuthorizationPending"
)("AuthorizationPending", serviceErrorFields) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * The token issued by the service is expired and is no longer valid
 * (`expired_token`; in the device flow: the device code expired).
 *
 * @since 0.1.0
 * @category errors
 */
export class ExpiredToken extends TaggedErrorWithoutStack<ExpiredToken>("effect-sso-oidc/ExpiredToken")(
  "ExpiredToken",
  serviceErrorFields
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * An error from the service occurred while trying to process a request
 * (`server_error`, HTTP 500). Retried as transient.
 *
 * @since 0.1.0
 * @category errors
 */
export class InternalServer extends TaggedErrorWithoutStack<InternalServer>("effect-sso-oidc/InternalServer")(
  "InternalServer",
  serviceErrorFields
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * The clientId or clientSecret in the request is invalid, for example an
 * incorrect clientId or an expired clientSecret (`invalid_client`, HTTP 401).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidClient extends TaggedErrorWithoutStack<InvalidClient>("effect-sso-oidc/InvalidClient")(
  "InvalidClient",
  serviceErrorFields
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * The client information sent in the request during registration is invalid
 * (`invalid_client_metadata`).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidClientMetadata extends TaggedErrorWithoutStack<InvalidClientMetadata>(
  "effect-sso-oidc/InvalidClientMetadata"
)("InvalidClientMetadata", serviceErrorFields) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * The request contains an invalid grant, for example an unknown or reused
 * code or refresh token (`invalid_grant`).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidGrant extends TaggedErrorWithoutStack<InvalidGrant>("effect-sso-oidc/InvalidGrant")(
  "InvalidGrant",
  serviceErrorFields
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * One or more redirect URI in the request is not supported for this operation
 * (`invalid_redirect_uri`).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRedirectUri extends TaggedErrorWithoutStack<InvalidRedirectUri>(
  "effect-sso-oidc/InvalidRedirectUri"
)("InvalidRedirectUri", serviceErrorFields) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * Something is wrong with the input to the request, for example a required
 * parameter might be missing or out of range (`invalid_request`).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequest extends TaggedErrorWithoutStack<InvalidRequest>("effect-sso-oidc/InvalidRequest")(
  "InvalidRequest",
  {
    ...serviceErrorFields,
    /** A string that uniquely identifies a reason for the error, e.g. `KMS_NotFoundException`. */
    reason: Schema.optional(Schema.String)
  }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * A token provided as input to the request was issued by and is only usable
 * by calling IAM Identity Center endpoints in another region
 * (`invalid_request`; CreateTokenWithIAM only).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequestRegion extends TaggedErrorWithoutStack<InvalidRequestRegion>(
  "effect-sso-oidc/InvalidRequestRegion"
)("InvalidRequestRegion", {
  ...serviceErrorFields,
  /** The IAM Identity Center endpoint which the requester may call with this token. */
  endpoint: Schema.optional(Schema.String),
  /** The region which the requester may call with this token. */
  region: Schema.optional(Schema.String)
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.invalidRequestRegionText(this)
  }
}

/**
 * The scope provided in the request is invalid (`invalid_scope`).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidScope extends TaggedErrorWithoutStack<InvalidScope>("effect-sso-oidc/InvalidScope")(
  "InvalidScope",
  serviceErrorFields
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * The client is making requests too frequently (`slow_down`; in the device
 * flow: add 5 seconds to the polling interval).
 *
 * @since 0.1.0
 * @category errors
 */
export class SlowDown extends TaggedErrorWithoutStack<SlowDown>("effect-sso-oidc/SlowDown")(
  "SlowDown",
  serviceErrorFields
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * The client is not currently authorized to make the request, for example a
 * clientId not issued for a public client (`unauthorized_client`).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnauthorizedClient extends TaggedErrorWithoutStack<UnauthorizedClient>(
  "effect-sso-oidc/UnauthorizedClient"
)("UnauthorizedClient", serviceErrorFields) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * The grant type in the request is not supported by the service
 * (`unsupported_grant_type`).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnsupportedGrantType extends TaggedErrorWithoutStack<UnsupportedGrantType>(
  "effect-sso-oidc/UnsupportedGrantType"
)("UnsupportedGrantType", serviceErrorFields) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this)
  }
}

/**
 * A non-2xx reply whose error name the operation does not declare: an unknown
 * name, no name at all (a proxy's 502 page), or a known name that the model
 * does not list for this operation. It keeps the sanitized name as `errorType`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceError extends TaggedErrorWithoutStack<ServiceError>("effect-sso-oidc/ServiceError")(
  "ServiceError",
  {
    ...serviceErrorFields,
    /** The sanitized error name (as in `x-amzn-ErrorType`), when the reply named one. */
    errorType: Schema.optional(Schema.String)
  }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.oidcServiceErrorText(this, this.errorType)
  }
}

/**
 * The request did not get a reply: connection refused or reset, DNS failure,
 * or no reply within the per-request timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends TaggedErrorWithoutStack<TransportError>("effect-sso-oidc/TransportError")(
  "TransportError",
  {
    /** The operation, e.g. `CreateToken`. */
    operation: Schema.String,
    /** `Transport` for a network failure, `Timeout` when the per-request timeout elapsed. */
    reason: Schema.Literal("Transport", "Timeout"),
    /** What the network layer said, without the request. */
    description: Schema.String
  }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.transportErrorText(this)
  }
}

/**
 * A reply that cannot be read as the operation's output: an empty body, a
 * body that is not JSON, or JSON of the wrong shape. The message says where
 * the shape was wrong but never quotes the body, which may hold secrets.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseDecodeError extends TaggedErrorWithoutStack<ResponseDecodeError>(
  "effect-sso-oidc/ResponseDecodeError"
)("ResponseDecodeError", {
  /** The operation, e.g. `CreateToken`. */
  operation: Schema.String,
  /** The HTTP status of the reply. */
  status: Schema.Number,
  /** The `x-amzn-RequestId` of the reply. */
  requestId: Schema.optional(Schema.String),
  /** What is wrong, by path and expected type, without values. */
  description: Schema.String
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.responseDecodeErrorText(this)
  }
}

/**
 * The endpoint answered with a redirect (any 3xx, or a browser's opaque
 * redirect, status 0). The service never redirects, so this is a wrong
 * endpoint, a proxy or captive portal, or a hostile server: the request, with
 * its secrets, was not sent to the redirect's target, and nothing the target
 * could answer was read. Not transient; never retried.
 *
 * @since 0.2.0
 * @category errors
 */
export class UnexpectedRedirect extends TaggedErrorWithoutStack<UnexpectedRedirect>(
  "effect-sso-oidc/UnexpectedRedirect"
)("UnexpectedRedirect", {
  /** The operation, e.g. `CreateToken`. */
  operation: Schema.String,
  /** The HTTP status of the reply (0 for a browser's opaque redirect). */
  status: Schema.Number,
  /**
   * The origin (`scheme://host:port`) the redirect pointed to; never its path
   * or query. Absent when the reply named no (readable) http(s) location.
   */
  locationOrigin: Schema.optional(Schema.String),
  /** The `x-amzn-RequestId` of the reply, if it had one. */
  requestId: Schema.optional(Schema.String)
}) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.unexpectedRedirectText(this)
  }
}

/**
 * The input given to an operation does not match its schema (possible from
 * untyped callers). Nothing was sent. The message names the member, never its value.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends TaggedErrorWithoutStack<InvalidInput>("effect-sso-oidc/InvalidInput")(
  "InvalidInput",
  {
    /** The operation, e.g. `CreateToken`. */
    operation: Schema.String,
    /** What is wrong, by path and expected type, without values. */
    description: Schema.String
  }
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.invalidInputText(this)
  }
}

/**
 * The 14 service errors of the model, keyed by their wire name.
 *
 * @since 0.1.0
 * @category models
 */
export const byWireName = {
  AccessDeniedException: AccessDenied,
  AuthorizationPendingException: AuthorizationPending,
  ExpiredTokenException: ExpiredToken,
  InternalServerException: InternalServer,
  InvalidClientException: InvalidClient,
  InvalidClientMetadataException: InvalidClientMetadata,
  InvalidGrantException: InvalidGrant,
  InvalidRedirectUriException: InvalidRedirectUri,
  InvalidRequestException: InvalidRequest,
  InvalidRequestRegionException: InvalidRequestRegion,
  InvalidScopeException: InvalidScope,
  SlowDownException: SlowDown,
  UnauthorizedClientException: UnauthorizedClient,
  UnsupportedGrantTypeException: UnsupportedGrantType
} as const satisfies { readonly [Name in Operations.SsoOidcWireName]: new(props: any) => { readonly _tag: string } }

/**
 * The wire name of a service error, e.g. `SlowDownException`.
 *
 * @since 0.1.0
 * @category models
 */
export type WireName = keyof typeof byWireName

/**
 * One of the 14 service errors of the model.
 *
 * @since 0.1.0
 * @category models
 */
export type ServiceException = InstanceType<(typeof byWireName)[WireName]>

/**
 * Failures that can happen to any operation: an undeclared service error, no
 * reply, an unreadable reply, bad input, or an endpoint that cannot be resolved.
 *
 * @since 0.1.0
 * @category models
 */
export type CommonError =
  | ServiceError
  | TransportError
  | ResponseDecodeError
  | UnexpectedRedirect
  | InvalidInput
  | EndpointError

/**
 * An operation of the service.
 *
 * @since 0.1.0
 * @category models
 */
export type OperationName = Operations.SsoOidcOperationName

/**
 * The errors of an operation: the service errors the model declares for it
 * (read from the operations table) and the {@link CommonError}s.
 *
 * @since 0.2.0
 * @category models
 */
export type OperationError<Name extends OperationName> =
  | InstanceType<(typeof byWireName)[(typeof Operations.operations)[Name]["errors"][number]]>
  | CommonError

/**
 * The errors of RegisterClient.
 *
 * @since 0.1.0
 * @category models
 */
export type RegisterClientError = OperationError<"RegisterClient">

/**
 * The errors of StartDeviceAuthorization.
 *
 * @since 0.1.0
 * @category models
 */
export type StartDeviceAuthorizationError = OperationError<"StartDeviceAuthorization">

/**
 * The errors of CreateToken.
 *
 * @since 0.1.0
 * @category models
 */
export type CreateTokenError = OperationError<"CreateToken">

/**
 * The errors of CreateTokenWithIAM.
 *
 * @since 0.1.0
 * @category models
 */
export type CreateTokenWithIamError = OperationError<"CreateTokenWithIAM">

/**
 * Any error of this module.
 *
 * @since 0.1.0
 * @category models
 */
export type SsoOidcError =
  | ServiceException
  | ServiceError
  | TransportError
  | ResponseDecodeError
  | UnexpectedRedirect
  | InvalidInput

/**
 * The wire names each operation declares, in model order.
 *
 * @since 0.1.0
 * @category models
 */
export const operationErrors: { readonly [Name in OperationName]: (typeof Operations.operations)[Name]["errors"] } =
  CoreOperations.ssoOidcOperationErrors

/**
 * Whether a value is an error of this module.
 *
 * @since 0.1.0
 * @category guards
 */
export const isSsoOidcError = (u: unknown): u is SsoOidcError => Predicate.hasProperty(u, TypeId)

/**
 * Whether an error is transient: no reply, a timeout, or HTTP 429, 500, 502,
 * 503 or 504. The protocol's 400s (pending, slow down, …) never are, nor is
 * a reply that cannot be read (too large, not JSON) or a redirect, whatever
 * its status.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTransient = (u: unknown): boolean => {
  if (!isSsoOidcError(u)) return false
  if (u._tag === "TransportError") return true
  // A reply too large or unreadable, or a redirect, would be the same again: never transient, whatever the status.
  if (u._tag === "InvalidInput" || u._tag === "ResponseDecodeError" || u._tag === "UnexpectedRedirect") return false
  return Text.isTransientStatus(u.status)
}
