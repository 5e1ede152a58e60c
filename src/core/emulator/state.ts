/**
 * The emulator's state and its transitions. Every transition is a pure
 * function of the state, the request, the current time and fresh random
 * values drawn beforehand, so the handler applies it atomically with
 * `Ref.modify` and the rules can be read (and tested) without any I/O.
 * Effect-free: both editions compile it in.
 */
import { sha256Base64Url } from "../crypto.js"
import { GrantType } from "./grants.js"
import { PersistentMap } from "./persistentMap.js"
import {
  err,
  ok,
  optionalString,
  optionalStringList,
  type Outcome,
  type Read,
  requiredString
} from "./wire.js"

// -----------------------------------------------------------------------------
// records
// -----------------------------------------------------------------------------

export interface Settings {
  /** The emulator's base URL, without a trailing slash. */
  readonly baseUrl: string
  readonly intervalSeconds: number
  readonly deviceCodeExpiresInSeconds: number
  readonly tokenExpiresInSeconds: number
  readonly registrationLifetimeSeconds: number
  readonly autoApproveAfterMillis: number | undefined
  /** The region the emulator stands for (SigV4 scope, InvalidRequestRegion). */
  readonly region: string
  /** How long an `/authorize` request waits for a decision, and an authorization code lives. */
  readonly authorizationCodeExpiresInSeconds: number
  /** The IAM Identity Center applications CreateTokenWithIAM serves. */
  readonly applications: ReadonlyArray<ApplicationRecord>
  /** The HMAC key of the id tokens (random per emulator). */
  readonly idTokenKey: Uint8Array
  /** The most records each collection keeps; the oldest are evicted beyond it (see {@link housekeep}). */
  readonly maxRecords: number
}

export interface ApplicationRecord {
  readonly applicationArn: string
  readonly name: string
  readonly redirectUris: ReadonlyArray<string>
  readonly scopes: ReadonlyArray<string>
}

export interface ClientRecord {
  readonly clientId: string
  readonly clientSecret: string
  readonly clientName: string
  readonly clientType: string
  readonly scopes: ReadonlyArray<string>
  /** The grants the client may use (the registered ones, or the default). */
  readonly grantTypes: ReadonlyArray<string>
  readonly redirectUris: ReadonlyArray<string>
  readonly issuerUrl: string | undefined
  /** Epoch seconds. */
  readonly clientIdIssuedAt: number
  /** Epoch seconds. */
  readonly clientSecretExpiresAt: number
}

export type StoredStatus = "pending" | "approved" | "denied" | "consumed"

export type AuthorizationStatus = StoredStatus | "expired"

export interface AuthorizationRecord {
  readonly deviceCode: string
  readonly userCode: string
  readonly clientId: string
  readonly startUrl: string
  /** Epoch milliseconds. */
  readonly issuedAt: number
  /** Epoch milliseconds. */
  readonly expiresAt: number
  /** The current interval in seconds (each slow_down adds 5). */
  readonly intervalSeconds: number
  readonly status: StoredStatus
  readonly decidedAt: number | undefined
  readonly polls: number
  readonly slowDowns: number
  readonly lastPollAt: number | undefined
}

export interface TokenRecord {
  readonly accessToken: string
  readonly refreshToken: string | undefined
  readonly clientId: string
  readonly grantType: string
  readonly scopes: ReadonlyArray<string>
  readonly issuedAt: number
  readonly expiresAt: number
  /** The user the token stands for (CreateTokenWithIAM; `sub` of its id token). */
  readonly subject?: string | undefined
}

export interface RefreshRecord {
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
  /** False once it was used (refresh tokens rotate) or revoked. */
  readonly active: boolean
  readonly subject?: string | undefined
}

/** Stored status of an `/authorize` request; `expired` is derived from the time. */
export type StoredRequestStatus = "pending" | "approved" | "denied" | "consumed"

export type AuthorizationRequestStatus = StoredRequestStatus | "expired"

/** An `/authorize` request (the PKCE browser flow) and, once approved, its code. */
export interface AuthorizationRequestRecord {
  readonly id: string
  /** A RegisterClient client id, or an application ARN (CreateTokenWithIAM). */
  readonly clientId: string
  readonly clientName: string
  /** The redirect URI exactly as the request sent it (port included). */
  readonly redirectUri: string
  readonly state: string | undefined
  /** The S256 code challenge. */
  readonly codeChallenge: string
  readonly scopes: ReadonlyArray<string>
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** Until when it may be decided. Epoch milliseconds. */
  readonly expiresAt: number
  readonly status: StoredRequestStatus
  readonly decidedAt: number | undefined
  readonly code: string | undefined
  readonly codeExpiresAt: number | undefined
  /** The refresh token issued for the code, revoked if the code is presented again (RFC 6749 §4.1.2). */
  readonly refreshToken: string | undefined
}

/** Role credentials GetRoleCredentials issued (the SSO portal). */
export interface RoleCredentialsRecord {
  readonly accountId: string
  readonly roleName: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  /** Epoch milliseconds. */
  readonly issuedAt: number
  /** Epoch milliseconds (the wire's `expiration`). */
  readonly expiresAt: number
}

export interface State {
  readonly clients: ReadonlyMap<string, ClientRecord>
  /** By device code. */
  readonly authorizations: ReadonlyMap<string, AuthorizationRecord>
  /** User code → device code. */
  readonly userCodes: ReadonlyMap<string, string>
  /** Issued access tokens by value, oldest first. */
  readonly tokens: ReadonlyMap<string, TokenRecord>
  readonly refreshTokens: ReadonlyMap<string, RefreshRecord>
  /** `/authorize` requests by id. */
  readonly authorizationRequests: ReadonlyMap<string, AuthorizationRequestRecord>
  /** Authorization code → request id. */
  readonly codes: ReadonlyMap<string, string>
  /** Access tokens revoked by the portal's Logout → when (epoch milliseconds). */
  readonly revokedAccessTokens: ReadonlyMap<string, number>
  /** Role credentials the portal issued, oldest first. */
  readonly roleCredentials: ReadonlyArray<RoleCredentialsRecord>
  /** When expired records were last swept out (`Clock` millis). */
  readonly sweptAt: number
}

export const empty: State = {
  clients: PersistentMap.empty(),
  authorizations: PersistentMap.empty(),
  userCodes: PersistentMap.empty(),
  tokens: PersistentMap.empty(),
  refreshTokens: PersistentMap.empty(),
  authorizationRequests: PersistentMap.empty(),
  codes: PersistentMap.empty(),
  revokedAccessTokens: PersistentMap.empty(),
  roleCredentials: [],
  sweptAt: 0
}

/** A new map with `key` set, in O(log n) (see {@link PersistentMap}). */
export const set = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> =>
  map instanceof PersistentMap ? map.set(key, value) : new Map(map).set(key, value)

/** A new map without `key`, in O(log n). */
export const remove = <K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> => {
  if (map instanceof PersistentMap) return map.delete(key)
  const copy = new Map(map)
  copy.delete(key)
  return copy
}

// -----------------------------------------------------------------------------
// housekeeping: expiry and caps, so a long-running emulator stays bounded
// -----------------------------------------------------------------------------

/** The default of {@link Settings.maxRecords}. */
export const defaultMaxRecords = 10_000

/**
 * How long a record outlives its lifetime. Meanwhile it is still answered as
 * expired (`ExpiredTokenException`, "registration has expired", "code has
 * expired") rather than unknown, and still shown by the views.
 */
export const expiredRetentionMillis = 60 * 60 * 1000

/** Expired records are swept out at most this often (a sweep reads every record). */
export const sweepEveryMillis = 60 * 1000

/** When a record may be forgotten: its lifetime's end, plus {@link expiredRetentionMillis}. */
const forgetClientAt = (client: ClientRecord) => client.clientSecretExpiresAt * 1000 + expiredRetentionMillis
const forgetAuthorizationAt = (auth: AuthorizationRecord) => auth.expiresAt + expiredRetentionMillis
const forgetTokenAt = (token: TokenRecord) => token.expiresAt + expiredRetentionMillis
const forgetRequestAt = (request: AuthorizationRequestRecord) =>
  Math.max(request.expiresAt, request.codeExpiresAt ?? 0) + expiredRetentionMillis

const withoutAuthorization = (state: State, auth: AuthorizationRecord): State => ({
  ...state,
  authorizations: remove(state.authorizations, auth.deviceCode),
  userCodes: remove(state.userCodes, auth.userCode)
})

const withoutRequest = (state: State, request: AuthorizationRequestRecord): State => ({
  ...state,
  authorizationRequests: remove(state.authorizationRequests, request.id),
  codes: request.code === undefined ? state.codes : remove(state.codes, request.code)
})

/**
 * Drops every record past its lifetime and the retention: registrations
 * (`clientSecretExpiresAt`), device authorizations (`expiresIn`), access
 * tokens (`expiresIn`), `/authorize` requests and their codes. A refresh
 * token goes once it was used or revoked (then it is refused just as an
 * unknown one is), or once the client it was issued to is gone.
 */
const sweep = (state: State, now: number, settings: Settings): State => {
  let next: State = { ...state, sweptAt: now }
  for (const client of state.clients.values()) {
    if (now >= forgetClientAt(client)) next = { ...next, clients: remove(next.clients, client.clientId) }
  }
  for (const auth of state.authorizations.values()) {
    if (now >= forgetAuthorizationAt(auth)) next = withoutAuthorization(next, auth)
  }
  for (const token of state.tokens.values()) {
    if (now >= forgetTokenAt(token)) next = { ...next, tokens: remove(next.tokens, token.accessToken) }
  }
  const applications = new Set(settings.applications.map((app) => app.applicationArn))
  for (const [value, refresh] of state.refreshTokens) {
    const owned = next.clients.has(refresh.clientId) || applications.has(refresh.clientId)
    if (!refresh.active || !owned) next = { ...next, refreshTokens: remove(next.refreshTokens, value) }
  }
  for (const request of state.authorizationRequests.values()) {
    if (now >= forgetRequestAt(request)) next = withoutRequest(next, request)
  }
  return next
}

/** Evicts the oldest records of each collection beyond `max`. */
const cap = (state: State, max: number): State => {
  let next = state
  const oldest = <K, V>(map: ReadonlyMap<K, V>): V | undefined =>
    map instanceof PersistentMap ? (map as PersistentMap<K, V>).oldest()?.[1] : map.values().next().value
  while (next.clients.size > max) next = { ...next, clients: remove(next.clients, oldest(next.clients)!.clientId) }
  while (next.authorizations.size > max) next = withoutAuthorization(next, oldest(next.authorizations)!)
  while (next.tokens.size > max) next = { ...next, tokens: remove(next.tokens, oldest(next.tokens)!.accessToken) }
  while (next.refreshTokens.size > max) {
    const first = next.refreshTokens.keys().next()
    if (first.done === true) break
    next = { ...next, refreshTokens: remove(next.refreshTokens, first.value) }
  }
  while (next.authorizationRequests.size > max) next = withoutRequest(next, oldest(next.authorizationRequests)!)
  return next
}

/**
 * Keeps the state bounded, after each request: sweeps out expired records
 * (at most once every {@link sweepEveryMillis} of `Clock` time), then evicts
 * the oldest records of any collection holding more than `maxRecords`.
 * Returns the same state when there is nothing to do.
 */
export const housekeep = (state: State, now: number, settings: Settings): State =>
  cap(now - state.sweptAt >= sweepEveryMillis ? sweep(state, now, settings) : state, Math.max(1, settings.maxRecords))

/** RFC 8628 §3.5: slow_down adds 5 seconds to the interval, for good. */
export const slowDownIncrementSeconds = 5

/** The grants a client may use when it registered without `grantTypes`. */
export const defaultGrantTypes: ReadonlyArray<string> = [GrantType.DeviceCode, GrantType.RefreshToken]

/** The grants RegisterClient accepts and CreateToken serves. */
export const supportedGrantTypes: ReadonlyArray<string> = [
  GrantType.AuthorizationCode,
  GrantType.DeviceCode,
  GrantType.RefreshToken
]

/**
 * The status of an authorization at `now`: a stored decision, else expiry,
 * else auto-approval (which happens lazily, in `Clock` time).
 */
export const statusAt = (auth: AuthorizationRecord, now: number, settings: Settings): AuthorizationStatus => {
  if (auth.status === "consumed" || auth.status === "denied") return auth.status
  if (now >= auth.expiresAt) return "expired"
  if (auth.status === "approved") return "approved"
  if (settings.autoApproveAfterMillis !== undefined && now >= auth.issuedAt + settings.autoApproveAfterMillis) {
    return "approved"
  }
  return "pending"
}

export type Body = Readonly<Record<string, unknown>>

/** Runs readers in order; the first failure wins. */
export const readAll = <const T extends Record<string, Read<unknown>>>(
  reads: T
): Read<{ readonly [K in keyof T]: T[K] extends Read<infer A> ? A : never }> => {
  const out: Record<string, unknown> = {}
  for (const [key, read] of Object.entries(reads)) {
    if (read._tag === "Err") return read
    out[key] = read.value
  }
  return { _tag: "Ok", value: out as any }
}

const authenticate = (
  state: State,
  clientId: string,
  clientSecret: string,
  now: number
): Read<ClientRecord> => {
  const client = state.clients.get(clientId)
  if (client === undefined || client.clientSecret !== clientSecret) {
    return { _tag: "Err", failure: { name: "InvalidClientException", description: "Invalid client credentials" } }
  }
  if (now >= client.clientSecretExpiresAt * 1000) {
    return {
      _tag: "Err",
      failure: { name: "InvalidClientException", description: "The client registration has expired; register again" }
    }
  }
  return { _tag: "Ok", value: client }
}

// -----------------------------------------------------------------------------
// RegisterClient
// -----------------------------------------------------------------------------

export interface FreshClient {
  readonly clientId: string
  readonly clientSecret: string
}

export const registerClient = (
  state: State,
  body: Body,
  now: number,
  fresh: FreshClient,
  settings: Settings
): readonly [Outcome, State] => {
  const input = readAll({
    clientName: requiredString(body, "clientName"),
    clientType: requiredString(body, "clientType"),
    scopes: optionalStringList(body, "scopes"),
    redirectUris: optionalStringList(body, "redirectUris"),
    grantTypes: optionalStringList(body, "grantTypes"),
    issuerUrl: optionalString(body, "issuerUrl"),
    entitledApplicationArn: optionalString(body, "entitledApplicationArn")
  })
  if (input._tag === "Err") return [input, state]
  const { clientName, clientType, scopes, redirectUris, grantTypes, issuerUrl } = input.value
  if (clientType !== "public") {
    return [
      err("InvalidClientMetadataException", `Invalid client type: ${clientType}; only public clients are supported`),
      state
    ]
  }
  const unsupported = (grantTypes ?? []).find((grant) => !supportedGrantTypes.includes(grant))
  if (unsupported !== undefined) {
    return [err("UnsupportedGrantTypeException", `Unsupported grant type: ${unsupported}`), state]
  }
  const issuedAt = Math.floor(now / 1000)
  const client: ClientRecord = {
    clientId: fresh.clientId,
    clientSecret: fresh.clientSecret,
    clientName,
    clientType,
    scopes: scopes ?? [],
    grantTypes: grantTypes === undefined || grantTypes.length === 0 ? defaultGrantTypes : grantTypes,
    redirectUris: redirectUris ?? [],
    issuerUrl,
    clientIdIssuedAt: issuedAt,
    clientSecretExpiresAt: issuedAt + settings.registrationLifetimeSeconds
  }
  return [
    ok({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      clientIdIssuedAt: client.clientIdIssuedAt,
      clientSecretExpiresAt: client.clientSecretExpiresAt
    }),
    { ...state, clients: set(state.clients, client.clientId, client) }
  ]
}

// -----------------------------------------------------------------------------
// StartDeviceAuthorization
// -----------------------------------------------------------------------------

export interface FreshAuthorization {
  readonly deviceCode: string
  readonly userCode: string
}

/** `"collision"` when the fresh user code is taken: draw another and retry. */
export const startDeviceAuthorization = (
  state: State,
  body: Body,
  now: number,
  fresh: FreshAuthorization,
  settings: Settings
): readonly [Outcome | "collision", State] => {
  const input = readAll({
    clientId: requiredString(body, "clientId"),
    clientSecret: requiredString(body, "clientSecret"),
    startUrl: requiredString(body, "startUrl")
  })
  if (input._tag === "Err") return [input, state]
  const client = authenticate(state, input.value.clientId, input.value.clientSecret, now)
  if (client._tag === "Err") return [client, state]
  if (!client.value.grantTypes.includes(GrantType.DeviceCode)) {
    return [
      err("UnauthorizedClientException", "The client is not registered for the device code grant"),
      state
    ]
  }
  if (state.userCodes.has(fresh.userCode) || state.authorizations.has(fresh.deviceCode)) return ["collision", state]
  const auth: AuthorizationRecord = {
    deviceCode: fresh.deviceCode,
    userCode: fresh.userCode,
    clientId: client.value.clientId,
    startUrl: input.value.startUrl,
    issuedAt: now,
    expiresAt: now + settings.deviceCodeExpiresInSeconds * 1000,
    intervalSeconds: settings.intervalSeconds,
    status: "pending",
    decidedAt: undefined,
    polls: 0,
    slowDowns: 0,
    lastPollAt: undefined
  }
  const verificationUri = `${settings.baseUrl}/device`
  return [
    ok({
      deviceCode: auth.deviceCode,
      userCode: auth.userCode,
      verificationUri,
      verificationUriComplete: `${verificationUri}?user_code=${encodeURIComponent(auth.userCode)}`,
      expiresIn: settings.deviceCodeExpiresInSeconds,
      interval: settings.intervalSeconds
    }),
    {
      ...state,
      authorizations: set(state.authorizations, auth.deviceCode, auth),
      userCodes: set(state.userCodes, auth.userCode, auth.deviceCode)
    }
  ]
}

// -----------------------------------------------------------------------------
// CreateToken
// -----------------------------------------------------------------------------

export interface FreshTokens {
  readonly accessToken: string
  readonly refreshToken: string
}

const issueTokens = (
  state: State,
  client: ClientRecord,
  grantType: string,
  scopes: ReadonlyArray<string>,
  now: number,
  fresh: FreshTokens,
  settings: Settings
): readonly [Outcome, State] => {
  const refreshToken = client.grantTypes.includes(GrantType.RefreshToken) ? fresh.refreshToken : undefined
  const token: TokenRecord = {
    accessToken: fresh.accessToken,
    refreshToken,
    clientId: client.clientId,
    grantType,
    scopes,
    issuedAt: now,
    expiresAt: now + settings.tokenExpiresInSeconds * 1000
  }
  return [
    ok({
      accessToken: token.accessToken,
      tokenType: "Bearer",
      expiresIn: settings.tokenExpiresInSeconds,
      ...(refreshToken === undefined ? {} : { refreshToken })
    }),
    {
      ...state,
      tokens: set(state.tokens, token.accessToken, token),
      refreshTokens: refreshToken === undefined
        ? state.refreshTokens
        : set(state.refreshTokens, refreshToken, { clientId: client.clientId, scopes, active: true })
    }
  ]
}

export const createToken = (
  state: State,
  body: Body,
  now: number,
  fresh: FreshTokens,
  settings: Settings
): readonly [Outcome, State] => {
  const input = readAll({
    clientId: requiredString(body, "clientId"),
    clientSecret: requiredString(body, "clientSecret"),
    grantType: requiredString(body, "grantType"),
    deviceCode: optionalString(body, "deviceCode"),
    refreshToken: optionalString(body, "refreshToken"),
    code: optionalString(body, "code"),
    redirectUri: optionalString(body, "redirectUri"),
    codeVerifier: optionalString(body, "codeVerifier"),
    scope: optionalStringList(body, "scope")
  })
  if (input._tag === "Err") return [input, state]
  const { clientId, clientSecret, grantType } = input.value
  const authenticated = authenticate(state, clientId, clientSecret, now)
  if (authenticated._tag === "Err") return [authenticated, state]
  const client = authenticated.value
  if (!supportedGrantTypes.includes(grantType)) {
    return [err("UnsupportedGrantTypeException", `Unsupported grant type: ${grantType}`), state]
  }
  if (!client.grantTypes.includes(grantType)) {
    return [err("InvalidGrantException", `The client is not registered for the grant type ${grantType}`), state]
  }
  switch (grantType) {
    case GrantType.DeviceCode:
      return deviceCodeGrant(state, client, input.value.deviceCode, now, fresh, settings)
    case GrantType.RefreshToken: {
      const presented = input.value.refreshToken
      if (presented === undefined || presented === "") {
        return [err("InvalidRequestException", "Missing required parameter: refreshToken"), state]
      }
      const record = state.refreshTokens.get(presented)
      if (record === undefined || !record.active || record.clientId !== client.clientId) {
        return [err("InvalidGrantException", "Invalid refresh token provided"), state]
      }
      const rotated: State = {
        ...state,
        refreshTokens: set(state.refreshTokens, presented, { ...record, active: false })
      }
      return issueTokens(rotated, client, grantType, record.scopes, now, fresh, settings)
    }
    default: {
      const [redeemed, after] = redeemCode(state, client.clientId, input.value, now, fresh.refreshToken)
      if (redeemed._tag === "Err") return [redeemed, after]
      return issueTokens(after, client, GrantType.AuthorizationCode, redeemed.value.scopes, now, fresh, settings)
    }
  }
}

const deviceCodeGrant = (
  state: State,
  client: ClientRecord,
  deviceCode: string | undefined,
  now: number,
  fresh: FreshTokens,
  settings: Settings
): readonly [Outcome, State] => {
  if (deviceCode === undefined || deviceCode === "") {
    return [err("InvalidRequestException", "Missing required parameter: deviceCode"), state]
  }
  const auth = state.authorizations.get(deviceCode)
  if (auth === undefined || auth.clientId !== client.clientId) {
    return [err("InvalidGrantException", "Invalid device code provided"), state]
  }
  const status = statusAt(auth, now, settings)
  const polled: AuthorizationRecord = { ...auth, polls: auth.polls + 1, lastPollAt: now }
  const save = (record: AuthorizationRecord): State => ({
    ...state,
    authorizations: set(state.authorizations, record.deviceCode, record)
  })
  switch (status) {
    case "consumed":
      return [err("InvalidGrantException", "The device code was already used"), save(polled)]
    case "expired":
      return [err("ExpiredTokenException", "The device code has expired"), save(polled)]
    case "denied":
      return [err("AccessDeniedException", "The user denied the authorization request"), save(polled)]
    case "approved": {
      const consumed: AuthorizationRecord = {
        ...polled,
        status: "consumed",
        decidedAt: auth.decidedAt ?? now
      }
      return issueTokens(save(consumed), client, GrantType.DeviceCode, client.scopes, now, fresh, settings)
    }
    case "pending": {
      const tooSoon = auth.lastPollAt !== undefined && now - auth.lastPollAt < auth.intervalSeconds * 1000
      if (tooSoon) {
        const slowed: AuthorizationRecord = {
          ...polled,
          intervalSeconds: auth.intervalSeconds + slowDownIncrementSeconds,
          slowDowns: auth.slowDowns + 1
        }
        return [err("SlowDownException", "Client is polling too frequently"), save(slowed)]
      }
      return [err("AuthorizationPendingException", "Authorization is still pending"), save(polled)]
    }
  }
}

// -----------------------------------------------------------------------------
// controls
// -----------------------------------------------------------------------------

export type Decision = "approved" | "denied"

export type ControlOutcome =
  | { readonly _tag: "Done" }
  | { readonly _tag: "Unknown" }
  | { readonly _tag: "NotPending"; readonly status: AuthorizationStatus }

export const lookup = (state: State, userCode: string): AuthorizationRecord | undefined => {
  const deviceCode = state.userCodes.get(userCode)
  return deviceCode === undefined ? undefined : state.authorizations.get(deviceCode)
}

/** Approves or denies a pending authorization; deciding the same way twice is a no-op. */
export const decide = (
  state: State,
  userCode: string,
  decision: Decision,
  now: number,
  settings: Settings
): readonly [ControlOutcome, State] => {
  const auth = lookup(state, userCode)
  if (auth === undefined) return [{ _tag: "Unknown" }, state]
  const status = statusAt(auth, now, settings)
  if (status === decision) return [{ _tag: "Done" }, state]
  if (status !== "pending") return [{ _tag: "NotPending", status }, state]
  const decided: AuthorizationRecord = { ...auth, status: decision, decidedAt: now }
  return [{ _tag: "Done" }, { ...state, authorizations: set(state.authorizations, auth.deviceCode, decided) }]
}

/** Makes an authorization expire now (if it would expire later). */
export const expire = (state: State, userCode: string, now: number): readonly [ControlOutcome, State] => {
  const auth = lookup(state, userCode)
  if (auth === undefined) return [{ _tag: "Unknown" }, state]
  const expired: AuthorizationRecord = { ...auth, expiresAt: Math.min(auth.expiresAt, now) }
  return [{ _tag: "Done" }, { ...state, authorizations: set(state.authorizations, auth.deviceCode, expired) }]
}

// -----------------------------------------------------------------------------
// /authorize (the authorization code grant with PKCE)
// -----------------------------------------------------------------------------

/** The status of an `/authorize` request at `now`. */
export const requestStatusAt = (request: AuthorizationRequestRecord, now: number): AuthorizationRequestStatus => {
  switch (request.status) {
    case "denied":
    case "consumed":
      return request.status
    case "approved":
      return request.codeExpiresAt !== undefined && now >= request.codeExpiresAt ? "expired" : "approved"
    case "pending":
      return now >= request.expiresAt ? "expired" : "pending"
  }
}

const loopbackHosts: ReadonlyArray<string> = ["127.0.0.1", "[::1]"]

const parseUrl = (text: string): URL | undefined => {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

/**
 * Whether a requested redirect URI matches a registered one: equal, or — for
 * a registered loopback IP literal over `http` (RFC 8252 §7.3) — equal but
 * for the port, which the client picks per login.
 */
export const redirectUriMatches = (registered: string, requested: string): boolean => {
  if (registered === requested) return true
  const reg = parseUrl(registered)
  const req = parseUrl(requested)
  if (reg === undefined || req === undefined) return false
  if (reg.protocol !== "http:" || !loopbackHosts.includes(reg.hostname)) return false
  return req.protocol === "http:" && req.hostname === reg.hostname && req.pathname === reg.pathname &&
    req.search === reg.search && req.username === "" && req.password === ""
}

/** Who may send a browser to `/authorize`: a registered client or an application. */
interface AuthorizeParty {
  readonly clientId: string
  readonly name: string
  readonly redirectUris: ReadonlyArray<string>
  readonly scopes: ReadonlyArray<string>
}

const authorizeParty = (
  state: State,
  clientId: string,
  now: number,
  settings: Settings
): AuthorizeParty | { readonly problem: string } => {
  const application = settings.applications.find((app) => app.applicationArn === clientId)
  if (application !== undefined) {
    return {
      clientId,
      name: application.name,
      redirectUris: application.redirectUris,
      scopes: application.scopes
    }
  }
  const client = state.clients.get(clientId)
  if (client === undefined) return { problem: "The client_id is not a registered client." }
  if (now >= client.clientSecretExpiresAt * 1000) return { problem: "The client's registration has expired." }
  if (!client.grantTypes.includes(GrantType.AuthorizationCode)) {
    return { problem: "The client is not registered for the authorization code grant." }
  }
  return { clientId, name: client.clientName, redirectUris: client.redirectUris, scopes: client.scopes }
}

/** What `GET /authorize` leads to. */
export type AuthorizeOutcome =
  | { readonly _tag: "Invalid"; readonly title: string; readonly message: string }
  | { readonly _tag: "Created"; readonly request: AuthorizationRequestRecord }

const invalidRequest = (title: string, message: string): AuthorizeOutcome => ({ _tag: "Invalid", title, message })

/** An S256 challenge: base64url of a SHA-256 digest, unpadded (43 characters). */
const s256Challenge = /^[A-Za-z0-9_-]{43}$/

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const verifierSyntax = /^[A-Za-z0-9\-._~]{43,128}$/

/** The S256 challenge of a verifier (RFC 7636 §4.2). */
export const s256 = (verifier: string): string => sha256Base64Url(verifier)

/**
 * Validates an `/authorize` query and records the request. The client and
 * the redirect URI are checked first: until both are known good, nothing may
 * redirect anywhere, so every problem is an error page.
 */
export const startAuthorizationRequest = (
  state: State,
  query: Readonly<Record<string, string>>,
  now: number,
  fresh: { readonly id: string },
  settings: Settings
): readonly [AuthorizeOutcome, State] => {
  const clientId = query["client_id"]
  if (clientId === undefined || clientId === "") {
    return [invalidRequest("Invalid request", "The request has no client_id."), state]
  }
  const party = authorizeParty(state, clientId, now, settings)
  if ("problem" in party) return [invalidRequest("Unknown application", party.problem), state]
  const redirectUri = query["redirect_uri"]
  if (redirectUri === undefined || redirectUri === "") {
    return [invalidRequest("Invalid request", "The request has no redirect_uri."), state]
  }
  const parsed = parseUrl(redirectUri)
  if (parsed === undefined || redirectUri.includes("#")) {
    return [invalidRequest("Invalid redirect URI", "The redirect_uri must be an absolute URI without a fragment."), state]
  }
  if (!party.redirectUris.some((registered) => redirectUriMatches(registered, redirectUri))) {
    return [
      invalidRequest("Invalid redirect URI", "The redirect_uri is not one of the URIs registered for this application."),
      state
    ]
  }
  if (query["response_type"] !== "code") {
    return [invalidRequest("Invalid request", "The response_type must be code."), state]
  }
  if (query["code_challenge_method"] !== "S256") {
    return [invalidRequest("Invalid request", "The code_challenge_method must be S256 (PKCE is required)."), state]
  }
  const challenge = query["code_challenge"]
  if (challenge === undefined || !s256Challenge.test(challenge)) {
    return [
      invalidRequest("Invalid request", "The code_challenge must be an unpadded base64url SHA-256 digest (PKCE is required)."),
      state
    ]
  }
  const requested = (query["scopes"] ?? query["scope"] ?? "").split(/\s+/).filter((scope) => scope !== "")
  const unknown = party.scopes.length === 0 ? undefined : requested.find((scope) => !party.scopes.includes(scope))
  if (unknown !== undefined) {
    return [invalidRequest("Invalid scope", `The scope ${unknown} is not registered for this application.`), state]
  }
  const request: AuthorizationRequestRecord = {
    id: fresh.id,
    clientId,
    clientName: party.name,
    redirectUri,
    state: query["state"],
    codeChallenge: challenge,
    scopes: requested.length > 0 ? requested : party.scopes,
    createdAt: now,
    expiresAt: now + settings.authorizationCodeExpiresInSeconds * 1000,
    status: "pending",
    decidedAt: undefined,
    code: undefined,
    codeExpiresAt: undefined,
    refreshToken: undefined
  }
  return [
    { _tag: "Created", request },
    { ...state, authorizationRequests: set(state.authorizationRequests, request.id, request) }
  ]
}

/** Appends parameters to a (validated) redirect URI's query. */
const redirectTo = (redirectUri: string, params: ReadonlyArray<readonly [string, string | undefined]>): string => {
  const url = new URL(redirectUri)
  for (const [name, value] of params) if (value !== undefined) url.searchParams.append(name, value)
  return url.toString()
}

export type RequestDecisionOutcome =
  | { readonly _tag: "Redirect"; readonly location: string }
  | { readonly _tag: "Unknown" }
  | { readonly _tag: "NotPending"; readonly status: AuthorizationRequestStatus }

/** Approves (issuing a code) or denies a pending `/authorize` request; answers where to send the browser. */
export const decideAuthorizationRequest = (
  state: State,
  id: string,
  decision: Decision,
  now: number,
  fresh: { readonly code: string },
  settings: Settings
): readonly [RequestDecisionOutcome, State] => {
  const request = state.authorizationRequests.get(id)
  if (request === undefined) return [{ _tag: "Unknown" }, state]
  const status = requestStatusAt(request, now)
  if (status !== "pending") return [{ _tag: "NotPending", status }, state]
  if (decision === "denied") {
    const denied: AuthorizationRequestRecord = { ...request, status: "denied", decidedAt: now }
    return [
      {
        _tag: "Redirect",
        location: redirectTo(request.redirectUri, [
          ["error", "access_denied"],
          ["error_description", "The user denied the authorization request"],
          ["state", request.state]
        ])
      },
      { ...state, authorizationRequests: set(state.authorizationRequests, id, denied) }
    ]
  }
  const approved: AuthorizationRequestRecord = {
    ...request,
    status: "approved",
    decidedAt: now,
    code: fresh.code,
    codeExpiresAt: now + settings.authorizationCodeExpiresInSeconds * 1000
  }
  return [
    { _tag: "Redirect", location: redirectTo(request.redirectUri, [["code", fresh.code], ["state", request.state]]) },
    {
      ...state,
      authorizationRequests: set(state.authorizationRequests, id, approved),
      codes: set(state.codes, fresh.code, id)
    }
  ]
}

/**
 * Redeems an authorization code for `clientId`: known, issued to that
 * client, not used, not expired, presented with the same redirect URI and a
 * verifier whose S256 challenge is the request's. A code presented twice
 * also revokes the refresh token issued for it (RFC 6749 §4.1.2). On success
 * the code is used up and `refreshToken` recorded as issued for it.
 */
export const redeemCode = (
  state: State,
  clientId: string,
  input: {
    readonly code?: string | undefined
    readonly redirectUri?: string | undefined
    readonly codeVerifier?: string | undefined
  },
  now: number,
  refreshToken: string
): readonly [Read<AuthorizationRequestRecord>, State] => {
  const fail = (description: string, next: State = state) =>
    [{ _tag: "Err", failure: { name: "InvalidGrantException", description } }, next] as const
  if (input.code === undefined || input.code === "") {
    return [{ _tag: "Err", failure: { name: "InvalidRequestException", description: "Missing required parameter: code" } }, state]
  }
  const id = state.codes.get(input.code)
  const request = id === undefined ? undefined : state.authorizationRequests.get(id)
  if (request === undefined) return fail("Invalid authorization code provided")
  if (request.clientId !== clientId) return fail("The authorization code was issued to another client")
  const status = requestStatusAt(request, now)
  if (status === "consumed") {
    const previous = request.refreshToken === undefined ? undefined : state.refreshTokens.get(request.refreshToken)
    const revoked: State = previous === undefined || request.refreshToken === undefined
      ? state
      : { ...state, refreshTokens: set(state.refreshTokens, request.refreshToken, { ...previous, active: false }) }
    return fail("The authorization code was already used", revoked)
  }
  if (status !== "approved") return fail("The authorization code has expired")
  if (input.redirectUri !== request.redirectUri) {
    return fail("The redirectUri does not match the redirect_uri of the authorization request")
  }
  if (input.codeVerifier === undefined || !verifierSyntax.test(input.codeVerifier)) {
    return fail("A code verifier of 43 to 128 unreserved characters is required (PKCE)")
  }
  if (s256(input.codeVerifier) !== request.codeChallenge) {
    return fail("The code verifier does not match the code challenge (PKCE)")
  }
  const consumed: AuthorizationRequestRecord = { ...request, status: "consumed", refreshToken }
  return [
    { _tag: "Ok", value: request },
    { ...state, authorizationRequests: set(state.authorizationRequests, request.id, consumed) }
  ]
}
