import { FileSystem } from "effect"
import { NodeFileSystem, NodePath } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Exit, Fiber, Layer, Option, Result } from "effect"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as SsoConfig from "../src/SsoConfig.js"

// The fixture is the root suite's, shared by both editions.
const fixturePath = join(__dirname, "..", "..", "test", "fixtures", "cache", "config.ini")
const text = readFileSync(fixturePath, "utf8")
const file = Result.getOrThrow(SsoConfig.parse(text, "/home/u/.aws/config"))
const NodeLayer = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer)

const left = <A, E>(either: Result.Result<A, E>): E => Result.getOrThrow(Result.flip(either))

describe("parsing ~/.aws/config", () => {
  it("an sso-session gives start URL, region and comma-separated scopes (trimmed, empties dropped)", () => {
    expect(Result.getOrThrow(SsoConfig.ssoSessionOf(file, "corp"))).toEqual({
      sessionName: "corp",
      startUrl: "https://corp.awsapps.com/start",
      region: "us-east-1",
      registrationScopes: ["sso:account:access", "codewhisperer:completions"]
    })
  })

  it("without sso_registration_scopes the scopes are undefined (not [])", () => {
    expect(Result.getOrThrow(SsoConfig.ssoSessionOf(file, "no-scopes")).registrationScopes).toBeUndefined()
    const empty = Result.getOrThrow(
      SsoConfig.parse("[sso-session e]\nsso_start_url = u\nsso_region = r\nsso_registration_scopes =\n", "f")
    )
    expect(Result.getOrThrow(SsoConfig.ssoSessionOf(empty, "e")).registrationScopes).toEqual([])
  })

  it("section names split shell-style, keys are case-insensitive, ':' also delimits, inline comments drop", () => {
    expect(Result.getOrThrow(SsoConfig.ssoSessionOf(file, "spaced"))).toEqual({
      sessionName: "spaced",
      startUrl: "https://spaced.awsapps.com/start",
      region: "ap-southeast-2",
      registrationScopes: undefined
    })
    expect(Result.getOrThrow(SsoConfig.profileSessionOf(file, "with space")).sessionName).toBe("no-scopes")
  })

  it("a profile with sso_session resolves to that session", () => {
    expect(Result.getOrThrow(SsoConfig.profileSessionOf(file, "dev")).sessionName).toBe("corp")
    expect(Result.getOrThrow(SsoConfig.profileSessionOf(file, "consistent")).sessionName).toBe("corp")
  })

  it("indented lines under `key =` are a sub-section and never leak into the profile", () => {
    const dev = file.profiles.get("dev")!
    expect(dev["s3"]).toEqual({ max_concurrent_requests: "20", region: "should-not-leak", sso_region: "should-not-leak-either" })
    expect(dev["region"]).toBe("eu-central-1")
    expect(dev["sso_region"]).toBeUndefined()
    expect(file.profiles.get("default")).toEqual({ region: "us-west-2", output: "json" })
  })

  it("a legacy profile (sso_start_url + sso_region, dotted name) has no session name", () => {
    expect(Result.getOrThrow(SsoConfig.profileSessionOf(file, "legacy.dotted"))).toEqual({
      sessionName: undefined,
      startUrl: "https://legacy.awsapps.com/start",
      region: "us-east-2",
      registrationScopes: undefined
    })
  })

  it("[services] and other sections are neither profiles nor sessions", () => {
    expect([...file.profiles.keys()]).not.toContain("my-services")
    expect([...file.ssoSessions.keys()]).toEqual(["corp", "no-scopes", "spaced", "missing-region"])
  })

  it("a missing key is MissingConfigKey naming the key, the section and the file", () => {
    const error = left(SsoConfig.ssoSessionOf(file, "missing-region"))
    expect(error).toMatchObject({ _tag: "MissingConfigKey", key: "sso_region", section: "sso-session missing-region" })
    expect(error.message).toBe(
      "Missing sso_region in [sso-session missing-region] of the AWS config file /home/u/.aws/config"
    )
    expect(left(SsoConfig.profileSessionOf(file, "legacy-no-region"))).toMatchObject({
      _tag: "MissingConfigKey",
      key: "sso_region",
      section: "profile legacy-no-region"
    })
    const plain = left(SsoConfig.profileSessionOf(file, "plain"))
    expect(plain).toMatchObject({ _tag: "MissingConfigKey", key: "sso_session" })
    expect(plain.message).toContain("/home/u/.aws/config")
  })

  it("an unknown session or profile is SectionNotFound; a dangling sso_session too", () => {
    expect(left(SsoConfig.ssoSessionOf(file, "nope")).message).toBe(
      "The AWS config file /home/u/.aws/config has no [sso-session nope] section"
    )
    expect(left(SsoConfig.profileSessionOf(file, "nope"))).toMatchObject({ _tag: "SectionNotFound", kind: "profile" })
    expect(left(SsoConfig.profileSessionOf(file, "dangling"))).toMatchObject({
      _tag: "SectionNotFound",
      kind: "sso-session",
      name: "nowhere"
    })
  })

  it("a profile repeating a session key with another value is ConflictingConfig", () => {
    expect(left(SsoConfig.profileSessionOf(file, "conflicting"))).toMatchObject({
      _tag: "ConflictingConfig",
      key: "sso_region",
      profile: "conflicting",
      sessionName: "corp"
    })
  })

  it("what the AWS CLI cannot parse is ConfigParseError with the line", () => {
    const cases: ReadonlyArray<readonly [string, number]> = [
      ["region = us-east-1\n[default]\n", 1],
      ["[default]\nregion = a\njust words\n", 3],
      ["[default]\n[default]\n", 2],
      ["[default]\nregion = a\nREGION = b\n", 3],
      ["[default]\ns3 =\n  no equals here\n", 3],
      ["[]\n", 1]
    ]
    for (const [input, line] of cases) {
      expect(left(SsoConfig.parse(input, "/c"))).toMatchObject({ _tag: "ConfigParseError", path: "/c", line })
    }
  })

  it("CRLF line ends and a byte-order mark are fine", () => {
    const parsed = Result.getOrThrow(
      SsoConfig.parse("\uFEFF[sso-session w]\r\nsso_start_url = https://w/start\r\nsso_region = us-east-1\r\n", "f")
    )
    expect(Result.getOrThrow(SsoConfig.ssoSessionOf(parsed, "w")).region).toBe("us-east-1")
  })
})

describe("the service", () => {
  const withEnv = (env: Record<string, string>) =>
    <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.provideService(effect, ConfigProvider.ConfigProvider, ConfigProvider.fromUnknown(env))

  it.live("reads the file named by AWS_CONFIG_FILE", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = join(dir, "custom-config")
      yield* fs.writeFileString(path, text)
      const config = yield* SsoConfig.make().pipe(withEnv({ AWS_CONFIG_FILE: path, HOME: "/nonexistent" }))
      expect(config.path).toBe(path)
      expect((yield* config.session("corp")).region).toBe("us-east-1")
      expect((yield* config.profile("dev")).sessionName).toBe("corp")
    }).pipe(Effect.provide(NodeLayer)))

  it.live("defaults to $HOME/.aws/config and to the AWS_PROFILE profile", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const home = yield* fs.makeTempDirectoryScoped()
      yield* fs.makeDirectory(join(home, ".aws"))
      yield* fs.writeFileString(join(home, ".aws", "config"), text)
      const config = yield* SsoConfig.make().pipe(withEnv({ HOME: home, AWS_PROFILE: "legacy.dotted" }))
      expect(config.path).toBe(join(home, ".aws", "config"))
      expect((yield* config.profile()).startUrl).toBe("https://legacy.awsapps.com/start")
      const byDefault = yield* SsoConfig.make().pipe(withEnv({ HOME: home }))
      expect(yield* Effect.flip(byDefault.profile())).toMatchObject({ _tag: "MissingConfigKey", key: "sso_session" })
    }).pipe(Effect.provide(NodeLayer)))

  it.live("a missing file is ConfigFileNotFound naming the path", () =>
    Effect.gen(function*() {
      const config = yield* SsoConfig.make({ path: "/nonexistent/config" })
      const error = yield* Effect.flip(config.session("corp"))
      expect(error).toMatchObject({ _tag: "ConfigFileNotFound", path: "/nonexistent/config" })
      expect(error.message).toContain("AWS_CONFIG_FILE")
    }).pipe(Effect.provide(NodeLayer)))

  /** The error of `effect`, which must fail at once: within 10 s of real time and no virtual time (no sleep, no blocked open). */
  const failsAtOnce = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(effect)
      const tenSeconds = Effect.callback<void>((resume) => {
        const timer = setTimeout(() => resume(Effect.void), 10_000)
        return Effect.sync(() => clearTimeout(timer))
      })
      const exit = yield* Effect.raceFirst(
        Effect.map(Fiber.await(fiber), Option.some),
        Effect.as(tenSeconds, Option.none())
      )
      if (Option.isNone(exit)) {
        yield* Effect.forkDetach(Fiber.interrupt(fiber))
        throw new Error("still reading after 10 s")
      }
      const error = Exit.isFailure(exit.value) && exit.value.cause.reasons.length === 1
        ? Cause.findErrorOption(exit.value.cause)
        : Option.none()
      if (Option.isNone(error)) throw new Error(`expected a typed failure, got ${String(exit.value)}`)
      return error.value
    })

  it.effect("a config path through a regular file is ConfigReadError carrying the system's reason (ENOTDIR)", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(join(dir, "file"), "")
      const path = join(dir, "file", "config")
      const config = yield* SsoConfig.make({ path })
      const error = yield* failsAtOnce(config.session("corp"))
      expect(error).toMatchObject({ _tag: "ConfigReadError", path })
      expect(error.message).toContain("ENOTDIR: not a directory")
    }).pipe(Effect.provide(NodeLayer)))

  it.effect("a FIFO as the config file is ConfigReadError at once, without opening it", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = join(dir, "config")
      execFileSync("mkfifo", [path])
      const config = yield* SsoConfig.make({ path })
      const error = yield* failsAtOnce(config.session("corp"))
      expect(error).toMatchObject({ _tag: "ConfigReadError", path })
      expect(error.message).toContain("FIFO (named pipe), not a regular file")
    }).pipe(Effect.provide(NodeLayer)))

  it.effect("a config file that is a link to /dev/zero, or a folder, is ConfigReadError at once", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.symlink("/dev/zero", join(dir, "zero"))
      yield* fs.makeDirectory(join(dir, "folder"))
      const zero = yield* failsAtOnce(Effect.flatMap(SsoConfig.make({ path: join(dir, "zero") }), (c) => c.load))
      expect(zero.message).toContain("character device, not a regular file")
      const folder = yield* failsAtOnce(Effect.flatMap(SsoConfig.make({ path: join(dir, "folder") }), (c) => c.load))
      expect(folder).toMatchObject({ _tag: "ConfigReadError", path: join(dir, "folder") })
      expect(folder.message).toContain("a directory, not a regular file")
    }).pipe(Effect.provide(NodeLayer)))

  it.live("a config file of exactly 4 MiB is read; one byte more is ConfigReadError", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = join(dir, "config")
      const padded = text + "#".repeat(4 * 1024 * 1024 - Buffer.byteLength(text) - 1) + "\n"
      yield* fs.writeFileString(path, padded)
      const config = yield* SsoConfig.make({ path })
      expect((yield* config.session("corp")).region).toBe("us-east-1")
      yield* fs.writeFileString(path, padded + "\n")
      const error = yield* Effect.flip(config.session("corp"))
      expect(error).toMatchObject({ _tag: "ConfigReadError", path })
      expect(error.message).toContain("larger than 4 MiB")
    }).pipe(Effect.provide(NodeLayer)))

  it.live("a config file that is a link to a regular file is read through the link", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(join(dir, "dotfiles-config"), text)
      yield* fs.symlink(join(dir, "dotfiles-config"), join(dir, "config"))
      const config = yield* SsoConfig.make({ path: join(dir, "config") })
      expect((yield* config.session("corp")).region).toBe("us-east-1")
    }).pipe(Effect.provide(NodeLayer)))

  it.effect("layerMemory serves text from memory", () =>
    Effect.gen(function*() {
      expect((yield* SsoConfig.session("corp")).startUrl).toBe("https://corp.awsapps.com/start")
      expect(yield* Effect.flip(SsoConfig.profile())).toMatchObject({ _tag: "MissingConfigKey" })
    }).pipe(Effect.provide(SsoConfig.layerMemory(text))))
})

// -----------------------------------------------------------------------------
// against botocore, the parser of the AWS CLI
// -----------------------------------------------------------------------------

const hasBotocore = (() => {
  try {
    execFileSync("python3", ["-c", "import botocore"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

describe("interop: botocore reads the same sessions and profiles", () => {
  if (!hasBotocore && process.env.CI) {
    it("botocore is required in CI", () => {
      throw new Error("python3 with botocore is not available (the AWS CLI v1 ships it): CI must have it")
    })
    return
  }
  it.skipIf(!hasBotocore)("every sso key of every session and profile agrees with botocore's configloader", () => {
    const script = `
import json, sys
from botocore.configloader import raw_config_parse, build_profile_map
print(json.dumps(build_profile_map(raw_config_parse(sys.argv[1]))))
`
    const botocore = JSON.parse(execFileSync("python3", ["-c", script, fixturePath], { encoding: "utf8" }))
    const keys = ["sso_start_url", "sso_region", "sso_registration_scopes", "sso_session", "s3"]
    const pick = (record: Record<string, unknown> | undefined) =>
      Object.fromEntries(keys.filter((key) => record?.[key] !== undefined).map((key) => [key, record![key]]))
    expect(Object.keys(botocore.sso_sessions).sort()).toEqual([...file.ssoSessions.keys()].sort())
    expect(Object.keys(botocore.profiles).sort()).toEqual([...file.profiles.keys()].sort())
    for (const [name, record] of file.ssoSessions) {
      const theirs = pick(botocore.sso_sessions[name])
      if (name === "spaced") {
        // The one deliberate difference: the AWS CLI keeps an inline comment in the value.
        expect(theirs["sso_region"]).toBe("ap-southeast-2   # an inline comment")
        theirs["sso_region"] = "ap-southeast-2"
      }
      expect(pick(record as Record<string, unknown>), `sso-session ${name}`).toEqual(theirs)
    }
    for (const [name, record] of file.profiles) {
      expect(pick(record as Record<string, unknown>), `profile ${name}`).toEqual(pick(botocore.profiles[name]))
    }
  })
})

describe("role profiles", () => {
  const config = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = ReadOnly

[profile no-role]
sso_session = corp
sso_account_id = 111122223333
`

  it.effect("a profile with sso_session, sso_account_id and sso_role_name; a legacy one; a missing role is named", () =>
    Effect.gen(function*() {
      const dev = yield* SsoConfig.roleProfile("dev")
      expect(dev).toEqual({
        profileName: "dev",
        accountId: "111122223333",
        roleName: "Developer",
        session: { sessionName: "corp", startUrl: "https://corp.awsapps.com/start", region: "eu-west-1", registrationScopes: undefined }
      })
      const legacy = yield* SsoConfig.roleProfile("legacy")
      expect(legacy.session.sessionName).toBeUndefined()
      expect(legacy.accountId).toBe("444455556666")
      const missing = yield* Effect.flip(SsoConfig.roleProfile("no-role"))
      expect(missing).toMatchObject({ _tag: "MissingConfigKey", key: "sso_role_name", section: "profile no-role" })
    }).pipe(Effect.provide(SsoConfig.layerMemory(config))))
})

describe("error names", () => {
  // SectionNotFound is left out: its own `name` field (the section's name) shadows the error's name in both editions.
  it("every error of the module is named after its tag: String(error) is `Tag: message`", () => {
    const errors = [
      new SsoConfig.ConfigFileNotFound({ path: "/h/.aws/config" }),
      new SsoConfig.ConfigReadError({ path: "/h/.aws/config", description: "permission denied" }),
      new SsoConfig.ConfigParseError({ path: "/h/.aws/config", line: 3, description: "not a section or key" }),
      new SsoConfig.MissingConfigKey({ path: "/h/.aws/config", section: "sso-session corp", key: "sso_region" }),
      new SsoConfig.ConflictingConfig({ path: "/h/.aws/config", profile: "dev", sessionName: "corp", key: "sso_region" })
    ]
    for (const error of errors) {
      expect(error.name).toBe(error._tag)
      expect(String(error)).toBe(`${error._tag}: ${error.message}`)
    }
  })
})
