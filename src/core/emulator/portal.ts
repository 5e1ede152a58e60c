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
 *
 * Reading and validating the members is the edition's (its operations table
 * carries the input schemas): it passes a {@link PortalInput}.
 */
import type * as Operations from "../operations.js"
import { pageToken, readPageToken } from "./pageToken.js"
import { type RoleCredentialsRecord, set, type State, type TokenRecord } from "./state.js"

/** The parts of a request the member reader looks at. */
export interface RequestParts {
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  readonly bodyText: string
}

/** Why a member could not be read. */
export interface MemberProblem {
  /** The schema's member name, e.g. `maxResults`; `undefined` when the body itself is unreadable. */
  readonly member: string | undefined
  readonly reason: "missing" | "invalid"
  /** Safe to send back: no value in it. */
  readonly message: string
}

export type InputRead<A> =
  | { readonly _tag: "Ok"; readonly value: A }
  | { readonly _tag: "Err"; readonly problem: MemberProblem }

/** The decoded inputs the portal reads (what each operation's input schema yields, secrets aside). */
export interface PortalInputs {
  readonly ListAccounts: { readonly nextToken?: string | undefined; readonly maxResults?: number | undefined }
  readonly ListAccountRoles: {
    readonly accountId: string
    readonly nextToken?: string | undefined
    readonly maxResults?: number | undefined
  }
  readonly GetRoleCredentials: { readonly accountId: string; readonly roleName: string }
  readonly Logout: unknown
}

/** How the edition reads an operation's members by the table, and decodes them with its input schema. */
export interface PortalInput {
  readonly read: (
    name: Operations.SsoPortalOperationName,
    request: RequestParts
  ) => InputRead<Readonly<Record<string, unknown>>>
  readonly decode: <Name extends Operations.SsoPortalOperationName>(
    name: Name,
    members: Readonly<Record<string, unknown>>
  ) => InputRead<PortalInputs[Name]>
}

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
  settings: PortalSettings,
  input: PortalInput
): readonly [PortalOutcome, State] => {
  const members = input.read(name, request)
  if (members._tag === "Err") return [fail("InvalidRequestException", members.problem.message), state]
  const token = authenticate(state, members.value["accessToken"], now)
  if (token === undefined) return [fail("UnauthorizedException", unauthorizedMessage), state]
  const findAccount = (accountId: string) => accounts.find((account) => account.accountId === accountId)
  switch (name) {
    case "ListAccounts": {
      const decoded = input.decode("ListAccounts", members.value)
      if (decoded._tag === "Err") return [fail("InvalidRequestException", decoded.problem.message), state]
      const listed = page(accounts, decoded.value, "ListAccounts", settings)
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
      const decoded = input.decode("ListAccountRoles", members.value)
      if (decoded._tag === "Err") return [fail("InvalidRequestException", decoded.problem.message), state]
      const account = findAccount(decoded.value.accountId)
      if (account === undefined) return [accountNotAssigned(decoded.value.accountId), state]
      const listed = page(account.roles, decoded.value, `ListAccountRoles\n${account.accountId}`, settings)
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
      const decoded = input.decode("GetRoleCredentials", members.value)
      if (decoded._tag === "Err") return [fail("InvalidRequestException", decoded.problem.message), state]
      const { accountId, roleName } = decoded.value
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
      const decoded = input.decode("Logout", members.value)
      if (decoded._tag === "Err") return [fail("InvalidRequestException", decoded.problem.message), state]
      // The token authenticated above (the decoded member is the edition's Redacted of it).
      const accessToken = token.accessToken
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
