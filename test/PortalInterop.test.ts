/**
 * The SSO portal (`portal.sso`) with real AWS clients, over real sockets of
 * 127.0.0.1 and in real time:
 *
 * - request parity: for the same inputs, our client's requests equal
 *   `@aws-sdk/client-sso`'s (method, path, query, the bearer-token header,
 *   no body), both recorded by a small node:http server of this file's own;
 * - the AWS SDK's `SSOClient` against the emulator, with an access token
 *   from the emulator's own OIDC side;
 * - the SDK's `fromSSO` and botocore's SSO credential provider get role
 *   credentials through the emulator from a token cache file that OUR code
 *   wrote (`SsoTokenProvider.loginToCache` with `TokenCache.layer`), and so
 *   does the AWS CLI (`aws configure list --profile`), whose `aws sso`
 *   commands also run with the cached access token.
 *
 * The portal's endpoint reaches the SDK, botocore and the CLI through
 * `AWS_ENDPOINT_URL_SSO`, which all three honour. python3 with botocore and
 * the AWS CLI are optional on developer machines (those tests are skipped,
 * saying so) but required in CI: when `CI` is set and one is missing, the
 * suite fails, as test/Interop.test.ts does.
 */
import {
  GetRoleCredentialsCommand,
  ListAccountRolesCommand,
  ListAccountsCommand,
  LogoutCommand,
  SSOClient
} from "@aws-sdk/client-sso"
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from "@aws-sdk/client-sso-oidc"
import { fromSSO } from "@aws-sdk/credential-providers"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Stream } from "effect"
import { execFile, execFileSync } from "node:child_process"
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import * as NodeSso from "../src/node/NodeSso.js"
import * as SsoConfig from "../src/SsoConfig.js"
import * as SsoPortalClient from "../src/SsoPortalClient.js"
import * as SsoTokenProvider from "../src/SsoTokenProvider.js"
import * as Emulator from "../src/testing/Emulator.js"
import * as TokenCache from "../src/TokenCache.js"

const startUrl = "https://my-sso-portal.awsapps.com/start"
const deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const dev = Emulator.defaultAccounts[0]!
const prod = Emulator.defaultAccounts[1]!

const inCi = process.env["CI"] !== undefined && process.env["CI"] !== "" && process.env["CI"] !== "false"

/** The AWS SDK's rejection: a named error with `$metadata`. */
interface SdkError {
  readonly name: string
  readonly message: string
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string }
}

const send = <A>(run: () => Promise<A>) => Effect.tryPromise({ try: run, catch: (error) => error as SdkError })

/** An SDK client, destroyed with the scope. */
const scopedClient = <C extends { destroy: () => void }>(make: () => C) =>
  Effect.acquireRelease(Effect.sync(make), (client) => Effect.sync(() => client.destroy()))

// -----------------------------------------------------------------------------
// (a) request parity: both clients against a recording server
// -----------------------------------------------------------------------------

interface Seen {
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
  /** The request target as sent, query encoding included. */
  readonly raw: string
}

/** A node:http server that records every request and answers each portal path with a minimal 200. */
const recordingServer = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly seen: Array<Seen>; readonly server: Http.Server }>((resume) => {
    const seen: Array<Seen> = []
    const server = Http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1")
        seen.push({
          method: request.method ?? "",
          path: url.pathname,
          raw: request.url ?? "",
          query: Object.fromEntries(url.searchParams),
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8")
        })
        const replies: Record<string, unknown> = {
          "/federation/credentials": {
            roleCredentials: {
              accessKeyId: "ASIAEXAMPLE",
              secretAccessKey: "secret",
              sessionToken: "session",
              expiration: 1_700_000_000_000
            }
          },
          "/assignment/accounts": { accountList: [] },
          "/assignment/roles": { roleList: [] }
        }
        const reply = replies[url.pathname]
        response.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": "req-1" })
        response.end(reply === undefined ? "" : JSON.stringify(reply))
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, seen, server }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

const TOKEN = "aoaPARITYACCESSTOKEN0123456789abcdefghijkl"

/** What matters in a portal request: everything but the headers each client adds for itself. */
const essentials = (seen: Seen) => ({
  method: seen.method,
  path: seen.path,
  query: seen.query,
  bearer: seen.headers["x-amz-sso_bearer_token"],
  authorization: seen.headers["authorization"],
  contentType: seen.headers["content-type"],
  body: seen.body,
  // the query as encoded (a space as %20, as the SDK sends it), in a stable order
  rawQuery: (seen.raw.split("?")[1] ?? "").split("&").filter((part) => part !== "").sort()
})

describe("PortalInterop — request parity with @aws-sdk/client-sso", () => {
  const cases: ReadonlyArray<{
    readonly name: string
    readonly sdk: (client: SSOClient) => Promise<unknown>
    readonly ours: (client: SsoPortalClient.Service) => Effect.Effect<unknown, unknown>
  }> = [
    {
      name: "GetRoleCredentials",
      sdk: (client) =>
        client.send(new GetRoleCredentialsCommand({ accessToken: TOKEN, accountId: "123456789012", roleName: "Dev Role+/=" })),
      ours: (client) =>
        client.getRoleCredentials({
          accessToken: Redacted.make(TOKEN),
          accountId: "123456789012",
          roleName: "Dev Role+/="
        })
    },
    {
      name: "ListAccounts (no page)",
      sdk: (client) => client.send(new ListAccountsCommand({ accessToken: TOKEN })),
      ours: (client) => client.listAccounts({ accessToken: Redacted.make(TOKEN) })
    },
    {
      name: "ListAccounts (next_token and max_result)",
      sdk: (client) => client.send(new ListAccountsCommand({ accessToken: TOKEN, nextToken: "a b/c+d=", maxResults: 7 })),
      ours: (client) => client.listAccounts({ accessToken: Redacted.make(TOKEN), nextToken: "a b/c+d=", maxResults: 7 })
    },
    {
      name: "ListAccountRoles",
      sdk: (client) =>
        client.send(
          new ListAccountRolesCommand({ accessToken: TOKEN, accountId: "123456789012", nextToken: "n", maxResults: 100 })
        ),
      ours: (client) =>
        client.listAccountRoles({
          accessToken: Redacted.make(TOKEN),
          accountId: "123456789012",
          nextToken: "n",
          maxResults: 100
        })
    },
    {
      name: "Logout",
      sdk: (client) => client.send(new LogoutCommand({ accessToken: TOKEN })),
      ours: (client) => client.logout({ accessToken: Redacted.make(TOKEN) })
    }
  ]

  for (const c of cases) {
    it.live(`${c.name}: method, path, query, the bearer-token header and the body are the SDK's`, () =>
      Effect.gen(function*() {
        const server = yield* recordingServer
        const sdk = yield* scopedClient(() => new SSOClient({ region: "us-east-1", endpoint: server.url, maxAttempts: 1 }))
        yield* send(() => c.sdk(sdk))
        yield* Effect.flatMap(SsoPortalClient.SsoPortalClient, c.ours).pipe(
          Effect.provide(
            SsoPortalClient.layer({ region: "us-east-1", endpoint: server.url, retry: false }).pipe(
              Layer.provide(FetchHttpClient.layer)
            )
          )
        )
        expect(server.seen).toHaveLength(2)
        const [theirs, ours] = server.seen.map(essentials)
        expect(ours).toEqual(theirs)
        expect(ours!.bearer).toBe(TOKEN)
        expect(ours!.authorization).toBeUndefined()
      }).pipe(Effect.scoped))
  }
})

// -----------------------------------------------------------------------------
// (b) the AWS SDK's SSOClient against the emulator
// -----------------------------------------------------------------------------

/** A device login with the SDK's OIDC client against the emulator's OIDC side: the access token. */
const sdkSignIn = (emulator: Emulator.Service) =>
  Effect.gen(function*() {
    const oidc = yield* scopedClient(() => new SSOOIDCClient({ endpoint: emulator.url, region: "us-east-1", maxAttempts: 1 }))
    const registered = yield* send(() =>
      oidc.send(new RegisterClientCommand({ clientName: "aws-sdk-js", clientType: "public", scopes: ["sso:account:access"] }))
    )
    const credentials = { clientId: registered.clientId!, clientSecret: registered.clientSecret! }
    const started = yield* send(() => oidc.send(new StartDeviceAuthorizationCommand({ ...credentials, startUrl })))
    yield* emulator.approve(started.userCode!)
    const token = yield* send(() =>
      oidc.send(new CreateTokenCommand({ ...credentials, grantType: deviceCodeGrant, deviceCode: started.deviceCode! }))
    )
    return token.accessToken!
  })

describe("PortalInterop — @aws-sdk/client-sso against the emulator", () => {
  it.live("ListAccounts (paged), ListAccountRoles, GetRoleCredentials, errors, then Logout revokes the token", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const accessToken = yield* sdkSignIn(emulator)
      const sso = yield* scopedClient(() => new SSOClient({ endpoint: emulator.url, region: "us-east-1", maxAttempts: 1 }))

      const first = yield* send(() => sso.send(new ListAccountsCommand({ accessToken, maxResults: 1 })))
      expect(first.$metadata.httpStatusCode).toBe(200)
      expect(first.$metadata.requestId).toMatch(uuid)
      expect(first.accountList).toEqual([
        { accountId: dev.accountId, accountName: dev.accountName, emailAddress: dev.emailAddress }
      ])
      expect(first.nextToken).toBeDefined()
      const second = yield* send(() =>
        sso.send(new ListAccountsCommand({ accessToken, maxResults: 1, nextToken: first.nextToken! }))
      )
      expect(second.accountList?.map((a) => a.accountId)).toEqual([prod.accountId])
      expect(second.nextToken).toBeUndefined()

      const roles = yield* send(() => sso.send(new ListAccountRolesCommand({ accessToken, accountId: dev.accountId })))
      expect(roles.roleList?.map((r) => r.roleName)).toEqual([...dev.roles])
      expect(roles.roleList?.every((r) => r.accountId === dev.accountId)).toBe(true)

      const before = Date.now()
      const got = yield* send(() =>
        sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: prod.accountId, roleName: prod.roles[0]! }))
      )
      const credentials = got.roleCredentials!
      expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/)
      expect(credentials.secretAccessKey).toHaveLength(40)
      expect(credentials.sessionToken!.length).toBeGreaterThan(100)
      // epoch milliseconds, an hour ahead
      expect(credentials.expiration! - before).toBeGreaterThan(3_590_000)
      expect(credentials.expiration! - before).toBeLessThanOrEqual(3_610_000)
      const [issued] = yield* emulator.roleCredentials
      expect(issued!.accessKeyId).toBe(credentials.accessKeyId)

      const missing = yield* Effect.flip(send(() =>
        sso.send(new GetRoleCredentialsCommand({ accessToken, accountId: "999999999999", roleName: "Nope" }))
      ))
      expect(missing.name).toBe("ResourceNotFoundException")
      expect(missing.$metadata.httpStatusCode).toBe(404)

      const invalid = yield* Effect.flip(send(() =>
        sso.send(new ListAccountsCommand({ accessToken, nextToken: "not-a-token-of-this-listing" }))
      ))
      expect(invalid.name).toBe("InvalidRequestException")
      expect(invalid.$metadata.httpStatusCode).toBe(400)

      const logout = yield* send(() => sso.send(new LogoutCommand({ accessToken })))
      expect(logout.$metadata.httpStatusCode).toBe(200)
      const revoked = yield* Effect.flip(send(() => sso.send(new ListAccountsCommand({ accessToken }))))
      expect(revoked.name).toBe("UnauthorizedException")
      expect(revoked.$metadata.httpStatusCode).toBe(401)
      expect(revoked.message).toBe("Session token not found or invalid")

      const counts = yield* emulator.counts
      expect(counts).toMatchObject({ ListAccounts: 4, ListAccountRoles: 1, GetRoleCredentials: 2, Logout: 1 })
    }).pipe(Effect.scoped, Effect.provide(NodeEmulator.layer({ port: 0 }))), 60_000)

  it.live("our client and the SDK's read the same accounts from the emulator", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const accessToken = yield* sdkSignIn(emulator)
      const sso = yield* scopedClient(() => new SSOClient({ endpoint: emulator.url, region: "us-east-1", maxAttempts: 1 }))
      const theirs = yield* send(() => sso.send(new ListAccountsCommand({ accessToken })))
      const ours = yield* Effect.flatMap(
        SsoPortalClient.SsoPortalClient,
        (portal) => Stream.runCollect(portal.accounts(Redacted.make(accessToken), { pageSize: 1 }))
      ).pipe(
        Effect.provide(
          SsoPortalClient.layer({ endpoint: emulator.url, region: "us-east-1" }).pipe(Layer.provide(FetchHttpClient.layer))
        )
      )
      expect([...ours]).toEqual(theirs.accountList)
    }).pipe(Effect.scoped, Effect.provide(NodeEmulator.layer({ port: 0 }))), 60_000)
})

// -----------------------------------------------------------------------------
// (c) fromSSO and botocore from a token cache our code wrote
// -----------------------------------------------------------------------------

const configText =
  [
    "[profile portal]",
    "sso_session = corp",
    `sso_account_id = ${dev.accountId}`,
    "sso_role_name = ReadOnlyAccess",
    "region = us-east-1",
    "",
    "[sso-session corp]",
    `sso_start_url = ${startUrl}`,
    "sso_region = us-east-1",
    "sso_registration_scopes = sso:account:access",
    ""
  ].join("\n")

/** A HOME of its own with `.aws/config`, removed with the scope. */
const tempHome =
  Effect.acquireRelease(
    Effect.sync(() => {
      const home = mkdtempSync(Path.join(Os.tmpdir(), "effect-sso-oidc-portal-"))
      mkdirSync(Path.join(home, ".aws", "sso", "cache"), { recursive: true })
      const configFile = Path.join(home, ".aws", "config")
      writeFileSync(configFile, configText)
      return { home, configFile, cacheDir: Path.join(home, ".aws", "sso", "cache") }
    }),
    ({ home }) => Effect.sync(() => rmSync(home, { recursive: true, force: true }))
  )

/** Signs in through OUR code (device login, auto-approved by the emulator), writing the token cache file. */
const loginWithOurCode = (emulatorUrl: string, configFile: string, cacheDir: string) =>
  SsoTokenProvider.loginToCache("corp").pipe(
    Effect.provide(
      SsoTokenProvider.layer({ client: { endpoint: emulatorUrl, retry: false } }).pipe(
        Layer.provide(TokenCache.layer({ directory: cacheDir })),
        Layer.provide(SsoConfig.layer({ path: configFile })),
        Layer.provide(FetchHttpClient.layer),
        Layer.provide(NodeSso.layer)
      )
    )
  )

/** The cache file names our login wrote (the token's, keyed by the session name as the CLI keys it). */
const cacheFiles = (cacheDir: string) => readdirSync(cacheDir).filter((name) => name.endsWith(".json")).sort()

/** Sets `name` in process.env for the scope (the SDK reads HOME and the endpoint from there). */
const scopedEnv = (values: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const saved = Object.keys(values).map((name) => [name, process.env[name]] as const)
      for (const [name, value] of Object.entries(values)) process.env[name] = value
      return saved
    }),
    (saved) =>
      Effect.sync(() => {
        for (const [name, value] of saved) {
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      })
  )

const emulatorForLogin = NodeEmulator.layer({ port: 0, autoApproveAfter: "1 second", interval: "1 second" })

describe("PortalInterop — fromSSO from a token cache our code wrote", () => {
  it.live("fromSSO({ profile }) gets the role's credentials through the emulator (AWS_ENDPOINT_URL_SSO)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const { cacheDir, configFile, home } = yield* tempHome
      yield* loginWithOurCode(emulator.url, configFile, cacheDir)
      // the token file (sha1 of the session name) and the registration file
      expect(cacheFiles(cacheDir)).toHaveLength(2)
      const tokenFile = JSON.parse(
        readFileSync(Path.join(cacheDir, `${TokenCache.tokenKey("corp")}.json`), "utf8")
      )
      expect(tokenFile.startUrl).toBe(startUrl)

      yield* scopedEnv({ HOME: home, AWS_CONFIG_FILE: configFile, AWS_ENDPOINT_URL_SSO: emulator.url })
      const provider = fromSSO({
        profile: "portal",
        configFilepath: configFile,
        filepath: Path.join(home, ".aws", "no-credentials")
      })
      const credentials = yield* Effect.promise(() => provider())
      const [issued] = yield* emulator.roleCredentials
      expect(issued).toBeDefined()
      expect(credentials.accessKeyId).toBe(issued!.accessKeyId)
      expect(credentials.secretAccessKey).toBe(Redacted.value(issued!.secretAccessKey))
      expect(credentials.sessionToken).toBe(Redacted.value(issued!.sessionToken))
      expect(credentials.expiration?.getTime()).toBe(issued!.expiresAt.getTime())
      expect(issued).toMatchObject({ accountId: dev.accountId, roleName: "ReadOnlyAccess" })
      expect((yield* emulator.counts).GetRoleCredentials).toBe(1)
    }).pipe(Effect.scoped, Effect.provide(emulatorForLogin)), 60_000)
})

/** Whether python3 can import botocore. */
const botocore = (() => {
  try {
    return execFileSync("python3", ["-c", "import botocore; print(botocore.__version__)"], { encoding: "utf8" }).trim()
  } catch {
    return undefined
  }
})()

const botocoreTitle = botocore !== undefined
  ? `PortalInterop — botocore ${botocore}'s SSO credential provider from a token cache our code wrote`
  : inCi
  ? "PortalInterop — botocore's SSO credential provider (CI is set: python3 with botocore must be installed)"
  : "PortalInterop — botocore's SSO credential provider (skipped: python3 cannot import botocore; set CI to make this a failure)"

/** Resolves the profile's credentials with botocore and prints them as JSON. */
const botocoreScript = `
import json, botocore.session
session = botocore.session.Session(profile="portal")
creds = session.get_credentials()
frozen = creds.get_frozen_credentials()
print(json.dumps({"method": creds.method, "accessKeyId": frozen.access_key, "secretAccessKey": frozen.secret_key, "sessionToken": frozen.token}))
`

const runPython = (env: NodeJS.ProcessEnv) =>
  Effect.async<{ readonly code: number; readonly stdout: string; readonly stderr: string }>((resume) => {
    const child = execFile("python3", ["-c", botocoreScript], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resume(Effect.succeed({ code, stdout, stderr }))
    })
    return Effect.sync(() => child.kill())
  })

describe.skipIf(botocore === undefined && !inCi)(botocoreTitle, () => {
  it("python3 can import botocore", () => {
    expect(botocore, "CI is set, so python3 with botocore must be installed").toBeDefined()
  })

  it.live("Session(profile='portal').get_credentials() gets the role's credentials through the emulator (AWS_ENDPOINT_URL_SSO)", () =>
    Effect.gen(function*() {
      expect(botocore, "CI is set, so python3 with botocore must be installed").toBeDefined()
      const emulator = yield* Emulator.Emulator
      const { cacheDir, configFile, home } = yield* tempHome
      yield* loginWithOurCode(emulator.url, configFile, cacheDir)

      const env: NodeJS.ProcessEnv = {}
      for (const [key, value] of Object.entries(process.env)) {
        if (!key.startsWith("AWS_")) env[key] = value
      }
      const run = yield* runPython({
        ...env,
        HOME: home,
        AWS_CONFIG_FILE: configFile,
        AWS_SHARED_CREDENTIALS_FILE: Path.join(home, ".aws", "no-credentials"),
        AWS_ENDPOINT_URL_SSO: emulator.url,
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_MAX_ATTEMPTS: "1"
      })
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      const got = JSON.parse(run.stdout)
      const [issued] = yield* emulator.roleCredentials
      expect(issued).toBeDefined()
      expect(got).toEqual({
        method: "sso",
        accessKeyId: issued!.accessKeyId,
        secretAccessKey: Redacted.value(issued!.secretAccessKey),
        sessionToken: Redacted.value(issued!.sessionToken)
      })
      expect(issued).toMatchObject({ accountId: dev.accountId, roleName: "ReadOnlyAccess" })
      expect((yield* emulator.counts).GetRoleCredentials).toBe(1)
    }).pipe(Effect.scoped, Effect.provide(emulatorForLogin)), 90_000)
})

// -----------------------------------------------------------------------------
// the AWS CLI (v1 here; v2 takes the same commands)
// -----------------------------------------------------------------------------

/** The first `aws` executable on PATH. */
const aws = (process.env["PATH"] ?? "").split(Path.delimiter).filter((dir) => dir !== "").map((dir) =>
  Path.join(dir, "aws")
).find((candidate) => {
  try {
    accessSync(candidate, constants.X_OK)
    return true
  } catch {
    return false
  }
})

const cliTitle = aws !== undefined
  ? "PortalInterop — the AWS CLI with a token cache our code wrote"
  : inCi
  ? "PortalInterop — the AWS CLI (CI is set: `aws` must be on PATH)"
  : "PortalInterop — the AWS CLI (skipped: `aws` is not on PATH; set CI to make this a failure)"

/** The caller's environment minus every AWS setting, plus the temp HOME, its config and the emulator as the portal. */
const cliEnv = (home: string, configFile: string, emulatorUrl: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("AWS_")) env[key] = value
  }
  return {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: Path.join(home, ".aws", "no-credentials"),
    AWS_ENDPOINT_URL_SSO: emulatorUrl,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_MAX_ATTEMPTS: "1",
    AWS_PAGER: ""
  }
}

const runAws = (env: NodeJS.ProcessEnv, args: ReadonlyArray<string>) =>
  Effect.async<{ readonly code: number; readonly stdout: string; readonly stderr: string }>((resume) => {
    const child = execFile(aws!, [...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resume(Effect.succeed({ code, stdout, stderr }))
    })
    return Effect.sync(() => child.kill())
  })

describe.skipIf(aws === undefined && !inCi)(cliTitle, () => {
  it("the AWS CLI is on PATH", () => {
    expect(aws, "CI is set, so the AWS CLI must be installed and on PATH").toBeDefined()
  })

  it.live("`aws configure list --profile portal` resolves the profile's SSO credentials through the emulator", () =>
    Effect.gen(function*() {
      expect(aws, "CI is set, so the AWS CLI must be installed and on PATH").toBeDefined()
      const emulator = yield* Emulator.Emulator
      const { cacheDir, configFile, home } = yield* tempHome
      yield* loginWithOurCode(emulator.url, configFile, cacheDir)
      const listed = yield* runAws(cliEnv(home, configFile, emulator.url), ["configure", "list", "--profile", "portal"])
      expect(listed.stderr).toBe("")
      expect(listed.code).toBe(0)
      const [issued] = yield* emulator.roleCredentials
      expect(issued).toBeDefined()
      // the CLI shows the last four characters of the key and where it came from
      expect(listed.stdout).toMatch(new RegExp(`access_key\\s+\\*+${issued!.accessKeyId.slice(-4)}\\s+sso`))
      expect(listed.stdout).not.toContain(Redacted.value(issued!.secretAccessKey))
    }).pipe(Effect.scoped, Effect.provide(emulatorForLogin)), 90_000)

  it.live("`aws sso` list-accounts, list-account-roles, get-role-credentials and logout with the cached access token", () =>
    Effect.gen(function*() {
      expect(aws, "CI is set, so the AWS CLI must be installed and on PATH").toBeDefined()
      const emulator = yield* Emulator.Emulator
      const { cacheDir, configFile, home } = yield* tempHome
      yield* loginWithOurCode(emulator.url, configFile, cacheDir)
      const cached = JSON.parse(readFileSync(Path.join(cacheDir, `${TokenCache.tokenKey("corp")}.json`), "utf8"))
      const env = cliEnv(home, configFile, emulator.url)
      const sso = (command: string, args: ReadonlyArray<string>) =>
        runAws(env, ["sso", command, ...args, "--access-token", cached.accessToken, "--region", "us-east-1", "--output", "json"])

      const accounts = yield* sso("list-accounts", ["--page-size", "1"])
      expect(accounts.stderr).toBe("")
      expect(accounts.code).toBe(0)
      // the CLI's paginator walks every page
      expect(JSON.parse(accounts.stdout).accountList.map((a: any) => a.accountId)).toEqual([dev.accountId, prod.accountId])

      const roles = yield* sso("list-account-roles", ["--account-id", dev.accountId])
      expect(roles.code).toBe(0)
      expect(JSON.parse(roles.stdout).roleList.map((r: any) => r.roleName)).toEqual([...dev.roles])

      const got = yield* sso("get-role-credentials", ["--account-id", prod.accountId, "--role-name", prod.roles[0]!])
      expect(got.code).toBe(0)
      const [issued] = yield* emulator.roleCredentials
      expect(JSON.parse(got.stdout).roleCredentials).toEqual({
        accessKeyId: issued!.accessKeyId,
        secretAccessKey: Redacted.value(issued!.secretAccessKey),
        sessionToken: Redacted.value(issued!.sessionToken),
        expiration: issued!.expiresAt.getTime()
      })

      const missing = yield* sso("get-role-credentials", ["--account-id", "999999999999", "--role-name", "Nope"])
      expect(missing.code).not.toBe(0)
      expect(missing.stderr).toContain("An error occurred (ResourceNotFoundException)")

      const logout = yield* sso("logout", [])
      expect(logout.code).toBe(0)
      const revoked = yield* sso("list-accounts", [])
      expect(revoked.code).not.toBe(0)
      expect(revoked.stderr).toContain("An error occurred (UnauthorizedException)")
      expect(revoked.stderr).not.toContain(cached.accessToken)
    }).pipe(Effect.scoped, Effect.provide(emulatorForLogin)), 120_000)
})
