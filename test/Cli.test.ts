/**
 * The `sso-oidc` binary (dist/, built by `npm test` before the suite) against
 * the emulator on a real port.
 */
import { Command } from "@effect/cli"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Fiber, HashMap, Redacted, TestClock } from "effect"
import { SsoConfig } from "effect-sso-oidc"
import { Emulator } from "effect-sso-oidc/testing"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import { browserPlan, webUrl } from "../src/cli/browser.js"
import { lastRequest, watched } from "../src/cli/http.js"
import { startUrlProblem } from "../src/cli/login.js"
import { colour, rootCommand } from "../src/cli/main.js"
import { parseCredentials, parseLogin } from "../src/cli/quickParse.js"
import { commands } from "../src/cli/table.js"
import { printable, safeJson } from "../src/cli/printable.js"
import { execFile, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { isBuiltin } from "node:module"
import { type AddressInfo, createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { proxy, scriptedServer, selfSigned, tlsFront } from "./fixtures/net.js"

const bin = fileURLToPath(new URL("../dist/sso-oidc.js", import.meta.url))

const commandNames = [
  "register-client",
  "start-device-authorization",
  "create-token",
  "create-token-with-iam",
  "login",
  "accounts",
  "roles",
  "logout",
  "status",
  "credentials",
  "emulator",
  "demo"
]

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A home of its own: `login` writes the token cache under it, never into the real ~/.aws. */
const home = mkdtempSync(join(tmpdir(), "sso-oidc-home-"))

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

/** The start of the SHA-256 of a bundle of dist/, as its code cache file's name has it. */
const bundleHash = (name: string) =>
  createHash("sha256").update(readFileSync(join(dirname(bin), name))).digest("hex").slice(0, 12)

const emulatorLayer = (options: NodeEmulator.LayerOptions = {}) => NodeEmulator.layer({ port: 0, ...options })

const withEmulator = <A, E>(
  f: (emulator: Emulator.Emulator.Service) => Effect.Effect<A, E>,
  options: NodeEmulator.LayerOptions = {}
) => Effect.flatMap(Emulator.Emulator, f).pipe(Effect.provide(emulatorLayer(options)))

const global = (url: string) => ["--region", "us-east-1", "--endpoint-url", url]

const json = (run: Run) => {
  expect(run.stderr).toBe("")
  expect(run.code).toBe(0)
  return JSON.parse(run.stdout) as Record<string, unknown>
}

describe("sso-oidc", () => {
  it("is built", () => {
    expect(existsSync(bin), "run `npm run build` (npm test does)").toBe(true)
  })

  it.live("--help lists every command and exits 0", () =>
    Effect.gen(function*() {
      const run = yield* cli(["--help"])
      expect(run.code).toBe(0)
      for (
        const command of [
          "register-client",
          "start-device-authorization",
          "create-token",
          "create-token-with-iam",
          "login",
          "emulator",
          "demo"
        ]
      ) expect(run.stdout).toContain(command)
    }))

  it.live("the launcher's --help (rendered from the command table) and --version are exactly what @effect/cli prints", () =>
    Effect.gen(function*() {
      const main = fileURLToPath(new URL("../dist/sso-oidc-main.cjs", import.meta.url))
      const direct = (args: ReadonlyArray<string>, env: Record<string, string>) =>
        Effect.async<string>((resume) => {
          execFile(process.execPath, [main, ...args], { env: { PATH: process.env.PATH ?? "", HOME: home, ...env } }, (_, stdout) =>
            resume(Effect.succeed(stdout)))
        })
      const commands = ["", ...commandNames]
      for (const env of [{ NO_COLOR: "1" }, { FORCE_COLOR: "1" }]) {
        for (const command of commands) {
          const args = command === "" ? ["--help"] : [command, "--help"]
          const rendered = yield* cli(args, env)
          expect(rendered.code, args.join(" ")).toBe(0)
          expect(rendered.stdout, `${args.join(" ")} ${JSON.stringify(env)}`).toBe(yield* direct(args, env))
        }
      }
      for (const args of [["create-token", "-h"], ["--version"]]) {
        expect((yield* cli(args)).stdout, args.join(" ")).toBe(yield* direct(args, {}))
      }
    }))

  it("the command table names every command @effect/cli has, in its order", () => {
    expect(commands.map((command) => command.name)).toEqual(commandNames)
    expect(Array.from(HashMap.keys(Command.getSubcommands(rootCommand))).sort()).toEqual([...commandNames].sort())
  })

  it.live("each command has --help", () =>
    Effect.gen(function*() {
      for (const command of ["register-client", "create-token", "login", "emulator", "demo"]) {
        const run = yield* cli([command, "--help"])
        expect(run.code, command).toBe(0)
        expect(run.stdout).toContain(command)
      }
    }))

  it.live("the operation commands complete a device flow with the AWS CLI's flags and JSON", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const registration = json(
          yield* cli(["register-client", ...global(emulator.url), "--client-name", "cli-test", "--client-type", "public", "--scopes", "sso:account:access", "openid"])
        )
        expect(Object.keys(registration).sort()).toEqual(["clientId", "clientIdIssuedAt", "clientSecret", "clientSecretExpiresAt"])
        expect(typeof registration.clientId).toBe("string")
        expect(typeof registration.clientSecret).toBe("string")
        expect(typeof registration.clientSecretExpiresAt).toBe("number")
        const [view] = yield* emulator.registrations
        expect(view!.scopes).toEqual(["sso:account:access", "openid"])

        const authorization = json(
          yield* cli([
            "start-device-authorization", ...global(emulator.url),
            "--client-id", String(registration.clientId),
            "--client-secret", String(registration.clientSecret),
            "--start-url", `${emulator.url}/start`
          ])
        )
        expect(authorization.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/)
        expect(typeof authorization.deviceCode).toBe("string")
        expect(authorization.expiresIn).toBe(600)

        const createToken = [
          "create-token", ...global(emulator.url),
          "--client-id", String(registration.clientId),
          "--client-secret", String(registration.clientSecret),
          "--grant-type", "urn:ietf:params:oauth:grant-type:device_code",
          "--device-code", String(authorization.deviceCode)
        ]
        const pending = yield* cli(createToken)
        expect(pending.code).toBe(1)
        expect(pending.stdout).toBe("")
        expect(pending.stderr.trim().split("\n")).toHaveLength(1)
        expect(pending.stderr).toMatch(/^sso-oidc: AuthorizationPending: authorization_pending/)

        yield* emulator.approve(String(authorization.userCode))
        yield* Effect.sleep(Duration.seconds(1))
        const token = json(yield* cli(createToken))
        expect(typeof token.accessToken).toBe("string")
        expect(token.tokenType).toBe("Bearer")
        expect(typeof token.expiresIn).toBe("number")
      })
    ))

  it.live("a failure is one line naming the typed error, never the secret", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const run = yield* cli([
          "start-device-authorization", ...global(emulator.url),
          "--client-id", "no-such-client", "--client-secret", "TOP-SECRET-VALUE", "--start-url", "https://x/start"
        ])
        expect(run.code).toBe(1)
        expect(run.stderr.trim().split("\n")).toHaveLength(1)
        expect(run.stderr).toMatch(/^sso-oidc: InvalidClient: /)
        expect(run.stderr).not.toContain("TOP-SECRET-VALUE")
      })
    ))

  it.live("--output text prints the values tab-separated in key order", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const run = yield* cli(["register-client", ...global(emulator.url), "--client-name", "t", "--client-type", "public", "--output", "text"])
        expect(run.code).toBe(0)
        const values = run.stdout.trim().split("\t")
        expect(values.length).toBeGreaterThanOrEqual(4)
      })
    ))

  it.live("login --output json streams the events as JSON lines and never prints the token", () =>
    withEmulator(
      (emulator) =>
        Effect.gen(function*() {
          const run = yield* cli(["login", ...global(emulator.url), "--start-url", `${emulator.url}/start`, "--no-browser", "--output", "json"])
          expect(run.code).toBe(0)
          const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as { event: string })
          expect(events[0]!.event).toBe("Registered")
          expect(events[1]!.event).toBe("AwaitingUser")
          expect(events.at(-1)!.event).toBe("Authorized")
          const [token] = yield* emulator.tokens
          expect(token).toBeDefined()
          for (const secret of yield* secretsOf(emulator)) expect(run.stdout).not.toContain(secret)
        }),
      { autoApproveAfter: Duration.seconds(2) }
    ))

  it.live("login registers again when the service no longer knows the cached client, and caches the new one", () =>
    Effect.gen(function*() {
      // Another emulator is another service: the registration the first login cached is unknown to the second.
      const startUrl = "https://forgetful-service.awsapps.com/start"
      const login = (url: string) =>
        cli(["login", ...global(url), "--start-url", startUrl, "--no-browser", "--output", "json"])
      const first = yield* withEmulator((emulator) => login(emulator.url), { autoApproveAfter: Duration.seconds(1) })
      expect(first.code).toBe(0)
      const [registered] = lines(first.stdout).map((line) => JSON.parse(line) as { event: string; clientId: string; reused: boolean })
      expect(registered).toMatchObject({ event: "Registered", reused: false })
      yield* withEmulator(
        (emulator) =>
          Effect.gen(function*() {
            const run = yield* login(emulator.url)
            expect(run.stderr).toBe("")
            expect(run.code).toBe(0)
            const events = lines(run.stdout).map((line) => JSON.parse(line) as { event: string; clientId?: string; reused?: boolean })
            expect(events.slice(0, 2)).toMatchObject([
              { event: "Registered", clientId: registered!.clientId, reused: true },
              { event: "Registered", clientId: expect.any(String), reused: false }
            ])
            const [known] = yield* emulator.registrations
            expect(events[1]!.clientId).toBe(known!.clientId)
            expect(events.at(-1)!.event).toBe("Authorized")
            // The next login reuses the new registration: the cache holds it.
            const again = yield* login(emulator.url)
            expect(lines(again.stdout).map((line) => JSON.parse(line) as { event: string })[0]).toMatchObject(
              { event: "Registered", clientId: known!.clientId, reused: true }
            )
          }),
        { autoApproveAfter: Duration.seconds(1) }
      )
    }))

  it.live("login prints plain lines when stdout is not a terminal", () =>
    withEmulator(
      (emulator) =>
        Effect.gen(function*() {
          const run = yield* cli(["login", ...global(emulator.url), "--start-url", `${emulator.url}/start`, "--no-browser"])
          expect(run.code).toBe(0)
          expect(run.stdout).toContain("To sign in, open")
          expect(run.stdout).toMatch(/confirm the code [A-Z]{4}-[A-Z]{4}/)
          expect(run.stdout).toMatch(/Signed in\. The access token expires at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\./)
          expect(run.stdout).not.toContain("\x1b[")
        }),
      { autoApproveAfter: Duration.seconds(1) }
    ))

  it.live("login reports a denial as AccessDenied with a non-zero exit", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const login = yield* Effect.fork(
        cli(["login", ...global(emulator.url), "--start-url", `${emulator.url}/start`, "--no-browser", "--output", "json"])
      )
      let denied = false
      while (!denied) {
        yield* Effect.sleep(Duration.millis(200))
        const [authorization] = yield* emulator.authorizations
        if (authorization !== undefined) {
          yield* emulator.deny(authorization.userCode)
          denied = true
        }
      }
      const run = yield* Fiber.join(login)
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/^sso-oidc: AccessDenied: /)
    }).pipe(Effect.provide(emulatorLayer())))

  it.live("login --sso-session writes the AWS CLI's token and registration cache, mode 0600", () =>
    withEmulator(
      (emulator) =>
        Effect.gen(function*() {
          const config = join(home, "config-dev")
          writeFileSync(
            config,
            `[sso-session dev]\nsso_start_url = ${emulator.url}/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n`
          )
          const run = yield* cli(["login", "--sso-session", "dev", "--endpoint-url", emulator.url, "--no-browser"], {
            AWS_CONFIG_FILE: config
          })
          expect(run.stderr).toBe("")
          expect(run.code).toBe(0)
          const file = join(home, ".aws", "sso", "cache", `${createHash("sha1").update("dev").digest("hex")}.json`)
          const cached = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>
          expect(Object.keys(cached).sort()).toEqual(
            ["accessToken", "clientId", "clientSecret", "expiresAt", "refreshToken", "region", "registrationExpiresAt", "startUrl"]
          )
          expect(cached.startUrl).toBe(`${emulator.url}/start`)
          expect(cached.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
          expect(statSync(file).mode & 0o777).toBe(0o600)
          const [token] = yield* emulator.tokens
          expect(cached.accessToken).toBe(Redacted.value(token!.accessToken))
          expect(run.stdout).not.toContain(Redacted.value(token!.accessToken))
        }),
      { autoApproveAfter: Duration.seconds(1) }
    ))

  it.live("login --sso-session with an unknown session names the key and the file", () =>
    Effect.gen(function*() {
      const config = join(home, "config-empty")
      writeFileSync(config, "[default]\nregion = us-east-1\n")
      const run = yield* cli(["login", "--sso-session", "nope", "--no-browser"], { AWS_CONFIG_FILE: config })
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/^sso-oidc: \w+: /)
      expect(run.stderr).toContain("nope")
    }))

  it.live("login uses the browser (PKCE) flow when a browser can be opened, and writes the cache", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const browser = fileURLToPath(new URL("./fixtures/browser/approve.mjs", import.meta.url))
        const startUrl = `${emulator.url}/pkce-start`
        const run = yield* cli(["login", ...global(emulator.url), "--start-url", startUrl, "--output", "json"], {
          BROWSER: browser
        })
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as { event: string })
        expect(events.map((e) => e.event)).toEqual(["Registered", "AwaitingBrowser", "CodeReceived", "Authorized"])
        const [registration] = yield* emulator.registrations
        expect(registration!.grantTypes).toEqual(["authorization_code", "refresh_token"])
        const file = join(home, ".aws", "sso", "cache", `${createHash("sha1").update(startUrl).digest("hex")}.json`)
        expect(existsSync(file)).toBe(true)
      })
    ))

  it.live("login --use-device-code takes the device flow even when a browser could be opened", () =>
    withEmulator(
      (emulator) =>
        Effect.gen(function*() {
          const run = yield* cli(
            ["login", ...global(emulator.url), "--start-url", `${emulator.url}/dc-start`, "--use-device-code", "--output", "json"],
            { BROWSER: "/bin/true" }
          )
          expect(run.code).toBe(0)
          expect(run.stdout).toContain('"event":"AwaitingUser"')
        }),
      { autoApproveAfter: Duration.seconds(1) }
    ))

  it.live("demo signs in against its own emulator and shows the token's expiry, not the token", () =>
    Effect.gen(function*() {
      const run = yield* cli(["demo", "--approve-after", "1"])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain("Registered client")
      expect(run.stdout).toContain("Signed in. The access token expires at")
      expect(run.stderr).toBe("")
    }))

  it.live("create-token-with-iam without credentials fails with CredentialsError", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const run = yield* cli(["create-token-with-iam", ...global(emulator.url), "--client-id", "arn:aws:sso::1:application/x/y", "--grant-type", "refresh_token", "--refresh-token", "r"])
        expect(run.code).toBe(1)
        expect(run.stderr).toMatch(/^sso-oidc: CredentialsError: /)
      })
    ))

  it.live("create-token-with-iam signs with the environment's credentials and prints the AWS CLI's JSON", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const run = yield* cli([
          "create-token-with-iam", ...global(emulator.url),
          "--client-id", emulator.applications[0]!.applicationArn,
          "--grant-type", "urn:ietf:params:oauth:grant-type:jwt-bearer",
          "--assertion", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.c2ln"
        ], {
          AWS_ACCESS_KEY_ID: emulator.iamCredentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: Redacted.value(emulator.iamCredentials.secretAccessKey)
        })
        const token = json(run)
        expect(typeof token.accessToken).toBe("string")
        expect(token.tokenType).toBe("Bearer")
        expect(typeof token.issuedTokenType).toBe("string")
      })
    ))

  it.live("create-token-with-iam with the wrong secret is a 403 ServiceError naming InvalidSignatureException", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const run = yield* cli([
          "create-token-with-iam", ...global(emulator.url),
          "--client-id", emulator.applications[0]!.applicationArn,
          "--grant-type", "urn:ietf:params:oauth:grant-type:jwt-bearer",
          "--assertion", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.c2ln"
        ], { AWS_ACCESS_KEY_ID: emulator.iamCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: "not-the-secret" })
        expect(run.code).toBe(1)
        expect(run.stderr).toMatch(/^sso-oidc: ServiceError: InvalidSignatureException/)
        expect(run.stderr).toContain("HTTP 403")
        expect(run.stderr).not.toContain("not-the-secret")
      })
    ))

  it.live("a missing or unknown flag is a usage error: one line, the command's usage, exit 2", () =>
    Effect.gen(function*() {
      const run = yield* cli(["create-token", "--region", "us-east-1"])
      expect(run.code).toBe(2)
      const [line, usage, more] = run.stderr.trim().split("\n")
      expect(line).toBe(
        "sso-oidc: Expected to find option: '--client-id'; Expected to find option: '--client-secret'; Expected to find option: '--grant-type'"
      )
      expect(usage).toMatch(/^Usage: sso-oidc create-token \[--region text\] .* --client-id text /)
      expect(more).toBe("Run 'sso-oidc create-token --help' for more.")
      const unknown = yield* cli(["no-such-command"])
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toMatch(/^sso-oidc: Invalid subcommand for sso-oidc - use one of /)
      expect(unknown.stderr).toContain("Usage: sso-oidc <command> [options]; commands: register-client, ")
    }))
})

/** AWS CLI v1 fetches URL-looking parameters (`--start-url http://…`) unless told not to. */
const awsConfig = join(mkdtempSync(join(tmpdir(), "sso-oidc-aws-")), "config")
writeFileSync(awsConfig, "[default]\ncli_follow_urlparam = false\n")

const hasAws = () =>
  new Promise<boolean>((resolve) => execFile("aws", ["--version"], (error) => resolve(error === null)))

const aws = (args: ReadonlyArray<string>) =>
  Effect.async<Run>((resume) => {
    execFile("aws", [...args, "--output", "json"], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_CONFIG_FILE: awsConfig,
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        AWS_PAGER: ""
      },
      timeout: 60_000
    }, (error, stdout, stderr) =>
      resume(Effect.succeed({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })))
  })

/** Keys and JSON types of a reply: what must match between the two CLIs. */
const shape = (reply: Record<string, unknown>) =>
  Object.fromEntries(Object.keys(reply).sort().map((key) => [key, typeof reply[key]]))

describe("sso-oidc and the AWS CLI print the same JSON shapes", () => {
  it.live("register-client, start-device-authorization and create-token", () =>
    Effect.gen(function*() {
      if (!(yield* Effect.promise(hasAws))) {
        // The AWS CLI is an optional peer on a developer machine; CI installs it.
        expect(process.env.CI, "the AWS CLI must be on PATH in CI").toBeFalsy()
        return
      }
      const emulator = yield* Emulator.Emulator
      const endpoint = ["--endpoint-url", emulator.url]
      const register = ["--client-name", "parity", "--client-type", "public"]
      const ours = json(yield* cli(["register-client", ...global(emulator.url), ...register]))
      const theirs = json(yield* aws(["sso-oidc", "register-client", ...endpoint, ...register]))
      expect(shape(ours)).toEqual(shape(theirs))

      const start = (reg: Record<string, unknown>) => [
        "--client-id", String(reg.clientId), "--client-secret", String(reg.clientSecret), "--start-url", `${emulator.url}/start`
      ]
      const ourAuthorization = json(yield* cli(["start-device-authorization", ...global(emulator.url), ...start(ours)]))
      const theirAuthorization = json(yield* aws(["sso-oidc", "start-device-authorization", ...endpoint, ...start(theirs)]))
      expect(shape(ourAuthorization)).toEqual(shape(theirAuthorization))

      yield* emulator.approve(String(ourAuthorization.userCode))
      yield* emulator.approve(String(theirAuthorization.userCode))
      yield* Effect.sleep(Duration.seconds(1))
      const token = (reg: Record<string, unknown>, authorization: Record<string, unknown>) => [
        "--client-id", String(reg.clientId), "--client-secret", String(reg.clientSecret),
        "--grant-type", "urn:ietf:params:oauth:grant-type:device_code", "--device-code", String(authorization.deviceCode)
      ]
      const ourToken = json(yield* cli(["create-token", ...global(emulator.url), ...token(ours, ourAuthorization)]))
      const theirToken = json(yield* aws(["sso-oidc", "create-token", ...endpoint, ...token(theirs, theirAuthorization)]))
      expect(shape(ourToken)).toEqual(shape(theirToken))
    }).pipe(Effect.provide(emulatorLayer())))
})

/** Every secret the emulator handed out, for leak checks. */
const secretsOf = (emulator: Emulator.Emulator.Service) =>
  Effect.gen(function*() {
    const secrets: Array<string> = []
    for (const registration of yield* emulator.registrations) secrets.push(Redacted.value(registration.clientSecret))
    for (const token of yield* emulator.tokens) {
      secrets.push(Redacted.value(token.accessToken))
      if (token.refreshToken) secrets.push(Redacted.value(token.refreshToken))
    }
    return secrets
  })

// -----------------------------------------------------------------------------
// Issue 11: exit codes, failures a person understands, a terminal and a
// browser that do not trust the server, headless logins, proxies and CAs.
// -----------------------------------------------------------------------------

const recorder = fileURLToPath(new URL("./fixtures/browser/record.mjs", import.meta.url))
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex")
const cacheFile = (key: string) => join(home, ".aws", "sso", "cache", `${sha1(key)}.json`)
const lines = (text: string) => text.trim().split("\n")

/** A login (or any command) left running: its output so far, a signal to send, its end. */
const spawned = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.sync(() => {
    const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? "", HOME: home, ...env } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => void (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()))
    const exit = Effect.async<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resume) => {
      child.once("close", (code, signal) => resume(Effect.succeed({ code, signal, stdout, stderr })))
    })
    const waitFor = (text: string) =>
      Effect.gen(function*() {
        while (!stdout.includes(text)) yield* Effect.sleep(Duration.millis(50))
        return stdout
      }).pipe(Effect.timeoutFail({ duration: Duration.seconds(20), onTimeout: () => new Error(`no "${text}" in ${stdout}`) }))
    return { waitFor, kill: (signal: NodeJS.Signals) => child.kill(signal), exit }
  })

const hasScript = () => new Promise<boolean>((resolve) => execFile("script", ["--version"], (error) => resolve(error === null)))
const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`

/** The CLI on a pseudo-terminal (util-linux `script`): stdout and stderr are both the terminal. */
const onTerminal = (args: ReadonlyArray<string>, env: Record<string, string> = {}, script = bin) =>
  Effect.gen(function*() {
    if (!(yield* Effect.promise(hasScript))) {
      expect(process.env.CI, "util-linux `script` must be on PATH in CI").toBeFalsy()
      return undefined
    }
    return yield* Effect.async<Run>((resume) => {
      const command = [process.execPath, script, ...args].map(quote).join(" ")
      execFile("script", ["-qec", command, "/dev/null"], {
        env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
        timeout: 30_000
      }, (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })))
    })
  })

/** A port nothing listens on (bound, then released). */
const freePort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
)

const now = () => Math.floor(Date.now() / 1000)
const registration = (clientId = "client-1") =>
  JSON.stringify({ clientId, clientSecret: "secret-1", clientIdIssuedAt: now(), clientSecretExpiresAt: now() + 3600 })

describe("sso-oidc: exit codes and interruption", () => {
  it.live("SIGINT while login waits for approval exits 130 and writes nothing", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const startUrl = `${emulator.url}/sigint-start`
        const login = yield* spawned(["login", ...global(emulator.url), "--start-url", startUrl, "--no-browser", "--output", "json"])
        yield* login.waitFor('"event":"AwaitingUser"')
        login.kill("SIGINT")
        const exit = yield* login.exit
        expect(exit).toMatchObject({ code: 130, signal: null })
        expect(exit.stdout).not.toContain('"event":"Authorized"')
        expect(existsSync(cacheFile(startUrl))).toBe(false)
        expect(yield* emulator.tokens).toEqual([])
      })
    ))

  it.live("SIGTERM while the browser login waits for the redirect exits 143, after closing the listener", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const startUrl = `${emulator.url}/sigterm-start`
        const record = join(mkdtempSync(join(tmpdir(), "sso-oidc-rec-")), "opened")
        const login = yield* spawned(["login", ...global(emulator.url), "--start-url", startUrl, "--output", "json"], {
          BROWSER: recorder,
          BROWSER_RECORD: record
        })
        const stdout = yield* login.waitFor('"event":"AwaitingBrowser"')
        const awaiting = JSON.parse(lines(stdout).find((line) => line.includes("AwaitingBrowser"))!) as { authorizeUrl: string }
        const callback = new URL(new URL(awaiting.authorizeUrl).searchParams.get("redirect_uri")!)
        login.kill("SIGTERM")
        // Exiting by itself with 143 (not killed by the signal) means the program ran its finalizers first.
        const exit = yield* login.exit
        expect(exit).toMatchObject({ code: 143, signal: null })
        expect(existsSync(cacheFile(startUrl))).toBe(false)
        expect(callback.hostname).toBe("127.0.0.1")
        expect(yield* Effect.promise(() => fetch(callback).then(() => "answered", () => "refused"))).toBe("refused")
      })
    ))

  it.live("sso-oidc alone prints the help on stderr and exits 2; help [command] is --help", () =>
    Effect.gen(function*() {
      const bare = yield* cli([])
      expect(bare.code).toBe(2)
      expect(bare.stdout).toBe("")
      expect(bare.stderr).toBe((yield* cli(["--help"])).stdout)
      const help = yield* cli(["help"])
      expect(help.code).toBe(0)
      expect(help.stdout).toBe((yield* cli(["--help"])).stdout)
      const login = yield* cli(["help", "login"])
      expect(login.code).toBe(0)
      expect(login.stdout).toBe((yield* cli(["login", "--help"])).stdout)
    }))

  it.live("the launcher's bare and help answers are exactly the CLI's", () =>
    Effect.gen(function*() {
      const main = fileURLToPath(new URL("../dist/sso-oidc-main.cjs", import.meta.url))
      const direct = (args: ReadonlyArray<string>) =>
        Effect.async<Run>((resume) => {
          execFile(process.execPath, [main, ...args], { env: { PATH: process.env.PATH ?? "", HOME: home } }, (error, stdout, stderr) =>
            resume(Effect.succeed({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })))
        })
      for (const args of [[], ["help"], ["help", "create-token"], ["demo", "-h"]]) {
        expect(yield* cli(args), args.join(" ")).toEqual(yield* direct(args))
      }
    }))
})

describe("sso-oidc: the launcher's login (no @effect/cli)", () => {
  it("parses the plain forms of login's flags as @effect/cli does", () => {
    expect(parseLogin([
      "--region", "eu-west-1", "--start-url", "https://portal.example/start", "--use-device-code",
      "--scopes", "sso:account:access", "openid,aws", "--cli-read-timeout", "0", "--output", "json"
    ])).toEqual({
      region: "eu-west-1",
      endpointUrl: undefined,
      allowInsecureEndpoint: false,
      cliReadTimeout: 0,
      output: "json",
      ssoSession: undefined,
      profile: undefined,
      startUrl: "https://portal.example/start",
      noBrowser: false,
      useDeviceCode: true,
      clientName: undefined,
      scopes: ["sso:account:access", "openid", "aws"]
    })
    expect(parseLogin([])).toMatchObject({ output: "text", scopes: [], noBrowser: false, region: undefined })
  })

  it("leaves everything else to @effect/cli", () => {
    for (
      const args of [
        ["--help"],
        ["-h"],
        ["--region=eu-west-1"],
        ["--region", "a", "--region", "b"],
        ["--region"],
        ["--region", "--profile", "p"],
        ["--unknown"],
        ["stray"],
        ["--no-browser", "true"],
        ["--output", "yaml"],
        ["--cli-read-timeout", "-1"],
        ["--cli-read-timeout", "1.5"],
        ["--start-url", "http://portal.example/start"],
        ["--start-url", "not-a-url"],
        ["--scopes"],
        ["--log-level", "debug"]
      ]
    ) expect(parseLogin(args), args.join(" ")).toBeUndefined()
  })

  it("parses the plain forms of credentials' flags as @effect/cli does, and leaves the rest to it", () => {
    expect(parseCredentials(["--profile", "work", "--format", "env", "--cli-read-timeout", "5", "--allow-insecure-endpoint"]))
      .toEqual({ profile: "work", format: "env", allowInsecureEndpoint: true, cliReadTimeout: 5 })
    expect(parseCredentials([])).toEqual({ profile: undefined, format: "process", allowInsecureEndpoint: false, cliReadTimeout: undefined })
    for (
      const args of [
        ["--help"],
        ["--profile=work"],
        ["--profile", "a", "--profile", "b"],
        ["--profile"],
        ["--format", "yaml"],
        ["--cli-read-timeout", "-1"],
        ["--region", "eu-west-1"],
        ["stray"]
      ]
    ) expect(parseCredentials(args), args.join(" ")).toBeUndefined()
  })

  it.live("a usage error found after parsing is reported exactly as @effect/cli's path reports it", () =>
    Effect.gen(function*() {
      const main = fileURLToPath(new URL("../dist/sso-oidc-main.cjs", import.meta.url))
      const direct = (args: ReadonlyArray<string>) =>
        Effect.async<Run>((resume) => {
          execFile(process.execPath, [main, ...args], { env: { PATH: process.env.PATH ?? "", HOME: home } }, (error, stdout, stderr) =>
            resume(Effect.succeed({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })))
        })
      for (
        const args of [
          ["login", "--sso-session", "dev", "--profile", "p"],
          ["login", "--scopes", "openid"],
          ["login", "--start-url", "https://portal.example/start"]
        ]
      ) {
        const launched = yield* cli(args)
        expect(launched.code, args.join(" ")).toBe(2)
        expect(launched, args.join(" ")).toEqual(yield* direct(args))
      }
    }))
})

describe("sso-oidc: help", () => {
  it.live("shows usage as typed, sso-oidc login, never $ login", () =>
    Effect.gen(function*() {
      const root = yield* cli(["--help"])
      expect(root.stdout).toContain("USAGE\n\nsso-oidc <command> [options]\n")
      const login = yield* cli(["login", "--help"])
      expect(login.stdout).toMatch(/\nsso-oidc login \[--region text\] /)
      expect(login.stdout).not.toMatch(/^\$ /m)
    }))

  it.live("shows the optional list flags as optional", () =>
    Effect.gen(function*() {
      const run = yield* cli(["register-client", "--help"])
      for (const flag of ["[--scopes text...]", "[--redirect-uris text...]", "[--grant-types text...]"]) {
        expect(run.stdout).toContain(flag)
      }
      expect((yield* cli(["login", "--help"])).stdout).toContain("[--scopes text...]")
    }))

  it.live("is coloured on a terminal only, and never with NO_COLOR, from the launcher and the CLI alike", () =>
    Effect.gen(function*() {
      expect((yield* cli(["--help"])).stdout).not.toContain("\x1b[")
      expect((yield* cli(["login", "--help"], { FORCE_COLOR: "1" })).stdout).toContain("\x1b[")
      const main = fileURLToPath(new URL("../dist/sso-oidc-main.cjs", import.meta.url))
      for (const script of [bin, main]) {
        const coloured = yield* onTerminal(["login", "--help"], {}, script)
        if (coloured === undefined) return
        expect(coloured.stdout, script).toContain("\x1b[")
        const plain = yield* onTerminal(["login", "--help"], { NO_COLOR: "1" }, script)
        expect(plain!.stdout, script).not.toContain("\x1b[")
        expect(plain!.stdout, script).toContain("sso-oidc login [--region text]")
      }
    }))
})

describe("sso-oidc: failures are one line a person understands", () => {
  it.live("emulator --port 99999 is a usage error naming the port", () =>
    Effect.gen(function*() {
      const run = yield* cli(["emulator", "--port", "99999"])
      expect(run.code).toBe(2)
      expect(lines(run.stderr)[0]).toBe("sso-oidc: --port 99999 is not a TCP port: give 1 to 65535, or 0 for any free port")
      expect(lines(run.stderr)[1]).toMatch(/^Usage: sso-oidc emulator \[--port integer\]/)
    }))

  it.live("emulator on a busy port says so and what to do", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const port = new URL(emulator.url).port
        const run = yield* cli(["emulator", "--port", port])
        expect(run.code).toBe(1)
        expect(run.stderr).toBe(
          `sso-oidc: cannot listen on 127.0.0.1:${port}: the port is in use (stop what holds it, or pick another --port; 0 picks a free one)\n`
        )
      })
    ))

  it.live("a missing region says where to give one", () =>
    Effect.gen(function*() {
      const run = yield* cli(["register-client", "--client-name", "t", "--client-type", "public"])
      expect(run.code).toBe(1)
      expect(run.stderr).toBe(
        "sso-oidc: EndpointError: Invalid Configuration: Missing Region (give --region, or set AWS_REGION)\n"
      )
    }))

  it.live("a refused connection names the URL it was calling", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const run = yield* cli(["register-client", ...global(`http://127.0.0.1:${port}`), "--client-name", "t", "--client-type", "public"])
      expect(run.code).toBe(1)
      expect(lines(run.stderr)).toHaveLength(1)
      expect(run.stderr).toMatch(
        new RegExp(`^sso-oidc: TransportError: RegisterClient: Transport error: .*ECONNREFUSED.* \\(POST http://127\\.0\\.0\\.1:${port}/client/register\\)\\n$`)
      )
    }))

  it.live("an endpoint that never answers ends in a timeout naming the URL, after the retries", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer(() => undefined)
      const run = yield* cli([
        "register-client", ...global(server.url), "--client-name", "t", "--client-type", "public", "--cli-read-timeout", "1"
      ])
      expect(run.code).toBe(1)
      expect(run.stderr).toBe(
        `sso-oidc: TransportError: RegisterClient: Timeout error: no complete reply within 1s (POST ${server.url}/client/register)\n`
      )
      expect(server.requests).toEqual(Array(4).fill("POST /client/register"))
    }).pipe(Effect.scoped))

  it.live("on a terminal, a reply that is slow to come is announced once: still waiting for <origin>", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer((index) => index === 0 ? undefined : { status: 200, body: registration() })
      const run = yield* onTerminal([
        "register-client", ...global(server.url), "--client-name", "t", "--client-type", "public", "--cli-read-timeout", "4"
      ])
      if (run === undefined) return
      expect(run.code).toBe(0)
      expect(run.stdout.split(`still waiting for ${server.url}…`)).toHaveLength(2)
      expect(run.stdout).toContain('"clientId": "client-1"')
    }).pipe(Effect.scoped))

  it.live("without a terminal, nothing is announced", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer((index) => index === 0 ? undefined : { status: 200, body: registration() })
      const run = yield* cli([
        "register-client", ...global(server.url), "--client-name", "t", "--client-type", "public", "--cli-read-timeout", "4"
      ])
      expect(run.code).toBe(0)
      expect(run.stderr).toBe("")
    }).pipe(Effect.scoped))
})

describe("sso-oidc login: what it accepts", () => {
  it.live("--start-url must be https, or http on this machine", () =>
    Effect.gen(function*() {
      const bad = yield* cli(["login", "--region", "us-east-1", "--start-url", "not-a-url", "--no-browser"])
      expect(bad.code).toBe(2)
      expect(lines(bad.stderr)[0]).toBe("sso-oidc: --start-url not-a-url is not a URL")
      expect(lines(bad.stderr)[1]).toMatch(/^Usage: sso-oidc login /)
      const http = yield* cli(["login", "--region", "us-east-1", "--start-url", "http://portal.example/start", "--no-browser"])
      expect(http.code).toBe(2)
      expect(lines(http.stderr)[0]).toBe(
        "sso-oidc: --start-url http://portal.example/start must be https (http only on this machine: 127.0.0.1, localhost)"
      )
      expect(startUrlProblem("https://d-123.awsapps.com/start")).toBeUndefined()
      expect(startUrlProblem("http://127.0.0.1:8080/start")).toBeUndefined()
      expect(startUrlProblem("http://localhost/start")).toBeUndefined()
      expect(startUrlProblem("file:///etc/passwd")).toBe("must be an https URL")
    }))

  it.live("two ways of naming the session, or --scopes for a configured one, are usage errors", () =>
    Effect.gen(function*() {
      const both = yield* cli(["login", "--sso-session", "dev", "--start-url", "https://x.awsapps.com/start", "--region", "us-east-1"])
      expect(both.code).toBe(2)
      expect(lines(both.stderr)[0]).toBe("sso-oidc: --sso-session and --start-url each name a session: give one")
      const profile = yield* cli(["login", "--sso-session", "dev", "--profile", "p"])
      expect(lines(profile.stderr)[0]).toBe("sso-oidc: --sso-session and --profile each name a session: give one")
      const scopes = yield* cli(["login", "--sso-session", "dev", "--scopes", "openid"])
      expect(scopes.code).toBe(2)
      expect(lines(scopes.stderr)[0]).toBe(
        "sso-oidc: --scopes applies to --start-url; a configured session registers its sso_registration_scopes"
      )
      const region = yield* cli(["login", "--start-url", "https://x.awsapps.com/start"])
      expect(region.code).toBe(2)
      expect(lines(region.stderr)[0]).toBe("sso-oidc: --start-url needs --region (or AWS_REGION)")
    }))

  it.live("a configured sso_start_url that is not https is one line naming the file", () =>
    Effect.gen(function*() {
      const config = join(home, "config-http")
      writeFileSync(config, "[sso-session plain]\nsso_start_url = http://portal.example/start\nsso_region = us-east-1\n")
      const run = yield* cli(["login", "--sso-session", "plain", "--no-browser"], { AWS_CONFIG_FILE: config })
      expect(run.code).toBe(1)
      expect(run.stderr).toBe(
        `sso-oidc: sso_start_url http://portal.example/start in ${config} must be https (http only on this machine: 127.0.0.1, localhost)\n`
      )
    }))
})

/** A service that sends escape sequences and hostile URLs, then denies. */
const hostile = (verificationUriComplete: string) =>
  scriptedServer((_, req) => {
    switch (req.url) {
      case "/client/register":
        return { status: 200, body: registration("client\x1b[31mred") }
      case "/device_authorization":
        return {
          status: 200,
          body: JSON.stringify({
            deviceCode: "device-1",
            userCode: "AB\x1b]0;pwned\x07CD",
            verificationUri: "https://device.example/\x1b[2J",
            verificationUriComplete,
            expiresIn: 600,
            interval: 1
          })
        }
      default:
        return {
          status: 400,
          headers: { "x-amzn-errortype": "AccessDeniedException" },
          body: JSON.stringify({ error: "access_denied", error_description: "denied\x1b[31m\nsso-oidc: a fake line\u202e" })
        }
    }
  })

describe("sso-oidc: the terminal and the browser do not trust the server", () => {
  for (const target of ["file:///etc/shadow", "--version"]) {
    it.live(`escapes what the service sends, and does not hand ${target} to the browser`, () =>
      Effect.gen(function*() {
        const server = yield* hostile(target)
        const record = join(mkdtempSync(join(tmpdir(), "sso-oidc-rec-")), "opened")
        const run = yield* cli(
          ["login", ...global(server.url), "--start-url", "https://hostile.example/start", "--use-device-code"],
          // A home of its own: the registration a login keeps (even one that then fails) is not the other run's.
          { BROWSER: recorder, BROWSER_RECORD: record, HOME: mkdtempSync(join(tmpdir(), "sso-oidc-home-")) }
        )
        expect(run.code).toBe(1)
        expect(run.stdout + run.stderr).not.toMatch(/[\x07\x1b\u202e]/)
        expect(run.stdout).toContain("Registered client client\\e[31mred")
        expect(run.stdout).toContain("confirm the code AB\\e]0;pwned\\x07CD")
        expect(run.stdout).toContain("(Not opening a browser: that is not an https URL. Check it before you open it yourself.)")
        expect(existsSync(record)).toBe(false)
        expect(lines(run.stderr)).toHaveLength(1)
        expect(run.stderr).toContain("denied\\e[31m\\nsso-oidc: a fake line\\u{202e}")
      }).pipe(Effect.scoped))
  }

  it("printable writes control characters as visible escapes and leaves text alone", () => {
    expect(printable("plain text: https://x/y?z=1 ü 日本")).toBe("plain text: https://x/y?z=1 ü 日本")
    expect(printable("a\x1b[2Jb\r\n\tc\x00\x7f\x9b\u2028\u202e")).toBe("a\\e[2Jb\\r\\n\\tc\\x00\\x7f\\x9b\\u{2028}\\u{202e}")
  })

  it("safeJson is the same JSON value with the characters JSON leaves raw escaped", () => {
    const value = { userCode: "A\x9b31mB\u202e", list: ["\x7f"], n: 1 }
    const text = safeJson(value, 4)
    expect(text).not.toMatch(/[\x7f-\x9f\u202e]/)
    expect(JSON.parse(text)).toEqual(value)
    expect(text).toContain('\n    "n": 1')
  })

  it("webUrl passes https, and http to loopback only, always starting with the scheme", () => {
    expect(webUrl("https://device.sso.us-east-1.amazonaws.com/?user_code=AB")).toBe(
      "https://device.sso.us-east-1.amazonaws.com/?user_code=AB"
    )
    expect(webUrl("http://127.0.0.1:4000/authorize")).toBe("http://127.0.0.1:4000/authorize")
    expect(webUrl("http://localhost/x")).toBe("http://localhost/x")
    expect(webUrl("http://[::1]:8/x")).toBe("http://[::1]:8/x")
    for (const bad of ["http://evil.example/", "file:///etc/shadow", "--version", "-x", "javascript:alert(1)", "ftp://x/", ""]) {
      expect(webUrl(bad), bad).toBeUndefined()
    }
    expect(webUrl("http://evil.example/", true)).toBe("http://evil.example/")
  })
})

describe("sso-oidc login: headless, remote and WSL", () => {
  const linux = (env: Record<string, string>, files: ReadonlyArray<string> = []) =>
    browserPlan({ platform: "linux", env, exists: (path) => files.includes(path) })

  it("takes the device code over SSH, in a container, or without a desktop; a browser otherwise", () => {
    expect(linux({ DISPLAY: ":0" })).toEqual({ _tag: "Browser", command: "xdg-open", args: [] })
    expect(linux({ WAYLAND_DISPLAY: "wayland-0" })).toEqual({ _tag: "Browser", command: "xdg-open", args: [] })
    expect(linux({ DISPLAY: ":0", SSH_CONNECTION: "10.0.0.1 5 10.0.0.2 22" })).toEqual({
      _tag: "NoBrowser",
      reason: "this is an SSH session"
    })
    expect(linux({ DISPLAY: ":0", SSH_TTY: "/dev/pts/1" })._tag).toBe("NoBrowser")
    expect(linux({ DISPLAY: ":0" }, ["/.dockerenv"])).toEqual({ _tag: "NoBrowser", reason: "this runs inside a container" })
    expect(linux({ DISPLAY: ":0" }, ["/run/.containerenv"])._tag).toBe("NoBrowser")
    expect(linux({ DISPLAY: ":0", container: "podman" })._tag).toBe("NoBrowser")
    expect(linux({})).toEqual({
      _tag: "NoBrowser",
      reason: "there is no graphical session (DISPLAY and WAYLAND_DISPLAY are unset)"
    })
    expect(browserPlan({ platform: "darwin", env: { SSH_CLIENT: "10.0.0.1 5 22" }, exists: () => false })._tag).toBe(
      "NoBrowser"
    )
    expect(browserPlan({ platform: "darwin", env: {}, exists: () => false })).toEqual({ _tag: "Browser", command: "open", args: [] })
    expect(browserPlan({ platform: "win32", env: {}, exists: () => false })).toEqual({
      _tag: "Browser",
      command: "rundll32",
      args: ["url.dll,FileProtocolHandler"]
    })
  })

  it("opens the Windows browser with wslview under WSL, and lets BROWSER choose over everything", () => {
    expect(linux({ WSL_DISTRO_NAME: "Ubuntu" })).toEqual({ _tag: "Browser", command: "wslview", args: [] })
    expect(linux({ BROWSER: "lynx", SSH_TTY: "/dev/pts/1" }, ["/.dockerenv"])).toEqual({
      _tag: "Browser",
      command: "lynx",
      args: []
    })
  })

  it.live("over SSH, login says why it takes the device code and signs in with it", () =>
    withEmulator(
      (emulator) =>
        Effect.gen(function*() {
          const run = yield* cli(["login", ...global(emulator.url), "--start-url", `${emulator.url}/ssh-start`], {
            SSH_CONNECTION: "10.0.0.1 50000 10.0.0.2 22",
            DISPLAY: ":0"
          })
          expect(run.stderr).toBe("")
          expect(run.code).toBe(0)
          expect(lines(run.stdout)[0]).toBe(
            "Signing in with a device code: this is an SSH session, so a browser could not reach this machine."
          )
          expect(run.stdout).toMatch(/confirm the code [A-Z]{4}-[A-Z]{4}/)
          expect(existsSync(cacheFile(`${emulator.url}/ssh-start`))).toBe(true)
        }),
      { autoApproveAfter: Duration.seconds(1) }
    ))

  it("reads sso_use_device_code = true (any case) from the sso-session only", () => {
    const file = Either.getOrThrow(SsoConfig.parse(
      "[sso-session a]\nsso_start_url = https://a/start\nsso_region = r\nsso_use_device_code = True\n" +
        "[sso-session b]\nsso_start_url = https://b/start\nsso_region = r\nsso_use_device_code = yes\n" +
        "[sso-session c]\nsso_start_url = https://c/start\nsso_region = r\n" +
        "[profile p]\nsso_session = c\nsso_use_device_code = true\n",
      "f"
    ))
    expect(Either.getOrThrow(SsoConfig.ssoSessionOf(file, "a")).useDeviceCode).toBe(true)
    expect(Either.getOrThrow(SsoConfig.ssoSessionOf(file, "b"))).not.toHaveProperty("useDeviceCode")
    expect(Either.getOrThrow(SsoConfig.ssoSessionOf(file, "c"))).not.toHaveProperty("useDeviceCode")
    expect(Either.getOrThrow(SsoConfig.profileSessionOf(file, "p"))).not.toHaveProperty("useDeviceCode")
  })

  it.live("an sso-session with sso_use_device_code = true signs in with the device code, opening the browser on it", () =>
    withEmulator(
      (emulator) =>
        Effect.gen(function*() {
          const config = join(home, "config-device")
          writeFileSync(
            config,
            `[sso-session dc]\nsso_start_url = ${emulator.url}/dc-config\nsso_region = us-east-1\nsso_use_device_code = true\n`
          )
          const record = join(mkdtempSync(join(tmpdir(), "sso-oidc-rec-")), "opened")
          const run = yield* cli(["login", "--sso-session", "dc", "--endpoint-url", emulator.url, "--output", "json"], {
            AWS_CONFIG_FILE: config,
            BROWSER: recorder,
            BROWSER_RECORD: record
          })
          expect(run.stderr).toBe("")
          expect(run.code).toBe(0)
          const events = lines(run.stdout).map((line) => JSON.parse(line) as { event: string; verificationUriComplete?: string })
          const awaiting = events.find((event) => event.event === "AwaitingUser")!
          expect(awaiting.verificationUriComplete).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
          expect(readFileSync(record, "utf8")).toBe(JSON.stringify([awaiting.verificationUriComplete]) + "\n")
          expect(existsSync(cacheFile("dc"))).toBe(true)
        }),
      { autoApproveAfter: Duration.seconds(1) }
    ))
})

describe("sso-oidc: what a command loads before its first request", () => {
  const dist = fileURLToPath(new URL("../dist/", import.meta.url))
  /** The files `file` (a path in dist/) imports statically, and theirs: what Node compiles and evaluates before it runs. */
  const staticClosure = (file: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(file)) return seen
    seen.add(file)
    for (const [, next] of readFileSync(join(dist, file), "utf8").matchAll(/(?:from|import)\s*"(\.\/[^"]+)"/g)) {
      staticClosure(join(dirname(file), next!), seen)
    }
    return seen
  }
  const size = (files: Set<string>) => [...files].reduce((total, file) => total + statSync(join(dist, file)).size, 0)

  it("login and the whole CLI load npm undici only on use (a proxy or a CA bundle), from one file both share", () => {
    const manifest = JSON.parse(readFileSync(join(dist, "../package.json"), "utf8")) as { imports: Record<string, string> }
    const undici = join(dist, "..", manifest.imports["#sso-oidc-undici"]!)
    expect(readFileSync(undici, "utf8")).toMatch(/class \w+ extends \w+\{[^]*EnvHttpProxyAgent/)
    for (const bundle of ["sso-oidc-quick.cjs", "sso-oidc-main.cjs"]) {
      const text = readFileSync(join(dist, bundle), "utf8")
      // Undici's classes are not bundled a second time.
      expect(text, bundle).not.toMatch(/class \w+ extends \w+\{[^]*kDispatch/)
      // The control: the bundle does load it, on use (NodeSso.layerHttpClient's `import("undici")`), in a function.
      expect(text, bundle).toMatch(/=>\{[^{}]*require\("#sso-oidc-undici"\)/)
    }
  })

  it("the quick commands (login, credentials) and the whole CLI are each one CommonJS file, the quick one the smaller", () => {
    const bundles = readdirSync(dist).filter((file) => /^sso-oidc.*\.(c?js)$/.test(file)).sort()
    expect(bundles).toEqual(["sso-oidc-main.cjs", "sso-oidc-quick.cjs", "sso-oidc-undici.cjs", "sso-oidc.js"])
    for (const bundle of ["sso-oidc-quick.cjs", "sso-oidc-main.cjs"]) {
      // Nothing required but Node's own modules, undici's file and (the emulator's ws) ws's optional native addons,
      // which it requires in a try; and no `import()`, which node:vm's script has no loader for.
      const text = readFileSync(join(dist, bundle), "utf8")
      const required = new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!).filter((name) => !isBuiltin(name)))
      expect([...required].sort(), bundle).toEqual(
        bundle === "sso-oidc-main.cjs" ? ["#sso-oidc-undici", "bufferutil", "utf-8-validate"] : ["#sso-oidc-undici"]
      )
      expect(text, bundle).not.toMatch(/\bimport\(/)
    }
    expect(statSync(join(dist, "sso-oidc-quick.cjs")).size).toBeLessThan(statSync(join(dist, "sso-oidc-main.cjs")).size)
    // The launcher itself (help, --version, the flags) loads a few KB and no Effect.
    expect(size(staticClosure("sso-oidc.js"))).toBeLessThan(20_000)
  })

  it.live("login keeps V8's code cache of its bundle in the user's cache directory, and the next login uses it", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const own = mkdtempSync(join(tmpdir(), "sso-oidc-code-cache-"))
        const env = { HOME: own, NODE_DEBUG: "sso-oidc" }
        const login = (extra: Record<string, string> = {}) =>
          Effect.gen(function*() {
            const run = yield* spawned(
              ["login", ...global(emulator.url), "--start-url", `${emulator.url}/code-cache`, "--use-device-code", "--no-browser"],
              { ...env, ...extra }
            )
            yield* run.waitFor("confirm the code")
            run.kill("SIGTERM")
            const exit = yield* run.exit
            expect(exit.code).toBe(143)
            return exit.stderr.match(/login: code cache (\w+) \((.*)\)/)?.slice(1)
          })
        const cacheFile = join(own, ".cache", "effect-sso-oidc", `sso-oidc-quick-login-${bundleHash("sso-oidc-quick.cjs")}-${process.version}-${process.arch}.v8cache`)
        expect(yield* login()).toEqual(["absent", cacheFile])
        // Written at exit (SIGTERM included), the user's alone.
        expect(statSync(cacheFile).mode & 0o777).toBe(0o600)
        const written = statSync(cacheFile).mtimeMs
        expect(yield* login()).toEqual(["accepted", cacheFile])
        // A cache V8 took is not written again.
        expect(statSync(cacheFile).mtimeMs).toBe(written)
        // Node's own switch turns it off.
        expect(yield* login({ NODE_DISABLE_COMPILE_CACHE: "1" })).toEqual(["off", "no directory"])
      })
    ))

  it.live("every other command keeps a code cache of its own, as it compiles its own path", () =>
    Effect.gen(function*() {
      const own = mkdtempSync(join(tmpdir(), "sso-oidc-code-cache-"))
      const env = { HOME: own, NODE_DEBUG: "sso-oidc", AWS_CONFIG_FILE: join(own, "no-config") }
      const state = (run: Run) => run.stderr.match(/(\w+): code cache (\w+) \(/)?.slice(1)
      const cacheOf = (variant: string) =>
        join(own, ".cache", "effect-sso-oidc", `sso-oidc-main-${variant}-${bundleHash("sso-oidc-main.cjs")}-${process.version}-${process.arch}.v8cache`)
      // status without a config file: one line, exit 1; a usage error: exit 2, both ended before any await of ours.
      expect(state(yield* cli(["status"], env))).toEqual(["status", "absent"])
      expect(state(yield* cli(["status"], env))).toEqual(["status", "accepted"])
      expect(state(yield* cli(["no-such-command"], env))).toEqual(["other", "absent"])
      expect(state(yield* cli(["no-such-command"], env))).toEqual(["other", "accepted"])
      expect(existsSync(cacheOf("status")) && existsSync(cacheOf("other"))).toBe(true)
    }))

  it.live("without a proxy or a CA bundle, login and register-client never call fetch (Node's own undici stays unloaded)", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const noFetch = { NODE_OPTIONS: `--require ${fileURLToPath(new URL("./fixtures/no-fetch.cjs", import.meta.url))}` }
        const registered = yield* cli(["register-client", ...global(emulator.url), "--client-name", "t", "--client-type", "public"], noFetch)
        expect(json(registered).clientId).toBeTypeOf("string")
        const startUrl = `${emulator.url}/no-fetch-start`
        const login = yield* spawned(["login", ...global(emulator.url), "--start-url", startUrl, "--use-device-code", "--no-browser"], noFetch)
        yield* login.waitFor("confirm the code")
        login.kill("SIGTERM")
        expect(yield* login.exit).toMatchObject({ code: 143, stderr: "" })
        // The control: the same preload does stop a command that calls fetch.
        const control = yield* Effect.async<Run>((resume) => {
          execFile(process.execPath, ["-e", `fetch(${JSON.stringify(emulator.url)}).catch((e) => { console.error(e.message); process.exit(1) })`], {
            env: { PATH: process.env.PATH ?? "", ...noFetch }
          }, (error, stdout, stderr) => resume(Effect.succeed({ code: error ? 1 : 0, stdout, stderr })))
        })
        expect(control).toMatchObject({ code: 1, stderr: "the CLI called fetch\n" })
      })
    ))
})

describe("sso-oidc: proxies and CA bundles", () => {
  const register = (url: string) => ["register-client", ...global(url), "--client-name", "t", "--client-type", "public"]

  it.live("sends its requests through HTTP_PROXY", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const through = yield* proxy
        const reply = json(yield* cli(register(emulator.url), { HTTP_PROXY: through.url }))
        expect(reply.clientId).toBeTypeOf("string")
        expect(through.forwarded).toEqual([`POST ${emulator.url}/client/register`])
      }).pipe(Effect.scoped)
    ))

  it.live("login (its own bundle) sends its requests through HTTP_PROXY too", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const through = yield* proxy
        const startUrl = `${emulator.url}/proxied-login-start`
        const login = yield* spawned(["login", ...global(emulator.url), "--start-url", startUrl, "--use-device-code", "--no-browser"], {
          HTTP_PROXY: through.url
        })
        yield* login.waitFor("confirm the code")
        login.kill("SIGTERM")
        expect(yield* login.exit).toMatchObject({ code: 143, stderr: "" })
        expect(through.forwarded).toEqual([`POST ${emulator.url}/client/register`, `POST ${emulator.url}/device_authorization`])
      }).pipe(Effect.scoped)
    ))

  it.live("trusts AWS_CA_BUNDLE or the profile's ca_bundle; without, says what to set", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        const certificate = selfSigned()
        const front = yield* tlsFront(certificate, emulator.url)
        const untrusted = yield* cli(register(front))
        expect(untrusted.code).toBe(1)
        expect(lines(untrusted.stderr)).toHaveLength(1)
        expect(untrusted.stderr).toMatch(/self[- ]signed certificate/)
        expect(untrusted.stderr).toContain(
          `(POST ${front}/client/register); if a proxy inspects TLS, set AWS_CA_BUNDLE (or ca_bundle in the profile) to its CA's PEM file`
        )
        expect(json(yield* cli(register(front), { AWS_CA_BUNDLE: certificate.certFile })).clientId).toBeTypeOf("string")
        const config = join(home, "config-ca")
        writeFileSync(config, `[profile corp]\nca_bundle = ${certificate.certFile}\n`)
        expect(json(yield* cli(register(front), { AWS_CONFIG_FILE: config, AWS_PROFILE: "corp" })).clientId).toBeTypeOf("string")
        const missing = yield* cli(register(front), { AWS_CA_BUNDLE: "/nonexistent/ca.pem" })
        expect(missing.code).toBe(1)
        expect(missing.stderr).toMatch(
          /^sso-oidc: CaBundleError: Cannot use the CA bundle \/nonexistent\/ca\.pem: .*ENOENT.* \(named by AWS_CA_BUNDLE or ca_bundle\)\n$/
        )
      }).pipe(Effect.scoped)
    ))

  it.live("--allow-insecure-endpoint is accepted by the operations and login", () =>
    withEmulator((emulator) =>
      Effect.gen(function*() {
        expect(json(yield* cli([...register(emulator.url), "--allow-insecure-endpoint"])).clientId).toBeTypeOf("string")
        expect((yield* cli(["login", "--help"])).stdout).toContain("--allow-insecure-endpoint")
      })
    ))
})

describe("sso-oidc: the slow-reply notice, in virtual time", () => {
  const never = HttpClient.make(() => Effect.never)

  it.effect("tells once per origin, after 3 s without a reply, and records the request for the failure line", () =>
    Effect.gen(function*() {
      const told: Array<string> = []
      const client = watched(never, (origin) => Effect.sync(() => void told.push(origin)))
      yield* Effect.fork(client.post("https://oidc.example/token"))
      yield* TestClock.adjust(Duration.millis(2999))
      expect(told).toEqual([])
      expect(lastRequest()).toBe("POST https://oidc.example/token")
      yield* TestClock.adjust(Duration.millis(1))
      expect(told).toEqual(["https://oidc.example"])
      yield* Effect.fork(client.post("https://oidc.example/token"))
      yield* Effect.fork(client.post("https://other.example/x"))
      yield* TestClock.adjust(Duration.minutes(1))
      expect(told).toEqual(["https://oidc.example", "https://other.example"])
    }))

  it.effect("says nothing when the reply comes in time", () =>
    Effect.gen(function*() {
      const told: Array<string> = []
      const answering = HttpClient.make((request) => Effect.succeed(HttpClientResponse.fromWeb(request, new Response("{}"))))
      const client = watched(answering, (origin) => Effect.sync(() => void told.push(origin)))
      yield* client.post("https://oidc.example/token")
      yield* TestClock.adjust(Duration.minutes(1))
      expect(told).toEqual([])
    }))
})

describe("sso-oidc: colour", () => {
  it("is never on with NO_COLOR, on with FORCE_COLOR, else on a terminal that is not dumb", () => {
    expect(colour(true, {})).toBe(true)
    expect(colour(false, {})).toBe(false)
    expect(colour(true, { NO_COLOR: "1" })).toBe(false)
    expect(colour(true, { NO_COLOR: "" })).toBe(true)
    expect(colour(false, { FORCE_COLOR: "1" })).toBe(true)
    expect(colour(false, { FORCE_COLOR: "0" })).toBe(false)
    expect(colour(true, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false)
    expect(colour(true, { TERM: "dumb" })).toBe(false)
  })
})
