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
 * Secrets are plain strings here; the editions wrap them in `Redacted`.
 *
 * @internal
 */
import { sha1Hex } from "../crypto.js"
import { dumps } from "./pythonJson.js"
import { formatTimestamp, parseTimestamp } from "./timestamp.js"
import type { Decoded } from "./tokenFile.js"

/** What identifies one role's credentials. @internal */
export interface RoleKeyInput {
  readonly accountId: string
  readonly roleName: string
  /** The sso-session's name; else the legacy profile's start URL. */
  readonly session:
    | { readonly _tag: "Session"; readonly name: string }
    | { readonly _tag: "StartUrl"; readonly startUrl: string }
}

/** The cache file's name without `.json`. @internal */
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

/** A role-credential file's content. @internal */
export interface RoleCredentialsFile {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  /** Epoch milliseconds, whole seconds (the file's precision). */
  readonly expiration: number
  readonly accountId: string
}

/** The file's text, as botocore writes it. Throws a `RangeError` for an invalid `expiration`. @internal */
export const encodeRoleCredentialsFile = (credentials: RoleCredentialsFile): string =>
  dumps({
    ProviderType: "sso",
    Credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: formatTimestamp(credentials.expiration),
      AccountId: credentials.accountId
    }
  })

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

const invalid = (description: string) => ({ _tag: "Invalid", description }) as const

/**
 * Reads a cache file; `Invalid` names what is wrong, never a value. Files of
 * other providers (assume-role caches share the folder) are `Invalid` too.
 *
 * @internal
 */
export const decodeRoleCredentialsFile = (text: string): Decoded<RoleCredentialsFile> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return invalid("not JSON")
  }
  const file = record(json)
  if (file === undefined) return invalid("not a JSON object")
  if (file["ProviderType"] !== "sso") return invalid("not SSO role credentials (ProviderType)")
  const credentials = record(file["Credentials"])
  if (credentials === undefined) return invalid("no Credentials object")
  const text_ = (name: string) => {
    const value = credentials[name]
    return typeof value === "string" && value !== "" ? value : undefined
  }
  const accessKeyId = text_("AccessKeyId")
  const secretAccessKey = text_("SecretAccessKey")
  const sessionToken = text_("SessionToken")
  const expirationText = text_("Expiration")
  if (accessKeyId === undefined) return invalid("no AccessKeyId")
  if (secretAccessKey === undefined) return invalid("no SecretAccessKey")
  if (sessionToken === undefined) return invalid("no SessionToken")
  const expiration = expirationText === undefined ? undefined : parseTimestamp(expirationText)
  if (expiration === undefined) return invalid("no valid Expiration")
  return {
    _tag: "Ok",
    value: { accessKeyId, secretAccessKey, sessionToken, expiration, accountId: text_("AccountId") ?? "" }
  }
}
