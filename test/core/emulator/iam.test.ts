/**
 * CreateTokenWithIAM's grants as pure transitions (src/core/emulator/iam.ts).
 */
import { describe, expect, it } from "vitest"
import { GrantType, TokenTypeUri } from "../../../src/core/emulator/grants.js"
import * as Iam from "../../../src/core/emulator/iam.js"
import * as State from "../../../src/core/emulator/state.js"
import type { Outcome } from "../../../src/core/emulator/wire.js"

const applicationArn = "arn:aws:sso::123456789012:application/ssoins-1/apl-1"
const settings: State.Settings = {
  baseUrl: "https://emulator.invalid",
  intervalSeconds: 1,
  deviceCodeExpiresInSeconds: 600,
  tokenExpiresInSeconds: 3600,
  registrationLifetimeSeconds: 3600,
  autoApproveAfterMillis: undefined,
  region: "us-east-1",
  authorizationCodeExpiresInSeconds: 600,
  applications: [{ applicationArn, name: "app", redirectUris: ["http://127.0.0.1/cb"], scopes: ["openid", "aws"] }],
  idTokenKey: new Uint8Array(32).fill(7),
  maxRecords: 100
}
const t0 = Date.UTC(2026, 0, 1)
const fresh = { accessToken: "at", refreshToken: "rt", identityContext: "ctx" }
const ok = (outcome: Outcome) => {
  if (outcome._tag !== "Ok") throw new Error(outcome.failure.name)
  return outcome.body
}
const errName = (outcome: Outcome) => (outcome._tag === "Err" ? outcome.failure.name : "Ok")

const jwt = (payload: object) => {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")
  return `${part({ alg: "none" })}.${part(payload)}.`
}

describe("core emulator CreateTokenWithIAM", () => {
  it("a JWT bearer assertion yields tokens for its sub, a signed id token and the identity context", () => {
    const [outcome, s] = Iam.createTokenWithIam(State.empty, {
      clientId: applicationArn,
      grantType: GrantType.JwtBearer,
      assertion: jwt({ sub: "alice" })
    }, t0, fresh, settings)
    const reply = ok(outcome)
    expect(reply).toMatchObject({
      accessToken: "at",
      refreshToken: "rt:us-east-1",
      issuedTokenType: TokenTypeUri.RefreshToken,
      scope: ["openid", "aws"],
      awsAdditionalDetails: { identityContext: "ctx" }
    })
    const claims = Iam.parseJwt(reply["idToken"] as string)!.payload
    expect(claims).toMatchObject({ sub: "alice", aud: applicationArn, iss: "https://emulator.invalid" })
    expect(reply["idToken"]).toBe(Iam.makeIdToken(settings.idTokenKey, claims))
    expect(s.tokens.get("at")?.subject).toBe("alice")
  })

  it("refuses an unknown application, an unsupported grant, a bad JWT and a scope outside the application's", () => {
    const call = (body: Record<string, unknown>) => errName(Iam.createTokenWithIam(State.empty, body, t0, fresh, settings)[0])
    expect(call({ clientId: "arn:other", grantType: GrantType.JwtBearer, assertion: "x" })).toBe("InvalidClientException")
    expect(call({ clientId: applicationArn, grantType: GrantType.DeviceCode })).toBe("UnsupportedGrantTypeException")
    expect(call({ clientId: applicationArn, grantType: GrantType.JwtBearer, assertion: "not.a.jwt" })).toBe("InvalidGrantException")
    expect(call({ clientId: applicationArn, grantType: GrantType.JwtBearer, assertion: jwt({}), scope: ["admin"] })).toBe(
      "InvalidScopeException"
    )
    expect(call({ clientId: applicationArn, grantType: GrantType.TokenExchange, subjectTokenType: TokenTypeUri.AccessToken })).toBe(
      "InvalidRequestException"
    )
  })

  it("a refresh token of another region is InvalidRequestRegion with that region's endpoint", () => {
    const [outcome] = Iam.createTokenWithIam(State.empty, {
      clientId: applicationArn,
      grantType: GrantType.RefreshToken,
      refreshToken: "rt:eu-west-1"
    }, t0, fresh, settings)
    expect(outcome).toEqual({
      _tag: "Err",
      failure: {
        name: "InvalidRequestRegionException",
        description: expect.stringContaining("eu-west-1"),
        extra: { endpoint: "https://oidc.eu-west-1.amazonaws.com", region: "eu-west-1" }
      }
    })
    expect(Iam.endpointOf("cn-north-1")).toBe("https://oidc.cn-north-1.amazonaws.com.cn")
  })

  it("token exchange of an access token this emulator issued; an expired one is refused", () => {
    const [, s] = Iam.createTokenWithIam(State.empty, {
      clientId: applicationArn,
      grantType: GrantType.JwtBearer,
      assertion: jwt({ sub: "bob" })
    }, t0, fresh, settings)
    const exchange = (at: number) =>
      Iam.createTokenWithIam(s, {
        clientId: applicationArn,
        grantType: GrantType.TokenExchange,
        subjectToken: "at",
        subjectTokenType: TokenTypeUri.AccessToken
      }, at, { ...fresh, accessToken: "at2" }, settings)[0]
    expect(ok(exchange(t0 + 1_000))).toMatchObject({ accessToken: "at2", issuedTokenType: TokenTypeUri.AccessToken })
    expect(ok(exchange(t0 + 1_000))["refreshToken"]).toBeUndefined()
    expect(errName(exchange(t0 + 3600_000))).toBe("InvalidGrantException")
  })
})
