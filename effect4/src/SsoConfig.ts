/**
 * The SSO settings of the shared AWS config file (`~/.aws/config`, or the
 * file named by `AWS_CONFIG_FILE`), read as the AWS CLI reads them:
 *
 * ```ini
 * [sso-session corp]
 * sso_start_url = https://corp.awsapps.com/start
 * sso_region = us-east-1
 * sso_registration_scopes = sso:account:access
 *
 * [profile dev]
 * sso_session = corp
 * sso_account_id = 111122223333
 * sso_role_name = Developer
 *
 * [profile legacy]
 * sso_start_url = https://corp.awsapps.com/start
 * sso_region = us-east-1
 * ```
 *
 * A session resolves to an {@link SsoSession}: its name (which keys its
 * token in the cache), start URL, region and registration scopes. A legacy
 * profile (with `sso_start_url` and no `sso_session`) resolves to one
 * without a name; its token is keyed by the start URL.
 *
 * The file is read on every call, so a long-running process sees edits.
 *
 * @since 0.1.0
 */
import * as FileSystem from "effect/FileSystem"
import * as Path from "effect/Path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Rules from "./core/cache/awsConfig.js"
import { describeReadFailure, readRegularFile } from "./internal/cache/files.js"
import { configFilePath, profileName } from "./internal/cache/home.js"
import { TaggedError } from "./internal/taggedError.js"

/** The largest config file read (a FIFO, a device or anything larger is a `ConfigReadError` at once). */
const maxConfigBytes = 4 * 1024 * 1024

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * An SSO session: what a login and a token refresh need. `sessionName` is
 * the `[sso-session NAME]` name (`undefined` for a legacy profile, whose
 * token is cached under its start URL instead); `startUrl` and `region` are
 * `sso_start_url` and `sso_region`; `registrationScopes` is
 * `sso_registration_scopes` split on commas (`undefined` when absent);
 * `useDeviceCode` (since 0.2.0) is present, `true`, when the sso-session sets
 * `sso_use_device_code = true`.
 *
 * @since 0.1.0
 * @category models
 */
export type SsoSession = Rules.SsoSession

/**
 * A property value: a string, or a sub-section (`s3 =` followed by indented
 * `key = value` lines).
 *
 * @since 0.1.0
 * @category models
 */
export type PropertyValue = Rules.PropertyValue

/**
 * A parsed config file: the profiles (`[default]`, `[profile NAME]`) and the
 * sso-sessions by name, each a record of its properties (keys lower-cased).
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigFile = Rules.ConfigFile

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

/**
 * The config file does not exist.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigFileNotFound extends TaggedError<ConfigFileNotFound>("effect-sso-oidc/ConfigFileNotFound")(
  "ConfigFileNotFound",
  { path: Schema.String }
) {
  override get message() {
    return `The AWS config file ${this.path} does not exist (set AWS_CONFIG_FILE to use another file)`
  }
}

/**
 * The config file could not be read: permissions, or not a regular file (a
 * directory, a FIFO, a device), or larger than 4 MiB.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigReadError extends TaggedError<ConfigReadError>("effect-sso-oidc/ConfigReadError")(
  "ConfigReadError",
  { path: Schema.String, description: Schema.String }
) {
  override get message() {
    return `Cannot read the AWS config file ${this.path}: ${this.description}`
  }
}

/**
 * The config file is not valid INI as the AWS CLI reads it.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigParseError extends TaggedError<ConfigParseError>("effect-sso-oidc/ConfigParseError")(
  "ConfigParseError",
  { path: Schema.String, line: Schema.Number, description: Schema.String }
) {
  override get message() {
    return `Cannot parse the AWS config file ${this.path}, line ${this.line}: ${this.description}`
  }
}

/**
 * No `[sso-session NAME]` or `[profile NAME]` section of that name.
 *
 * @since 0.1.0
 * @category errors
 */
export class SectionNotFound extends TaggedError<SectionNotFound>("effect-sso-oidc/SectionNotFound")(
  "SectionNotFound",
  { path: Schema.String, kind: Schema.Literals(["sso-session", "profile"]), name: Schema.String }
) {
  override get message() {
    const section = this.kind === "profile" && this.name === "default" ? "[default]" : `[${this.kind} ${this.name}]`
    return `The AWS config file ${this.path} has no ${section} section`
  }
}

/**
 * A required key is missing (or empty) in a section.
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingConfigKey extends TaggedError<MissingConfigKey>("effect-sso-oidc/MissingConfigKey")(
  "MissingConfigKey",
  {
    path: Schema.String,
    /** The section as written in the file, e.g. `sso-session corp`. */
    section: Schema.String,
    /** The missing key, e.g. `sso_region`; `sso_session` for a profile that is not an SSO profile. */
    key: Schema.String
  }
) {
  override get message() {
    const detail = this.key === "sso_session"
      ? "sso_session (or the legacy sso_start_url and sso_region)"
      : this.key
    return `Missing ${detail} in [${this.section}] of the AWS config file ${this.path}`
  }
}

/**
 * A profile repeats a key of its sso-session with another value (the AWS CLI
 * refuses this too).
 *
 * @since 0.1.0
 * @category errors
 */
export class ConflictingConfig extends TaggedError<ConflictingConfig>("effect-sso-oidc/ConflictingConfig")(
  "ConflictingConfig",
  { path: Schema.String, profile: Schema.String, sessionName: Schema.String, key: Schema.String }
) {
  override get message() {
    return `The value of ${this.key} differs between [profile ${this.profile}] and [sso-session ${this.sessionName}] in the AWS config file ${this.path}`
  }
}

/**
 * Any error of this module.
 *
 * @since 0.1.0
 * @category errors
 */
export type SsoConfigError =
  | ConfigFileNotFound
  | ConfigReadError
  | ConfigParseError
  | SectionNotFound
  | MissingConfigKey
  | ConflictingConfig

// -----------------------------------------------------------------------------
// pure functions
// -----------------------------------------------------------------------------

/** The typed error of a rule's problem, in the file `path`. */
const errorOf = (path: string, problem: Rules.Problem): SectionNotFound | MissingConfigKey | ConflictingConfig => {
  switch (problem._tag) {
    case "SectionNotFound":
      return new SectionNotFound({ path, kind: problem.kind, name: problem.name })
    case "MissingConfigKey":
      return new MissingConfigKey({ path, section: problem.section, key: problem.key })
    case "ConflictingConfig":
      return new ConflictingConfig({ path, profile: problem.profile, sessionName: problem.sessionName, key: problem.key })
  }
}

const fromResolved = <A, P extends Rules.Problem>(
  path: string,
  resolved: Rules.Resolved<A, P>
): Result.Result<A, ErrorOf<P>> =>
  resolved._tag === "Ok" ? Result.succeed(resolved.value) : Result.fail(errorOf(path, resolved) as ErrorOf<P>)

type ErrorOf<P extends Rules.Problem> =
  | (P extends Rules.SectionNotFound ? SectionNotFound : never)
  | (P extends Rules.MissingConfigKey ? MissingConfigKey : never)
  | (P extends Rules.ConflictingConfig ? ConflictingConfig : never)

/**
 * Parses the text of a config file. `path` is only used in errors.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (text: string, path: string): Result.Result<ConfigFile, ConfigParseError> => {
  const parsed = Rules.parseConfigFile(text, path)
  return parsed._tag === "Ok"
    ? Result.succeed(parsed.value)
    : Result.fail(new ConfigParseError({ path, line: parsed.line, description: parsed.description }))
}

/**
 * `sso_registration_scopes` as the AWS CLI splits it: on commas, trimmed,
 * empty entries dropped.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseScopes: (raw: string) => ReadonlyArray<string> = Rules.parseScopes

/**
 * The sso-session `name` of a parsed file.
 *
 * @since 0.1.0
 * @category parsing
 */
export const ssoSessionOf = (
  file: ConfigFile,
  name: string
): Result.Result<SsoSession, SectionNotFound | MissingConfigKey> =>
  fromResolved(file.path, Rules.resolveSsoSession(file, name))

/**
 * The SSO session a profile uses: its `sso_session` (the profile may repeat
 * `sso_start_url` / `sso_region`, but only with the same values), or the
 * legacy `sso_start_url` and `sso_region` of the profile itself.
 *
 * @since 0.1.0
 * @category parsing
 */
export const profileSessionOf = (
  file: ConfigFile,
  name: string
): Result.Result<SsoSession, SectionNotFound | MissingConfigKey | ConflictingConfig> =>
  fromResolved(file.path, Rules.resolveProfileSession(file, name))

/**
 * A profile that names a role: its SSO session, `sso_account_id` and
 * `sso_role_name` — what `SsoCredentials` turns into AWS credentials.
 *
 * @since 0.2.0
 * @category models
 */
export type RoleProfile = Rules.RoleProfile

/**
 * The role profile `name`: its session as {@link profileSessionOf} resolves
 * it, and its `sso_account_id` and `sso_role_name`, both required.
 *
 * @since 0.2.0
 * @category parsing
 */
export const roleProfileOf = (
  file: ConfigFile,
  name: string
): Result.Result<RoleProfile, SectionNotFound | MissingConfigKey | ConflictingConfig> =>
  fromResolved(file.path, Rules.resolveRoleProfile(file, name))

// -----------------------------------------------------------------------------
// service
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The config file this service reads. */
  readonly path: string
  /** Reads and parses the file. */
  readonly load: Effect.Effect<ConfigFile, ConfigFileNotFound | ConfigReadError | ConfigParseError>
  /** The `[sso-session NAME]` section as an {@link SsoSession}. */
  readonly session: (name: string) => Effect.Effect<SsoSession, SsoConfigError>
  /**
   * The SSO session of a profile (`[default]` or `[profile NAME]`); without a
   * name, the profile named by `AWS_PROFILE`, else `default`.
   */
  readonly profile: (name?: string) => Effect.Effect<SsoSession, SsoConfigError>
  /** The role profile `name` (default as for `profile`): session, account and role. */
  readonly roleProfile: (name?: string) => Effect.Effect<RoleProfile, SsoConfigError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class SsoConfig extends Context.Service<SsoConfig, Service>()("effect-sso-oidc/SsoConfig") {}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The config file. Default: `AWS_CONFIG_FILE`, else `~/.aws/config`. */
  readonly path?: string | undefined
  /** The profile `profile()` reads without a name. Default: `AWS_PROFILE`, else `default`. */
  readonly defaultProfile?: string | undefined
}

const fromReader = (
  path: string,
  defaultProfile: string,
  read: Effect.Effect<string, ConfigFileNotFound | ConfigReadError>
): Service => {
  const load = Effect.flatMap(read, (text) => Effect.fromResult(parse(text, path)))
  return SsoConfig.of({
    path,
    load,
    session: Effect.fn("SsoConfig.session")(function*(name: string) {
      return yield* Effect.fromResult(ssoSessionOf(yield* load, name))
    }),
    profile: Effect.fn("SsoConfig.profile")(function*(name?: string) {
      return yield* Effect.fromResult(profileSessionOf(yield* load, name ?? defaultProfile))
    }),
    roleProfile: Effect.fn("SsoConfig.roleProfile")(function*(name?: string) {
      return yield* Effect.fromResult(roleProfileOf(yield* load, name ?? defaultProfile))
    })
  })
}

/**
 * Builds the service over a `FileSystem` and `Path`. The file path and the
 * default profile come from `options`, else from `AWS_CONFIG_FILE`,
 * `AWS_PROFILE` and the home directory, read through `Config`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Service, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = options.path ?? (yield* configFilePath(path))
    const defaultProfile = options.defaultProfile ?? (yield* profileName)
    const read = readRegularFile(fs, file, maxConfigBytes).pipe(
      Effect.map(({ bytes }) => new TextDecoder().decode(bytes)),
      Effect.mapError((failure) =>
        failure._tag === "NotFound"
          ? new ConfigFileNotFound({ path: file })
          : new ConfigReadError({ path: file, description: describeReadFailure(failure) })
      ),
      Effect.withSpan("SsoConfig.read")
    )
    return fromReader(file, defaultProfile, read)
  })

/**
 * The service on the `FileSystem` and `Path` of the context: `NodeSso.layer`
 * (from `effect-sso-oidc/node`) provides Node's, with the home directory.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<SsoConfig, never, FileSystem.FileSystem | Path.Path> => Layer.effect(SsoConfig, make(options))

/**
 * A service over config text held in memory (for tests); `undefined` text
 * behaves as a missing file.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (
  text: string | undefined,
  options: { readonly path?: string | undefined; readonly defaultProfile?: string | undefined } = {}
): Layer.Layer<SsoConfig> => {
  const path = options.path ?? "<memory>/.aws/config"
  return Layer.succeed(
    SsoConfig,
    fromReader(
      path,
      options.defaultProfile ?? "default",
      text === undefined ? Effect.fail(new ConfigFileNotFound({ path })) : Effect.succeed(text)
    )
  )
}

/**
 * The sso-session `name` of the config file.
 *
 * @since 0.1.0
 * @category accessors
 */
export const session = (name: string): Effect.Effect<SsoSession, SsoConfigError, SsoConfig> =>
  Effect.flatMap(SsoConfig, (config) => config.session(name))

/**
 * The SSO session of a profile of the config file.
 *
 * @since 0.1.0
 * @category accessors
 */
export const profile = (name?: string): Effect.Effect<SsoSession, SsoConfigError, SsoConfig> =>
  Effect.flatMap(SsoConfig, (config) => config.profile(name))

/**
 * The role profile of the config file: session, account and role.
 *
 * @since 0.2.0
 * @category accessors
 */
export const roleProfile = (name?: string): Effect.Effect<RoleProfile, SsoConfigError, SsoConfig> =>
  Effect.flatMap(SsoConfig, (config) => config.roleProfile(name))
