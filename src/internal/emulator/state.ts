/**
 * The emulator's state and its transitions. Every transition is a pure
 * function of the state, the request, the current time and fresh random
 * values drawn beforehand, so the handler applies it atomically with
 * `Ref.modify` and the rules can be read (and tested) without any I/O.
 */
import { GrantType } from "../../SsoOidcSchema.js"
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
}

export interface RefreshRecord {
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
  /** False once it was used (refresh tokens rotate). */
  readonly active: boolean
}

export interface State {
  readonly clients: ReadonlyMap<string, ClientRecord>
  /** By device code. */
  readonly authorizations: ReadonlyMap<string, AuthorizationRecord>
  /** User code → device code. */
  readonly userCodes: ReadonlyMap<string, string>
  readonly tokens: ReadonlyArray<TokenRecord>
  readonly refreshTokens: ReadonlyMap<string, RefreshRecord>
}

export const empty: State = {
  clients: new Map(),
  authorizations: new Map(),
  userCodes: new Map(),
  tokens: [],
  refreshTokens: new Map()
}

const set = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> => new Map(map).set(key, value)

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

type Body = Readonly<Record<string, unknown>>

/** Runs readers in order; the first failure wins. */
const readAll = <const T extends Record<string, Read<unknown>>>(
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
      tokens: [...state.tokens, token],
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
      // authorization_code: this emulator does not serve `/authorize`, so it never issued a code.
      if (input.value.code === undefined || input.value.code === "") {
        return [err("InvalidRequestException", "Missing required parameter: code"), state]
      }
      return [err("InvalidGrantException", "Invalid authorization code provided"), state]
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
