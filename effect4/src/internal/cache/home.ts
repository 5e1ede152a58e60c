/**
 * Where the AWS files live, resolved as the SDKs do: the home directory is
 * `HOME`, else `USERPROFILE`, else `HOMEDRIVE` + `HOMEPATH`, else
 * the platform's (`NodeSso.layer` sets it from `os.homedir()`); the config file is `AWS_CONFIG_FILE` (a leading `~` expanded, as botocore
 * does), else `~/.aws/config`. Variables are read through Effect `Config`,
 * so a `ConfigProvider` can redirect them.
 *
 * @internal
 */
import type * as Path from "effect/Path"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

const variable = (name: string): Effect.Effect<Option.Option<string>> =>
  Config.String(name).pipe(
    Config.option,
    Effect.map(Option.filter((value) => value.trim() !== "")),
    Effect.orElseSucceed(() => Option.none<string>())
  )

/**
 * The platform's idea of the home directory, used when no variable names one.
 * Without a platform layer it is the working directory (`.`).
 *
 * @internal
 */
export const PlatformHomeDirectory: Context.Reference<string> = Context.Reference<string>(
  "effect-sso-oidc/PlatformHomeDirectory",
  { defaultValue: () => "." }
)

/** @internal */
export const homeDirectory: Effect.Effect<string> = Effect.gen(function*() {
  const home = yield* variable("HOME")
  if (Option.isSome(home)) return home.value
  const profile = yield* variable("USERPROFILE")
  if (Option.isSome(profile)) return profile.value
  const homePath = yield* variable("HOMEPATH")
  if (Option.isSome(homePath)) {
    const drive = yield* variable("HOMEDRIVE")
    return Option.getOrElse(drive, () => "C:") + homePath.value
  }
  return yield* PlatformHomeDirectory
})

const expandHome = (path: Path.Path, file: string): Effect.Effect<string> =>
  file === "~" || file.startsWith("~/") || file.startsWith("~\\")
    ? Effect.map(homeDirectory, (home) => path.join(home, file.slice(1)))
    : Effect.succeed(file)

/** @internal */
export const configFilePath = (path: Path.Path): Effect.Effect<string> =>
  Effect.flatMap(variable("AWS_CONFIG_FILE"), (file) =>
    Option.isSome(file)
      ? expandHome(path, file.value)
      : Effect.map(homeDirectory, (home) => path.join(home, ".aws", "config")))

/** @internal */
export const ssoCacheDirectory = (path: Path.Path): Effect.Effect<string> =>
  Effect.map(homeDirectory, (home) => path.join(home, ".aws", "sso", "cache"))

/** @internal */
export const profileName: Effect.Effect<string> = Effect.map(
  variable("AWS_PROFILE"),
  Option.getOrElse(() => "default")
)

/** The AWS CLI's credential cache, `~/.aws/cli/cache` (role credentials of SSO profiles). @internal */
export const cliCacheDirectory = (path: Path.Path): Effect.Effect<string> =>
  Effect.map(homeDirectory, (home) => path.join(home, ".aws", "cli", "cache"))
