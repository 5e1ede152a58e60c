/**
 * Real AWS clients against each edition's emulator, unchanged: the AWS SDK
 * for JavaScript v3 (`@aws-sdk/client-sso-oidc` and `@aws-sdk/client-sso`,
 * `endpoint` = the emulator) and the AWS CLI (`aws sso-oidc … --endpoint-url`).
 * The emulator runs in the edition's harness on a real port of 127.0.0.1.
 *
 * The AWS CLI is optional on developer machines (those tests are skipped,
 * saying so, when `aws` is not on PATH) but required in CI: when `CI` is set
 * and `aws` is missing, the suite fails.
 */
import {
  GetRoleCredentialsCommand,
  ListAccountRolesCommand,
  ListAccountsCommand,
  LogoutCommand,
  SSOClient
} from "@aws-sdk/client-sso"
import {
  CreateTokenCommand,
  RegisterClientCommand,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  aws,
  childEnv,
  deviceCodeGrant,
  editions,
  execFileAsync,
  type Harness,
  peerRuns,
  peerTitle,
  redacted,
  startHarness,
  startUrl,
  uuid
} from "./harness.js"

/** The AWS SDK's rejection: a named error with `$metadata` and the body's members. */
interface SdkError {
  readonly name: string
  readonly message: string
  readonly $fault: string
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string }
  readonly error?: string
  readonly error_description?: string
}

const rejection = async (promise: Promise<unknown>): Promise<SdkError> => {
  try {
    await promise
  } catch (error) {
    return error as SdkError
  }
  throw new Error("expected the SDK call to fail")
}

interface Account {
  readonly accountId: string
  readonly accountName: string
  readonly emailAddress: string
  readonly roles: ReadonlyArray<string>
}

/** A device login with the SDK's OIDC client, approved through the harness: the access token. */
const sdkSignIn = async (h: Harness, emulator: { id: string; url: string }) => {
  const oidc = new SSOOIDCClient({ endpoint: emulator.url, region: "us-east-1", maxAttempts: 1 })
  try {
    const registered = await oidc.send(
      new RegisterClientCommand({ clientName: "aws-sdk-js", clientType: "public", scopes: ["sso:account:access"] })
    )
    const credentials = { clientId: registered.clientId!, clientSecret: registered.clientSecret! }
    const started = await oidc.send(new StartDeviceAuthorizationCommand({ ...credentials, startUrl }))
    await h.call("emulator.approve", { id: emulator.id, userCode: started.userCode })
    const token = await oidc.send(
      new CreateTokenCommand({ ...credentials, grantType: deviceCodeGrant, deviceCode: started.deviceCode! })
    )
    return token.accessToken!
  } finally {
    oidc.destroy()
  }
}

/**
 * A config file of its own for the CLI. `cli_follow_urlparam = false` stops
 * AWS CLI v1 from fetching a parameter that starts with `https://` (it would
 * try to download `--start-url`); v2 never does.
 */
const cliConfig = () => {
  const dir = mkdtempSync(Path.join(Os.tmpdir(), "effect-sso-oidc-behaviour-cli-"))
  const file = Path.join(dir, "config")
  writeFileSync(file, "[default]\ncli_follow_urlparam = false\n")
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

for (const edition of editions) {
  describe(`[${edition}] the AWS SDK against the emulator`, () => {
    let h: Harness
    let emulator: { id: string; url: string }
    beforeAll(async () => {
      h = await startHarness(edition)
    }, 60_000)
    afterAll(() => h?.close())

    const withEmulator = async (options: Record<string, unknown>, f: () => Promise<void>) => {
      emulator = await h.call("emulator.start", options)
      try {
        await f()
      } finally {
        await h.call("emulator.stop", { id: emulator.id })
      }
    }

    it("@aws-sdk/client-sso-oidc: RegisterClient → StartDeviceAuthorization → CreateToken: pending, slow_down, then a token", () =>
      // A 30 s interval: two polls made "at once" still count as too fast.
      withEmulator({ intervalMillis: 30_000 }, async () => {
        const client = new SSOOIDCClient({
          endpoint: emulator.url,
          region: "us-east-1",
          maxAttempts: 1,
          // never consulted: the three operations are unsigned
          credentials: { accessKeyId: "x", secretAccessKey: "x" }
        })
        try {
          const registered = await client.send(
            new RegisterClientCommand({ clientName: "aws-sdk-js", clientType: "public", scopes: ["sso:account:access"] })
          )
          expect(registered.$metadata.httpStatusCode).toBe(200)
          expect(registered.$metadata.requestId).toMatch(uuid)
          expect(registered.clientSecretExpiresAt! - registered.clientIdIssuedAt!).toBe(90 * 24 * 3600)
          const credentials = { clientId: registered.clientId!, clientSecret: registered.clientSecret! }

          const started = await client.send(new StartDeviceAuthorizationCommand({ ...credentials, startUrl }))
          expect(started.verificationUri).toBe(`${emulator.url}/device`)
          expect(started.verificationUriComplete).toBe(`${emulator.url}/device?user_code=${started.userCode}`)
          expect(started.expiresIn).toBe(600)
          expect(started.interval).toBe(30)

          const poll = () =>
            client.send(
              new CreateTokenCommand({ ...credentials, grantType: deviceCodeGrant, deviceCode: started.deviceCode! })
            )
          const pending = await rejection(poll())
          expect(pending.name).toBe("AuthorizationPendingException")
          expect(pending.$fault).toBe("client")
          expect(pending.$metadata.httpStatusCode).toBe(400)
          expect(pending.$metadata.requestId).toMatch(uuid)
          expect(pending.error).toBe("authorization_pending")
          expect(pending.error_description).toBe("Authorization is still pending")

          const slow = await rejection(poll())
          expect(slow.name).toBe("SlowDownException")
          expect(slow.error).toBe("slow_down")

          await h.call("emulator.approve", { id: emulator.id, userCode: started.userCode })
          const token = await poll()
          expect(token.$metadata.httpStatusCode).toBe(200)
          expect(token.accessToken).toMatch(/^aoa/)
          expect(token.refreshToken).toMatch(/^aor/)
          expect(token.tokenType).toBe("Bearer")
          expect(token.expiresIn).toBe(3600)

          const reused = await rejection(poll())
          expect(reused.name).toBe("InvalidGrantException")

          const refreshed = await client.send(
            new CreateTokenCommand({ ...credentials, grantType: "refresh_token", refreshToken: token.refreshToken! })
          )
          expect(refreshed.accessToken).not.toBe(token.accessToken)

          const wrongSecret = await rejection(
            client.send(new StartDeviceAuthorizationCommand({ clientId: credentials.clientId, clientSecret: "x", startUrl }))
          )
          expect(wrongSecret.name).toBe("InvalidClientException")
          expect(wrongSecret.$metadata.httpStatusCode).toBe(401)

          const counts = await h.call("emulator.view", { id: emulator.id, what: "counts" })
          expect(counts).toMatchObject({ RegisterClient: 1, StartDeviceAuthorization: 2, CreateToken: 5 })
          const tokens = await h.call("emulator.view", { id: emulator.id, what: "tokens" })
          expect(tokens.map((t: { accessToken: unknown }) => t.accessToken)).toEqual([
            redacted(token.accessToken!),
            redacted(refreshed.accessToken!)
          ])
        } finally {
          client.destroy()
        }
      }))

    it("@aws-sdk/client-sso: ListAccounts (paged), ListAccountRoles, GetRoleCredentials, errors, then Logout revokes the token", () =>
      withEmulator({}, async () => {
        const [dev, prod] = await h.call<ReadonlyArray<Account>>("emulator.view", { id: emulator.id, what: "accounts" })
        const accessToken = await sdkSignIn(h, emulator)
        const sso = new SSOClient({ endpoint: emulator.url, region: "us-east-1", maxAttempts: 1 })
        try {
          const first = await sso.send(new ListAccountsCommand({ accessToken, maxResults: 1 }))
          expect(first.$metadata.httpStatusCode).toBe(200)
          expect(first.$metadata.requestId).toMatch(uuid)
          expect(first.accountList).toEqual([
            { accountId: dev!.accountId, accountName: dev!.accountName, emailAddress: dev!.emailAddress }
          ])
          expect(first.nextToken).toBeDefined()
          const second = await sso.send(new ListAccountsCommand({ accessToken, maxResults: 1, nextToken: first.nextToken! }))
          expect(second.accountList?.map((a) => a.accountId)).toEqual([prod!.accountId])
          expect(second.nextToken).toBeUndefined()

          const roles = await sso.send(new ListAccountRolesCommand({ accessToken, accountId: dev!.accountId }))
          expect(roles.roleList?.map((r) => r.roleName)).toEqual([...dev!.roles])
          expect(roles.roleList?.every((r) => r.accountId === dev!.accountId)).toBe(true)

          const before = Date.now()
          const got = await sso.send(
            new GetRoleCredentialsCommand({ accessToken, accountId: prod!.accountId, roleName: prod!.roles[0]! })
          )
          const credentials = got.roleCredentials!
          expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/)
          expect(credentials.secretAccessKey).toHaveLength(40)
          expect(credentials.sessionToken!.length).toBeGreaterThan(100)
          // epoch milliseconds, an hour ahead
          expect(credentials.expiration! - before).toBeGreaterThan(3_590_000)
          expect(credentials.expiration! - before).toBeLessThanOrEqual(3_610_000)
          const [issued] = await h.call("emulator.view", { id: emulator.id, what: "roleCredentials" })
          expect(issued).toEqual({
            accountId: prod!.accountId,
            roleName: prod!.roles[0],
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: redacted(credentials.secretAccessKey!),
            sessionToken: redacted(credentials.sessionToken!),
            expiresAt: credentials.expiration
          })

          const missing = await rejection(
            sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: "999999999999", roleName: "Nope" }))
          )
          expect(missing.name).toBe("ResourceNotFoundException")
          expect(missing.$metadata.httpStatusCode).toBe(404)

          const invalid = await rejection(
            sso.send(new ListAccountsCommand({ accessToken, nextToken: "not-a-token-of-this-listing" }))
          )
          expect(invalid.name).toBe("InvalidRequestException")
          expect(invalid.$metadata.httpStatusCode).toBe(400)

          const logout = await sso.send(new LogoutCommand({ accessToken }))
          expect(logout.$metadata.httpStatusCode).toBe(200)
          const revoked = await rejection(sso.send(new ListAccountsCommand({ accessToken })))
          expect(revoked.name).toBe("UnauthorizedException")
          expect(revoked.$metadata.httpStatusCode).toBe(401)
          expect(revoked.message).toBe("Session token not found or invalid")

          const counts = await h.call("emulator.view", { id: emulator.id, what: "counts" })
          expect(counts).toMatchObject({ ListAccounts: 4, ListAccountRoles: 1, GetRoleCredentials: 2, Logout: 1 })
        } finally {
          sso.destroy()
        }
      }))

    it("the edition's SsoPortalClient and the SDK's read the same accounts from the emulator", () =>
      withEmulator({}, async () => {
        const accessToken = await sdkSignIn(h, emulator)
        const sso = new SSOClient({ endpoint: emulator.url, region: "us-east-1", maxAttempts: 1 })
        try {
          const theirs = await sso.send(new ListAccountsCommand({ accessToken }))
          const ours = await h.call("portal.accounts", { endpoint: emulator.url, accessToken, pageSize: 1 })
          expect(ours.output).toEqual(theirs.accountList)
          // the access token went in, and nothing the harness printed holds it
          expect(h.transcript()).not.toContain(accessToken)
        } finally {
          sso.destroy()
        }
      }))
  })

  describe.skipIf(!peerRuns(aws !== undefined))(
    peerTitle(`[${edition}] the AWS CLI against the emulator`, aws !== undefined, "`aws` must be on PATH"),
    () => {
      let h: Harness
      beforeAll(async () => {
        h = await startHarness(edition)
      }, 60_000)
      afterAll(() => h?.close())

      it("the AWS CLI is on PATH", () => {
        expect(aws, "CI is set, so the AWS CLI must be installed and on PATH").toBeDefined()
      })

      it("register-client, start-device-authorization, create-token: pending, slow_down, then a token", async () => {
        expect(aws, "CI is set, so the AWS CLI must be installed and on PATH").toBeDefined()
        const config = cliConfig()
        const emulator = await h.call("emulator.start", { intervalMillis: 30_000 })
        try {
          const env = childEnv({
            AWS_ACCESS_KEY_ID: "x",
            AWS_SECRET_ACCESS_KEY: "x",
            AWS_DEFAULT_REGION: "us-east-1",
            AWS_CONFIG_FILE: config.file,
            AWS_SHARED_CREDENTIALS_FILE: Path.join(Path.dirname(config.file), "no-credentials"),
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_MAX_ATTEMPTS: "1",
            AWS_PAGER: ""
          })
          const ssoOidc = (command: string, args: ReadonlyArray<string>) =>
            execFileAsync(aws!, ["sso-oidc", command, ...args, "--endpoint-url", emulator.url, "--output", "json"], env)
          const version = await execFileAsync(aws!, ["--version"], env)
          expect(`${version.stdout}${version.stderr}`).toMatch(/^aws-cli\/\d+\.\d+\.\d+/)

          const registered = await ssoOidc("register-client", ["--client-name", "x", "--client-type", "public"])
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

          const started = await ssoOidc("start-device-authorization", [...credentials, "--start-url", startUrl])
          expect(started.code).toBe(0)
          const authorization = JSON.parse(started.stdout)
          expect(authorization.verificationUri).toBe(`${emulator.url}/device`)
          expect(authorization.interval).toBe(30)

          const poll = () =>
            ssoOidc("create-token", [...credentials, "--grant-type", deviceCodeGrant, "--device-code", authorization.deviceCode])
          const pending = await poll()
          expect(pending.code).not.toBe(0)
          expect(pending.stderr).toContain("An error occurred (AuthorizationPendingException)")
          const slow = await poll()
          expect(slow.code).not.toBe(0)
          expect(slow.stderr).toContain("An error occurred (SlowDownException)")

          await h.call("emulator.approve", { id: emulator.id, userCode: authorization.userCode })
          const granted = await poll()
          expect(granted.stderr).toBe("")
          expect(granted.code).toBe(0)
          const token = JSON.parse(granted.stdout)
          expect(token.accessToken).toMatch(/^aoa/)
          expect(token.refreshToken).toMatch(/^aor/)
          expect(token.tokenType).toBe("Bearer")
          expect(token.expiresIn).toBe(3600)

          const [view] = await h.call("emulator.view", { id: emulator.id, what: "authorizations" })
          expect(view).toMatchObject({ status: "consumed", polls: 3, slowDowns: 1 })
          // no secret is echoed in what the CLI printed for the errors
          expect(pending.stderr).not.toContain(registration.clientSecret)
          expect(pending.stderr).not.toContain(authorization.deviceCode)
        } finally {
          await h.call("emulator.stop", { id: emulator.id })
          config.remove()
        }
      }, 120_000)
    }
  )
}
