/**
 * Request and response shapes of the four SSO portal operations
 * (`portal.sso`, API version 2019-06-10): GetRoleCredentials, ListAccounts,
 * ListAccountRoles and Logout, with every member of botocore's model.
 *
 * The requests are not JSON bodies: the access token travels in the
 * `x-amz-sso_bearer_token` header and the other members in the query string
 * (`account_id`, `role_name`, `next_token`, `max_result`); each member's
 * location is in the operations table. The access token and the role's
 * `secretAccessKey` and `sessionToken` are `@sensitive` in the model and
 * `Redacted` here.
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"
import { optionalOutput } from "./internal/schema.js"
import { SecretString } from "./SsoOidcSchema.js"

/** `MaxResultType`: 1 to 100 (`box`: absent means the service's default). */
const MaxResults = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 }))

/**
 * An AWS account id: 12 digits. Checked before it becomes part of a request,
 * so a value from a config file cannot smuggle another query parameter.
 */
const AccountId = Schema.String.check(Schema.isPattern(/^\d{12}$/, { message: "an AWS account id is 12 digits" }))

/**
 * Epoch milliseconds a `Date` can hold (±8.64e15), so an out-of-range
 * `expiration` from a server is a decode error, not an Invalid Date.
 */
const EpochMillis = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 8.64e15 }))

// -----------------------------------------------------------------------------
// GetRoleCredentials
// -----------------------------------------------------------------------------

/**
 * Input of GetRoleCredentials (`GET /federation/credentials`, unsigned).
 *
 * @since 0.2.0
 * @category GetRoleCredentials
 */
export const GetRoleCredentialsRequest = Schema.Struct({
  /** The friendly name of the role assigned to the user (query `role_name`). */
  roleName: Schema.NonEmptyString,
  /** The identifier of the AWS account assigned to the user (query `account_id`). */
  accountId: AccountId,
  /** The token issued by CreateToken (header `x-amz-sso_bearer_token`). */
  accessToken: SecretString
})

/**
 * @since 0.2.0
 * @category GetRoleCredentials
 */
export type GetRoleCredentialsRequest = Schema.Schema.Type<typeof GetRoleCredentialsRequest>

/**
 * The role credentials: temporary AWS keys.
 *
 * @since 0.2.0
 * @category GetRoleCredentials
 */
export const RoleCredentials = Schema.Struct({
  accessKeyId: optionalOutput(Schema.String),
  secretAccessKey: optionalOutput(SecretString),
  sessionToken: optionalOutput(SecretString),
  /** When the credentials expire, in epoch milliseconds. */
  expiration: optionalOutput(EpochMillis)
})

/**
 * @since 0.2.0
 * @category GetRoleCredentials
 */
export type RoleCredentials = Schema.Schema.Type<typeof RoleCredentials>

/**
 * Output of GetRoleCredentials.
 *
 * @since 0.2.0
 * @category GetRoleCredentials
 */
export const GetRoleCredentialsResponse = Schema.Struct({
  roleCredentials: optionalOutput(RoleCredentials)
})

/**
 * @since 0.2.0
 * @category GetRoleCredentials
 */
export type GetRoleCredentialsResponse = Schema.Schema.Type<typeof GetRoleCredentialsResponse>

// -----------------------------------------------------------------------------
// ListAccounts
// -----------------------------------------------------------------------------

/**
 * Input of ListAccounts (`GET /assignment/accounts`, unsigned).
 *
 * @since 0.2.0
 * @category ListAccounts
 */
export const ListAccountsRequest = Schema.Struct({
  /** The page token from the previous reply (query `next_token`). */
  nextToken: Schema.optional(Schema.String),
  /** Page size, 1 to 100 (query `max_result`). */
  maxResults: Schema.optional(MaxResults),
  /** Header `x-amz-sso_bearer_token`. */
  accessToken: SecretString
})

/**
 * @since 0.2.0
 * @category ListAccounts
 */
export type ListAccountsRequest = Schema.Schema.Type<typeof ListAccountsRequest>

/**
 * One account the user can reach.
 *
 * @since 0.2.0
 * @category ListAccounts
 */
export const AccountInfo = Schema.Struct({
  accountId: optionalOutput(Schema.String),
  accountName: optionalOutput(Schema.String),
  emailAddress: optionalOutput(Schema.String)
})

/**
 * @since 0.2.0
 * @category ListAccounts
 */
export type AccountInfo = Schema.Schema.Type<typeof AccountInfo>

/**
 * Output of ListAccounts: one page.
 *
 * @since 0.2.0
 * @category ListAccounts
 */
export const ListAccountsResponse = Schema.Struct({
  nextToken: optionalOutput(Schema.String),
  accountList: optionalOutput(Schema.Array(AccountInfo))
})

/**
 * @since 0.2.0
 * @category ListAccounts
 */
export type ListAccountsResponse = Schema.Schema.Type<typeof ListAccountsResponse>

// -----------------------------------------------------------------------------
// ListAccountRoles
// -----------------------------------------------------------------------------

/**
 * Input of ListAccountRoles (`GET /assignment/roles`, unsigned).
 *
 * @since 0.2.0
 * @category ListAccountRoles
 */
export const ListAccountRolesRequest = Schema.Struct({
  nextToken: Schema.optional(Schema.String),
  maxResults: Schema.optional(MaxResults),
  accessToken: SecretString,
  /** Query `account_id`. */
  accountId: AccountId
})

/**
 * @since 0.2.0
 * @category ListAccountRoles
 */
export type ListAccountRolesRequest = Schema.Schema.Type<typeof ListAccountRolesRequest>

/**
 * One role of an account.
 *
 * @since 0.2.0
 * @category ListAccountRoles
 */
export const RoleInfo = Schema.Struct({
  roleName: optionalOutput(Schema.String),
  accountId: optionalOutput(Schema.String)
})

/**
 * @since 0.2.0
 * @category ListAccountRoles
 */
export type RoleInfo = Schema.Schema.Type<typeof RoleInfo>

/**
 * Output of ListAccountRoles: one page.
 *
 * @since 0.2.0
 * @category ListAccountRoles
 */
export const ListAccountRolesResponse = Schema.Struct({
  nextToken: optionalOutput(Schema.String),
  roleList: optionalOutput(Schema.Array(RoleInfo))
})

/**
 * @since 0.2.0
 * @category ListAccountRoles
 */
export type ListAccountRolesResponse = Schema.Schema.Type<typeof ListAccountRolesResponse>

// -----------------------------------------------------------------------------
// Logout
// -----------------------------------------------------------------------------

/**
 * Input of Logout (`POST /logout`, unsigned): ends the user's portal session
 * and revokes the access token. The reply has no body.
 *
 * @since 0.2.0
 * @category Logout
 */
export const LogoutRequest = Schema.Struct({
  accessToken: SecretString
})

/**
 * @since 0.2.0
 * @category Logout
 */
export type LogoutRequest = Schema.Schema.Type<typeof LogoutRequest>

/**
 * Output of Logout: none (the reply has no body).
 *
 * @since 0.2.0
 * @category Logout
 */
export const LogoutResponse = Schema.Struct({})
