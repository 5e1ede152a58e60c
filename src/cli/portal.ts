/**
 * The SSO portal commands: `accounts` and `roles` (what a session can
 * reach), `logout` (sign out at the portal and clear the caches) and
 * `status` (what the caches hold for each configured session, and what is
 * wrong with it). None of them prints a token.
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { FileSystem, Path } from "@effect/platform"
import { Chunk, Clock, Duration, Effect, Either, Layer, Option, Stream } from "effect"
import { homeDirectory } from "../internal/cache/home.js"
import { type RoleKeyInput, roleCredentialsKey } from "../internal/cache/roleCredentials.js"
import * as NodeSso from "../node/NodeSso.js"
import * as SsoConfig from "../SsoConfig.js"
import * as SsoPortalClient from "../SsoPortalClient.js"
import * as SsoPortalError from "../SsoPortalError.js"
import * as SsoTokenProvider from "../SsoTokenProvider.js"
import * as TokenCache from "../TokenCache.js"
import { httpClientLayer } from "./http.js"
import { printable, safeJson } from "./printable.js"
import { CliError, connectionOptions, describeFailure, globalOptions, usageError } from "./shared.js"

const write = (text: string) => Effect.sync(() => void process.stdout.write(text))
const warn = (text: string) => Effect.sync(() => void process.stderr.write(`sso-oidc: warning: ${printable(text)}\n`))

const connection = {
  endpointUrl: Options.text("endpoint-url").pipe(
    Options.withDescription("Override the SSO portal URL (default: AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL)"),
    Options.optional
  ),
  allowInsecureEndpoint: globalOptions.allowInsecureEndpoint,
  cliReadTimeout: globalOptions.cliReadTimeout
}

type Connection = Command.Command.ParseConfig<typeof connection>

const sessionOptions = {
  ssoSession: Options.text("sso-session").pipe(
    Options.withDescription("Use the token of this [sso-session NAME] of the AWS config file"),
    Options.optional
  ),
  profile: Options.text("profile").pipe(
    Options.withDescription("Use the SSO session of this profile (default: AWS_PROFILE, else default)"),
    Options.optional
  )
}

const listOutput = Options.choice("output", ["json", "table", "text"]).pipe(
  Options.withDescription("json: the AWS CLI's JSON; table: a table for people; text: the AWS CLI's text"),
  Options.withDefault("json" as const)
)

/**
 * The caches, the config and the token provider over Node, as `login` has
 * them. `--endpoint-url` is the portal's: a refresh reaches SSO OIDC at
 * AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL, as in the AWS CLI.
 */
const baseLayer = (flags: Connection, profile: string | undefined) =>
  SsoTokenProvider.layerConfig({ client: connectionOptions(flags) }).pipe(
    Layer.provideMerge(Layer.mergeAll(TokenCache.layer(), SsoConfig.layer(), httpClientLayer({ profile }))),
    Layer.provideMerge(NodeSso.layer)
  )

/** A portal client for `region` (the session's `sso_region`), configured from the flags, then the environment. */
const portalClient = (flags: Connection, region: string) =>
  Effect.provide(
    SsoPortalClient.SsoPortalClient,
    SsoPortalClient.layerConfig({
      region,
      ...(Option.isSome(flags.endpointUrl) ? { endpoint: flags.endpointUrl.value } : {}),
      ...connectionOptions(flags)
    })
  )

/** The session named by `--sso-session` or `--profile` (naming both is a usage error), else the default profile's. */
const chosenSession = (flags: Command.Command.ParseConfig<typeof sessionOptions>) =>
  Effect.gen(function*() {
    if (Option.isSome(flags.ssoSession) && Option.isSome(flags.profile)) {
      return yield* Effect.fail(usageError("--sso-session and --profile each name a session: give one"))
    }
    return yield* Option.isSome(flags.ssoSession)
      ? SsoConfig.session(flags.ssoSession.value)
      : SsoConfig.profile(Option.getOrUndefined(flags.profile))
  })

/** What to run to sign in to `session` again. */
const loginHintOf = (session: SsoConfig.SsoSession, profile: Option.Option<string>) =>
  session.sessionName !== undefined
    ? `sso-oidc login --sso-session ${session.sessionName}`
    : `sso-oidc login${Option.match(profile, { onNone: () => "", onSome: (name) => ` --profile ${name}` })}`

/** A token the portal refuses (revoked, or signed out elsewhere) is fixed by signing in: the line says how. */
const withLoginHint = (session: SsoConfig.SsoSession, profile: Option.Option<string>) =>
  Effect.catchIf(
    (error: unknown): error is SsoPortalError.Unauthorized => error instanceof SsoPortalError.Unauthorized,
    (error) => Effect.fail(new CliError({ message: `${error._tag}: ${error.message}: run \`${loginHintOf(session, profile)}\`` }))
  )

type Row = Readonly<Record<string, string | undefined>>

/**
 * A listing as the AWS CLI prints it (`json`: `{ "<key>": [...] }` indented
 * by 4, all pages in one; `text`: `<KEY>` and the values in key order, a line
 * per item), or as a table with a header. The service's strings are escaped.
 */
export const formatList = (
  key: string,
  rows: ReadonlyArray<Row>,
  output: "json" | "table" | "text",
  columns: ReadonlyArray<readonly [field: string, title: string]>
): string => {
  if (output === "json") return safeJson({ [key]: rows }, 4) + "\n"
  if (output === "text") {
    return rows.map((row) =>
      [key.toUpperCase(), ...Object.keys(row).sort().map((field) => printable(row[field] ?? ""))].join("\t") + "\n"
    ).join("")
  }
  const cells = [columns.map(([, title]) => title), ...rows.map((row) => columns.map(([field]) => printable(row[field] ?? "")))]
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)))
  return cells.map((line) => line.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd() + "\n").join("")
}

const plainRow = (row: Readonly<Record<string, string | undefined>>): Row =>
  Object.fromEntries(Object.entries(row).filter(([, value]) => value !== undefined))

// -----------------------------------------------------------------------------
// accounts, roles
// -----------------------------------------------------------------------------

const accountsOptions = { ...sessionOptions, ...connection, output: listOutput }

export const accountsCommand = Command.make("accounts", accountsOptions, (flags) =>
  Effect.gen(function*() {
    const session = yield* chosenSession(flags)
    const token = yield* SsoTokenProvider.token(session)
    const portal = yield* portalClient(flags, session.region)
    const accounts = yield* Stream.runCollect(portal.accounts(token.accessToken)).pipe(withLoginHint(session, flags.profile))
    const rows = Chunk.toReadonlyArray(accounts).map((account) =>
      plainRow({ accountId: account.accountId, accountName: account.accountName, emailAddress: account.emailAddress })
    )
    yield* write(formatList("accountList", rows, flags.output, [["accountId", "ACCOUNT ID"], ["accountName", "NAME"], [
      "emailAddress",
      "EMAIL"
    ]]))
  }).pipe(Effect.provide(baseLayer(flags, Option.getOrUndefined(flags.profile))))).pipe(
    Command.withDescription("List every AWS account the SSO session can reach (all pages), as `aws sso list-accounts`")
  )

const accountId = Options.text("account-id").pipe(
  Options.withDescription("The 12-digit AWS account ID"),
  Options.mapEffect((id) =>
    /^\d{12}$/.test(id)
      ? Effect.succeed(id)
      : Effect.fail(usageError(`--account-id ${printable(id)} is not an AWS account ID (12 digits)`))
  )
)

const rolesOptions = { accountId, ...sessionOptions, ...connection, output: listOutput }

export const rolesCommand = Command.make("roles", rolesOptions, (flags) =>
  Effect.gen(function*() {
    const session = yield* chosenSession(flags)
    const token = yield* SsoTokenProvider.token(session)
    const portal = yield* portalClient(flags, session.region)
    const roles = yield* Stream.runCollect(portal.accountRoles(token.accessToken, flags.accountId)).pipe(
      withLoginHint(session, flags.profile)
    )
    const rows = Chunk.toReadonlyArray(roles).map((role) => plainRow({ roleName: role.roleName, accountId: role.accountId }))
    yield* write(formatList("roleList", rows, flags.output, [["roleName", "ROLE"], ["accountId", "ACCOUNT ID"]]))
  }).pipe(Effect.provide(baseLayer(flags, Option.getOrUndefined(flags.profile))))).pipe(
    Command.withDescription("List the roles the SSO session may take in an account, as `aws sso list-account-roles`")
  )

// -----------------------------------------------------------------------------
// the config's sessions
// -----------------------------------------------------------------------------

const text = (record: Readonly<Record<string, SsoConfig.PropertyValue>>, key: string): string | undefined => {
  const value = record[key]
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined
}

/** A session of the config: an `[sso-session NAME]`, or a legacy profile with its own `sso_start_url`. */
interface ConfiguredSession {
  readonly kind: "sso-session" | "profile"
  readonly name: string
  /** The session, or why the config does not make one. */
  readonly session: Either.Either<SsoConfig.SsoSession, SsoConfig.SsoConfigError>
  readonly tokenKey: TokenCache.CacheKey
  /** The role-credential cache keys of the profiles that use this session. */
  readonly roleKeys: ReadonlyArray<string>
  readonly loginHint: string
}

const configuredSessions = (file: SsoConfig.ConfigFile): Array<ConfiguredSession> => {
  type Section = Readonly<Record<string, SsoConfig.PropertyValue>>
  const roleKeysOf = (matches: (record: Section) => boolean, session: RoleKeyInput["session"]) =>
    Array.from(file.profiles.values()).flatMap((record) => {
      const account = text(record, "sso_account_id")
      const role = text(record, "sso_role_name")
      return matches(record) && account !== undefined && role !== undefined
        ? [roleCredentialsKey({ accountId: account, roleName: role, session })]
        : []
    })
  const named = Array.from(file.ssoSessions.keys()).map((name): ConfiguredSession => ({
    kind: "sso-session",
    name,
    session: SsoConfig.ssoSessionOf(file, name),
    tokenKey: TokenCache.tokenKey(name),
    roleKeys: roleKeysOf((record) => text(record, "sso_session") === name, { _tag: "Session", name }),
    loginHint: `sso-oidc login --sso-session ${name}`
  }))
  const legacy = Array.from(file.profiles.entries()).flatMap(([name, record]): Array<ConfiguredSession> => {
    const startUrl = text(record, "sso_start_url")
    if (startUrl === undefined || text(record, "sso_session") !== undefined) return []
    return [{
      kind: "profile",
      name,
      session: SsoConfig.profileSessionOf(file, name),
      tokenKey: TokenCache.tokenKey(startUrl),
      roleKeys: roleKeysOf((other) => text(other, "sso_session") === undefined && text(other, "sso_start_url") === startUrl, {
        _tag: "StartUrl",
        startUrl
      }),
      loginHint: `sso-oidc login --profile ${name}`
    }]
  })
  // Two legacy profiles of one start URL share one token.
  const seen = new Set<string>()
  return [...named, ...legacy].filter((entry) => !seen.has(entry.tokenKey) && (seen.add(entry.tokenKey), true))
}

const label = (entry: { readonly kind: string; readonly name: string }) => `${entry.kind} ${entry.name}`

const registrationKeyOf = (session: SsoConfig.SsoSession) =>
  TokenCache.registrationKey({
    startUrl: session.startUrl,
    region: session.region,
    registrationScopes: session.registrationScopes,
    sessionName: session.sessionName
  })

// -----------------------------------------------------------------------------
// logout
// -----------------------------------------------------------------------------

const roleCredentialsDirectory = (path: Path.Path) =>
  Effect.map(homeDirectory, (home) => path.join(home, ".aws", "cli", "cache"))

interface LogoutTarget {
  readonly label: string
  readonly tokenKey: TokenCache.CacheKey
  readonly region: string | undefined
  readonly registrationKey: TokenCache.CacheKey | undefined
  readonly roleKeys: ReadonlyArray<string>
}

const targetOf = (entry: ConfiguredSession): LogoutTarget => ({
  label: label(entry),
  tokenKey: entry.tokenKey,
  region: Either.isRight(entry.session) ? entry.session.right.region : undefined,
  registrationKey: Either.isRight(entry.session) ? registrationKeyOf(entry.session.right) : undefined,
  roleKeys: entry.roleKeys
})

/** The token files of the cache folder that no target names (the AWS CLI's logout deletes every one). */
const otherTokenFiles = (known: ReadonlySet<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const cache = yield* TokenCache.TokenCache
    const names = yield* fs.readDirectory(cache.directory).pipe(Effect.orElseSucceed(() => [] as Array<string>))
    const targets: Array<LogoutTarget> = []
    for (const name of names.sort()) {
      const key = name.endsWith(".json") ? Either.getRight(TokenCache.CacheKey.either(name.slice(0, -5))) : Option.none()
      if (Option.isNone(key) || known.has(key.value)) continue
      // A registration file is not a token file: getToken reads it as corrupt (no accessToken).
      const token = yield* Effect.either(cache.getToken(key.value))
      if (Either.isLeft(token) || Option.isNone(token.right)) continue
      targets.push({
        label: `token file ${name}`,
        tokenKey: key.value,
        region: token.right.value.region,
        registrationKey: undefined,
        roleKeys: []
      })
    }
    return targets
  })

/** How long logout waits for a refresh in another process to let go of the token. */
const lockTimeout = Duration.seconds(10)

const logoutOptions = {
  ssoSession: Options.text("sso-session").pipe(
    Options.withDescription("Sign out of this [sso-session NAME] of the AWS config file"),
    Options.optional
  ),
  all: Options.boolean("all").pipe(
    Options.withDescription("Sign out of every session of the config, and remove every token file of the cache")
  ),
  ...connection
}

/** Signs out at the portal when the token is still valid; any failure is a warning, the files go regardless. */
const signOut = (flags: Connection, target: LogoutTarget) =>
  Effect.gen(function*() {
    const cache = yield* TokenCache.TokenCache
    const cached = yield* Effect.either(cache.getToken(target.tokenKey))
    if (Either.isLeft(cached)) {
      return yield* warn(`${target.label}: ${describeFailure(cached.left)}; removing it without signing out at the portal`)
    }
    if (Option.isNone(cached.right)) return
    const token = cached.right.value
    const now = yield* Clock.currentTimeMillis
    if (token.expiresAt.getTime() <= now) return
    const region = target.region ?? token.region
    if (region === undefined) return yield* warn(`${target.label}: no region to reach the portal; removing the files only`)
    const signedOut = yield* portalClient(flags, region).pipe(
      Effect.flatMap((portal) => portal.logout({ accessToken: token.accessToken })),
      Effect.either
    )
    if (Either.isLeft(signedOut)) {
      return yield* warn(
        `${target.label}: signing out at the portal failed: ${describeFailure(signedOut.left)}; removing the files anyway`
      )
    }
    yield* write(`Signed out of ${printable(target.label)} at the portal.\n`)
  })

export const logoutCommand = Command.make("logout", logoutOptions, (flags) =>
  Effect.gen(function*() {
    if (flags.all === Option.isSome(flags.ssoSession)) {
      return yield* Effect.fail(
        usageError(flags.all ? "--sso-session and --all: give one" : "give --sso-session NAME, or --all")
      )
    }
    const config = yield* SsoConfig.SsoConfig
    const cache = yield* TokenCache.TokenCache
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const roleDirectory = yield* roleCredentialsDirectory(path)
    let targets: Array<LogoutTarget>
    if (Option.isSome(flags.ssoSession)) {
      const name = flags.ssoSession.value
      const file = yield* config.load
      // An unknown name is the config's error (which names the file); a broken section still has files to remove.
      if (!file.ssoSessions.has(name)) return yield* config.session(name)
      targets = configuredSessions(file).filter((entry) => entry.kind === "sso-session" && entry.name === name).map(
        targetOf
      )
    } else {
      // Without a config file, --all still clears the cache folder; a file that cannot be read stops it.
      const file = yield* config.load.pipe(
        Effect.map(Option.some),
        Effect.catchTag("ConfigFileNotFound", () => Effect.succeedNone)
      )
      targets = Option.match(file, { onNone: () => [], onSome: (file) => configuredSessions(file).map(targetOf) })
      targets.push(...(yield* otherTokenFiles(new Set(targets.map((target) => target.tokenKey)))))
    }
    let failures = 0
    for (const target of targets) {
      yield* signOut(flags, target)
      const files: Array<readonly [string, string]> = [
        [cache.pathOf(target.tokenKey), "token"],
        ...(target.registrationKey === undefined
          ? []
          : [[cache.pathOf(target.registrationKey), "client registration"] as const]),
        ...target.roleKeys.map((key) => [path.join(roleDirectory, `${key}.json`), "role credentials"] as const)
      ]
      const removeAll = Effect.gen(function*() {
        let removed = 0
        for (const [file, what] of files) {
          const outcome = yield* fs.remove(file).pipe(
            Effect.as("removed" as const),
            Effect.catchAll((error) =>
              Effect.succeed(error._tag === "SystemError" && error.reason === "NotFound" ? "absent" as const : error)
            )
          )
          if (outcome === "removed") {
            removed++
            yield* write(`removed ${printable(file)} (${what} of ${printable(target.label)})\n`)
          } else if (outcome !== "absent") {
            failures++
            yield* Effect.sync(() =>
              void process.stderr.write(`sso-oidc: cannot remove ${printable(file)}: ${printable(outcome.message)}\n`)
            )
          }
        }
        return removed
      })
      // Under the token's lock, so a refresh running in another process cannot write the token back afterwards.
      const tokenExists = yield* fs.exists(cache.pathOf(target.tokenKey)).pipe(Effect.orElseSucceed(() => true))
      const removed = tokenExists
        ? yield* cache.withLock(target.tokenKey, removeAll, { timeout: lockTimeout }).pipe(
          Effect.catchAll((error) =>
            Effect.zipRight(warn(`${target.label}: ${describeFailure(error)}; removing the files without the lock`), removeAll)
          )
        )
        : yield* removeAll
      if (removed === 0) yield* write(`nothing cached for ${printable(target.label)}\n`)
    }
    if (targets.length === 0) yield* write("nothing to sign out of\n")
    if (failures > 0) {
      return yield* Effect.fail(
        new CliError({ message: `${failures} file${failures === 1 ? "" : "s"} could not be removed` })
      )
    }
  }).pipe(Effect.provide(baseLayer(flags, undefined)))).pipe(
    Command.withDescription(
      "Sign out at the SSO portal and remove the session's token, client registration and role credentials from the caches"
    )
  )

// -----------------------------------------------------------------------------
// status
// -----------------------------------------------------------------------------

/** What `status` reports of a session; never a token. */
export interface SessionStatus {
  readonly kind: "sso-session" | "profile"
  readonly name: string
  readonly startUrl?: string
  readonly region?: string
  readonly tokenFile: string
  readonly token: "missing" | "valid" | "expired" | "unreadable"
  readonly expiresAt?: string
  readonly refreshable: boolean
  readonly registrationExpiresAt?: string
  readonly problems: ReadonlyArray<string>
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z")

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`

const corruptProblem = (error: TokenCache.TokenCacheError) =>
  error._tag === "CacheFileCorrupt"
    ? `the ${error.kind} file ${error.path} is corrupt (${error.description}): remove it with \`rm ${
      shellQuote(error.path)
    }\`, then sign in again`
    : error.message

const statusOf = (entry: ConfiguredSession, configPath: string) =>
  Effect.gen(function*() {
    const cache = yield* TokenCache.TokenCache
    const now = yield* Clock.currentTimeMillis
    const problems: Array<string> = []
    const session = Either.getRight(entry.session)
    if (Either.isLeft(entry.session)) problems.push(entry.session.left.message)
    if (entry.kind === "sso-session" && Option.isSome(session) && session.value.registrationScopes === undefined) {
      problems.push(
        `[sso-session ${entry.name}] has no sso_registration_scopes, so no refresh token is issued: add ` +
          `\`sso_registration_scopes = sso:account:access\` to it in ${configPath}`
      )
    }
    const registration = Option.isSome(session)
      ? yield* Effect.either(cache.getRegistration(registrationKeyOf(session.value)))
      : Either.right(Option.none<TokenCache.CachedRegistration>())
    if (Either.isLeft(registration)) problems.push(corruptProblem(registration.left))
    const cached = yield* Effect.either(cache.getToken(entry.tokenKey))
    let token: SessionStatus["token"] = "unreadable"
    let refreshable = false
    let expiresAt: Date | undefined
    let registrationExpiresAt: Date | undefined
    if (Either.isLeft(cached)) problems.push(corruptProblem(cached.left))
    else if (Option.isNone(cached.right)) {
      token = "missing"
      problems.push(`no token: run \`${entry.loginHint}\``)
    } else {
      const value = cached.right.value
      expiresAt = value.expiresAt
      registrationExpiresAt = value.registrationExpiresAt ??
        (Either.isRight(registration) ? Option.getOrUndefined(Option.map(registration.right, (r) => r.expiresAt)) : undefined)
      const registrationLive = registrationExpiresAt !== undefined && registrationExpiresAt.getTime() > now
      refreshable = value.refreshToken !== undefined && value.clientId !== undefined && value.clientSecret !== undefined &&
        registrationLive
      token = value.expiresAt.getTime() > now ? "valid" : "expired"
      // One problem per token: the first that stops a refresh (each asks for the same login).
      if (registrationExpiresAt !== undefined && !registrationLive) {
        problems.push(`the client registration expired at ${iso(registrationExpiresAt)}: run \`${entry.loginHint}\``)
      } else if (token === "expired" && value.refreshToken === undefined) {
        problems.push(`the token expired at ${iso(value.expiresAt)} and has no refresh token: run \`${entry.loginHint}\``)
      } else if (token === "expired" && !refreshable) {
        problems.push(
          `the token expired at ${iso(value.expiresAt)} and cannot be refreshed (no client registration): run \`${entry.loginHint}\``
        )
      }
    }
    return {
      kind: entry.kind,
      name: entry.name,
      ...(Option.isSome(session) ? { startUrl: session.value.startUrl, region: session.value.region } : {}),
      tokenFile: cache.pathOf(entry.tokenKey),
      token,
      ...(expiresAt === undefined ? {} : { expiresAt: iso(expiresAt) }),
      refreshable,
      ...(registrationExpiresAt === undefined ? {} : { registrationExpiresAt: iso(registrationExpiresAt) }),
      problems
    } satisfies SessionStatus
  })

/** A session's status as lines for people: the session and its token, then a line per problem. */
export const statusLines = (status: SessionStatus): string => {
  const token = status.token === "missing"
    ? "no token"
    : status.token === "unreadable"
    ? "token file unreadable"
    : `token ${status.token === "valid" ? "valid until" : "expired at"} ${status.expiresAt}`
  const refresh = status.token === "missing" || status.token === "unreadable"
    ? ""
    : status.refreshable
    ? ", refreshable"
    : ", not refreshable"
  const head = `${label(status)}: ${token}${refresh}`
  return [printable(head), ...status.problems.map((problem) => `  problem: ${printable(problem)}`)].join("\n") + "\n"
}

const statusOptions = {
  output: Options.choice("output", ["text", "json"]).pipe(
    Options.withDescription("text: a line per session and per problem; json: every session's status"),
    Options.withDefault("text" as const)
  )
}

export const statusCommand = Command.make("status", statusOptions, (flags) =>
  Effect.gen(function*() {
    const config = yield* SsoConfig.SsoConfig
    const file = yield* config.load
    const statuses = yield* Effect.forEach(configuredSessions(file), (entry) => statusOf(entry, file.path))
    if (flags.output === "json") yield* write(safeJson({ sessions: statuses }, 4) + "\n")
    else if (statuses.length === 0) yield* write(`No [sso-session] or SSO profile in ${printable(file.path)}\n`)
    else yield* write(statuses.map(statusLines).join(""))
    const failing = statuses.filter((status) => status.problems.length > 0).length
    if (statuses.length === 0) {
      return yield* Effect.fail(new CliError({ message: `no SSO session is configured in ${file.path}` }))
    }
    if (failing > 0) {
      return yield* Effect.fail(
        new CliError({ message: `${failing} of ${statuses.length} session${statuses.length === 1 ? "" : "s"} need attention` })
      )
    }
  }).pipe(
    Effect.provide(Layer.mergeAll(TokenCache.layer(), SsoConfig.layer()).pipe(Layer.provideMerge(NodeSso.layer)))
  )).pipe(
    Command.withDescription(
      "Show each SSO session of the config: token expiry, whether it can be refreshed, and what to fix (exit 1 if anything)"
    )
  )
