/**
 * The emulator's state machine (src/core/emulator/state.ts) as pure
 * transitions: no Effect, no clock, no randomness but the fresh values passed in.
 */
import { describe, expect, it } from "vitest"
import { GrantType } from "../../../src/core/emulator/grants.js"
import * as State from "../../../src/core/emulator/state.js"
import type { Outcome } from "../../../src/core/emulator/wire.js"

const settings: State.Settings = {
  baseUrl: "https://emulator.invalid",
  intervalSeconds: 5,
  deviceCodeExpiresInSeconds: 600,
  tokenExpiresInSeconds: 3600,
  registrationLifetimeSeconds: 90 * 24 * 3600,
  autoApproveAfterMillis: undefined,
  region: "us-east-1",
  authorizationCodeExpiresInSeconds: 600,
  applications: [],
  idTokenKey: new Uint8Array(32),
  maxRecords: 10_000
}

const t0 = Date.UTC(2026, 0, 1)

const body = (outcome: Outcome) => {
  if (outcome._tag !== "Ok") throw new Error(`expected Ok, got ${outcome.failure.name}: ${outcome.failure.description}`)
  return outcome.body
}
const failure = (outcome: Outcome | "collision") => {
  if (outcome === "collision" || outcome._tag !== "Err") throw new Error("expected Err")
  return outcome.failure.name
}

const registered = (s: State.State = State.empty, grantTypes?: ReadonlyArray<string>) =>
  State.registerClient(
    s,
    { clientName: "app", clientType: "public", ...(grantTypes === undefined ? {} : { grantTypes }) },
    t0,
    { clientId: "client-1", clientSecret: "secret-1" },
    settings
  )

const started = (s: State.State) => {
  const [outcome, next] = State.startDeviceAuthorization(
    s,
    { clientId: "client-1", clientSecret: "secret-1", startUrl: "https://start.example/start" },
    t0,
    { deviceCode: "device-1", userCode: "BCDF-GHJK" },
    settings
  )
  if (outcome === "collision") throw new Error("collision")
  return [outcome, next] as const
}

const poll = (s: State.State, at: number, fresh = { accessToken: "at-1", refreshToken: "rt-1" }) =>
  State.createToken(
    s,
    { clientId: "client-1", clientSecret: "secret-1", grantType: GrantType.DeviceCode, deviceCode: "device-1" },
    at,
    fresh,
    settings
  )

describe("core emulator state: the device flow", () => {
  it("RegisterClient answers the fresh credentials and stores the client with the default grants", () => {
    const [outcome, s] = registered()
    expect(body(outcome)).toEqual({
      clientId: "client-1",
      clientSecret: "secret-1",
      clientIdIssuedAt: t0 / 1000,
      clientSecretExpiresAt: t0 / 1000 + settings.registrationLifetimeSeconds
    })
    expect(s.clients.get("client-1")?.grantTypes).toEqual(State.defaultGrantTypes)
  })

  it("RegisterClient refuses a confidential client, an unknown grant and a missing name", () => {
    const confidential = State.registerClient(State.empty, { clientName: "a", clientType: "confidential" }, t0, {
      clientId: "c",
      clientSecret: "s"
    }, settings)
    expect(failure(confidential[0])).toBe("InvalidClientMetadataException")
    expect(failure(registered(State.empty, ["password"])[0])).toBe("UnsupportedGrantTypeException")
    const nameless = State.registerClient(State.empty, { clientType: "public" }, t0, { clientId: "c", clientSecret: "s" }, settings)
    expect(nameless[0]).toEqual({
      _tag: "Err",
      failure: { name: "InvalidRequestException", description: "Missing required parameter: clientName" }
    })
    expect(nameless[1]).toBe(State.empty)
  })

  it("StartDeviceAuthorization checks the client secret and reports a user code collision", () => {
    const [, s] = registered()
    const wrong = State.startDeviceAuthorization(s, { clientId: "client-1", clientSecret: "nope", startUrl: "u" }, t0, {
      deviceCode: "d",
      userCode: "BCDF-GHJK"
    }, settings)
    expect(failure(wrong[0])).toBe("InvalidClientException")
    const [outcome, after] = started(s)
    expect(body(outcome)).toMatchObject({
      deviceCode: "device-1",
      userCode: "BCDF-GHJK",
      verificationUri: "https://emulator.invalid/device",
      verificationUriComplete: "https://emulator.invalid/device?user_code=BCDF-GHJK",
      expiresIn: 600,
      interval: 5
    })
    const again = State.startDeviceAuthorization(after, { clientId: "client-1", clientSecret: "secret-1", startUrl: "u" }, t0, {
      deviceCode: "device-2",
      userCode: "BCDF-GHJK"
    }, settings)
    expect(again[0]).toBe("collision")
  })

  it("CreateToken: pending, slow_down within the interval (cumulative +5 s), then a token once approved, once", () => {
    const [, s0] = started(registered()[1])
    const [first, s1] = poll(s0, t0 + 5_000)
    expect(failure(first)).toBe("AuthorizationPendingException")
    const [second, s2] = poll(s1, t0 + 6_000)
    expect(failure(second)).toBe("SlowDownException")
    expect(s2.authorizations.get("device-1")).toMatchObject({ intervalSeconds: 10, slowDowns: 1, polls: 2 })
    const [, s3] = State.decide(s2, "BCDF-GHJK", "approved", t0 + 7_000, settings)
    const [token, s4] = poll(s3, t0 + 20_000)
    expect(body(token)).toEqual({ accessToken: "at-1", tokenType: "Bearer", expiresIn: 3600, refreshToken: "rt-1" })
    expect(State.statusAt(s4.authorizations.get("device-1")!, t0 + 20_000, settings)).toBe("consumed")
    expect(failure(poll(s4, t0 + 40_000)[0])).toBe("InvalidGrantException")
  })

  it("CreateToken: denied and expired device codes", () => {
    const [, s0] = started(registered()[1])
    const [, denied] = State.decide(s0, "BCDF-GHJK", "denied", t0, settings)
    expect(failure(poll(denied, t0 + 5_000)[0])).toBe("AccessDeniedException")
    expect(failure(poll(s0, t0 + 600_000)[0])).toBe("ExpiredTokenException")
    const [done, expired] = State.expire(s0, "BCDF-GHJK", t0 + 1)
    expect(done).toEqual({ _tag: "Done" })
    expect(failure(poll(expired, t0 + 5_000)[0])).toBe("ExpiredTokenException")
  })

  it("auto-approval happens lazily at issuedAt + autoApproveAfter", () => {
    const [, s0] = started(registered()[1])
    const auth = s0.authorizations.get("device-1")!
    const auto = { ...settings, autoApproveAfterMillis: 3_000 }
    expect(State.statusAt(auth, t0 + 2_999, auto)).toBe("pending")
    expect(State.statusAt(auth, t0 + 3_000, auto)).toBe("approved")
  })

  it("decide: the same decision twice is a no-op; the other one is NotPending; an unknown code is Unknown", () => {
    const [, s0] = started(registered()[1])
    const [, s1] = State.decide(s0, "BCDF-GHJK", "approved", t0, settings)
    expect(State.decide(s1, "BCDF-GHJK", "approved", t0, settings)).toEqual([{ _tag: "Done" }, s1])
    expect(State.decide(s1, "BCDF-GHJK", "denied", t0, settings)[0]).toEqual({ _tag: "NotPending", status: "approved" })
    expect(State.decide(s1, "XXXX-XXXX", "denied", t0, settings)[0]).toEqual({ _tag: "Unknown" })
  })

  it("refresh tokens rotate: the new one works, the old one is refused", () => {
    const [, s0] = started(registered()[1])
    const [, s1] = State.decide(s0, "BCDF-GHJK", "approved", t0, settings)
    const [, s2] = poll(s1, t0 + 5_000)
    const refresh = (s: State.State, token: string, fresh: { accessToken: string; refreshToken: string }) =>
      State.createToken(
        s,
        { clientId: "client-1", clientSecret: "secret-1", grantType: GrantType.RefreshToken, refreshToken: token },
        t0 + 10_000,
        fresh,
        settings
      )
    const [rotated, s3] = refresh(s2, "rt-1", { accessToken: "at-2", refreshToken: "rt-2" })
    expect(body(rotated)).toMatchObject({ accessToken: "at-2", refreshToken: "rt-2" })
    expect(failure(refresh(s3, "rt-1", { accessToken: "at-3", refreshToken: "rt-3" })[0])).toBe("InvalidGrantException")
    expect(body(refresh(s3, "rt-2", { accessToken: "at-3", refreshToken: "rt-3" })[0])).toMatchObject({ accessToken: "at-3" })
  })

  it("a client without the device grant is UnauthorizedClient at StartDeviceAuthorization", () => {
    const [, s] = registered(State.empty, [GrantType.AuthorizationCode])
    const [outcome] = State.startDeviceAuthorization(s, { clientId: "client-1", clientSecret: "secret-1", startUrl: "u" }, t0, {
      deviceCode: "d",
      userCode: "BCDF-GHJK"
    }, settings)
    expect(failure(outcome)).toBe("UnauthorizedClientException")
  })
})

describe("core emulator state: /authorize with PKCE", () => {
  const verifier = "v".repeat(43)
  const challenge = State.s256(verifier)
  const setup = () => {
    const [, s] = State.registerClient(State.empty, {
      clientName: "cli",
      clientType: "public",
      grantTypes: [GrantType.AuthorizationCode, GrantType.RefreshToken],
      redirectUris: ["http://127.0.0.1/oauth/callback"],
      scopes: ["sso:account:access"]
    }, t0, { clientId: "client-1", clientSecret: "secret-1" }, settings)
    return s
  }
  const query = {
    client_id: "client-1",
    redirect_uri: "http://127.0.0.1:4321/oauth/callback",
    response_type: "code",
    code_challenge_method: "S256",
    code_challenge: challenge,
    state: "xyz"
  }

  it("a loopback redirect URI matches whatever its port; other URIs must be equal", () => {
    expect(State.redirectUriMatches("http://127.0.0.1/cb", "http://127.0.0.1:5000/cb")).toBe(true)
    expect(State.redirectUriMatches("http://127.0.0.1/cb", "http://127.0.0.1:5000/other")).toBe(false)
    expect(State.redirectUriMatches("https://app.example/cb", "https://app.example:444/cb")).toBe(false)
    expect(State.redirectUriMatches("http://127.0.0.1/cb", "http://user@127.0.0.1:5000/cb")).toBe(false)
  })

  it("invalid queries never create a request", () => {
    const s = setup()
    for (const bad of [
      { ...query, client_id: "" },
      { ...query, client_id: "nobody" },
      { ...query, redirect_uri: "https://evil.example/cb" },
      { ...query, response_type: "token" },
      { ...query, code_challenge_method: "plain" },
      { ...query, code_challenge: "short" },
      { ...query, scope: "admin" }
    ]) {
      const [outcome, after] = State.startAuthorizationRequest(s, bad, t0, { id: "r1" }, settings)
      expect(outcome._tag).toBe("Invalid")
      expect(after).toBe(s)
    }
  })

  it("approve redirects with code and state; the code redeems once with the right verifier and redirect URI", () => {
    const [created, s1] = State.startAuthorizationRequest(setup(), query, t0, { id: "r1" }, settings)
    expect(created._tag).toBe("Created")
    const [redirect, s2] = State.decideAuthorizationRequest(s1, "r1", "approved", t0 + 1_000, { code: "code-1" }, settings)
    expect(redirect).toEqual({ _tag: "Redirect", location: "http://127.0.0.1:4321/oauth/callback?code=code-1&state=xyz" })
    const exchange = (s: State.State, input: Record<string, string>) =>
      State.createToken(s, {
        clientId: "client-1",
        clientSecret: "secret-1",
        grantType: GrantType.AuthorizationCode,
        code: "code-1",
        redirectUri: query.redirect_uri,
        codeVerifier: verifier,
        ...input
      }, t0 + 2_000, { accessToken: "at-1", refreshToken: "rt-1" }, settings)
    expect(failure(exchange(s2, { codeVerifier: "w".repeat(43) })[0])).toBe("InvalidGrantException")
    expect(failure(exchange(s2, { redirectUri: "http://127.0.0.1:1/oauth/callback" })[0])).toBe("InvalidGrantException")
    const [token, s3] = exchange(s2, {})
    expect(body(token)).toMatchObject({ accessToken: "at-1", refreshToken: "rt-1" })
    // A code presented twice is refused and revokes the refresh token issued for it (RFC 6749 §4.1.2).
    const [again, s4] = exchange(s3, {})
    expect(failure(again)).toBe("InvalidGrantException")
    expect(s4.refreshTokens.get("rt-1")?.active).toBe(false)
  })

  it("deny redirects with access_denied; a decided request is NotPending", () => {
    const [, s1] = State.startAuthorizationRequest(setup(), query, t0, { id: "r1" }, settings)
    const [redirect, s2] = State.decideAuthorizationRequest(s1, "r1", "denied", t0, { code: "c" }, settings)
    expect(redirect._tag === "Redirect" && new URL(redirect.location).searchParams.get("error")).toBe("access_denied")
    expect(State.decideAuthorizationRequest(s2, "r1", "approved", t0, { code: "c" }, settings)[0]).toEqual({
      _tag: "NotPending",
      status: "denied"
    })
    expect(State.decideAuthorizationRequest(s2, "nope", "approved", t0, { code: "c" }, settings)[0]).toEqual({ _tag: "Unknown" })
  })
})

describe("core emulator state: housekeeping", () => {
  it("sweeps records an hour past their lifetime, at most once a minute", () => {
    const [, s0] = started(registered()[1])
    const past = t0 + 600_000 + State.expiredRetentionMillis
    expect(State.housekeep(s0, past - 1, settings).authorizations.size).toBe(1)
    const swept = State.housekeep(s0, past, settings)
    expect(swept.authorizations.size).toBe(0)
    expect(swept.userCodes.size).toBe(0)
    expect(swept.clients.size).toBe(1)
    // Within a minute of the last sweep nothing is read again.
    const later = { ...s0, sweptAt: past - 1 }
    expect(State.housekeep(later, past, settings)).toBe(later)
  })

  it("caps each collection at maxRecords, evicting the oldest", () => {
    let s = State.empty
    for (let i = 0; i < 5; i++) {
      s = State.registerClient(s, { clientName: "a", clientType: "public" }, t0, { clientId: `c${i}`, clientSecret: "s" }, settings)[1]
    }
    const capped = State.housekeep(s, t0, { ...settings, maxRecords: 3 })
    expect([...capped.clients.keys()]).toEqual(["c2", "c3", "c4"])
  })
})
