/**
 * `sso-oidc credentials --format …` prints what `aws configure
 * export-credentials --format …` (AWS CLI v2) prints for the same
 * credentials, byte for byte.
 */
import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import { execFileSync } from "node:child_process"
import { credentialFormats, formatCredentials, pythonIsoUtc } from "../src/cli/credentialFormats.js"

const credentials = {
  accessKeyId: "ASIAEXAMPLEEXAMPLE",
  secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
  sessionToken: Redacted.make("IQoJb3JpZ2luX2VjEXAMPLE=="),
  expiration: new Date("2026-12-01T22:30:00Z")
}

describe("credentials output formats (aws configure export-credentials)", () => {
  it("process: credential_process JSON, Version 1, two-space indent, +00:00 expiry, final newline", () => {
    expect(formatCredentials(credentials, "process")).toBe(`{
  "Version": 1,
  "AccessKeyId": "ASIAEXAMPLEEXAMPLE",
  "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "SessionToken": "IQoJb3JpZ2luX2VjEXAMPLE==",
  "Expiration": "2026-12-01T22:30:00+00:00"
}
`)
  })

  it("process output is Python's json.dumps(indent=2, separators=(',', ': ')) of the same dict", () => {
    const python = execFileSync("python3", ["-c", `
import json, sys
d = {"Version": 1, "AccessKeyId": "ASIAEXAMPLEEXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "SessionToken": "IQoJb3JpZ2luX2VjEXAMPLE==", "Expiration": "2026-12-01T22:30:00+00:00"}
sys.stdout.write(json.dumps(d, indent=2, separators=(',', ': ')) + "\\n")
`], { encoding: "utf8" })
    expect(formatCredentials(credentials, "process")).toBe(python)
  })

  it("the shell formats: one line per variable, in the AWS CLI's order and quoting", () => {
    const lines = (format: (typeof credentialFormats)[number]) => formatCredentials(credentials, format).split("\n")
    expect(lines("env")).toEqual([
      "export AWS_ACCESS_KEY_ID=ASIAEXAMPLEEXAMPLE",
      "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE==",
      "export AWS_CREDENTIAL_EXPIRATION=2026-12-01T22:30:00+00:00",
      ""
    ])
    expect(lines("env-no-export")[0]).toBe("AWS_ACCESS_KEY_ID=ASIAEXAMPLEEXAMPLE")
    expect(lines("powershell")[1]).toBe(`$Env:AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"`)
    expect(lines("windows-cmd")[2]).toBe("set AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLE==")
    expect(lines("fish")[3]).toBe(`set -gx AWS_CREDENTIAL_EXPIRATION "2026-12-01T22:30:00+00:00"`)
  })

  it("long-term keys have no session token and no expiry lines", () => {
    const plain = { accessKeyId: "AKIA", secretAccessKey: Redacted.make("s") }
    expect(formatCredentials(plain, "env")).toBe("export AWS_ACCESS_KEY_ID=AKIA\nexport AWS_SECRET_ACCESS_KEY=s\n")
    expect(JSON.parse(formatCredentials(plain, "process"))).toEqual({ Version: 1, AccessKeyId: "AKIA", SecretAccessKey: "s" })
  })

  it("the expiry prints as Python's isoformat: fractions only when present", () => {
    expect(pythonIsoUtc(new Date("2026-01-01T00:00:00Z"))).toBe("2026-01-01T00:00:00+00:00")
    expect(pythonIsoUtc(new Date("2026-01-01T00:00:00.250Z"))).toBe("2026-01-01T00:00:00.250000+00:00")
  })
})
