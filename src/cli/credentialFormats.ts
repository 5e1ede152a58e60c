/**
 * The output formats of `sso-oidc credentials`, byte for byte those of the
 * AWS CLI v2's `aws configure export-credentials --format …`, so a script or
 * a `credential_process` line can switch tools without a change:
 *
 * - `process`: the JSON of the SDKs' `credential_process` (Version 1), two
 *   spaces of indentation, `Expiration` in ISO 8601 with `+00:00` (what
 *   Python's `datetime.isoformat()` prints for UTC), a final newline;
 * - `env`, `env-no-export`, `powershell`, `windows-cmd`, `fish`: one line per
 *   variable: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 *   AWS_CREDENTIAL_EXPIRATION.
 */
import * as Redacted from "effect/Redacted"

export const credentialFormats = ["process", "env", "env-no-export", "powershell", "windows-cmd", "fish"] as const

export type CredentialFormat = (typeof credentialFormats)[number]

export interface ExportedCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
  readonly expiration?: Date | undefined
}

/** `2026-01-01T00:00:00+00:00`, with `.ffffff` only when there are fractions, as Python prints it. */
export const pythonIsoUtc = (date: Date): string => {
  const iso = date.toISOString() // 2026-01-01T00:00:00.000Z
  const millis = date.getUTCMilliseconds()
  const whole = iso.slice(0, 19)
  return millis === 0 ? `${whole}+00:00` : `${whole}.${String(millis * 1000).padStart(6, "0")}+00:00`
}

const lineFormats: Record<Exclude<CredentialFormat, "process">, (name: string, value: string) => string> = {
  "env": (name, value) => `export ${name}=${value}`,
  "env-no-export": (name, value) => `${name}=${value}`,
  "powershell": (name, value) => `$Env:${name}="${value}"`,
  "windows-cmd": (name, value) => `set ${name}=${value}`,
  "fish": (name, value) => `set -gx ${name} "${value}"`
}

/** The text to print, final newline included. The only place a secret key becomes text. */
export const formatCredentials = (credentials: ExportedCredentials, format: CredentialFormat): string => {
  const entries: Array<readonly [string, string]> = [
    ["AccessKeyId", credentials.accessKeyId],
    ["SecretAccessKey", Redacted.value(credentials.secretAccessKey)]
  ]
  if (credentials.sessionToken !== undefined) entries.push(["SessionToken", Redacted.value(credentials.sessionToken)])
  if (credentials.expiration !== undefined) entries.push(["Expiration", pythonIsoUtc(credentials.expiration)])
  if (format === "process") {
    return JSON.stringify({ Version: 1, ...Object.fromEntries(entries) }, null, 2) + "\n"
  }
  const variable: Record<string, string> = {
    AccessKeyId: "AWS_ACCESS_KEY_ID",
    SecretAccessKey: "AWS_SECRET_ACCESS_KEY",
    SessionToken: "AWS_SESSION_TOKEN",
    Expiration: "AWS_CREDENTIAL_EXPIRATION"
  }
  const line = lineFormats[format]
  return entries.map(([key, value]) => line(variable[key]!, value) + "\n").join("")
}
