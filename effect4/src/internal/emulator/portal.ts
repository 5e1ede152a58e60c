/**
 * The SSO portal side of the emulator (`portal.sso`): GetRoleCredentials,
 * ListAccounts, ListAccountRoles and Logout over the same state as the OIDC
 * side, whose access tokens are the portal's bearer tokens. Like `state.ts`,
 * every transition is a pure function of the state, the request, the time
 * and fresh random values drawn beforehand.
 *
 * Checks, in order: the bearer token (absent, unknown, expired or revoked:
 * 401 UnauthorizedException), then the other members (400
 * InvalidRequestException), then the assignment (404 ResourceNotFoundException).
 */
import * as Redacted from "effect/Redacted"
import { pageToken, readPageToken } from "../../core/emulator/pageToken.js"
import * as Operations from "../operations.js"
import { decodeMembers, readMembers, type RequestParts } from "./input.js"
import { type RoleCredentialsRecord, set, type State, type TokenRecord } from "../../core/emulator/state.js"

/** An account the user is assigned, with the roles they may take in it. */
export interface AccountRecord {
  readonly accountId: string
  readonly accountName: string
  readonly emailAddress: string
  readonly roles: ReadonlyArray<string>
}

export interface PortalSettings {
  /** How long role credentials live, in milliseconds. */
  readonly roleCredentialsExpiresInMillis: number
  /** Page size of ListAccounts and ListAccountRoles when `max_result` is absent. */
  readonly pageSize: number
  /** The HMAC key of page tokens (random per emulator). */
  readonly pageTokenKey: Uint8Array
}

export type PortalWireName = Operations.SsoPortalWireName

/** An operation's outcome: a JSON body (`undefined`: an empty 200, Logout's), or a portal error. */
export type PortalOutcome =
  | { readonly _tag: "Ok"; readonly body: Readonly<Record<string, unknown>> | undefined }
  | { readonly _tag: "Err"; readonly name: PortalWireName; readonly message: string }

const fail = (name: PortalWireName, message: string): PortalOutcome => ({ _tag: "Err", name, message })

export interface FreshRoleCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
}

/** What the real service answers for any token it does not honour. */
export const unauthorizedMessage = "Session token not found or invalid"

/** The token a bearer header names, if this emulator issued it and it is still good at `now`. */
const authenticate = (state: State, presented: unknown, now: number): TokenRecord | undefined => {
  if (typeof presented !== "string" || presented === "") return undefined
  if (state.revokedAccessTokens.has(presented)) return undefined
  const token = state.tokens.get(presented)
  return token !== undefined && now < token.expiresAt ? token : undefined
}

// -----------------------------------------------------------------------------
// page tokens
// -----------------------------------------------------------------------------

const page = <A>(
  items: ReadonlyArray<A>,
  input: { readonly nextToken?: string | undefined; readonly maxResults?: number | undefined },
  listing: string,
  settings: PortalSettings
): { readonly items: ReadonlyArray<A>; readonly nextToken: string | undefined } | undefined => {
  const offset = input.nextToken === undefined ? 0 : readPageToken(settings.pageTokenKey, listing, input.nextToken)
  if (offset === undefined) return undefined
  const end = offset + (input.maxResults ?? settings.pageSize)
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? pageToken(settings.pageTokenKey, listing, end) : undefined
  }
}

const invalidNextToken = fail("InvalidRequestException", "Invalid value for next_token: not a token of this listing")

// -----------------------------------------------------------------------------
// the operations
// -----------------------------------------------------------------------------

const accountNotAssigned = (accountId: string) =>
  fail("ResourceNotFoundException", `No account ${accountId} is assigned to the user`)

/**
 * Serves one portal operation: authenticates the bearer token, reads the
 * other members by the operations table and applies the operation.
 */
export const handle = (
  state: State,
  name: Operations.SsoPortalOperationName,
  request: RequestParts,
  now: number,
  accounts: ReadonlyArray<AccountRecord>,
  fresh: FreshRoleCredentials,
  settings: PortalSettings
): readonly [PortalOutcome, State] => {
  const operation = Operations.portalOperations[name]
  const members = readMembers(operation, request)
  if (members._tag === "Err") return [fail("InvalidRequestException", members.problem.message), state]
  const token = authenticate(state, members.value["accessToken"], now)
  if (token === undefined) return [fail("UnauthorizedException", unauthorizedMessage), state]
  const findAccount = (accountId: string) => accounts.find((account) => account.accountId === accountId)
  switch (name) {
    case "ListAccounts": {
      const input = decodeMembers(Operations.portalOperations.ListAccounts, members.value)
      if (input._tag === "Err") return [fail("InvalidRequestException", input.problem.message), state]
      const listed = page(accounts, input.value, "ListAccounts", settings)
      if (listed === undefined) return [invalidNextToken, state]
      return [{
        _tag: "Ok",
        body: {
          accountList: listed.items.map((account) => ({
            accountId: account.accountId,
            accountName: account.accountName,
            emailAddress: account.emailAddress
          })),
          ...(listed.nextToken === undefined ? {} : { nextToken: listed.nextToken })
        }
      }, state]
    }
    case "ListAccountRoles": {
      const input = decodeMembers(Operations.portalOperations.ListAccountRoles, members.value)
      if (input._tag === "Err") return [fail("InvalidRequestException", input.problem.message), state]
      const account = findAccount(input.value.accountId)
      if (account === undefined) return [accountNotAssigned(input.value.accountId), state]
      const listed = page(account.roles, input.value, `ListAccountRoles\n${account.accountId}`, settings)
      if (listed === undefined) return [invalidNextToken, state]
      return [{
        _tag: "Ok",
        body: {
          roleList: listed.items.map((roleName) => ({ roleName, accountId: account.accountId })),
          ...(listed.nextToken === undefined ? {} : { nextToken: listed.nextToken })
        }
      }, state]
    }
    case "GetRoleCredentials": {
      const input = decodeMembers(Operations.portalOperations.GetRoleCredentials, members.value)
      if (input._tag === "Err") return [fail("InvalidRequestException", input.problem.message), state]
      const { accountId, roleName } = input.value
      const account = findAccount(accountId)
      if (account === undefined) return [accountNotAssigned(accountId), state]
      if (!account.roles.includes(roleName)) {
        return [fail("ResourceNotFoundException", `No role ${roleName} of account ${accountId} is assigned to the user`), state]
      }
      const record: RoleCredentialsRecord = {
        accountId,
        roleName,
        ...fresh,
        issuedAt: now,
        expiresAt: now + settings.roleCredentialsExpiresInMillis
      }
      return [{
        _tag: "Ok",
        body: {
          roleCredentials: {
            accessKeyId: record.accessKeyId,
            secretAccessKey: record.secretAccessKey,
            sessionToken: record.sessionToken,
            expiration: record.expiresAt
          }
        }
      }, { ...state, roleCredentials: [...state.roleCredentials, record] }]
    }
    case "Logout": {
      const input = decodeMembers(Operations.portalOperations.Logout, members.value)
      if (input._tag === "Err") return [fail("InvalidRequestException", input.problem.message), state]
      const accessToken = Redacted.value(input.value.accessToken)
      // The portal session ends: the access token, and the refresh token issued with it.
      const refresh = token.refreshToken === undefined ? undefined : state.refreshTokens.get(token.refreshToken)
      return [{ _tag: "Ok", body: undefined }, {
        ...state,
        revokedAccessTokens: set(state.revokedAccessTokens, accessToken, now),
        refreshTokens: refresh === undefined || token.refreshToken === undefined
          ? state.refreshTokens
          : set(state.refreshTokens, token.refreshToken, { ...refresh, active: false })
      }]
    }
  }
}
