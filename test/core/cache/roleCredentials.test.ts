/** The AWS CLI's role-credential cache file (`~/.aws/cli/cache`) in the Effect-free core. */
import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import * as RoleCredentials from "../../../src/core/cache/roleCredentials.js"

const sha1 = (text: string) => createHash("sha1").update(text, "utf8").digest("hex")

const credentials: RoleCredentials.RoleCredentialsFile = {
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: "secret/é",
  sessionToken: "token",
  expiration: Date.UTC(2026, 0, 1),
  accountId: "111122223333"
}

/** What botocore's JSONFileCache writes for these credentials (json.dumps defaults). */
const GOLDEN =
  `{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret/\\u00e9", ` +
  `"SessionToken": "token", "Expiration": "2026-01-01T00:00:00Z", "AccountId": "111122223333"}}`

describe("role-credential files", () => {
  it("the key is sha1 of the compact, sorted json.dumps of account, role and session (or start URL)", () => {
    expect(RoleCredentials.roleCredentialsKey({
      accountId: "111122223333",
      roleName: "ReadOnly",
      session: { _tag: "Session", name: "my-sso" }
    })).toBe(sha1(`{"accountId":"111122223333","roleName":"ReadOnly","sessionName":"my-sso"}`))
    expect(RoleCredentials.roleCredentialsKey({
      accountId: "111122223333",
      roleName: "Lecture-é",
      session: { _tag: "StartUrl", startUrl: "https://d-1234.awsapps.com/start" }
    })).toBe(
      sha1(`{"accountId":"111122223333","roleName":"Lecture-\\u00e9","startUrl":"https://d-1234.awsapps.com/start"}`)
    )
  })

  it("the file is botocore's bytes, and reads back as it was", () => {
    expect(RoleCredentials.encodeRoleCredentialsFile(credentials)).toBe(GOLDEN)
    expect(RoleCredentials.decodeRoleCredentialsFile(GOLDEN)).toEqual({ _tag: "Ok", value: credentials })
  })

  it("a missing AccountId reads as empty; anything but a complete SSO entry is Invalid, naming no value", () => {
    const whole = {
      ProviderType: "sso",
      Credentials: { AccessKeyId: "A", SecretAccessKey: "S3CRET", SessionToken: "T", Expiration: "2026-01-01T00:00:00Z" }
    }
    const read = RoleCredentials.decodeRoleCredentialsFile(JSON.stringify(whole))
    expect(read._tag === "Ok" && read.value.accountId).toBe("")
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      ["not json", "not JSON"],
      [[], "not a JSON object"],
      [{ ...whole, ProviderType: "assume-role" }, "not SSO role credentials (ProviderType)"],
      [{ ...whole, Credentials: null }, "no Credentials object"],
      [{ ...whole, Credentials: { ...whole.Credentials, AccessKeyId: 1 } }, "no AccessKeyId"],
      [{ ...whole, Credentials: { ...whole.Credentials, SecretAccessKey: "" } }, "no SecretAccessKey"],
      [{ ...whole, Credentials: { ...whole.Credentials, SessionToken: "" } }, "no SessionToken"],
      [{ ...whole, Credentials: { ...whole.Credentials, Expiration: "0NaN-NaN-NaNTNaN:NaN:NaNZ" } }, "no valid Expiration"]
    ]
    for (const [file, description] of cases) {
      const decoded = RoleCredentials.decodeRoleCredentialsFile(typeof file === "string" ? file : JSON.stringify(file))
      expect(decoded).toEqual({ _tag: "Invalid", description })
      expect(JSON.stringify(decoded)).not.toContain("S3CRET")
    }
  })
})
