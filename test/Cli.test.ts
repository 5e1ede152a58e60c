/**
 * The `sso-oidc` binary (dist/, built by `npm test` before the suite) against
 * the emulator on a real port.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Redacted } from "effect"
import { Emulator } from "effect-sso-oidc/testing"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../dist/sso-oidc.js", import.meta.url))

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

  it.live("the launcher's cached --help and --version are exactly what the CLI prints", () =>
    Effect.gen(function*() {
      const main = fileURLToPath(new URL("../dist/sso-oidc-main.js", import.meta.url))
      const direct = (args: ReadonlyArray<string>) =>
        Effect.async<string>((resume) => {
          execFile(process.execPath, [main, ...args], (_, stdout) => resume(Effect.succeed(stdout)))
        })
      for (const args of [["--help"], ["login", "--help"], ["create-token", "-h"], ["--version"]]) {
        const cached = yield* cli(args)
        expect(cached.stdout, args.join(" ")).toBe(yield* direct(args))
      }
    }))

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

  it.live("an unknown flag is a usage error with a non-zero exit", () =>
    Effect.gen(function*() {
      const run = yield* cli(["create-token", "--no-such-flag"])
      expect(run.code).not.toBe(0)
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
