/**
 * The portal commands of the `sso-oidc` binary (dist/, built by `npm run
 * build`): accounts, roles, logout and status, against the emulator on a
 * real port. Each test has a home of its own, so its caches start empty.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Redacted } from "effect"
import { TokenCache } from "effect-sso-oidc"
import { Emulator } from "effect-sso-oidc/testing"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../dist/sso-oidc.js", import.meta.url))

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex")

/** A home and a config file of a test's own. */
const makeHome = (config: string) => {
  const home = mkdtempSync(join(tmpdir(), "sso-oidc-portal-"))
  mkdirSync(join(home, ".aws"), { recursive: true })
  writeFileSync(join(home, ".aws", "config"), config)
  const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
    Effect.async<Run>((resume) => {
      execFile(
        process.execPath,
        [bin, ...args],
        { env: { PATH: process.env.PATH ?? "", HOME: home, ...env }, timeout: 30_000 },
        (error, stdout, stderr) =>
          resume(Effect.succeed({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }))
      )
    })
  const ssoCache = (key: string) => join(home, ".aws", "sso", "cache", `${key}.json`)
  const cliCache = (key: string) => join(home, ".aws", "cli", "cache", `${key}.json`)
  return { home, cli, ssoCache, cliCache }
}

const sessionConfig = (url: string, name = "dev", scopes = true) =>
  `[sso-session ${name}]\nsso_start_url = ${url}/start\nsso_region = us-east-1\n` +
  (scopes ? "sso_registration_scopes = sso:account:access\n" : "")

const withEmulator = <A, E>(
  f: (emulator: Emulator.Emulator.Service) => Effect.Effect<A, E>,
  options: NodeEmulator.LayerOptions = {}
) =>
  Effect.flatMap(Emulator.Emulator, f).pipe(
    Effect.provide(NodeEmulator.layer({ port: 0, autoApproveAfter: Duration.millis(1), ...options }))
  )

/** Signs in to an sso-session through the CLI (the emulator approves at once). */
const login = (cli: ReturnType<typeof makeHome>["cli"], env: Record<string, string>, session = "dev") =>
  Effect.gen(function*() {
    const run = yield* cli(["login", "--sso-session", session, "--no-browser"], env)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
  })

/** A cache file as the AWS CLI writes it, mode 0600 (a looser mode is warned about). */
const writeCacheFile = (file: string, text: string) => writeFileSync(file, text, { mode: 0o600 })

const lines = (text: string) => text.split("\n").filter((line) => line !== "")

const registrationKeyOf = (url: string, name: string) =>
  TokenCache.registrationKey({
    startUrl: `${url}/start`,
    region: "us-east-1",
    registrationScopes: ["sso:account:access"],
    sessionName: name
  })

const roleKeyOf = (accountId: string, roleName: string, sessionName: string) =>
  sha1(JSON.stringify({ accountId, roleName, sessionName }))

describe("sso-oidc accounts and roles", () => {
  it.live("accounts reads every page and prints the AWS CLI's list-accounts JSON", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli } = makeHome(sessionConfig(emulator.url))
        const env = { AWS_ENDPOINT_URL: emulator.url }
        yield* login(cli, env)
        const run = yield* cli(["accounts", "--sso-session", "dev"], env)
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        expect(run.stdout).toBe(
          JSON.stringify(
            {
              accountList: [
                { accountId: "111111111111", accountName: "Development", emailAddress: "dev@example.com" },
                { accountId: "222222222222", accountName: "Production", emailAddress: "prod@example.com" },
                { accountId: "333333333333", accountName: "Sandbox", emailAddress: "sandbox@example.com" }
              ]
            },
            null,
            4
          ) + "\n"
        )
        // Page size 1: three ListAccounts calls, one per account.
        const pages = (yield* emulator.requests).filter((request) => request.path === "/assignment/accounts")
        expect(pages.length).toBe(3)
      }), {
      pageSize: 1,
      accounts: [
        ...Emulator.defaultAccounts,
        { accountId: "333333333333", accountName: "Sandbox", emailAddress: "sandbox@example.com", roles: ["Admin"] }
      ]
    }))

  it.live("accounts --output table and text, through the profile's session", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli } = makeHome(sessionConfig(emulator.url) + "[profile work]\nsso_session = dev\n")
        const env = { AWS_ENDPOINT_URL: emulator.url }
        yield* login(cli, env)
        const table = yield* cli(["accounts", "--profile", "work", "--output", "table"], env)
        expect(table.code).toBe(0)
        expect(table.stdout).toBe(
          "ACCOUNT ID    NAME         EMAIL\n" +
            "111111111111  Development  dev@example.com\n" +
            "222222222222  Production   prod@example.com\n"
        )
        const text = yield* cli(["accounts", "--output", "text"], { ...env, AWS_PROFILE: "work" })
        expect(text.stdout).toBe(
          "ACCOUNTLIST\t111111111111\tDevelopment\tdev@example.com\n" +
            "ACCOUNTLIST\t222222222222\tProduction\tprod@example.com\n"
        )
      })))

  it.live("roles lists an account's roles; a bad account ID is a usage error, an unknown one a one-line failure", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli } = makeHome(sessionConfig(emulator.url))
        const env = { AWS_ENDPOINT_URL: emulator.url }
        yield* login(cli, env)
        const run = yield* cli(["roles", "--account-id", "111111111111", "--sso-session", "dev"], env)
        expect(run.code).toBe(0)
        expect(JSON.parse(run.stdout)).toEqual({
          roleList: ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"].map((roleName) => ({
            roleName,
            accountId: "111111111111"
          }))
        })
        const text = yield* cli(["roles", "--account-id", "222222222222", "--sso-session", "dev", "--output", "text"], env)
        expect(text.stdout).toBe("ROLELIST\t222222222222\tReadOnlyAccess\n")

        const bad = yield* cli(["roles", "--account-id", "12345", "--sso-session", "dev"], env)
        expect(bad.code).toBe(2)
        expect(lines(bad.stderr)[0]).toBe("sso-oidc: --account-id 12345 is not an AWS account ID (12 digits)")

        const unknown = yield* cli(["roles", "--account-id", "999999999999", "--sso-session", "dev"], env)
        expect(unknown.code).toBe(1)
        expect(lines(unknown.stderr)).toHaveLength(1)
        expect(unknown.stderr).toMatch(/^sso-oidc: SsoPortalResourceNotFound: .*999999999999/)
      })))

  it.live("without a token, accounts says how to sign in, on one line", () =>
    Effect.gen(function*() {
      const { cli } = makeHome(sessionConfig("https://portal.example"))
      const run = yield* cli(["accounts", "--sso-session", "dev"])
      expect(run.code).toBe(1)
      expect(run.stdout).toBe("")
      expect(lines(run.stderr)).toHaveLength(1)
      expect(run.stderr).toContain("TokenMissing")
      expect(run.stderr).toContain("login --sso-session dev")
    }))

  it.live("a token the portal refuses is one line saying how to sign in again", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli, ssoCache } = makeHome(sessionConfig(emulator.url))
        const env = { AWS_ENDPOINT_URL: emulator.url }
        yield* login(cli, env)
        const file = ssoCache(sha1("dev"))
        const cached = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>
        writeCacheFile(file, JSON.stringify({ ...cached, accessToken: "revoked-elsewhere" }))
        const run = yield* cli(["accounts", "--sso-session", "dev"], env)
        expect(run.code).toBe(1)
        expect(run.stdout).toBe("")
        expect(lines(run.stderr)).toHaveLength(1)
        expect(run.stderr).toMatch(/^sso-oidc: SsoPortalUnauthorized: .*: run `sso-oidc login --sso-session dev`\n$/)
        expect(run.stderr).not.toContain("revoked-elsewhere")
      })))

  it.live("--sso-session with --profile is a usage error", () =>
    Effect.gen(function*() {
      const { cli } = makeHome(sessionConfig("https://portal.example"))
      const run = yield* cli(["accounts", "--sso-session", "dev", "--profile", "p"])
      expect(run.code).toBe(2)
      expect(lines(run.stderr)[0]).toBe("sso-oidc: --sso-session and --profile each name a session: give one")
    }))

  it.live("a hostile account name is escaped in the table and the text, and stays valid JSON", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli } = makeHome(sessionConfig(emulator.url))
        const env = { AWS_ENDPOINT_URL: emulator.url }
        yield* login(cli, env)
        const table = yield* cli(["accounts", "--sso-session", "dev", "--output", "table"], env)
        expect(table.stdout).not.toContain("\x1b")
        expect(table.stdout).toContain("Evil\\e]0;pwned\\x07\\u{202e}")
        const text = yield* cli(["accounts", "--sso-session", "dev", "--output", "text"], env)
        expect(text.stdout).toBe("ACCOUNTLIST\t111111111111\tEvil\\e]0;pwned\\x07\\u{202e}\ta\\nb@example.com\n")
        const json = yield* cli(["accounts", "--sso-session", "dev"], env)
        expect(json.stdout).not.toContain("\u202e")
        expect(JSON.parse(json.stdout)).toEqual({
          accountList: [{ accountId: "111111111111", accountName: "Evil\x1b]0;pwned\x07\u202e", emailAddress: "a\nb@example.com" }]
        })
      }), {
      accounts: [{ accountId: "111111111111", accountName: "Evil\x1b]0;pwned\x07\u202e", emailAddress: "a\nb@example.com", roles: [] }]
    }))
})

describe("sso-oidc logout", () => {
  it.live("signs out at the portal, then removes the token, registration and role credentials, a line per file", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli, cliCache, ssoCache } = makeHome(
          sessionConfig(emulator.url) + sessionConfig(emulator.url, "other") +
            "[profile dev-admin]\nsso_session = dev\nsso_account_id = 111111111111\nsso_role_name = AdministratorAccess\n" +
            "[profile other-ro]\nsso_session = other\nsso_account_id = 222222222222\nsso_role_name = ReadOnlyAccess\n"
        )
        const env = { AWS_ENDPOINT_URL: emulator.url }
        yield* login(cli, env)
        yield* login(cli, env, "other")
        const roleFile = cliCache(roleKeyOf("111111111111", "AdministratorAccess", "dev"))
        const otherRoleFile = cliCache(roleKeyOf("222222222222", "ReadOnlyAccess", "other"))
        mkdirSync(join(roleFile, ".."), { recursive: true })
        writeFileSync(roleFile, "{}")
        writeFileSync(otherRoleFile, "{}")
        const tokenFile = ssoCache(sha1("dev"))
        const registrationFile = ssoCache(registrationKeyOf(emulator.url, "dev"))
        expect(existsSync(registrationFile)).toBe(true)
        const accessToken = (JSON.parse(readFileSync(tokenFile, "utf8")) as { accessToken: string }).accessToken

        const run = yield* cli(["logout", "--sso-session", "dev"], env)
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        expect(run.stdout).toBe(
          "Signed out of sso-session dev at the portal.\n" +
            `removed ${tokenFile} (token of sso-session dev)\n` +
            `removed ${registrationFile} (client registration of sso-session dev)\n` +
            `removed ${roleFile} (role credentials of sso-session dev)\n`
        )
        expect(run.stdout).not.toContain(accessToken)
        for (const file of [tokenFile, registrationFile, roleFile]) expect(existsSync(file)).toBe(false)
        // Removed under the token's lock, which is gone again.
        expect(readdirSync(join(tokenFile, "..")).filter((name) => name.endsWith(".lock"))).toEqual([])
        // The other session is left alone.
        expect(existsSync(ssoCache(sha1("other")))).toBe(true)
        expect(existsSync(otherRoleFile)).toBe(true)
        const tokens = yield* emulator.tokens
        const revoked = tokens.filter((token) => token.revokedAt !== undefined)
        expect(revoked.map((token) => Redacted.value(token.accessToken))).toEqual([accessToken])

        const again = yield* cli(["logout", "--sso-session", "dev"], env)
        expect(again.code).toBe(0)
        expect(again.stdout).toBe("nothing cached for sso-session dev\n")
      })))

  it.live("a portal that cannot be reached is a warning line; the files are removed anyway", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli, ssoCache } = makeHome(sessionConfig(emulator.url))
        yield* login(cli, { AWS_ENDPOINT_URL: emulator.url })
        const run = yield* cli(["logout", "--sso-session", "dev", "--endpoint-url", "http://127.0.0.1:1", "--cli-read-timeout", "2"])
        expect(run.code).toBe(0)
        expect(lines(run.stderr)).toHaveLength(1)
        expect(run.stderr).toMatch(
          /^sso-oidc: warning: sso-session dev: signing out at the portal failed: TransportError: .*; removing the files anyway\n$/
        )
        expect(run.stdout).toContain("(token of sso-session dev)")
        expect(existsSync(ssoCache(sha1("dev")))).toBe(false)
      })))

  it.live("a token the portal refuses (401) is a warning; the files are removed", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli, ssoCache } = makeHome(sessionConfig(emulator.url))
        const env = { AWS_ENDPOINT_URL: emulator.url }
        yield* login(cli, env)
        const file = ssoCache(sha1("dev"))
        const cached = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>
        writeCacheFile(file, JSON.stringify({ ...cached, accessToken: "not-a-token-of-the-emulator" }))
        const run = yield* cli(["logout", "--sso-session", "dev"], env)
        expect(run.code).toBe(0)
        expect(lines(run.stderr)).toEqual([
          expect.stringMatching(/^sso-oidc: warning: sso-session dev: signing out at the portal failed: SsoPortalUnauthorized: /)
        ])
        expect(existsSync(file)).toBe(false)
      })))

  it.live("--all signs out of every session and removes every token file of the cache", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli, ssoCache } = makeHome(sessionConfig(emulator.url) + sessionConfig(emulator.url, "other"))
        const env = { AWS_ENDPOINT_URL: emulator.url }
        yield* login(cli, env)
        yield* login(cli, env, "other")
        // An expired token of a session no longer in the config: removed without a Logout call.
        const stray = ssoCache(sha1("gone"))
        writeCacheFile(
          stray,
          JSON.stringify({ startUrl: "https://gone.example/start", region: "us-east-1", accessToken: "x", expiresAt: "2020-01-01T00:00:00Z" })
        )
        const run = yield* cli(["logout", "--all"], env)
        expect(run.code).toBe(0)
        expect(run.stderr).toBe("")
        for (const name of ["dev", "other"]) {
          expect(run.stdout).toContain(`Signed out of sso-session ${name} at the portal.`)
          expect(existsSync(ssoCache(sha1(name)))).toBe(false)
          expect(existsSync(ssoCache(registrationKeyOf(emulator.url, name)))).toBe(false)
        }
        expect(run.stdout).toContain(`removed ${stray} (token of token file ${sha1("gone")}.json)`)
        expect(existsSync(stray)).toBe(false)
      })))

  it.live("--all without a config file still clears the token files; an unparsable config stops it", () =>
    Effect.gen(function*() {
      const { cli, home, ssoCache } = makeHome("")
      mkdirSync(join(home, ".aws", "sso", "cache"), { recursive: true })
      const stray = ssoCache(sha1("gone"))
      const token = JSON.stringify({ startUrl: "https://gone.example/start", region: "us-east-1", accessToken: "x", expiresAt: "2020-01-01T00:00:00Z" })
      writeCacheFile(stray, token)
      const broken = join(home, "broken-config")
      writeFileSync(broken, "[sso-session dev\n")
      const refused = yield* cli(["logout", "--all"], { AWS_CONFIG_FILE: broken })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/^sso-oidc: ConfigParseError: /)
      expect(existsSync(stray)).toBe(true)
      const run = yield* cli(["logout", "--all"], { AWS_CONFIG_FILE: join(home, "missing") })
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      expect(run.stdout).toBe(`removed ${stray} (token of token file ${sha1("gone")}.json)\n`)
      expect(existsSync(stray)).toBe(false)
    }))

  it.live("neither --sso-session nor --all, or both, is a usage error", () =>
    Effect.gen(function*() {
      const { cli } = makeHome(sessionConfig("https://portal.example"))
      const neither = yield* cli(["logout"])
      expect(neither.code).toBe(2)
      expect(lines(neither.stderr)[0]).toBe("sso-oidc: give --sso-session NAME, or --all")
      const both = yield* cli(["logout", "--all", "--sso-session", "dev"])
      expect(both.code).toBe(2)
      expect(lines(both.stderr)[0]).toBe("sso-oidc: --sso-session and --all: give one")
    }))
})

describe("sso-oidc status", () => {
  it.live("a signed-in session with scopes is fine: exit 0, expiry shown, refreshable, no token printed", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli, ssoCache } = makeHome(sessionConfig(emulator.url))
        yield* login(cli, { AWS_ENDPOINT_URL: emulator.url })
        const cached = JSON.parse(readFileSync(ssoCache(sha1("dev")), "utf8")) as Record<string, string>
        const run = yield* cli(["status"])
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        expect(run.stdout).toBe(`sso-session dev: token valid until ${cached.expiresAt}, refreshable\n`)
        const json = yield* cli(["status", "--output", "json"])
        expect(json.code).toBe(0)
        for (const secret of [cached.accessToken, cached.refreshToken, cached.clientSecret]) {
          expect(json.stdout).not.toContain(secret)
        }
        expect(JSON.parse(json.stdout)).toEqual({
          sessions: [{
            kind: "sso-session",
            name: "dev",
            startUrl: `${emulator.url}/start`,
            region: "us-east-1",
            tokenFile: ssoCache(sha1("dev")),
            token: "valid",
            expiresAt: cached.expiresAt,
            refreshable: true,
            registrationExpiresAt: cached.registrationExpiresAt,
            problems: []
          }]
        })
      })))

  it.live("names each problem with what to do, and exits 1", () =>
    Effect.gen(function*() {
      const { cli, home, ssoCache } = makeHome(
        "[sso-session none]\nsso_start_url = https://none.example/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n" +
          "[sso-session noscopes]\nsso_start_url = https://noscopes.example/start\nsso_region = us-east-1\n" +
          "[sso-session broken]\nsso_start_url = https://broken.example/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n" +
          "[sso-session stale]\nsso_start_url = https://stale.example/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n" +
          "[profile legacy]\nsso_start_url = https://legacy.example/start\nsso_region = eu-west-1\n"
      )
      mkdirSync(join(home, ".aws", "sso", "cache"), { recursive: true })
      writeCacheFile(ssoCache(sha1("broken")), "{\"accessToken\": \"cut sho")
      writeCacheFile(
        ssoCache(sha1("noscopes")),
        JSON.stringify({ startUrl: "https://noscopes.example/start", region: "us-east-1", accessToken: "secret-a", expiresAt: "2099-01-01T00:00:00Z" })
      )
      writeCacheFile(
        ssoCache(sha1("stale")),
        JSON.stringify({
          startUrl: "https://stale.example/start",
          region: "us-east-1",
          accessToken: "secret-b",
          expiresAt: "2020-01-01T00:00:00Z",
          clientId: "c",
          clientSecret: "secret-c",
          registrationExpiresAt: "2020-02-01T00:00:00Z",
          refreshToken: "secret-d"
        })
      )
      writeCacheFile(
        ssoCache(sha1("https://legacy.example/start")),
        JSON.stringify({ startUrl: "https://legacy.example/start", region: "eu-west-1", accessToken: "secret-e", expiresAt: "2020-01-01T00:00:00Z" })
      )
      const config = join(home, ".aws", "config")
      const brokenFile = ssoCache(sha1("broken"))
      const run = yield* cli(["status"])
      expect(run.code).toBe(1)
      expect(run.stderr).toBe("sso-oidc: 5 of 5 sessions need attention\n")
      expect(run.stdout).toBe(
        "sso-session none: no token\n" +
          "  problem: no token: run `sso-oidc login --sso-session none`\n" +
          "sso-session noscopes: token valid until 2099-01-01T00:00:00Z, not refreshable\n" +
          "  problem: [sso-session noscopes] has no sso_registration_scopes, so no refresh token is issued: add " +
          `\`sso_registration_scopes = sso:account:access\` to it in ${config}\n` +
          "sso-session broken: token file unreadable\n" +
          `  problem: the token file ${brokenFile} is corrupt (not complete JSON): remove it with \`rm '${brokenFile}'\`, then sign in again\n` +
          "sso-session stale: token expired at 2020-01-01T00:00:00Z, not refreshable\n" +
          "  problem: the client registration expired at 2020-02-01T00:00:00Z: run `sso-oidc login --sso-session stale`\n" +
          "profile legacy: token expired at 2020-01-01T00:00:00Z, not refreshable\n" +
          "  problem: the token expired at 2020-01-01T00:00:00Z and has no refresh token: run `sso-oidc login --profile legacy`\n"
      )
      expect(run.stdout).not.toMatch(/secret-/)
    }))

  it.live("an expired token that can be refreshed is fine; one without its client, or with a corrupt registration, is not", () =>
    Effect.gen(function*() {
      const session = (name: string) =>
        `[sso-session ${name}]\nsso_start_url = https://${name}.example/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n`
      const { cli, home, ssoCache } = makeHome(session("fresh") + session("noclient") + session("badreg"))
      mkdirSync(join(home, ".aws", "sso", "cache"), { recursive: true })
      const expired = (name: string, extra: Record<string, string>) =>
        writeCacheFile(
          ssoCache(sha1(name)),
          JSON.stringify({ startUrl: `https://${name}.example/start`, region: "us-east-1", accessToken: "secret-a", expiresAt: "2020-01-01T00:00:00Z", ...extra })
        )
      const client = { clientId: "c", clientSecret: "secret-c", registrationExpiresAt: "2099-01-01T00:00:00Z", refreshToken: "secret-r" }
      expired("fresh", client)
      expired("noclient", { refreshToken: "secret-r" })
      expired("badreg", client)
      const registration = ssoCache(
        TokenCache.registrationKey({
          startUrl: "https://badreg.example/start",
          region: "us-east-1",
          registrationScopes: ["sso:account:access"],
          sessionName: "badreg"
        })
      )
      writeCacheFile(registration, "[]")
      const run = yield* cli(["status", "--output", "json"])
      expect(run.code).toBe(1)
      expect(run.stderr).toBe("sso-oidc: 2 of 3 sessions need attention\n")
      const { sessions } = JSON.parse(run.stdout) as { sessions: Array<{ name: string; refreshable: boolean; problems: Array<string> }> }
      expect(sessions.map(({ name, problems, refreshable }) => ({ name, refreshable, problems }))).toEqual([
        { name: "fresh", refreshable: true, problems: [] },
        {
          name: "noclient",
          refreshable: false,
          problems: [
            "the token expired at 2020-01-01T00:00:00Z and cannot be refreshed (no client registration): run `sso-oidc login --sso-session noclient`"
          ]
        },
        {
          name: "badreg",
          refreshable: true,
          problems: [expect.stringMatching(new RegExp(`^the registration file ${registration} is corrupt \\(.*\\): remove it with \`rm '`))]
        }
      ])
      expect(run.stdout).not.toMatch(/secret-/)
    }))

  it.live("the new commands' help from the launcher is what @effect/cli prints", () =>
    Effect.gen(function*() {
      const { cli } = makeHome("")
      const main = fileURLToPath(new URL("../dist/sso-oidc-main.cjs", import.meta.url))
      const root = yield* cli(["--help"])
      for (const command of ["accounts", "roles", "logout", "status"]) expect(root.stdout).toContain(command)
      for (const command of ["accounts", "roles", "logout", "status"]) {
        const cached = yield* cli([command, "--help"])
        expect(cached.code, command).toBe(0)
        expect(cached.stdout).toContain(`sso-oidc ${command}`)
        const direct = yield* Effect.async<string>((resume) => {
          execFile(process.execPath, [main, command, "--help"], { env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" } }, (_, stdout) =>
            resume(Effect.succeed(stdout)))
        })
        expect(cached.stdout, command).toBe(direct)
      }
    }))

  it.live("without a config file, status is one line naming it", () =>
    Effect.gen(function*() {
      const { cli, home } = makeHome("")
      const run = yield* cli(["status"], { AWS_CONFIG_FILE: join(home, "missing") })
      expect(run.code).toBe(1)
      expect(run.stderr).toBe(`sso-oidc: ConfigFileNotFound: The AWS config file ${join(home, "missing")} does not exist (set AWS_CONFIG_FILE to use another file)\n`)
    }))
})

describe("sso-oidc credentials", () => {
  const profileConfig = (url: string) =>
    sessionConfig(url) + "\n[profile work]\nsso_session = dev\nsso_account_id = 111111111111\nsso_role_name = ReadOnlyAccess\n"

  it.live("prints the profile's role credentials as credential_process JSON, and caches them as the AWS CLI does", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli, cliCache } = makeHome(profileConfig(emulator.url))
        const env = { AWS_ENDPOINT_URL: emulator.url }
        yield* login(cli, env)
        const run = yield* cli(["credentials", "--profile", "work"], env)
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        const printed = JSON.parse(run.stdout)
        expect(Object.keys(printed)).toEqual(["Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"])
        expect(printed.Version).toBe(1)
        expect(printed.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/)
        const [issued] = yield* emulator.roleCredentials
        expect(printed.AccessKeyId).toBe(issued!.accessKeyId)
        expect(printed.SecretAccessKey).toBe(Redacted.value(issued!.secretAccessKey))
        const cached = JSON.parse(readFileSync(cliCache(roleKeyOf("111111111111", "ReadOnlyAccess", "dev")), "utf8"))
        expect(cached.Credentials.AccessKeyId).toBe(printed.AccessKeyId)
        // A second call is served from the cache: one GetRoleCredentials in all.
        const again = yield* cli(["credentials", "--profile", "work", "--format", "env"], env)
        expect(lines(again.stdout)[0]).toBe(`export AWS_ACCESS_KEY_ID=${printed.AccessKeyId}`)
        expect((yield* emulator.counts).GetRoleCredentials).toBe(1)
      })))

  it.live("botocore takes them through credential_process = sso-oidc credentials --profile work", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli, home } = makeHome(
          profileConfig(emulator.url) +
            `\n[profile via-process]\ncredential_process = ${process.execPath} ${bin} credentials --profile work\n`
        )
        const env = { AWS_ENDPOINT_URL: emulator.url }
        yield* login(cli, env)
        const python = yield* Effect.async<Run>((resume) => {
          execFile(
            "python3",
            ["-c", "import botocore.session, json; c = botocore.session.Session(profile='via-process').get_credentials().get_frozen_credentials(); print(json.dumps([c.access_key, c.token is not None]))"],
            { env: { PATH: process.env.PATH ?? "", HOME: home, AWS_ENDPOINT_URL: emulator.url }, timeout: 60_000 },
            (error, stdout, stderr) => resume(Effect.succeed({ code: error ? 1 : 0, stdout, stderr }))
          )
        })
        expect(python.stderr).toBe("")
        const [accessKey, hasToken] = JSON.parse(python.stdout)
        const [issued] = yield* emulator.roleCredentials
        expect(accessKey).toBe(issued!.accessKeyId)
        expect(hasToken).toBe(true)
      })))

  it.live("the launcher's credentials (the quick bundle, no @effect/cli) answer exactly as the whole CLI does", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli, home } = makeHome(profileConfig(emulator.url) + "\n[profile bare]\nsso_session = dev\n")
        const env = { AWS_ENDPOINT_URL: emulator.url, NODE_DEBUG: "sso-oidc" }
        const main = fileURLToPath(new URL("../dist/sso-oidc-main.cjs", import.meta.url))
        const direct = (args: ReadonlyArray<string>) =>
          Effect.async<Run>((resume) => {
            execFile(process.execPath, [main, ...args], { env: { PATH: process.env.PATH ?? "", HOME: home, AWS_ENDPOINT_URL: emulator.url } }, (error, stdout, stderr) =>
              resume(Effect.succeed({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })))
          })
        /** The launcher's run, with the line NODE_DEBUG adds (which bundle ran) taken out of stderr and returned. */
        const launched = (args: ReadonlyArray<string>) =>
          Effect.map(cli(args, env), (run) => {
            const debug = lines(run.stderr).filter((line) => /^SSO-OIDC \d+: /.test(line))
            const stderr = run.stderr.split("\n").filter((line) => !/^SSO-OIDC \d+: /.test(line)).join("\n")
            return { run: { ...run, stderr }, bundle: debug[0]?.match(/\((.*)\)$/)?.[1] ?? "" }
          })
        const failures = [["credentials", "--profile", "work"], ["credentials", "--profile", "bare"], ["credentials", "--profile", "none"]]
        for (const args of failures) {
          const { run, bundle } = yield* launched(args)
          expect(bundle, args.join(" ")).toMatch(/sso-oidc-quick-credentials-/)
          expect(run, args.join(" ")).toEqual(yield* direct(args))
          expect(run.code).toBe(1)
        }
        yield* login(cli, { AWS_ENDPOINT_URL: emulator.url })
        for (const format of ["process", "env", "fish"]) {
          const args = ["credentials", "--profile", "work", "--format", format]
          const { run, bundle } = yield* launched(args)
          expect(bundle).toMatch(/sso-oidc-quick-credentials-/)
          expect(run).toEqual(yield* direct(args))
          expect(run.code).toBe(0)
        }
        // A form the quick parse leaves alone runs the whole CLI.
        expect((yield* launched(["credentials", "--profile=work"])).bundle).toMatch(/sso-oidc-main-credentials-/)
      })))

  it.live("a profile without a role, or without a sign-in, is one line saying what to do, exit 1", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const { cli } = makeHome(profileConfig(emulator.url) + "\n[profile bare]\nsso_session = dev\n")
        const env = { AWS_ENDPOINT_URL: emulator.url }
        const noLogin = yield* cli(["credentials", "--profile", "work"], env)
        expect(noLogin.code).toBe(1)
        expect(lines(noLogin.stderr)).toHaveLength(1)
        expect(noLogin.stderr).toContain("sso-oidc login")
        expect(noLogin.stdout).toBe("")
        const noRole = yield* cli(["credentials", "--profile", "bare"], env)
        expect(noRole.code).toBe(1)
        expect(noRole.stderr).toContain("sso_account_id")
      })))
})
