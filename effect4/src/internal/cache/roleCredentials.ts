/**
 * The role-credential cache of the AWS CLI (botocore's `SSOCredentialFetcher`
 * over `JSONFileCache('~/.aws/cli/cache')`), byte for byte, so that a role's
 * credentials fetched by either tool are reused by the other:
 *
 * - the file name is `sha1` of `json.dumps({accountId, roleName, sessionName
 *   | startUrl}, sort_keys=True, separators=(",", ":"))` + `.json`: one file
 *   per session (or legacy start URL) + account + role, never shared between
 *   two of them;
 * - the file is `{"ProviderType": "sso", "Credentials": {"AccessKeyId", …,
 *   "Expiration": "YYYY-MM-DDTHH:MM:SSZ", "AccountId"}}` as Python's
 *   `json.dumps` writes it.
 *
 * @internal
 */
import * as Result from "effect/Result"
import * as Redacted from "effect/Redacted"
import { sha1Hex } from "../../core/crypto.js"
import { dumps } from "../../core/cache/pythonJson.js"
import { formatTimestamp, parseTimestamp } from "../../core/cache/timestamp.js"

/** What identifies one role's credentials. */
export interface RoleKeyInput {
  readonly accountId: string
  readonly roleName: string
  /** The sso-session's name; else the legacy profile's start URL. */
  readonly session: { readonly _tag: "Session"; readonly name: string } | { readonly _tag: "StartUrl"; readonly startUrl: string }
}

/** The cache file's name without `.json`. */
export const roleCredentialsKey = (input: RoleKeyInput): string =>
  sha1Hex(
    dumps(
      {
        roleName: input.roleName,
        accountId: input.accountId,
        ...(input.session._tag === "Session" ? { sessionName: input.session.name } : { startUrl: input.session.startUrl })
      },
      true,
      true
    )
  )

/** Role credentials as the cache holds them. */
export interface CachedRoleCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken: Redacted.Redacted<string>
  /** Epoch milliseconds, whole seconds (the file's precision). */
  readonly expiration: number
  readonly accountId: string
}

/** The file's text, as botocore writes it. */
export const encodeRoleCredentials = (credentials: CachedRoleCredentials): string =>
  dumps({
    ProviderType: "sso",
    Credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: Redacted.value(credentials.secretAccessKey),
      SessionToken: Redacted.value(credentials.sessionToken),
      Expiration: formatTimestamp(credentials.expiration),
      AccountId: credentials.accountId
    }
  })

/**
 * Reads a cache file. `Left` names what is wrong, never a value. Files of
 * other providers (assume-role caches share the folder) are `Left` too.
 */
export const decodeRoleCredentials = (text: string): Result.Result<CachedRoleCredentials, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Result.fail("not JSON")
  }
  const record = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  const file = record(json)
  if (file === undefined) return Result.fail("not a JSON object")
  if (file["ProviderType"] !== "sso") return Result.fail("not SSO role credentials (ProviderType)")
  const credentials = record(file["Credentials"])
  if (credentials === undefined) return Result.fail("no Credentials object")
  const text_ = (name: string) => {
    const value = credentials[name]
    return typeof value === "string" && value !== "" ? value : undefined
  }
  const accessKeyId = text_("AccessKeyId")
  const secretAccessKey = text_("SecretAccessKey")
  const sessionToken = text_("SessionToken")
  const expirationText = text_("Expiration")
  if (accessKeyId === undefined) return Result.fail("no AccessKeyId")
  if (secretAccessKey === undefined) return Result.fail("no SecretAccessKey")
  if (sessionToken === undefined) return Result.fail("no SessionToken")
  const expiration = expirationText === undefined ? undefined : parseTimestamp(expirationText)
  if (expiration === undefined) return Result.fail("no valid Expiration")
  return Result.succeed({
    accessKeyId,
    secretAccessKey: Redacted.make(secretAccessKey),
    sessionToken: Redacted.make(sessionToken),
    expiration,
    accountId: text_("AccountId") ?? ""
  })
}
