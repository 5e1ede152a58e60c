/**
 * The role-credential cache against botocore's own code (installed with the
 * AWS CLI): the same file name for the same session + account + role, a
 * different one for any other, and files each side reads from the other.
 */
import { describe, expect, it } from "@effect/vitest"
import { Redacted, Result } from "effect"
import { execFileSync } from "node:child_process"
import {
  decodeRoleCredentials,
  encodeRoleCredentials,
  roleCredentialsKey
} from "../src/internal/cache/roleCredentials.js"

/** Runs Python with botocore; `script` prints one JSON value. */
const python = (script: string): unknown => JSON.parse(execFileSync("python3", ["-c", script], { encoding: "utf8" }))

const botocoreKey = (args: { accountId: string; roleName: string; sessionName?: string; startUrl?: string }) =>
  python(`
import json
from botocore.credentials import SSOCredentialFetcher
f = SSOCredentialFetcher(${JSON.stringify(args.startUrl ?? "https://unused")}, "us-east-1", ${JSON.stringify(args.roleName)}, ${JSON.stringify(args.accountId)}, None, token_loader=None, sso_session_name=${args.sessionName === undefined ? "None" : JSON.stringify(args.sessionName)})
print(json.dumps(f._create_cache_key()))
`)

describe("role-credential cache (the AWS CLI's ~/.aws/cli/cache)", () => {
  it("the file name is botocore's for an sso-session, for a legacy start URL, and with non-ASCII names", () => {
    const cases = [
      { accountId: "111122223333", roleName: "ReadOnly", sessionName: "my-sso" },
      { accountId: "111122223333", roleName: "Admin", sessionName: "my-sso" },
      { accountId: "444455556666", roleName: "ReadOnly", sessionName: "my-sso" },
      { accountId: "111122223333", roleName: "ReadOnly", startUrl: "https://d-1234.awsapps.com/start" },
      { accountId: "111122223333", roleName: "Lecture-é", sessionName: "société" }
    ]
    const ours = cases.map((c) =>
      roleCredentialsKey({
        accountId: c.accountId,
        roleName: c.roleName,
        session: c.sessionName !== undefined
          ? { _tag: "Session", name: c.sessionName }
          : { _tag: "StartUrl", startUrl: c.startUrl! }
      })
    )
    expect(ours).toEqual(cases.map(botocoreKey))
    // One file per session + account + role: never one account's keys for another profile.
    expect(new Set(ours).size).toBe(cases.length)
  })

  it("botocore's file is read, and ours is what botocore writes, byte for byte", () => {
    const written = python(`
import json, datetime
from dateutil.tz import tzutc
from botocore.credentials import SSOCredentialFetcher
from botocore.utils import JSONFileCache
import tempfile, os
d = tempfile.mkdtemp()
cache = JSONFileCache(d)
f = SSOCredentialFetcher("https://x", "us-east-1", "ReadOnly", "111122223333", None, cache=cache, token_loader=None, sso_session_name="my-sso")
cache["k"] = {"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret/é", "SessionToken": "token", "Expiration": f._parse_timestamp(1767225600000), "AccountId": "111122223333"}}
print(json.dumps(open(os.path.join(d, "k.json")).read()))
`) as string
    const read = decodeRoleCredentials(written)
    expect(Result.isSuccess(read)).toBe(true)
    const credentials = Result.getOrThrow(read)
    expect(credentials.accessKeyId).toBe("ASIAEXAMPLE")
    expect(Redacted.value(credentials.secretAccessKey)).toBe("secret/é")
    expect(credentials.expiration).toBe(1767225600000)
    expect(encodeRoleCredentials(credentials)).toBe(written)
  })

  it("anything but a complete SSO entry is refused, naming what is wrong and no value", () => {
    const whole = { ProviderType: "sso", Credentials: { AccessKeyId: "A", SecretAccessKey: "S3CRET", SessionToken: "T", Expiration: "2026-01-01T00:00:00Z" } }
    const refused = [
      "not json",
      "[]",
      JSON.stringify({ ...whole, ProviderType: "assume-role" }),
      JSON.stringify({ ...whole, Credentials: { ...whole.Credentials, SessionToken: "" } }),
      JSON.stringify({ ...whole, Credentials: { ...whole.Credentials, Expiration: "0NaN-NaN-NaNTNaN:NaN:NaNZ" } })
    ].map(decodeRoleCredentials)
    for (const result of refused) {
      expect(Result.isFailure(result)).toBe(true)
      expect(JSON.stringify(result)).not.toContain("S3CRET")
    }
  })
})
