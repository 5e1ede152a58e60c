/**
 * The files of the SSO token cache (`~/.aws/sso/cache/`), as plain data: the
 * file names (keys), the token and registration files byte for byte as the
 * AWS CLI v2 writes them, and their lenient reading. Secrets are plain
 * strings here; each edition's `TokenCache` wraps them in `Redacted`.
 *
 * - Token file `<sha1(sso-session name)>.json` (or of the start URL for a
 *   legacy profile): `startUrl`, `region`, `accessToken`, `expiresAt`,
 *   `clientId`, `clientSecret`, `registrationExpiresAt`, `refreshToken`, in
 *   that order, absent fields left out.
 * - Registration file: key `sha1` of the JSON of `{tool, startUrl, region,
 *   scopes, session_name}`; `clientId`, `clientSecret`, `expiresAt`, then
 *   `scopes` and `grantTypes`.
 * - Written as Python's `json.dumps`, timestamps `YYYY-MM-DDTHH:MM:SSZ`; read
 *   as the CLI and SDKs write them (any key case, `null` as absent).
 *
 * @internal
 */
import { sha1Hex } from "../crypto.js"
import { dumps } from "./pythonJson.js"
import { formatTimestamp, isWritable, parseTimestamp } from "./timestamp.js"

// -----------------------------------------------------------------------------
// results
// -----------------------------------------------------------------------------

/**
 * What reading a file came to: its content, or why it is not a valid file
 * (names a field, never a value).
 *
 * @internal
 */
export type Decoded<A> =
  | { readonly _tag: "Ok"; readonly value: A }
  | { readonly _tag: "Invalid"; readonly description: string }

const ok = <A>(value: A): Decoded<A> => ({ _tag: "Ok", value })
const invalid = (description: string): { readonly _tag: "Invalid"; readonly description: string } => ({
  _tag: "Invalid",
  description
})

// -----------------------------------------------------------------------------
// keys
// -----------------------------------------------------------------------------

/** Whether a string is a cache key: 40 lowercase hex digits (so never a path). @internal */
export const isCacheKey = (key: string): boolean => /^[0-9a-f]{40}$/.test(key)

/**
 * The key of a token: `sha1` (hex) of the sso-session name, or of the start
 * URL for a legacy profile, as the AWS CLI, botocore and the SDKs compute it.
 *
 * @internal
 */
export const tokenKey = (identifier: string): string => sha1Hex(identifier)

/** @internal */
export interface RegistrationKeyInput {
  readonly startUrl: string
  readonly region: string
  /** The parsed `sso_registration_scopes`; `undefined` when the key is absent (JSON `null`). */
  readonly registrationScopes: ReadonlyArray<string> | undefined
  /** `undefined` for a legacy profile (JSON `null`). */
  readonly sessionName: string | undefined
}

/**
 * The key of a client registration, as the AWS CLI v2 computes it
 * (`BaseSSOTokenFetcher._registration_cache_key`): `sha1` of
 * `json.dumps({"tool": "botocore", "startUrl": …, "region": …, "scopes": …,
 * "session_name": …}, sort_keys=True)`.
 *
 * @internal
 */
export const registrationKey = (input: RegistrationKeyInput): string =>
  sha1Hex(
    dumps(
      {
        tool: "botocore",
        startUrl: input.startUrl,
        region: input.region,
        scopes: input.registrationScopes === undefined ? null : [...input.registrationScopes],
        session_name: input.sessionName ?? null
      },
      true
    )
  )

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/** A token file's content; times in epoch milliseconds. @internal */
export interface TokenFile {
  readonly startUrl: string | undefined
  readonly region: string | undefined
  readonly accessToken: string
  readonly expiresAt: number
  readonly clientId: string | undefined
  readonly clientSecret: string | undefined
  readonly registrationExpiresAt: number | undefined
  readonly refreshToken: string | undefined
}

/** A registration file's content; `expiresAt` in epoch milliseconds. @internal */
export interface RegistrationFile {
  readonly clientId: string
  readonly clientSecret: string
  readonly expiresAt: number
  readonly scopes: ReadonlyArray<string> | undefined
  readonly grantTypes: ReadonlyArray<string> | undefined
}

// -----------------------------------------------------------------------------
// writing
// -----------------------------------------------------------------------------

const dateProblem = (name: string, millis: number | undefined, required: boolean): string | undefined => {
  if (millis === undefined) return required ? `${name} is missing` : undefined
  return isWritable(millis) ? undefined : `${name} is not a date from the year 0000 to 9999`
}

const emptyProblem = (name: string, value: string | undefined, required: boolean): string | undefined => {
  if (value === undefined) return required ? `${name} is missing` : undefined
  return value === "" ? `${name} is empty` : undefined
}

/**
 * Why a token would not read back (see {@link decodeTokenFile}), or
 * `undefined`: an empty `accessToken`, an `expiresAt` or
 * `registrationExpiresAt` that is not a valid date in the years 0000–9999.
 * Names the field, never a value.
 *
 * @internal
 */
export const tokenFileProblem = (token: TokenFile): string | undefined =>
  emptyProblem("accessToken", token.accessToken, true) ??
    dateProblem("expiresAt", token.expiresAt, true) ??
    dateProblem("registrationExpiresAt", token.registrationExpiresAt, false)

/** Why a registration would not read back (see {@link decodeRegistrationFile}), or `undefined`. @internal */
export const registrationFileProblem = (registration: RegistrationFile): string | undefined =>
  emptyProblem("clientId", registration.clientId, true) ??
    emptyProblem("clientSecret", registration.clientSecret, true) ??
    dateProblem("expiresAt", registration.expiresAt, true)

/**
 * A token file's text, exactly as the AWS CLI writes it for the same token.
 * Throws a `RangeError` for a date that is invalid or outside the years
 * 0000–9999: callers check {@link tokenFileProblem} first.
 *
 * @internal
 */
export const encodeTokenFile = (token: TokenFile): string =>
  dumps({
    startUrl: token.startUrl,
    region: token.region,
    accessToken: token.accessToken,
    expiresAt: formatTimestamp(token.expiresAt),
    clientId: token.clientId,
    clientSecret: token.clientSecret,
    registrationExpiresAt: token.registrationExpiresAt === undefined
      ? undefined
      : formatTimestamp(token.registrationExpiresAt),
    refreshToken: token.refreshToken
  })

/**
 * A registration file's text as the AWS CLI writes it: `scopes` only when
 * there are any, `grantTypes` only when known. Throws a `RangeError` for an
 * invalid `expiresAt` (callers check {@link registrationFileProblem} first).
 *
 * @internal
 */
export const encodeRegistrationFile = (registration: RegistrationFile): string =>
  dumps({
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    expiresAt: formatTimestamp(registration.expiresAt),
    scopes: registration.scopes === undefined || registration.scopes.length === 0
      ? undefined
      : [...registration.scopes],
    grantTypes: registration.grantTypes === undefined ? undefined : [...registration.grantTypes]
  })

// -----------------------------------------------------------------------------
// reading
// -----------------------------------------------------------------------------

/** A member looked up by exact name first, then case-insensitively (as the Rust SDK reads). */
type Lookup = (name: string) => unknown

const fieldsOf = (text: string): Decoded<Lookup> => {
  if (text.trim() === "") return invalid("the file is empty")
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return invalid("not complete JSON")
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return invalid("not a JSON object")
  const exact = new Map(Object.entries(json))
  const folded = new Map<string, unknown>()
  for (const [key, value] of exact) {
    if (!folded.has(key.toLowerCase())) folded.set(key.toLowerCase(), value)
  }
  return ok((name) => (exact.has(name) ? exact.get(name) : folded.get(name.toLowerCase())))
}

const optionalString = (get: Lookup, name: string): Decoded<string | undefined> => {
  const value = get(name)
  if (value === undefined || value === null) return ok(undefined)
  return typeof value === "string" ? ok(value) : invalid(`${name} is not a string`)
}

const requiredString = (get: Lookup, name: string): Decoded<string> => {
  const field = optionalString(get, name)
  if (field._tag === "Invalid") return field
  return field.value === undefined || field.value === "" ? invalid(`${name} is missing`) : ok(field.value)
}

const dateOf = (name: string, field: Decoded<string | undefined>): Decoded<number | undefined> => {
  if (field._tag === "Invalid" || field.value === undefined) return field as Decoded<undefined>
  const millis = parseTimestamp(field.value)
  return millis === undefined ? invalid(`${name} is not a date`) : ok(millis)
}

const optionalDate = (get: Lookup, name: string) => dateOf(name, optionalString(get, name))
const requiredDate = (get: Lookup, name: string) => dateOf(name, requiredString(get, name)) as Decoded<number>

const optionalStrings = (get: Lookup, name: string): Decoded<ReadonlyArray<string> | undefined> => {
  const value = get(name)
  if (value === undefined || value === null) return ok(undefined)
  return Array.isArray(value) && value.every((item) => typeof item === "string")
    ? ok(value)
    : invalid(`${name} is not a list of strings`)
}

/** The fields read in order: the first invalid one wins (so the description is deterministic). */
const readAll = <const F extends Record<string, Decoded<unknown>>>(
  fields: F
): Decoded<{ readonly [K in keyof F]: F[K] extends Decoded<infer A> ? A : never }> => {
  const values: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(fields)) {
    if (field._tag === "Invalid") return field
    values[name] = field.value
  }
  return ok(values as { readonly [K in keyof F]: F[K] extends Decoded<infer A> ? A : never })
}

/**
 * Reads a token file's text. `accessToken` and `expiresAt` are required (as
 * the AWS CLI's `SSOTokenLoader` requires them); the other fields are
 * optional; unknown fields are ignored; `null` reads as absent.
 *
 * @internal
 */
export const decodeTokenFile = (text: string): Decoded<TokenFile> => {
  const fields = fieldsOf(text)
  if (fields._tag === "Invalid") return fields
  const get = fields.value
  return readAll({
    startUrl: optionalString(get, "startUrl"),
    region: optionalString(get, "region"),
    accessToken: requiredString(get, "accessToken"),
    expiresAt: requiredDate(get, "expiresAt"),
    clientId: optionalString(get, "clientId"),
    clientSecret: optionalString(get, "clientSecret"),
    registrationExpiresAt: optionalDate(get, "registrationExpiresAt"),
    refreshToken: optionalString(get, "refreshToken")
  })
}

/**
 * Reads a registration file's text: `clientId`, `clientSecret` and
 * `expiresAt` are required, `scopes` and `grantTypes` optional.
 *
 * @internal
 */
export const decodeRegistrationFile = (text: string): Decoded<RegistrationFile> => {
  const fields = fieldsOf(text)
  if (fields._tag === "Invalid") return fields
  const get = fields.value
  return readAll({
    clientId: requiredString(get, "clientId"),
    clientSecret: requiredString(get, "clientSecret"),
    expiresAt: requiredDate(get, "expiresAt"),
    scopes: optionalStrings(get, "scopes"),
    grantTypes: optionalStrings(get, "grantTypes")
  })
}
