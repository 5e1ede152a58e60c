/**
 * The token-cache file formats of the Effect-free core: keys, the AWS CLI's
 * exact bytes, lenient reading, and the plain results naming a field, never a value.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import * as TokenFile from "../../../src/core/cache/tokenFile.js"

const fixture = (name: string) => readFileSync(join(__dirname, "..", "..", "fixtures", "cache", name), "utf8")
const sha1 = (text: string) => createHash("sha1").update(text, "utf8").digest("hex")
const at = (iso: string) => new Date(iso).getTime()

const token: TokenFile.TokenFile = {
  startUrl: "https://d-1234567890.awsapps.com/start",
  region: "us-east-1",
  accessToken: "aoaFixtureAccessToken",
  expiresAt: at("2026-01-01T12:00:00Z"),
  clientId: "fixtureClientId",
  clientSecret: "fixtureClientSecret",
  registrationExpiresAt: at("2026-03-31T12:00:00Z"),
  refreshToken: "aorFixtureRefreshToken"
}

/** The golden bytes of `aws sso login` (Python json.dumps of the CLI's dict), written out here too. */
const GOLDEN_TOKEN =
  `{"startUrl": "https://d-1234567890.awsapps.com/start", "region": "us-east-1", "accessToken": "aoaFixtureAccessToken", ` +
  `"expiresAt": "2026-01-01T12:00:00Z", "clientId": "fixtureClientId", "clientSecret": "fixtureClientSecret", ` +
  `"registrationExpiresAt": "2026-03-31T12:00:00Z", "refreshToken": "aorFixtureRefreshToken"}`

const GOLDEN_REGISTRATION =
  `{"clientId": "fixtureClientId", "clientSecret": "fixtureClientSecret", "expiresAt": "2026-03-31T12:00:00Z", "scopes": ["sso:account:access"]}`

const value = <A>(decoded: TokenFile.Decoded<A>): A => {
  if (decoded._tag !== "Ok") throw new Error(`expected a file, got ${decoded.description}`)
  return decoded.value
}

describe("keys", () => {
  it("a token is keyed by sha1 of the session name or start URL (botocore's test vectors)", () => {
    expect(TokenFile.tokenKey("test-sso")).toBe("d12208e38164f558a1d06c99432ab77dbb346c45")
    expect(TokenFile.tokenKey("https://ssotest.awsapps.com/start")).toBe("dace00cba5f8355ec9d274ceb2bcebdfbeed0e12")
    expect(TokenFile.tokenKey("sessão ✓ 😀")).toBe(sha1("sessão ✓ 😀"))
  })

  it("a registration is keyed by sha1 of the CLI's sorted json.dumps; absent scopes and session are null", () => {
    expect(TokenFile.registrationKey({
      startUrl: "https://ssotest.awsapps.com/start",
      region: "us-east-2",
      registrationScopes: ["sso:account:access"],
      sessionName: "test-sso"
    })).toBe("2dbb90fb11c1f559d9a744a89c0e90efb4103c4d")
    expect(TokenFile.registrationKey({
      startUrl: "https://x.awsapps.com/start",
      region: "eu-west-1",
      registrationScopes: undefined,
      sessionName: undefined
    })).toBe(
      sha1(
        `{"region": "eu-west-1", "scopes": null, "session_name": null, "startUrl": "https://x.awsapps.com/start", "tool": "botocore"}`
      )
    )
  })

  it("a cache key is 40 lowercase hex digits and nothing else (never a path)", () => {
    expect(TokenFile.isCacheKey("d12208e38164f558a1d06c99432ab77dbb346c45")).toBe(true)
    for (const bad of ["../../etc/passwd", "D12208E38164F558A1D06C99432AB77DBB346C45", "", "d12208e3.json"]) {
      expect(TokenFile.isCacheKey(bad)).toBe(false)
    }
  })
})

describe("writing", () => {
  it("a token file is byte for byte what the AWS CLI v2 writes", () => {
    expect(TokenFile.encodeTokenFile(token)).toBe(GOLDEN_TOKEN)
    expect(TokenFile.encodeTokenFile(token)).toBe(fixture("aws-cli-v2-token.json"))
    expect(TokenFile.encodeTokenFile({ ...token, refreshToken: undefined })).toBe(
      fixture("aws-cli-v2-token-no-refresh.json")
    )
  })

  it("fractions of a second are cut and non-ASCII is written as ensure_ascii escapes", () => {
    const text = TokenFile.encodeTokenFile({
      ...token,
      startUrl: "https://é.example/start",
      expiresAt: at("2026-05-06T07:08:09.999Z")
    })
    expect(text).toContain(`"startUrl": "https://\\u00e9.example/start"`)
    expect(text).toContain(`"expiresAt": "2026-05-06T07:08:09Z"`)
  })

  it("a registration file is the CLI's device-flow and authorization-code registration", () => {
    const device: TokenFile.RegistrationFile = {
      clientId: "fixtureClientId",
      clientSecret: "fixtureClientSecret",
      expiresAt: at("2026-03-31T12:00:00Z"),
      scopes: ["sso:account:access"],
      grantTypes: undefined
    }
    expect(TokenFile.encodeRegistrationFile(device)).toBe(GOLDEN_REGISTRATION)
    expect(TokenFile.encodeRegistrationFile(device)).toBe(fixture("aws-cli-v2-registration.json"))
    expect(TokenFile.encodeRegistrationFile({
      ...device,
      clientId: "fixturePkceClientId",
      clientSecret: "fixturePkceClientSecret",
      grantTypes: ["authorization_code", "refresh_token"]
    })).toBe(fixture("aws-cli-v2-registration-pkce.json"))
    // no scopes: the key is left out, as the CLI leaves it out
    expect(TokenFile.encodeRegistrationFile({ ...device, scopes: [] })).not.toContain("scopes")
  })

  it("a file that would not read back is a problem naming the field; encoding it throws a RangeError", () => {
    expect(TokenFile.tokenFileProblem(token)).toBeUndefined()
    expect(TokenFile.tokenFileProblem({ ...token, accessToken: "" })).toBe("accessToken is empty")
    expect(TokenFile.tokenFileProblem({ ...token, expiresAt: Number.NaN })).toBe(
      "expiresAt is not a date from the year 0000 to 9999"
    )
    expect(TokenFile.tokenFileProblem({ ...token, registrationExpiresAt: at("+010000-01-01T00:00:00Z") })).toBe(
      "registrationExpiresAt is not a date from the year 0000 to 9999"
    )
    expect(TokenFile.registrationFileProblem({
      clientId: "c",
      clientSecret: "",
      expiresAt: 0,
      scopes: undefined,
      grantTypes: undefined
    })).toBe("clientSecret is empty")
    expect(() => TokenFile.encodeTokenFile({ ...token, expiresAt: Number.NaN })).toThrow(RangeError)
  })
})

describe("reading", () => {
  it("reads the CLI's file, the JS SDK's (pretty, milliseconds), the old …UTC suffix and RFC 3339 offsets", () => {
    expect(value(TokenFile.decodeTokenFile(fixture("aws-cli-v2-token.json")))).toEqual(token)
    expect(value(TokenFile.decodeTokenFile(fixture("js-sdk-token.json")))).toEqual(token)
    expect(value(TokenFile.decodeTokenFile(fixture("aws-cli-2.1-utc-suffix-token.json"))).expiresAt).toBe(
      at("2026-01-01T12:00:00Z")
    )
    const offsets = value(TokenFile.decodeTokenFile(fixture("offset-token.json")))
    expect(offsets.expiresAt).toBe(at("2026-01-01T12:00:00Z"))
    expect(offsets.registrationExpiresAt).toBe(at("2026-03-31T12:00:00Z"))
  })

  it("what we write reads back as it was", () => {
    expect(value(TokenFile.decodeTokenFile(TokenFile.encodeTokenFile(token)))).toEqual(token)
  })

  it("key case does not matter (exact names first), null reads as absent, unknown members are ignored", () => {
    const read = value(TokenFile.decodeTokenFile(JSON.stringify({
      AccessToken: "a",
      EXPIRESAT: "2026-01-01T12:00:00Z",
      refreshToken: null,
      extra: { x: 1 }
    })))
    expect(read).toEqual({
      startUrl: undefined,
      region: undefined,
      accessToken: "a",
      expiresAt: at("2026-01-01T12:00:00Z"),
      clientId: undefined,
      clientSecret: undefined,
      registrationExpiresAt: undefined,
      refreshToken: undefined
    })
    expect(value(TokenFile.decodeTokenFile(
      JSON.stringify({ ACCESSTOKEN: "folded", accessToken: "exact", expiresAt: "2026-01-01T12:00:00Z" })
    )).accessToken).toBe("exact")
  })

  it("a partial or invalid file is Invalid, naming the first bad field and never a value", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      [fixture("truncated-token.json"), "not complete JSON"],
      ["  \n", "the file is empty"],
      ["[]", "not a JSON object"],
      ["null", "not a JSON object"],
      [JSON.stringify({ expiresAt: "2026-01-01T12:00:00Z" }), "accessToken is missing"],
      [JSON.stringify({ accessToken: "", expiresAt: "2026-01-01T12:00:00Z" }), "accessToken is missing"],
      [JSON.stringify({ accessToken: "secret-value" }), "expiresAt is missing"],
      [JSON.stringify({ accessToken: "secret-value", expiresAt: "tomorrow" }), "expiresAt is not a date"],
      [JSON.stringify({ accessToken: "secret-value", expiresAt: "2026-02-30T00:00:00Z" }), "expiresAt is not a date"],
      [JSON.stringify({ accessToken: 42, expiresAt: "2026-01-01T12:00:00Z" }), "accessToken is not a string"],
      [JSON.stringify({ startUrl: 1, accessToken: 42 }), "startUrl is not a string"],
      [
        JSON.stringify({ accessToken: "secret-value", expiresAt: "2026-01-01T12:00:00Z", refreshToken: 1 }),
        "refreshToken is not a string"
      ],
      [
        JSON.stringify({ accessToken: "secret-value", expiresAt: "2026-01-01T12:00:00Z", registrationExpiresAt: "x" }),
        "registrationExpiresAt is not a date"
      ]
    ]
    for (const [text, description] of cases) {
      const decoded = TokenFile.decodeTokenFile(text)
      expect(decoded).toEqual({ _tag: "Invalid", description })
      expect(JSON.stringify(decoded)).not.toContain("secret-value")
    }
  })

  it("registrations: required clientId, clientSecret and expiresAt; scopes and grantTypes lists of strings", () => {
    expect(value(TokenFile.decodeRegistrationFile(fixture("aws-cli-v2-registration-pkce.json")))).toEqual({
      clientId: "fixturePkceClientId",
      clientSecret: "fixturePkceClientSecret",
      expiresAt: at("2026-03-31T12:00:00Z"),
      scopes: ["sso:account:access"],
      grantTypes: ["authorization_code", "refresh_token"]
    })
    expect(TokenFile.decodeRegistrationFile(JSON.stringify({ clientId: "c", expiresAt: "2026-01-01T00:00:00Z" })))
      .toEqual({ _tag: "Invalid", description: "clientSecret is missing" })
    expect(TokenFile.decodeRegistrationFile(JSON.stringify({
      clientId: "c",
      clientSecret: "s",
      expiresAt: "2026-01-01T00:00:00Z",
      scopes: ["a", 1]
    }))).toEqual({ _tag: "Invalid", description: "scopes is not a list of strings" })
  })
})
