/**
 * The provider rules of src/core/provider.ts, without Effect: the refresh
 * window, the throttle, what makes a token refreshable, what a refresh makes,
 * which registration a login reuses, and when role credentials are complete
 * and fresh. Both editions' SsoTokenProvider, SsoCredentials and
 * AwsCredentials run these; their Effect-level suites test the wiring.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { GrantType } from "../../src/core/emulator/grants.js"
import * as core from "../../src/core/provider.js"

const MINUTE = 60_000
const WINDOW = core.defaultRefreshWindowMillis

/** A refreshable token expiring at `expiresAt` (secrets are plain strings here: the core never reads them). */
const token = (
  expiresAt: number,
  overrides: Partial<core.RefreshableToken<string>> = {}
): core.RefreshableToken<string> => ({
  startUrl: "https://corp.awsapps.com/start",
  region: "eu-west-1",
  accessToken: "access",
  expiresAt: new Date(expiresAt),
  clientId: "client",
  clientSecret: "secret",
  registrationExpiresAt: new Date(90 * 24 * 60 * MINUTE),
  refreshToken: "refresh",
  ...overrides
})

describe("defaults", () => {
  it("the SDKs' values: a 5-minute window, one attempt per 30 s, role credentials 5 minutes early", () => {
    expect(core.defaultRefreshWindowMillis).toBe(300_000)
    expect(core.defaultMinRefreshIntervalMillis).toBe(30_000)
    expect(core.defaultRoleRefreshWindowMillis).toBe(300_000)
    expect(core.sdkCredentialsMarginMillis).toBe(300_000)
  })
})

describe("isFresh / isExpired", () => {
  it("fresh means strictly more than the window left: exactly the window left is refreshed", () => {
    expect(core.isFresh(new Date(WINDOW + 1), 0, WINDOW)).toBe(true)
    expect(core.isFresh(new Date(WINDOW), 0, WINDOW)).toBe(false)
    expect(core.isFresh(WINDOW + 1, 0, WINDOW)).toBe(true)
    expect(core.isFresh(WINDOW, 0, WINDOW)).toBe(false)
  })

  it("a token is expired at its expiresAt itself, usable the millisecond before", () => {
    expect(core.isExpired(new Date(1_000), 999)).toBe(false)
    expect(core.isExpired(new Date(1_000), 1_000)).toBe(true)
    expect(core.isExpired(new Date(1_000), 1_001)).toBe(true)
  })
})

describe("notRefreshable", () => {
  it("needs a refresh token, then a client id and secret, then an unexpired registration, in that order", () => {
    expect(core.notRefreshable(token(0), 0)).toBeUndefined()
    expect(core.notRefreshable(token(0, { refreshToken: undefined, clientSecret: undefined }), 0)).toBe("NoRefreshToken")
    expect(core.notRefreshable(token(0, { clientId: undefined }), 0)).toBe("NoClientRegistration")
    expect(core.notRefreshable(token(0, { clientSecret: undefined }), 0)).toBe("NoClientRegistration")
    expect(core.notRefreshable(token(0, { registrationExpiresAt: new Date(MINUTE) }), MINUTE - 1)).toBeUndefined()
    expect(core.notRefreshable(token(0, { registrationExpiresAt: new Date(MINUTE) }), MINUTE)).toBe("RegistrationExpired")
  })

  it("a token without registrationExpiresAt (older caches) is refreshable", () => {
    expect(core.notRefreshable(token(0, { registrationExpiresAt: undefined }), 10 ** 12)).toBeUndefined()
  })
})

describe("decide", () => {
  const options = { windowMillis: WINDOW, minIntervalMillis: 30_000 }

  it("fresh: served, whatever the last attempt", () => {
    expect(core.decide(token(6 * MINUTE), 0, options)).toEqual({ _tag: "Serve" })
    expect(core.decide(token(6 * MINUTE), 0, { ...options, lastAttempt: { at: 0, failure: "boom" } })).toEqual({
      _tag: "Serve"
    })
  })

  it("inside the window and refreshable: refresh", () => {
    expect(core.decide(token(5 * MINUTE), 0, options)).toEqual({ _tag: "Refresh" })
    expect(core.decide(token(MINUTE), 10 * MINUTE, options)).toEqual({ _tag: "Refresh" })
  })

  it("a refresh attempted less than the interval ago: valid → served, expired → the last failure or RefreshThrottled", () => {
    const at = 100_000
    const recent = (failure: string | undefined) => ({ ...options, lastAttempt: { at, failure } })
    expect(core.decide(token(at + MINUTE), at + 29_999, recent("boom"))).toEqual({ _tag: "Serve" })
    expect(core.decide(token(at), at + 29_999, recent("boom"))).toEqual({ _tag: "LastFailure", failure: "boom" })
    expect(core.decide(token(at), at + 29_999, recent(undefined))).toEqual({ _tag: "Expired", reason: "RefreshThrottled" })
  })

  it("the throttle ends after exactly the interval", () => {
    expect(core.decide(token(0), 30_000, { ...options, lastAttempt: { at: 0, failure: "boom" } })).toEqual({
      _tag: "Refresh"
    })
  })

  it("the interval defaults to 30 s", () => {
    const lastAttempt = { at: 0, failure: "boom" }
    expect(core.decide(token(0), 29_999, { windowMillis: WINDOW, lastAttempt })).toEqual({
      _tag: "LastFailure",
      failure: "boom"
    })
    expect(core.decide(token(0), 30_000, { windowMillis: WINDOW, lastAttempt })).toEqual({ _tag: "Refresh" })
  })

  it("not refreshable: served while valid, then Expired with the reason", () => {
    const noRefresh = token(3 * MINUTE, { refreshToken: undefined })
    expect(core.decide(noRefresh, 2 * MINUTE, options)).toEqual({ _tag: "Serve" })
    expect(core.decide(noRefresh, 3 * MINUTE, options)).toEqual({ _tag: "Expired", reason: "NoRefreshToken" })
    const lapsed = token(3 * MINUTE, { registrationExpiresAt: new Date(MINUTE) })
    expect(core.decide(lapsed, 2 * MINUTE, options)).toEqual({ _tag: "Serve" })
    expect(core.decide(lapsed, 4 * MINUTE, options)).toEqual({ _tag: "Expired", reason: "RegistrationExpired" })
  })

  it("without a last attempt (under the lock, after a re-read) there is no throttle", () => {
    expect(core.decide(token(0), MINUTE, { windowMillis: WINDOW })).toEqual({ _tag: "Refresh" })
  })

  it("a custom window (the AWS CLI's 15 minutes) refreshes what the default would serve", () => {
    expect(core.decide(token(14 * MINUTE), 0, options)).toEqual({ _tag: "Serve" })
    expect(core.decide(token(14 * MINUTE), 0, { ...options, windowMillis: 15 * MINUTE })).toEqual({ _tag: "Refresh" })
  })
})

describe("refresh replies", () => {
  const isEmpty = (secret: string) => secret === ""

  it("a reply needs a non-empty access token and a positive expiresIn", () => {
    const problem = (reply: core.RefreshReply<string>) => {
      const checked = core.checkRefreshReply(reply, isEmpty)
      return checked._tag === "Unusable" ? checked.description : undefined
    }
    expect(core.checkRefreshReply({ accessToken: "a", expiresIn: 1, refreshToken: "r" }, isEmpty)).toEqual({
      _tag: "Usable",
      reply: { accessToken: "a", expiresIn: 1, refreshToken: "r" }
    })
    expect(problem({ expiresIn: 3600 })).toBe("accessToken is missing")
    expect(problem({ accessToken: "", expiresIn: 3600 })).toBe("accessToken is missing")
    expect(problem({ accessToken: "a", expiresIn: 0 })).toBe("expiresIn is not positive")
    expect(problem({ accessToken: "a", expiresIn: -1 })).toBe("expiresIn is not positive")
    expect(problem({ accessToken: "a", expiresIn: Number.NaN })).toBe("expiresIn is not positive")
  })

  it("the refreshed token: the session's URL and region, expiry in whole seconds, the old registration", () => {
    const old = token(MINUTE, { startUrl: undefined, region: undefined })
    const session = { startUrl: "https://corp.awsapps.com/start", region: "eu-west-1" }
    const refreshed = core.refreshedToken(session, old, { accessToken: "new", expiresIn: 3600, refreshToken: "r2" }, 10_500)
    expect(refreshed).toEqual({
      startUrl: "https://corp.awsapps.com/start",
      region: "eu-west-1",
      accessToken: "new",
      expiresAt: new Date(3_610_000),
      clientId: "client",
      clientSecret: "secret",
      registrationExpiresAt: old.registrationExpiresAt,
      refreshToken: "r2"
    })
  })

  it("a reply without a refresh token keeps the old one", () => {
    const session = { startUrl: "https://corp.awsapps.com/start", region: "eu-west-1" }
    expect(core.refreshedToken(session, token(0), { accessToken: "new", expiresIn: 60 }, 0).refreshToken).toBe("refresh")
  })

  it("wholeSeconds rounds down, so no reader sees a later expiry than the service gave", () => {
    expect(core.wholeSeconds(1_999).getTime()).toBe(1_000)
    expect(core.wholeSeconds(2_000).getTime()).toBe(2_000)
  })

  it("a kept token is dropped once the file has one that lives as long or longer", () => {
    const kept = { expiresAt: new Date(10_000) }
    expect(core.isCaughtUp({ expiresAt: new Date(9_999) }, kept)).toBe(false)
    expect(core.isCaughtUp({ expiresAt: new Date(10_000) }, kept)).toBe(true)
    expect(core.isCaughtUp({ expiresAt: new Date(20_000) }, kept)).toBe(true)
  })
})

describe("messages", () => {
  const named = { sessionName: "corp", startUrl: "https://corp.awsapps.com/start" }
  const legacy = { startUrl: "https://legacy.awsapps.com/start" }

  it("name the session and the login command: sso-session or, for a legacy profile, the start URL", () => {
    expect(core.loginCommand(named)).toBe("sso-oidc login --sso-session corp")
    expect(core.loginCommand(legacy)).toBe("sso-oidc login --start-url https://legacy.awsapps.com/start")
    expect(core.describeSession(named)).toBe(`sso-session "corp"`)
    expect(core.describeSession(legacy)).toBe("start URL https://legacy.awsapps.com/start")
  })

  it("sessionIds leaves sessionName out for a legacy profile", () => {
    expect(core.sessionIds({ ...named, region: "eu-west-1" } as core.SessionIds)).toEqual(named)
    expect(Object.keys(core.sessionIds({ sessionName: undefined, startUrl: legacy.startUrl }))).toEqual(["startUrl"])
  })

  it("TokenMissing and TokenExpired say what to run", () => {
    expect(core.tokenMissingMessage(named, "/c/x.json")).toBe(
      `No SSO token for sso-session "corp" (no /c/x.json): run \`sso-oidc login --sso-session corp\` to sign in`
    )
    expect(core.tokenExpiredMessage(legacy, new Date(0), "NoRefreshToken")).toBe(
      "The SSO token of start URL https://legacy.awsapps.com/start expired at 1970-01-01T00:00:00.000Z and cannot be " +
        "refreshed: the cache has no refresh token (set sso_registration_scopes to get one). " +
        "Run `sso-oidc login --start-url https://legacy.awsapps.com/start` to sign in again."
    )
    for (const reason of core.notRefreshableReasons) {
      expect(core.tokenExpiredMessage(named, new Date(0), reason)).toMatch(/refreshed: [a-z].+\. Run `/)
    }
  })

  it("RefreshFailed: the session has ended only for the grant-ending errors", () => {
    for (const tag of ["InvalidGrant", "InvalidClient", "ExpiredToken", "AccessDenied", "UnauthorizedClient"]) {
      expect(core.isSessionEnded(tag)).toBe(true)
      expect(core.refreshFailedMessage(named, tag, "no")).toContain("The SSO session has ended")
    }
    for (const tag of ["TransportError", "InternalServer", "SlowDown", "ResponseDecodeError", "LockTimeout"]) {
      expect(core.isSessionEnded(tag)).toBe(false)
      expect(core.refreshFailedMessage(named, tag, "no")).toContain("Try again later")
    }
    expect(core.refreshFailedMessage(named, "InvalidGrant", "Invalid refresh token provided")).toBe(
      `Refreshing the expired SSO token of sso-session "corp" failed: Invalid refresh token provided. ` +
        "The SSO session has ended: run `sso-oidc login --sso-session corp` to sign in again."
    )
  })

  it("the warnings name the session and the problem", () => {
    expect(core.unwrittenWarning(named, "ENOSPC")).toBe(
      `The refreshed SSO token of sso-session "corp" could not be written to the cache (ENOSPC); ` +
        "this process keeps using it and tries again later"
    )
    expect(core.notRefreshedWarning(named, "ENOSPC")).toBe(`The SSO token of sso-session "corp" was not refreshed: ENOSPC`)
    expect(core.roleCredentialsUncachedWarning("dev", "/c/k.json", "ENOSPC")).toBe(
      `the role credentials of profile "dev" could not be cached (/c/k.json: ENOSPC); they are kept in memory for this process`
    )
  })
})

describe("login", () => {
  it("the device flow reuses a registration without grantTypes or listing the device grant", () => {
    expect(core.registrationUsableFor("device", undefined)).toBe(true)
    expect(core.registrationUsableFor("device", [GrantType.DeviceCode, "refresh_token"])).toBe(true)
    expect(core.registrationUsableFor("device", ["authorization_code", "refresh_token"])).toBe(false)
  })

  it("the browser flow reuses only a registration listing authorization_code", () => {
    expect(core.registrationUsableFor("browser", undefined)).toBe(false)
    expect(core.registrationUsableFor("browser", ["authorization_code", "refresh_token"])).toBe(true)
    expect(core.registrationUsableFor("browser", [GrantType.DeviceCode])).toBe(false)
  })

  it("a new registration's file lists grantTypes for the browser flow only, as the AWS CLI writes it", () => {
    expect(core.registrationGrantTypesFor("browser")).toEqual(["authorization_code", "refresh_token"])
    expect(core.registrationGrantTypesFor("device")).toBeUndefined()
  })

  it("the default client name carries the session name", () => {
    expect(core.defaultClientName({ sessionName: "corp" })).toBe("effect-sso-oidc-corp")
    expect(core.defaultClientName({})).toBe("effect-sso-oidc")
  })
})

describe("role credentials", () => {
  const complete = { accessKeyId: "ASIA1", secretAccessKey: "s", sessionToken: "t", expiration: 3_600_999 }

  it("a complete reply: the credentials for the account, the expiry cut to whole seconds", () => {
    expect(core.roleCredentialsOf(complete, "111111111111")).toEqual({
      _tag: "Complete",
      credentials: {
        accessKeyId: "ASIA1",
        secretAccessKey: "s",
        sessionToken: "t",
        expiration: 3_600_000,
        accountId: "111111111111"
      }
    })
  })

  it("the first missing member is named", () => {
    const missing = (reply: core.RoleCredentialsReply<string> | undefined) => {
      const result = core.roleCredentialsOf(reply, "1")
      return result._tag === "Missing" ? result.member : undefined
    }
    expect(missing(undefined)).toBe("roleCredentials")
    expect(missing({})).toBe("accessKeyId")
    expect(missing({ ...complete, accessKeyId: "" })).toBe("accessKeyId")
    expect(missing({ ...complete, secretAccessKey: undefined })).toBe("secretAccessKey")
    expect(missing({ ...complete, sessionToken: undefined })).toBe("sessionToken")
    expect(missing({ ...complete, expiration: undefined })).toBe("expiration")
  })

  it("cached credentials without an account are the profile's", () => {
    expect(core.accountOf({ accountId: "" }, "111111111111")).toBe("111111111111")
    expect(core.accountOf({ accountId: "222222222222" }, "111111111111")).toBe("222222222222")
  })

  it("an SDK provider's credentials: long-term ones never expire, temporary ones are asked for 5 minutes early", () => {
    expect(core.sdkCredentialsFresh(undefined, 10 ** 12)).toBe(true)
    expect(core.sdkCredentialsFresh(new Date(5 * MINUTE + 1), 0)).toBe(true)
    expect(core.sdkCredentialsFresh(new Date(5 * MINUTE), 0)).toBe(false)
  })
})

describe("core/provider's imports", () => {
  it("only the core: no effect, no node:*, nothing outside src/core", () => {
    const text = readFileSync(new URL("../../src/core/provider.ts", import.meta.url), "utf8")
    const sources = [...text.matchAll(/^\s*(?:import|export)\b[^\n]*\bfrom\s+"([^"]+)"/gm)].map((match) => match[1])
    expect(sources).toEqual(["./emulator/grants.js"])
    expect(text).not.toMatch(/\bimport\(|\brequire\(/)
    // and that module imports nothing at all
    const grants = readFileSync(new URL("../../src/core/emulator/grants.ts", import.meta.url), "utf8")
    expect(grants.match(/^\s*(?:import|export)\b[^\n]*\bfrom\s/gm)).toBeNull()
  })
})
