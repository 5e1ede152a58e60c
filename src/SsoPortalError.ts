/**
 * Typed errors of the SSO portal (`portal.sso`): one `Schema.TaggedError` per
 * service error of its model. Their tags carry the `SsoPortal` prefix, so an
 * error channel that mixes them with `SsoOidcError`'s (a login followed by a
 * credentials call) keeps every case apart by `_tag`: the OIDC service's
 * `InvalidRequest` is not the portal's `SsoPortalInvalidRequest`.
 *
 * The generic failures — an undeclared error name (`ServiceError`), no reply
 * (`TransportError`), an unreadable reply (`ResponseDecodeError`), bad input
 * (`InvalidInput`), an unresolvable endpoint — are `SsoOidcError`'s own: they
 * mean the same thing for both services.
 *
 * @since 0.2.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Text from "./core/errorText.js"
import type { SsoPortalWireName } from "./core/operations.js"
import { TaggedErrorWithoutStack } from "./internal/taggedError.js"
import type * as SsoOidcError from "./SsoOidcError.js"

/**
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("effect-sso-oidc/SsoPortalError")

/**
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/** Fields every portal service error carries: the model's `message`, renamed so `Error.message` stays ours. */
const fields = {
  /** The service's `message` member. */
  description: Schema.optional(Schema.String),
  /** The HTTP status of the reply. */
  status: Schema.optional(Schema.Number),
  /** The `x-amzn-RequestId` of the reply, for AWS support. */
  requestId: Schema.optional(Schema.String)
}

/**
 * The request is not valid: a missing or malformed parameter (HTTP 400).
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidRequest extends TaggedErrorWithoutStack<InvalidRequest>("effect-sso-oidc/SsoPortalInvalidRequest")(
  "SsoPortalInvalidRequest",
  fields
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.portalServiceErrorText(this, Text.portalErrorWhat.InvalidRequest)
  }
}

/**
 * The access token is not valid — expired, revoked by Logout, or issued for
 * another region (HTTP 401). Sign in again, or refresh the token.
 *
 * @since 0.2.0
 * @category errors
 */
export class Unauthorized extends TaggedErrorWithoutStack<Unauthorized>("effect-sso-oidc/SsoPortalUnauthorized")(
  "SsoPortalUnauthorized",
  fields
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.portalServiceErrorText(this, Text.portalErrorWhat.Unauthorized)
  }
}

/**
 * Too many requests (HTTP 429); retried with backoff and jitter.
 *
 * @since 0.2.0
 * @category errors
 */
export class TooManyRequests extends TaggedErrorWithoutStack<TooManyRequests>("effect-sso-oidc/SsoPortalTooManyRequests")(
  "SsoPortalTooManyRequests",
  fields
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.portalServiceErrorText(this, Text.portalErrorWhat.TooManyRequests)
  }
}

/**
 * The account or role does not exist or is not assigned to the user (HTTP 404).
 *
 * @since 0.2.0
 * @category errors
 */
export class ResourceNotFound extends TaggedErrorWithoutStack<ResourceNotFound>(
  "effect-sso-oidc/SsoPortalResourceNotFound"
)("SsoPortalResourceNotFound", fields) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.portalServiceErrorText(this, Text.portalErrorWhat.ResourceNotFound)
  }
}

/**
 * The role is not open to this user (HTTP 403, `ForbiddenException`, "No
 * access"): the real service sends it, undeclared by the model, for an
 * account or role assignment it no longer honours. Check `sso_account_id`
 * and `sso_role_name`, or the assignment in IAM Identity Center.
 *
 * @since 0.2.0
 * @category errors
 */
export class Forbidden extends TaggedErrorWithoutStack<Forbidden>("effect-sso-oidc/SsoPortalForbidden")(
  "SsoPortalForbidden",
  fields
) {
  readonly [TypeId]: TypeId = TypeId
  override get message() {
    return Text.portalServiceErrorText(this, Text.portalErrorWhat.Forbidden)
  }
}

/**
 * The portal's service errors, keyed by their wire name.
 *
 * @since 0.2.0
 * @category models
 */
export const byWireName = {
  InvalidRequestException: InvalidRequest,
  UnauthorizedException: Unauthorized,
  TooManyRequestsException: TooManyRequests,
  ResourceNotFoundException: ResourceNotFound,
  ForbiddenException: Forbidden
} as const satisfies { readonly [Name in SsoPortalWireName]: new(props: any) => { readonly _tag: string } }

/**
 * @since 0.2.0
 * @category models
 */
export type WireName = keyof typeof byWireName

/**
 * One of the portal's service errors.
 *
 * @since 0.2.0
 * @category models
 */
export type ServiceException = InstanceType<(typeof byWireName)[WireName]>

/**
 * The errors of GetRoleCredentials, ListAccounts and ListAccountRoles.
 *
 * @since 0.2.0
 * @category models
 */
export type PortalReadError = ServiceException | SsoOidcError.CommonError

/**
 * The errors of Logout (the model declares no ResourceNotFound for it).
 *
 * @since 0.2.0
 * @category models
 */
export type LogoutError = InvalidRequest | Unauthorized | TooManyRequests | Forbidden | SsoOidcError.CommonError

/**
 * Any error of the portal client.
 *
 * @since 0.2.0
 * @category models
 */
export type SsoPortalError = PortalReadError

/**
 * Whether a value is one of the portal's service errors.
 *
 * @since 0.2.0
 * @category guards
 */
export const isSsoPortalError = (u: unknown): u is ServiceException => Predicate.hasProperty(u, TypeId)
