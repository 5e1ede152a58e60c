/**
 * CreateTokenWithIAM (`POST /token?aws_iam=t`) once its SigV4 signature is
 * verified: the four grants of an IAM Identity Center application, as pure
 * transitions of the emulator's state.
 */
import { base64Url, hmacSha256 } from "../crypto.js"
import { partitionOf } from "../partitions.js"
import { GrantType, TokenTypeUri } from "./grants.js"
import {
  type ApplicationRecord,
  type Body,
  readAll,
  redeemCode,
  type RefreshRecord,
  set,
  type Settings,
  type State,
  type TokenRecord
} from "./state.js"
import { err, ok, optionalString, optionalStringList, type Outcome, requiredString } from "./wire.js"

/** The user every token stands for unless a JWT bearer assertion names another (`sub`). */
export const defaultSubject = "emulator-user"

export interface FreshIamTokens {
  readonly accessToken: string
  readonly refreshToken: string
  readonly identityContext: string
}

const base64UrlJson = (value: unknown): string => base64Url(new TextEncoder().encode(JSON.stringify(value)))

/** A real HS256 JWT, signed with the emulator's own key (nobody else can check it). */
export const makeIdToken = (key: Uint8Array, claims: Readonly<Record<string, unknown>>): string => {
  const signingInput = `${base64UrlJson({ alg: "HS256", typ: "JWT" })}.${base64UrlJson(claims)}`
  return `${signingInput}.${base64Url(hmacSha256(key, signingInput))}`
}

const base64UrlPart = /^[A-Za-z0-9_-]+$/

const fromBase64Url = (part: string): string => {
  const binary = atob(part.replace(/-/g, "+").replace(/_/g, "/"))
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
}

const decodeJsonPart = (part: string): Record<string, unknown> | undefined => {
  if (!base64UrlPart.test(part)) return undefined
  try {
    const value: unknown = JSON.parse(fromBase64Url(part))
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * A syntactically valid JWT (JWS compact form): three base64url parts, the
 * first two JSON objects. The signature is not checked: the emulator trusts
 * every token issuer.
 */
export const parseJwt = (
  text: string
): { readonly header: Record<string, unknown>; readonly payload: Record<string, unknown> } | undefined => {
  const parts = text.split(".")
  if (parts.length !== 3 || (parts[2] !== "" && !base64UrlPart.test(parts[2]!))) return undefined
  const header = decodeJsonPart(parts[0]!)
  const payload = decodeJsonPart(parts[1]!)
  return header === undefined || payload === undefined ? undefined : { header, payload }
}

/** The region a refresh token of this emulator was issued in: they end in `:<region>`. */
const regionOfRefreshToken = (token: string): string | undefined => /:([a-z0-9-]+)$/.exec(token)?.[1]

/**
 * Where a token of `region` may be used: the rule set's default endpoint
 * (no FIPS, no dual-stack), `https://oidc.<region>.<partition's DNS suffix>`.
 */
export const endpointOf = (region: string): string => `https://oidc.${region}.${partitionOf(region).dnsSuffix}`

/** The granted scopes: all of `available`, or the requested subset (downscoping). */
const downscope = (
  available: ReadonlyArray<string>,
  requested: ReadonlyArray<string> | undefined
): { readonly _tag: "Granted"; readonly scopes: ReadonlyArray<string> } | Outcome => {
  if (requested === undefined || requested.length === 0) return { _tag: "Granted", scopes: available }
  const unknown = requested.find((scope) => !available.includes(scope))
  if (unknown !== undefined) return err("InvalidScopeException", `Invalid scope: ${unknown}`)
  return { _tag: "Granted", scopes: requested }
}

const issue = (
  state: State,
  options: {
    readonly application: ApplicationRecord
    readonly grantType: string
    readonly scopes: ReadonlyArray<string>
    readonly subject: string
    readonly withRefreshToken: boolean
  },
  now: number,
  fresh: FreshIamTokens,
  settings: Settings
): readonly [Outcome, State] => {
  const { application, grantType, scopes, subject, withRefreshToken } = options
  const refreshToken = withRefreshToken ? `${fresh.refreshToken}:${settings.region}` : undefined
  const issuedAt = Math.floor(now / 1000)
  const token: TokenRecord = {
    accessToken: fresh.accessToken,
    refreshToken,
    clientId: application.applicationArn,
    grantType,
    scopes,
    issuedAt: now,
    expiresAt: now + settings.tokenExpiresInSeconds * 1000,
    subject
  }
  const idToken = makeIdToken(settings.idTokenKey, {
    iss: settings.baseUrl,
    sub: subject,
    aud: application.applicationArn,
    iat: issuedAt,
    exp: issuedAt + settings.tokenExpiresInSeconds,
    auth_time: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
    "sts:identity_context": fresh.identityContext
  })
  const refresh: RefreshRecord = { clientId: application.applicationArn, scopes, active: true, subject }
  return [
    ok({
      accessToken: token.accessToken,
      tokenType: "Bearer",
      expiresIn: settings.tokenExpiresInSeconds,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      idToken,
      issuedTokenType: refreshToken === undefined ? TokenTypeUri.AccessToken : TokenTypeUri.RefreshToken,
      scope: scopes,
      awsAdditionalDetails: { identityContext: fresh.identityContext }
    }),
    {
      ...state,
      tokens: set(state.tokens, token.accessToken, token),
      refreshTokens: refreshToken === undefined ? state.refreshTokens : set(state.refreshTokens, refreshToken, refresh)
    }
  ]
}

/** The grants CreateTokenWithIAM serves. */
export const iamGrantTypes: ReadonlyArray<string> = [
  GrantType.AuthorizationCode,
  GrantType.RefreshToken,
  GrantType.JwtBearer,
  GrantType.TokenExchange
]

/** CreateTokenWithIAM after SigV4: the application, the grant, then the grant's own checks. */
export const createTokenWithIam = (
  state: State,
  body: Body,
  now: number,
  fresh: FreshIamTokens,
  settings: Settings
): readonly [Outcome, State] => {
  const input = readAll({
    clientId: requiredString(body, "clientId"),
    grantType: requiredString(body, "grantType"),
    code: optionalString(body, "code"),
    refreshToken: optionalString(body, "refreshToken"),
    assertion: optionalString(body, "assertion"),
    scope: optionalStringList(body, "scope"),
    redirectUri: optionalString(body, "redirectUri"),
    subjectToken: optionalString(body, "subjectToken"),
    subjectTokenType: optionalString(body, "subjectTokenType"),
    requestedTokenType: optionalString(body, "requestedTokenType"),
    codeVerifier: optionalString(body, "codeVerifier")
  })
  if (input._tag === "Err") return [input, state]
  const { clientId, grantType, scope } = input.value
  const application = settings.applications.find((app) => app.applicationArn === clientId)
  if (application === undefined) {
    return [err("InvalidClientException", "The clientId is not the ARN of an application of this instance"), state]
  }
  if (!iamGrantTypes.includes(grantType)) {
    return [err("UnsupportedGrantTypeException", `Unsupported grant type: ${grantType}`), state]
  }
  const missing = (name: string): readonly [Outcome, State] => [
    err("InvalidRequestException", `Missing required parameter: ${name}`),
    state
  ]

  switch (grantType) {
    case GrantType.AuthorizationCode: {
      const [redeemed, after] = redeemCode(state, clientId, input.value, now, `${fresh.refreshToken}:${settings.region}`)
      if (redeemed._tag === "Err") return [redeemed, after]
      const granted = downscope(redeemed.value.scopes, scope)
      if (granted._tag !== "Granted") return [granted, state]
      return issue(after, {
        application,
        grantType,
        scopes: granted.scopes,
        subject: defaultSubject,
        withRefreshToken: true
      }, now, fresh, settings)
    }
    case GrantType.RefreshToken: {
      const presented = input.value.refreshToken
      if (presented === undefined || presented === "") return missing("refreshToken")
      const record = state.refreshTokens.get(presented)
      if (record === undefined) {
        const region = regionOfRefreshToken(presented)
        if (region !== undefined && region !== settings.region) {
          return [
            err(
              "InvalidRequestRegionException",
              `The refresh token was issued in ${region}; use the IAM Identity Center endpoint of that region`,
              { endpoint: endpointOf(region), region }
            ),
            state
          ]
        }
        return [err("InvalidGrantException", "Invalid refresh token provided"), state]
      }
      if (!record.active || record.clientId !== clientId) {
        return [err("InvalidGrantException", "Invalid refresh token provided"), state]
      }
      const granted = downscope(record.scopes, scope)
      if (granted._tag !== "Granted") return [granted, state]
      const rotated: State = { ...state, refreshTokens: set(state.refreshTokens, presented, { ...record, active: false }) }
      return issue(rotated, {
        application,
        grantType,
        scopes: granted.scopes,
        subject: record.subject ?? defaultSubject,
        withRefreshToken: true
      }, now, fresh, settings)
    }
    case GrantType.JwtBearer: {
      const assertion = input.value.assertion
      if (assertion === undefined || assertion === "") return missing("assertion")
      const jwt = parseJwt(assertion)
      if (jwt === undefined) return [err("InvalidGrantException", "The assertion is not a valid JWT"), state]
      const granted = downscope(application.scopes, scope)
      if (granted._tag !== "Granted") return [granted, state]
      const sub = jwt.payload["sub"]
      return issue(state, {
        application,
        grantType,
        scopes: granted.scopes,
        subject: typeof sub === "string" && sub !== "" ? sub : defaultSubject,
        withRefreshToken: true
      }, now, fresh, settings)
    }
    default: {
      // token exchange
      const { requestedTokenType, subjectToken, subjectTokenType } = input.value
      if (subjectToken === undefined || subjectToken === "") return missing("subjectToken")
      if (subjectTokenType === undefined || subjectTokenType === "") return missing("subjectTokenType")
      if (subjectTokenType !== TokenTypeUri.AccessToken) {
        return [
          err("InvalidRequestException", `Unsupported subjectTokenType: ${subjectTokenType}; use ${TokenTypeUri.AccessToken}`),
          state
        ]
      }
      const requested = requestedTokenType === undefined || requestedTokenType === ""
        ? TokenTypeUri.AccessToken
        : requestedTokenType
      if (requested !== TokenTypeUri.AccessToken && requested !== TokenTypeUri.RefreshToken) {
        return [err("InvalidRequestException", `Unsupported requestedTokenType: ${requested}`), state]
      }
      const subject = state.tokens.get(subjectToken)
      // A token revoked by the portal's Logout is as dead as an expired one.
      if (subject === undefined || now >= subject.expiresAt || state.revokedAccessTokens.has(subjectToken)) {
        return [err("InvalidGrantException", "Invalid subject token provided"), state]
      }
      const granted = downscope(application.scopes, scope)
      if (granted._tag !== "Granted") return [granted, state]
      return issue(state, {
        application,
        grantType,
        scopes: granted.scopes,
        subject: subject.subject ?? defaultSubject,
        withRefreshToken: requested === TokenTypeUri.RefreshToken
      }, now, fresh, settings)
    }
  }
}
