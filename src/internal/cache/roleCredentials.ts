/**
 * The role-credential cache of the AWS CLI (`~/.aws/cli/cache`), with the
 * secrets `Redacted`: the file format and key are the core's
 * (`core/cache/roleCredentials.ts`).
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Core from "../../core/cache/roleCredentials.js"

/** What identifies one role's credentials. */
export type RoleKeyInput = Core.RoleKeyInput

/** The cache file's name without `.json`. */
export const roleCredentialsKey: (input: RoleKeyInput) => string = Core.roleCredentialsKey

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
  Core.encodeRoleCredentialsFile({
    ...credentials,
    secretAccessKey: Redacted.value(credentials.secretAccessKey),
    sessionToken: Redacted.value(credentials.sessionToken)
  })

/**
 * Reads a cache file. `Left` names what is wrong, never a value. Files of
 * other providers (assume-role caches share the folder) are `Left` too.
 */
export const decodeRoleCredentials = (text: string): Either.Either<CachedRoleCredentials, string> => {
  const decoded = Core.decodeRoleCredentialsFile(text)
  return decoded._tag === "Invalid" ? Either.left(decoded.description) : Either.right({
    ...decoded.value,
    secretAccessKey: Redacted.make(decoded.value.secretAccessKey),
    sessionToken: Redacted.make(decoded.value.sessionToken)
  })
}
