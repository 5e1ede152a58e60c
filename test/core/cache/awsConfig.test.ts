/** The rules of sessions and profiles of `~/.aws/config`, over parsed INI, in the Effect-free core. */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import * as AwsConfig from "../../../src/core/cache/awsConfig.js"

const text = readFileSync(join(__dirname, "..", "..", "fixtures", "cache", "config.ini"), "utf8")

const parsed = (input: string, path = "/home/u/.aws/config"): AwsConfig.ConfigFile => {
  const result = AwsConfig.parseConfigFile(input, path)
  if (result._tag !== "Ok") throw new Error(`line ${result.line}: ${result.description}`)
  return result.value
}

const file = parsed(text)

describe("parsing", () => {
  it("profiles and sso-sessions by name; other sections are neither; the path is carried along", () => {
    expect(file.path).toBe("/home/u/.aws/config")
    expect([...file.ssoSessions.keys()]).toEqual(["corp", "no-scopes", "spaced", "missing-region"])
    expect([...file.profiles.keys()]).not.toContain("my-services")
    expect(file.profiles.get("default")).toEqual({ region: "us-west-2", output: "json" })
    expect(file.profiles.get("dev")!["s3"]).toEqual({
      max_concurrent_requests: "20",
      region: "should-not-leak",
      sso_region: "should-not-leak-either"
    })
  })

  it("a file the AWS CLI cannot parse is a ParseError with the line", () => {
    expect(AwsConfig.parseConfigFile("[default]\nregion = a\njust words\n", "/c")).toEqual({
      _tag: "ParseError",
      line: 3,
      description: "line is neither a [section] nor \"key = value\""
    })
  })

  it("later sections of one name win, as in botocore's build_profile_map", () => {
    const twice = parsed("[profile a]\nregion = one\n[profile  a]\nregion = two\n")
    expect(twice.profiles.get("a")).toEqual({ region: "two" })
  })

  it("scopes split on commas, trimmed, empties dropped", () => {
    expect(AwsConfig.parseScopes(" a, b ,, c ,")).toEqual(["a", "b", "c"])
    expect(AwsConfig.parseScopes("")).toEqual([])
  })
})

describe("resolution", () => {
  it("an sso-session: start URL, region, scopes; sso_use_device_code only when true", () => {
    expect(AwsConfig.resolveSsoSession(file, "corp")).toEqual({
      _tag: "Ok",
      value: {
        sessionName: "corp",
        startUrl: "https://corp.awsapps.com/start",
        region: "us-east-1",
        registrationScopes: ["sso:account:access", "codewhisperer:completions"]
      }
    })
    const device = parsed("[sso-session d]\nsso_start_url = u\nsso_region = r\nsso_use_device_code = TRUE\n")
    expect(AwsConfig.resolveSsoSession(device, "d")).toMatchObject({ _tag: "Ok", value: { useDeviceCode: true } })
    const off = parsed("[sso-session d]\nsso_start_url = u\nsso_region = r\nsso_use_device_code = yes\n")
    const resolved = AwsConfig.resolveSsoSession(off, "d")
    expect(resolved._tag === "Ok" && "useDeviceCode" in resolved.value).toBe(false)
  })

  it("the problems: SectionNotFound, MissingConfigKey (section as written), ConflictingConfig", () => {
    expect(AwsConfig.resolveSsoSession(file, "nope")).toEqual({ _tag: "SectionNotFound", kind: "sso-session", name: "nope" })
    expect(AwsConfig.resolveSsoSession(file, "missing-region")).toEqual({
      _tag: "MissingConfigKey",
      section: "sso-session missing-region",
      key: "sso_region"
    })
    expect(AwsConfig.resolveProfileSession(file, "dangling")).toEqual({
      _tag: "SectionNotFound",
      kind: "sso-session",
      name: "nowhere"
    })
    expect(AwsConfig.resolveProfileSession(file, "plain")).toMatchObject({ _tag: "MissingConfigKey", key: "sso_session" })
    expect(AwsConfig.resolveProfileSession(file, "conflicting")).toEqual({
      _tag: "ConflictingConfig",
      profile: "conflicting",
      sessionName: "corp",
      key: "sso_region"
    })
  })

  it("a profile with sso_session resolves to the session; a legacy one has no session name", () => {
    expect(AwsConfig.resolveProfileSession(file, "dev")).toMatchObject({ _tag: "Ok", value: { sessionName: "corp" } })
    expect(AwsConfig.resolveProfileSession(file, "legacy.dotted")).toEqual({
      _tag: "Ok",
      value: {
        sessionName: undefined,
        startUrl: "https://legacy.awsapps.com/start",
        region: "us-east-2",
        registrationScopes: undefined
      }
    })
    const legacy = parsed("[default]\nsso_region = r\n")
    expect(AwsConfig.resolveProfileSession(legacy, "default")).toEqual({
      _tag: "MissingConfigKey",
      section: "default",
      key: "sso_start_url"
    })
  })

  it("a role profile needs sso_account_id and sso_role_name", () => {
    const roles = parsed(`[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer

[profile no-role]
sso_session = corp
sso_account_id = 111122223333
`)
    expect(AwsConfig.resolveRoleProfile(roles, "dev")).toEqual({
      _tag: "Ok",
      value: {
        profileName: "dev",
        accountId: "111122223333",
        roleName: "Developer",
        session: {
          sessionName: "corp",
          startUrl: "https://corp.awsapps.com/start",
          region: "eu-west-1",
          registrationScopes: undefined
        }
      }
    })
    expect(AwsConfig.resolveRoleProfile(roles, "no-role")).toEqual({
      _tag: "MissingConfigKey",
      section: "profile no-role",
      key: "sso_role_name"
    })
  })
})
