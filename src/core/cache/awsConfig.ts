/**
 * The SSO settings of the shared AWS config file, resolved as the AWS CLI
 * resolves them, over the INI sections of `./ini.ts`: which sections are
 * profiles and sso-sessions, what an sso-session, an SSO profile (with
 * `sso_session`, or legacy with its own `sso_start_url` and `sso_region`) and
 * a role profile are, and what is missing or conflicting. Plain results; each
 * edition's `SsoConfig` turns a problem into its typed error and reads the
 * file through its own `FileSystem`.
 *
 * @internal
 */
import * as Ini from "./ini.js"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/** An SSO session: what a login and a token refresh need. @internal */
export interface SsoSession {
  /**
   * The `[sso-session NAME]` name; `undefined` for a legacy profile, whose
   * token is cached under its start URL instead.
   */
  readonly sessionName: string | undefined
  /** `sso_start_url`: the AWS access portal URL. */
  readonly startUrl: string
  /** `sso_region`: the region of IAM Identity Center. */
  readonly region: string
  /**
   * `sso_registration_scopes`, split on commas and trimmed; `undefined` when
   * the key is absent (the AWS CLI then registers without scopes and gets no
   * refresh token).
   */
  readonly registrationScopes: ReadonlyArray<string> | undefined
  /**
   * `sso_use_device_code = true` in the `[sso-session NAME]` section (the
   * name of aws-cli PR #10635): sign in with the device code rather than the
   * browser. Present only when true; read only from sso-session sections.
   */
  readonly useDeviceCode?: true | undefined
}

/** A property value: a string, or a sub-section (`s3 =` followed by indented `key = value` lines). @internal */
export type PropertyValue = string | Readonly<Record<string, string>>

/**
 * A parsed config file: the profiles (`[default]`, `[profile NAME]`) and the
 * sso-sessions by name, each a record of its properties (keys lower-cased).
 *
 * @internal
 */
export interface ConfigFile {
  readonly path: string
  readonly profiles: ReadonlyMap<string, Readonly<Record<string, PropertyValue>>>
  readonly ssoSessions: ReadonlyMap<string, Readonly<Record<string, PropertyValue>>>
}

/** A profile that names a role: its SSO session, `sso_account_id` and `sso_role_name`. @internal */
export interface RoleProfile {
  /** The profile's name, e.g. `default` or `dev`. */
  readonly profileName: string
  readonly session: SsoSession
  /** `sso_account_id`. */
  readonly accountId: string
  /** `sso_role_name`. */
  readonly roleName: string
}

// -----------------------------------------------------------------------------
// results
// -----------------------------------------------------------------------------

/** No `[sso-session NAME]` or `[profile NAME]` section of that name. @internal */
export interface SectionNotFound {
  readonly _tag: "SectionNotFound"
  readonly kind: "sso-session" | "profile"
  readonly name: string
}

/** A required key is missing (or empty); `section` as written in the file, e.g. `sso-session corp`. @internal */
export interface MissingConfigKey {
  readonly _tag: "MissingConfigKey"
  readonly section: string
  readonly key: string
}

/** A profile repeats a key of its sso-session with another value (the AWS CLI refuses this too). @internal */
export interface ConflictingConfig {
  readonly _tag: "ConflictingConfig"
  readonly profile: string
  readonly sessionName: string
  readonly key: string
}

/** @internal */
export type Problem = SectionNotFound | MissingConfigKey | ConflictingConfig

/** A resolved value, or the problem that stopped it. @internal */
export type Resolved<A, P extends Problem = Problem> = { readonly _tag: "Ok"; readonly value: A } | P

/** @internal */
export type Parsed =
  | { readonly _tag: "Ok"; readonly value: ConfigFile }
  | { readonly _tag: "ParseError"; readonly line: number; readonly description: string }

// -----------------------------------------------------------------------------
// rules
// -----------------------------------------------------------------------------

const toRecord = (properties: ReadonlyMap<string, Ini.IniValue>): Record<string, PropertyValue> => {
  const record: Record<string, PropertyValue> = {}
  for (const [key, value] of properties) {
    record[key] = value._tag === "Value" ? value.value : Object.fromEntries(value.properties)
  }
  return record
}

/** Parses the text of a config file. `path` is only carried along, for errors. @internal */
export const parseConfigFile = (text: string, path: string): Parsed => {
  const result = Ini.parseIni(text)
  if (result._tag === "Error") return { _tag: "ParseError", ...result.error }
  const profiles = new Map<string, Record<string, PropertyValue>>()
  const ssoSessions = new Map<string, Record<string, PropertyValue>>()
  for (const section of result.sections) {
    const kind = Ini.sectionKind(section.header)
    // Later sections of the same name win, as in botocore's build_profile_map.
    if (kind._tag === "Profile") profiles.set(kind.name, toRecord(section.properties))
    else if (kind._tag === "SsoSession") ssoSessions.set(kind.name, toRecord(section.properties))
  }
  return { _tag: "Ok", value: { path, profiles, ssoSessions } }
}

/** `sso_registration_scopes` as the AWS CLI splits it: on commas, trimmed, empty entries dropped. @internal */
export const parseScopes = (raw: string): ReadonlyArray<string> =>
  raw.split(",").map((scope) => scope.trim()).filter((scope) => scope !== "")

const stringValue = (record: Readonly<Record<string, PropertyValue>>, key: string): string | undefined => {
  const value = record[key]
  return typeof value === "string" && value !== "" ? value : undefined
}

const profileSection = (name: string) => (name === "default" ? "default" : `profile ${name}`)

const ok = <A>(value: A) => ({ _tag: "Ok", value }) as const
const missing = (section: string, key: string): MissingConfigKey => ({ _tag: "MissingConfigKey", section, key })

/** The sso-session `name` of a parsed file. @internal */
export const resolveSsoSession = (
  file: ConfigFile,
  name: string
): Resolved<SsoSession, SectionNotFound | MissingConfigKey> => {
  const record = file.ssoSessions.get(name)
  if (record === undefined) return { _tag: "SectionNotFound", kind: "sso-session", name }
  const section = `sso-session ${name}`
  const startUrl = stringValue(record, "sso_start_url")
  if (startUrl === undefined) return missing(section, "sso_start_url")
  const region = stringValue(record, "sso_region")
  if (region === undefined) return missing(section, "sso_region")
  const scopes = record["sso_registration_scopes"]
  // Only `true` in any case turns it on, as the AWS CLI reads its boolean settings.
  const useDeviceCode = stringValue(record, "sso_use_device_code")?.trim().toLowerCase() === "true"
  return ok({
    sessionName: name,
    startUrl,
    region,
    registrationScopes: typeof scopes === "string" ? parseScopes(scopes) : undefined,
    ...(useDeviceCode ? { useDeviceCode: true as const } : {})
  })
}

/**
 * The SSO session a profile uses: its `sso_session` (the profile may repeat
 * `sso_start_url` / `sso_region`, but only with the same values), or the
 * legacy `sso_start_url` and `sso_region` of the profile itself.
 *
 * @internal
 */
export const resolveProfileSession = (file: ConfigFile, name: string): Resolved<SsoSession> => {
  const record = file.profiles.get(name)
  if (record === undefined) return { _tag: "SectionNotFound", kind: "profile", name }
  const section = profileSection(name)
  const sessionName = stringValue(record, "sso_session")
  if (sessionName !== undefined) {
    const session = resolveSsoSession(file, sessionName)
    if (session._tag !== "Ok") return session
    for (const [key, value] of [["sso_start_url", session.value.startUrl], ["sso_region", session.value.region]] as const) {
      const own = stringValue(record, key)
      if (own !== undefined && own !== value) return { _tag: "ConflictingConfig", profile: name, sessionName, key }
    }
    return session
  }
  const startUrl = stringValue(record, "sso_start_url")
  if (startUrl === undefined) {
    return missing(section, stringValue(record, "sso_region") === undefined ? "sso_session" : "sso_start_url")
  }
  const region = stringValue(record, "sso_region")
  if (region === undefined) return missing(section, "sso_region")
  return ok({ sessionName: undefined, startUrl, region, registrationScopes: undefined })
}

/**
 * The role profile `name`: its session as {@link resolveProfileSession}
 * resolves it, and its `sso_account_id` and `sso_role_name`, both required.
 *
 * @internal
 */
export const resolveRoleProfile = (file: ConfigFile, name: string): Resolved<RoleProfile> => {
  const session = resolveProfileSession(file, name)
  if (session._tag !== "Ok") return session
  const record = file.profiles.get(name)!
  const accountId = stringValue(record, "sso_account_id")
  if (accountId === undefined) return missing(profileSection(name), "sso_account_id")
  const roleName = stringValue(record, "sso_role_name")
  if (roleName === undefined) return missing(profileSection(name), "sso_role_name")
  return ok({ profileName: name, session: session.value, accountId, roleName })
}
