/**
 * Register-or-reuse and token construction of `src/core/login.ts`, without
 * Effect: the 15-minute reuse margin to the millisecond, scopes and region,
 * and the wire → model conversions (epoch and relative seconds, empty
 * strings). Secrets are a plain wrapper here, as `Redacted` is in the glue.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import * as Login from "../../src/core/login.js"

/** A stand-in for `Redacted`: the conversions only look inside through `reveal`. */
class Secret {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
}
const reveal = (secret: Secret) => secret.value

const margin = 15 * 60 * 1000

const registration = (fields: Partial<Login.Registration<Secret>> = {}): Login.Registration<Secret> => ({
  clientId: "cached-client",
  clientSecret: new Secret("cached-secret"),
  clientIdIssuedAt: undefined,
  clientSecretExpiresAt: new Date(3_600_000),
  scopes: ["sso:account:access"],
  region: "us-east-1",
  ...fields
})

describe("core/login: isReusable", () => {
  it("the margin is 15 minutes", () => {
    expect(Login.registrationReuseMarginMillis).toBe(margin)
  })

  it("reused with more than 15 minutes left, not with exactly 15 or less", () => {
    const at = (millis: number) => registration({ clientSecretExpiresAt: new Date(millis) })
    const scopes = ["sso:account:access"]
    expect(Login.isReusable(at(margin + 1), 0, scopes, "us-east-1")).toBe(true)
    expect(Login.isReusable(at(margin), 0, scopes, "us-east-1")).toBe(false)
    expect(Login.isReusable(at(10 * 60 * 1000), 0, scopes, "us-east-1")).toBe(false)
    expect(Login.isReusable(at(0), 0, scopes, "us-east-1")).toBe(false)
    // judged against the given now, not the wall clock
    const now = Date.UTC(2024, 0, 1)
    expect(Login.isReusable(at(now + 20 * 60 * 1000), now, scopes, undefined)).toBe(true)
    expect(Login.isReusable(at(now + 10 * 60 * 1000), now, scopes, undefined)).toBe(false)
  })

  it("needs the same scopes, in any order (absent is none)", () => {
    expect(Login.isReusable(registration({ scopes: ["b", "a"] }), 0, ["a", "b"], "us-east-1")).toBe(true)
    expect(Login.isReusable(registration(), 0, ["sso:account:access", "codewhisperer:completions"], "us-east-1"))
      .toBe(false)
    expect(Login.isReusable(registration({ scopes: undefined }), 0, [], "us-east-1")).toBe(true)
    expect(Login.isReusable(registration({ scopes: undefined }), 0, ["a"], "us-east-1")).toBe(false)
    expect(Login.sameScopes(["a", "a"], ["a"])).toBe(false)
    expect(Login.sameScopes(undefined, undefined)).toBe(true)
  })

  it("needs the same region, unless either side has none", () => {
    const scopes = ["sso:account:access"]
    expect(Login.isReusable(registration({ region: "eu-west-1" }), 0, scopes, "us-east-1")).toBe(false)
    expect(Login.isReusable(registration({ region: undefined }), 0, scopes, "us-east-1")).toBe(true)
    expect(Login.isReusable(registration(), 0, scopes, undefined)).toBe(true)
  })

  it("a registration whose expiry is not a Date (epoch seconds from an untyped caller) is not reused", () => {
    const untyped = { ...registration(), clientSecretExpiresAt: 7_776_000 as unknown as Date }
    expect(Login.isReusable(untyped, 0, ["sso:account:access"], "us-east-1")).toBe(false)
  })
})

describe("core/login: registrationOf", () => {
  const reply = { clientId: "client-1", clientSecret: new Secret("s"), clientIdIssuedAt: 0, clientSecretExpiresAt: 7_776_000 }

  it("epoch seconds become Dates; an issue time of 0 is unknown; scopes and region are the login's", () => {
    const built = Login.registrationOf(reply, { scopes: ["a"], region: "eu-west-1" }, reveal)
    expect(built).toEqual({
      _tag: "Built",
      value: {
        clientId: "client-1",
        clientSecret: new Secret("s"),
        clientIdIssuedAt: undefined,
        clientSecretExpiresAt: new Date(7_776_000_000),
        scopes: ["a"],
        region: "eu-west-1"
      }
    })
    const issued = Login.registrationOf({ ...reply, clientIdIssuedAt: 1_700_000_000 }, {
      scopes: undefined,
      region: undefined
    }, reveal)
    expect(issued._tag === "Built" && issued.value.clientIdIssuedAt?.getTime()).toBe(1_700_000_000_000)
  })

  it("the secret is passed through as given, not unwrapped", () => {
    const built = Login.registrationOf(reply, { scopes: undefined, region: undefined }, reveal)
    expect(built._tag === "Built" && built.value.clientSecret).toBe(reply.clientSecret)
  })

  it("an expiry of 0 is the epoch, so the registration is never reused", () => {
    const built = Login.registrationOf({ ...reply, clientSecretExpiresAt: 0 }, { scopes: [], region: undefined }, reveal)
    expect(built._tag === "Built" && built.value.clientSecretExpiresAt.getTime()).toBe(0)
    if (built._tag === "Built") expect(Login.isReusable(built.value, 0, [], undefined)).toBe(false)
  })

  it("no clientId or clientSecret, or an empty one, is Missing with the member's name", () => {
    const context = { scopes: undefined, region: undefined }
    const { clientId: _, ...noId } = reply
    const { clientSecret: __, ...noSecret } = reply
    expect(Login.registrationOf(noId, context, reveal)).toEqual({ _tag: "Missing", member: "clientId" })
    expect(Login.registrationOf({ ...reply, clientId: "" }, context, reveal)).toEqual({
      _tag: "Missing",
      member: "clientId"
    })
    expect(Login.registrationOf(noSecret, context, reveal)).toEqual({ _tag: "Missing", member: "clientSecret" })
    expect(Login.registrationOf({ ...reply, clientSecret: new Secret("") }, context, reveal)).toEqual({
      _tag: "Missing",
      member: "clientSecret"
    })
  })
})

describe("core/login: tokenOf", () => {
  const context = {
    receivedAt: 9_500,
    registration: registration(),
    clientRegion: "eu-west-1",
    startUrl: "https://my-sso-portal.awsapps.com/start"
  }
  const reply = {
    accessToken: new Secret("access"),
    refreshToken: new Secret("refresh"),
    idToken: new Secret("id"),
    tokenType: "Bearer",
    expiresIn: 28_800
  }

  it("expiresAt is receivedAt + expiresIn seconds; the registration, its region and the startUrl go with it", () => {
    const built = Login.tokenOf(reply, context, reveal)
    expect(built._tag).toBe("Built")
    if (built._tag !== "Built") return
    expect(built.value.expiresAt.getTime()).toBe(9_500 + 28_800_000)
    expect(built.value.registration).toBe(context.registration)
    expect(built.value.region).toBe("us-east-1")
    expect(built.value.startUrl).toBe(context.startUrl)
    expect(built.value.accessToken).toBe(reply.accessToken)
    expect(built.value.refreshToken).toBe(reply.refreshToken)
    expect(built.value.idToken).toBe(reply.idToken)
    expect(built.value.tokenType).toBe("Bearer")
  })

  it("the client's region when the registration has none", () => {
    const built = Login.tokenOf(reply, { ...context, registration: registration({ region: undefined }) }, reveal)
    expect(built._tag === "Built" && built.value.region).toBe("eu-west-1")
  })

  it("no refresh or id token and no type stay undefined; expiresIn 0 expires on arrival", () => {
    const built = Login.tokenOf({ accessToken: new Secret("a"), expiresIn: 0 }, context, reveal)
    expect(built._tag).toBe("Built")
    if (built._tag !== "Built") return
    expect(built.value.refreshToken).toBeUndefined()
    expect(built.value.idToken).toBeUndefined()
    expect(built.value.tokenType).toBeUndefined()
    expect(built.value.expiresAt.getTime()).toBe(9_500)
  })

  it("no accessToken, or an empty one, is Missing", () => {
    expect(Login.tokenOf({ tokenType: "Bearer", expiresIn: 3600 }, context, reveal)).toEqual({
      _tag: "Missing",
      member: "accessToken"
    })
    expect(Login.tokenOf({ ...reply, accessToken: new Secret("") }, context, reveal)).toEqual({
      _tag: "Missing",
      member: "accessToken"
    })
  })

  it("expiresAtOf and fromEpochSeconds: seconds to milliseconds, exactly", () => {
    expect(Login.expiresAtOf(1_000, 3_600).getTime()).toBe(3_601_000)
    expect(Login.fromEpochSeconds(7_776_000).getTime()).toBe(7_776_000_000)
    expect(Login.fromEpochSeconds(253_402_300_799).toISOString()).toBe("9999-12-31T23:59:59.000Z")
  })
})

describe("core/login, core/polling and core/authorizationCode", () => {
  it("import nothing but the core: no effect, no node:*, no other module", () => {
    for (const file of ["login.ts", "polling.ts", "authorizationCode.ts"]) {
      const text = readFileSync(new URL(`../../src/core/${file}`, import.meta.url), "utf8")
      const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^\n]*\bfrom\s+"([^"]+)"/gm)].map((m) => m[1])
      for (const specifier of specifiers) expect(specifier, file).toMatch(/^\.\/[a-zA-Z]+\.js$/)
      expect(text, file).not.toMatch(/\bimport\(|\brequire\(/)
    }
  })
})
