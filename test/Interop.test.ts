/**
 * Real AWS clients against the emulator, unchanged: the AWS SDK for
 * JavaScript v3 (`@aws-sdk/client-sso-oidc`, `endpoint` = the emulator) and
 * the AWS CLI (`aws sso-oidc … --endpoint-url`). The emulator runs in this
 * process on a real port of 127.0.0.1, in real time.
 *
 * The AWS CLI is optional on developer machines (those tests are skipped,
 * saying so, when `aws` is not on PATH) but required in CI: when `CI` is set
 * and `aws` is missing, the suite fails.
 */
import {
  CreateTokenCommand,
  RegisterClientCommand,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Emulator from "../src/testing/Emulator.js"
import * as NodeEmulator from "../src/node/NodeEmulator.js"

const startUrl = "https://my-sso-portal.awsapps.com/start"
const deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A 30 s interval: two polls made "at once" by a slow peer (the CLI starts in about a second) still count as too fast. */
const emulatorLayer = NodeEmulator.layer({ port: 0, interval: "30 seconds" })

/** The AWS SDK's rejection: a named error with `$metadata` and the body's members. */
interface SdkError {
  readonly name: string
  readonly $fault: string
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string }
  readonly error?: string
  readonly error_description?: string
}

// -----------------------------------------------------------------------------
// AWS SDK for JavaScript v3
// -----------------------------------------------------------------------------

describe("Interop — @aws-sdk/client-sso-oidc against the emulator", () => {
  it.live("RegisterClient → StartDeviceAuthorization → CreateToken: pending, slow_down, then a token", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const client = yield* Effect.acquireRelease(
        Effect.sync(() =>
          new SSOOIDCClient({
            endpoint: emulator.url,
            region: "us-east-1",
            maxAttempts: 1,
            // never consulted: the three operations are unsigned
            credentials: { accessKeyId: "x", secretAccessKey: "x" }
          })
        ),
        (client) => Effect.sync(() => client.destroy())
      )
      const send = <A>(run: () => Promise<A>) => Effect.tryPromise({ try: run, catch: (error) => error as SdkError })

      const registered = yield* send(() =>
        client.send(
          new RegisterClientCommand({ clientName: "aws-sdk-js", clientType: "public", scopes: ["sso:account:access"] })
        )
      )
      expect(registered.$metadata.httpStatusCode).toBe(200)
      expect(registered.$metadata.requestId).toMatch(uuid)
      expect(registered.clientSecretExpiresAt! - registered.clientIdIssuedAt!).toBe(90 * 24 * 3600)
      const credentials = { clientId: registered.clientId!, clientSecret: registered.clientSecret! }

      const started = yield* send(() =>
        client.send(new StartDeviceAuthorizationCommand({ ...credentials, startUrl }))
      )
      expect(started.verificationUri).toBe(`${emulator.url}/device`)
      expect(started.verificationUriComplete).toBe(`${emulator.url}/device?user_code=${started.userCode}`)
      expect(started.expiresIn).toBe(600)
      expect(started.interval).toBe(30)

      const poll = send(() =>
        client.send(new CreateTokenCommand({ ...credentials, grantType: deviceCodeGrant, deviceCode: started.deviceCode! }))
      )
      const pending = yield* Effect.flip(poll)
      expect(pending.name).toBe("AuthorizationPendingException")
      expect(pending.$fault).toBe("client")
      expect(pending.$metadata.httpStatusCode).toBe(400)
      expect(pending.$metadata.requestId).toMatch(uuid)
      expect(pending.error).toBe("authorization_pending")
      expect(pending.error_description).toBe("Authorization is still pending")

      const slow = yield* Effect.flip(poll)
      expect(slow.name).toBe("SlowDownException")
      expect(slow.error).toBe("slow_down")

      yield* emulator.approve(started.userCode!)
      const token = yield* poll
      expect(token.$metadata.httpStatusCode).toBe(200)
      expect(token.accessToken).toMatch(/^aoa/)
      expect(token.refreshToken).toMatch(/^aor/)
      expect(token.tokenType).toBe("Bearer")
      expect(token.expiresIn).toBe(3600)

      const reused = yield* Effect.flip(poll)
      expect(reused.name).toBe("InvalidGrantException")

      const refreshed = yield* send(() =>
        client.send(
          new CreateTokenCommand({ ...credentials, grantType: "refresh_token", refreshToken: token.refreshToken! })
        )
      )
      expect(refreshed.accessToken).not.toBe(token.accessToken)

      const wrongSecret = yield* Effect.flip(send(() =>
        client.send(new StartDeviceAuthorizationCommand({ clientId: credentials.clientId, clientSecret: "x", startUrl }))
      ))
      expect(wrongSecret.name).toBe("InvalidClientException")
      expect(wrongSecret.$metadata.httpStatusCode).toBe(401)

      const counts = yield* emulator.counts
      expect(counts).toMatchObject({ RegisterClient: 1, StartDeviceAuthorization: 2, CreateToken: 5 })
    }).pipe(Effect.scoped, Effect.provide(emulatorLayer)))
})

// -----------------------------------------------------------------------------
// AWS CLI
// -----------------------------------------------------------------------------

/** The first `aws` executable on PATH. */
const findOnPath = (name: string): string | undefined => {
  for (const dir of (process.env["PATH"] ?? "").split(Path.delimiter)) {
    if (dir === "") continue
    const candidate = Path.join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

const aws = findOnPath("aws")
const inCi = process.env["CI"] !== undefined && process.env["CI"] !== "" && process.env["CI"] !== "false"

/**
 * A config file of its own for the CLI. `cli_follow_urlparam = false` stops
 * AWS CLI v1 from fetching a parameter that starts with `https://` (it would
 * try to download `--start-url`); v2 never does.
 */
const awsConfig = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = mkdtempSync(Path.join(Os.tmpdir(), "effect-sso-oidc-interop-"))
    const file = Path.join(dir, "config")
    writeFileSync(file, "[default]\ncli_follow_urlparam = false\n")
    return { dir, file }
  }),
  ({ dir }) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/**
 * The environment of every `aws` run: the caller's, minus any AWS setting
 * that could redirect or sign the call, plus dummy credentials and our own
 * config file.
 */
const awsEnv = (configFile: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("AWS_")) env[key] = value
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: "x",
    AWS_SECRET_ACCESS_KEY: "x",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: Path.join(Path.dirname(configFile), "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_MAX_ATTEMPTS: "1",
    AWS_PAGER: ""
  }
}

interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const runAws = (configFile: string, args: ReadonlyArray<string>) =>
  Effect.async<CliRun>((resume) => {
    const child = execFile(aws!, [...args], { env: awsEnv(configFile), timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resume(Effect.succeed({ code, stdout, stderr }))
    })
    return Effect.sync(() => child.kill())
  })

const ssoOidc = (configFile: string, url: string, command: string, args: ReadonlyArray<string>) =>
  runAws(configFile, ["sso-oidc", command, ...args, "--endpoint-url", url, "--output", "json"])

const cliTitle = aws !== undefined
  ? "Interop — the AWS CLI against the emulator"
  : inCi
  ? "Interop — the AWS CLI against the emulator (CI is set: `aws` must be on PATH)"
  : "Interop — the AWS CLI against the emulator (skipped: `aws` is not on PATH; set CI to make this a failure)"

describe.skipIf(aws === undefined && !inCi)(cliTitle, () => {
  it("the AWS CLI is on PATH", () => {
    expect(aws, "CI is set, so the AWS CLI must be installed and on PATH").toBeDefined()
  })

  it.live("register-client, start-device-authorization, create-token: pending, slow_down, then a token", () =>
    Effect.gen(function*() {
      expect(aws, "CI is set, so the AWS CLI must be installed and on PATH").toBeDefined()
      const config = yield* awsConfig
      const version = yield* runAws(config.file, ["--version"])
      expect(`${version.stdout}${version.stderr}`).toMatch(/^aws-cli\/\d+\.\d+\.\d+/)

      const emulator = yield* Emulator.Emulator
      const registered = yield* ssoOidc(config.file, emulator.url, "register-client", [
        "--client-name",
        "x",
        "--client-type",
        "public"
      ])
      expect(registered.stderr).toBe("")
      expect(registered.code).toBe(0)
      const registration = JSON.parse(registered.stdout)
      expect(Object.keys(registration).sort()).toEqual([
        "clientId",
        "clientIdIssuedAt",
        "clientSecret",
        "clientSecretExpiresAt"
      ])
      const credentials = ["--client-id", registration.clientId, "--client-secret", registration.clientSecret]

      const started = yield* ssoOidc(config.file, emulator.url, "start-device-authorization", [
        ...credentials,
        "--start-url",
        startUrl
      ])
      expect(started.code).toBe(0)
      const authorization = JSON.parse(started.stdout)
      expect(authorization.verificationUri).toBe(`${emulator.url}/device`)
      expect(authorization.interval).toBe(30)

      const poll = ssoOidc(config.file, emulator.url, "create-token", [
        ...credentials,
        "--grant-type",
        deviceCodeGrant,
        "--device-code",
        authorization.deviceCode
      ])
      const pending = yield* poll
      expect(pending.code).not.toBe(0)
      expect(pending.stderr).toContain("An error occurred (AuthorizationPendingException)")
      const slow = yield* poll
      expect(slow.code).not.toBe(0)
      expect(slow.stderr).toContain("An error occurred (SlowDownException)")

      yield* emulator.approve(authorization.userCode)
      const granted = yield* poll
      expect(granted.stderr).toBe("")
      expect(granted.code).toBe(0)
      const token = JSON.parse(granted.stdout)
      expect(token.accessToken).toMatch(/^aoa/)
      expect(token.refreshToken).toMatch(/^aor/)
      expect(token.tokenType).toBe("Bearer")
      expect(token.expiresIn).toBe(3600)

      const [view] = yield* emulator.authorizations
      expect(view).toMatchObject({ status: "consumed", polls: 3, slowDowns: 1 })
      // no secret is echoed in what the CLI printed for the errors
      expect(pending.stderr).not.toContain(registration.clientSecret)
      expect(pending.stderr).not.toContain(authorization.deviceCode)
    }).pipe(Effect.scoped, Effect.provide(emulatorLayer)), 120_000)
})
