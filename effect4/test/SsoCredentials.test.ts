/**
 * SsoCredentials: a profile to role credentials through the emulator's
 * portal, in virtual time, with the role-credential cache in a temporary
 * folder (the AWS CLI's format, checked against botocore in
 * RoleCredentialsCache.test.ts).
 */
import { NodeFileSystem, NodePath } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, FileSystem, Layer, Logger, ManagedRuntime, Redacted } from "effect"
import { HttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { AwsCredentials, SsoConfig, SsoCredentials, SsoTokenProvider, TokenCache } from "effect-sso-oidc"
import { Emulator } from "effect-sso-oidc/testing"
import { roleCredentialsKey } from "../src/internal/cache/roleCredentials.js"
import { writeRefusingFileSystem } from "./fixtures/fullDisk.js"

const config = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess

[profile dev-readonly]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnlyAccess

[profile prod]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = ReadOnlyAccess

[profile not-assigned]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = AdministratorAccess
`

const HOUR = 3_600_000

/** A temporary role-credential cache folder, removed with the scope. */
const cacheFolder = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "sso-role-cache-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/**
 * The emulator, a token provider over a memory token cache, and SsoCredentials
 * over a real folder; the session is signed in first (device login, approved
 * after 2 s of virtual time).
 */
const setup = (options: { readonly fileSystem?: Layer.Layer<FileSystem.FileSystem> } = {}) =>
  Effect.gen(function*() {
    const directory = yield* cacheFolder
    const emulator = yield* Emulator.make({ autoApproveAfter: "2 seconds", roleCredentialsExpiresIn: "1 hour" })
    const http = Layer.succeed(HttpClient.HttpClient, Emulator.toHttpClient(emulator))
    const tokens = SsoTokenProvider.layer({ client: { endpoint: emulator.url } }).pipe(
      Layer.provideMerge(TokenCache.layerMemory()),
      Layer.provideMerge(SsoConfig.layerMemory(config)),
      Layer.provideMerge(http)
    )
    const all = SsoCredentials.layerService({ cacheDirectory: directory, portal: { endpoint: emulator.url } }).pipe(
      Layer.provideMerge(tokens),
      Layer.provide(options.fileSystem ?? NodeFileSystem.layer),
      Layer.provide(NodePath.layer)
    )
    const context = yield* Layer.build(all)
    const signIn = yield* Effect.forkChild(SsoTokenProvider.loginToCache("corp").pipe(Effect.provide(context)))
    yield* TestClock.adjust("5 seconds")
    yield* Fiber.join(signIn)
    const get = (profile: string) => SsoCredentials.get(profile).pipe(Effect.provide(context))
    const fetched = Effect.map(emulator.counts, (counts) => counts.GetRoleCredentials)
    return { directory, emulator, get, fetched, context }
  })

/** Every write but the lock's fails with ENOSPC. */
const fullDisk = writeRefusingFileSystem((file) => !file.endsWith(".lock"))

const keyOf = (roleName: string, accountId = "111111111111") =>
  roleCredentialsKey({ accountId, roleName, session: { _tag: "Session", name: "corp" } })

describe("SsoCredentials", () => {
  it.effect("a profile's role credentials come from the portal and are cached as the AWS CLI caches them, 0600", () =>
    Effect.gen(function*() {
      const { directory, emulator, fetched, get } = yield* setup()
      const credentials = yield* get("dev")
      expect(credentials.accessKeyId).toMatch(/^ASIA/)
      expect(credentials.accountId).toBe("111111111111")
      expect(String(credentials.secretAccessKey)).toBe("<redacted>")
      expect(credentials.expiration.getTime()).toBe(5_000 + HOUR)
      expect(yield* fetched).toBe(1)

      const file = join(directory, `${keyOf("AdministratorAccess")}.json`)
      const onDisk = JSON.parse(readFileSync(file, "utf8"))
      expect(onDisk).toEqual({
        ProviderType: "sso",
        Credentials: {
          AccessKeyId: credentials.accessKeyId,
          SecretAccessKey: Redacted.value(credentials.secretAccessKey),
          SessionToken: Redacted.value(credentials.sessionToken!),
          Expiration: "1970-01-01T01:00:05Z",
          AccountId: "111111111111"
        }
      })
      expect(statSync(file).mode & 0o777).toBe(0o600)
      // The emulator issued exactly these.
      const [issued] = yield* emulator.roleCredentials
      expect(issued?.accessKeyId).toBe(credentials.accessKeyId)
    }))

  it.effect("fresh credentials are reused, from memory and from the cache file; 5 minutes before expiry they are fetched again", () =>
    Effect.gen(function*() {
      const { fetched, get } = yield* setup()
      const first = yield* get("dev")
      yield* TestClock.adjust(Duration.minutes(54))
      expect((yield* get("dev")).accessKeyId).toBe(first.accessKeyId)
      expect(yield* fetched).toBe(1)
      // 1 h − 55 min = 5 min left: inside the window.
      yield* TestClock.adjust(Duration.minutes(1))
      const second = yield* get("dev")
      expect(second.accessKeyId).not.toBe(first.accessKeyId)
      expect(yield* fetched).toBe(2)
    }))

  it.effect("each session + account + role has its own cache file: never one role's keys for another profile", () =>
    Effect.gen(function*() {
      const { directory, fetched, get } = yield* setup()
      const [admin, readOnly, prod] = yield* Effect.all([get("dev"), get("dev-readonly"), get("prod")])
      expect(new Set([admin.accessKeyId, readOnly.accessKeyId, prod.accessKeyId]).size).toBe(3)
      expect(prod.accountId).toBe("222222222222")
      expect(yield* fetched).toBe(3)
      expect(readdirSync(directory).filter((f) => f.endsWith(".json")).sort()).toEqual(
        [keyOf("AdministratorAccess"), keyOf("ReadOnlyAccess"), keyOf("ReadOnlyAccess", "222222222222")]
          .map((key) => `${key}.json`).sort()
      )
    }))

  it.effect("ten concurrent callers for one role make one GetRoleCredentials and get the same keys", () =>
    Effect.gen(function*() {
      const { fetched, get } = yield* setup()
      const all = yield* Effect.all(Array.from({ length: 10 }, () => get("dev")), { concurrency: "unbounded" })
      expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1)
      expect(yield* fetched).toBe(1)
    }))

  it.effect("a role not assigned to the user is SsoPortalResourceNotFound; a missing role key names it", () =>
    Effect.gen(function*() {
      const { get } = yield* setup()
      expect(yield* Effect.flip(get("not-assigned"))).toMatchObject({ _tag: "SsoPortalResourceNotFound", status: 404 })
      expect(yield* Effect.flip(get("nope"))).toMatchObject({ _tag: "SectionNotFound" })
    }))

  it.effect("after the session is signed out at the portal, the next fetch is SsoPortalUnauthorized, saying to sign in again", () =>
    Effect.gen(function*() {
      const { context, emulator, get } = yield* setup()
      const token = yield* SsoTokenProvider.token("corp").pipe(Effect.provide(context))
      const logout = yield* emulator.handle({
        method: "POST",
        path: "/logout",
        query: {},
        headers: { "x-amz-sso_bearer_token": Redacted.value(token.accessToken) },
        bodyText: ""
      })
      expect(logout.status).toBe(200)
      const error = yield* Effect.flip(get("dev"))
      expect(error._tag).toBe("SsoPortalUnauthorized")
      expect(error.message).toContain("sign in again")
    }))

  it.effect("a cache the disk refuses (ENOSPC): the credentials are returned and kept for the process, with a warning and no secret", () =>
    Effect.gen(function*() {
      const { fetched, get } = yield* setup({ fileSystem: fullDisk })
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => logs.push(Array.isArray(message) ? message.join(" ") : String(message)))
      const credentials = yield* get("dev").pipe(Effect.provide(Logger.layer([logger])))
      expect(credentials.accessKeyId).toMatch(/^ASIA/)
      expect((yield* get("dev")).accessKeyId).toBe(credentials.accessKeyId)
      expect(yield* fetched).toBe(1)
      expect(logs.join("\n")).toContain(`the role credentials of profile "dev" could not be cached`)
      expect(logs.join("\n")).not.toContain(Redacted.value(credentials.secretAccessKey))
    }))

  it.effect("layer provides AwsCredentials for the app; a failure is a CredentialsError from source sso", () =>
    Effect.gen(function*() {
      const { context, directory, emulator } = yield* setup()
      const credentialsOf = (profile: string) =>
        Effect.flatMap(AwsCredentials.AwsCredentials, (service) => service.get).pipe(
          Effect.provide(
            SsoCredentials.layer({ profile, cacheDirectory: directory, portal: { endpoint: emulator.url } }).pipe(
              Layer.provide(Layer.succeedContext(context)),
              Layer.provide(NodeFileSystem.layer),
              Layer.provide(NodePath.layer)
            )
          )
        )
      expect((yield* credentialsOf("prod")).accessKeyId).toMatch(/^ASIA/)
      const error = yield* Effect.flip(credentialsOf("not-assigned"))
      expect(error).toMatchObject({ _tag: "CredentialsError", source: "sso" })
      expect(error.message).toContain("no such account or role")
    }))
})

describe("SsoTokenProvider.toSdkTokenProvider", () => {
  it.live("a failure rejects with the typed error itself, as the documentation says (not a wrapper)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({})
      const layer = SsoTokenProvider.layer({ client: { endpoint: emulator.url } }).pipe(
        Layer.provide(TokenCache.layerMemory(new Map())),
        Layer.provide(SsoConfig.layerMemory(config)),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, Emulator.toHttpClient(emulator)))
      )
      const runtime = ManagedRuntime.make(layer)
      const missing = yield* Effect.promise(() => SsoTokenProvider.toSdkTokenProvider(runtime, "corp")().then(() => undefined, (e: unknown) => e))
      yield* Effect.promise(() => runtime.dispose())
      expect(missing).toBeInstanceOf(SsoTokenProvider.TokenMissing)
      const failing = ManagedRuntime.make(Layer.succeed(AwsCredentials.AwsCredentials, {
        get: Effect.fail(new AwsCredentials.CredentialsError({ source: "test", description: "none" }))
      }))
      const refused = yield* Effect.promise(() => AwsCredentials.toSdkCredentialProvider(failing)().then(() => undefined, (e: unknown) => e))
      yield* Effect.promise(() => failing.dispose())
      expect(refused).toBeInstanceOf(AwsCredentials.CredentialsError)
      expect(String(refused)).toBe("CredentialsError: no AWS credentials from test: none")
    }))

  it.live("an SDK token provider: a valid token with its expiry; a session without a token rejects naming no secret", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ autoApproveAfter: "1 millis", interval: "1 second" })
      const files = new Map<string, string>()
      const layer = SsoTokenProvider.layer({ client: { endpoint: emulator.url } }).pipe(
        Layer.provide(TokenCache.layerMemory(files)),
        Layer.provide(SsoConfig.layerMemory(config + "\n[sso-session other]\nsso_start_url = https://other.awsapps.com/start\nsso_region = eu-west-1\n")),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, Emulator.toHttpClient(emulator)))
      )
      const runtime = ManagedRuntime.make(layer)
      yield* Effect.promise(() => runtime.runPromise(SsoTokenProvider.loginToCache("corp")))
      const provider = SsoTokenProvider.toSdkTokenProvider(runtime, "corp")
      const identity = yield* Effect.promise(() => provider())
      const [issued] = yield* emulator.tokens
      expect(identity.token).toMatch(/^aoa/)
      expect(identity.expiration).toBeInstanceOf(Date)
      expect(identity.expiration.getTime()).toBeGreaterThan(Date.now())
      expect(issued).toBeDefined()
      const missing = yield* Effect.promise(() => SsoTokenProvider.toSdkTokenProvider(runtime, "other")().then(() => undefined, (e: unknown) => e))
      expect(String(missing)).toMatch(/TokenMissing|no token|sign in/i)
      expect(String(missing)).not.toContain(identity.token)
      yield* Effect.promise(() => runtime.dispose())
    }))
})
