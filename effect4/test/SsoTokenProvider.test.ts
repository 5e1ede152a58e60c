import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Deferred, Duration, Effect, Fiber, FileSystem, Layer, Option, Redacted } from "effect"
import { HttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { inspect } from "node:util"
import * as Emulator from "../src/testing/Emulator.js"
import * as SsoConfig from "../src/SsoConfig.js"
import * as SsoTokenProvider from "../src/SsoTokenProvider.js"
import * as TokenCache from "../src/TokenCache.js"
import * as Example from "./fixtures/cache/docs.example.js"
import * as MockHttp from "../src/testing/ScriptedHttpClient.js"

const configText = `
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-2
`

const key = TokenCache.tokenKey("corp")
const fileName = `${key}.json`
const MINUTE = 60_000
const SECRETS = ["cached-access", "cached-refresh", "cached-secret", "new-access", "new-refresh", "login-access"]

/** A token file as the AWS CLI writes it, expiring `expiresInMillis` after virtual time 0. */
const cachedFile = (expiresInMillis: number, overrides: Partial<TokenCache.CachedToken> = {}) =>
  TokenCache.encodeToken({
    startUrl: "https://corp.awsapps.com/start",
    region: "eu-west-1",
    accessToken: Redacted.make("cached-access"),
    expiresAt: new Date(expiresInMillis),
    clientId: "cached-client",
    clientSecret: Redacted.make("cached-secret"),
    registrationExpiresAt: new Date(90 * 24 * 60 * MINUTE),
    refreshToken: Redacted.make("cached-refresh"),
    ...overrides
  })

const refreshReply = (body: Record<string, unknown> = {}) =>
  MockHttp.json({ accessToken: "new-access", tokenType: "Bearer", expiresIn: 3600, refreshToken: "new-refresh", ...body })

const setup = (
  files: Map<string, string>,
  handler: (request: MockHttp.Recorded, index: number) => Effect.Effect<MockHttp.Reply> | MockHttp.Reply,
  options: SsoTokenProvider.Options = {}
) =>
  Effect.map(MockHttp.make(handler), (mock) => ({
    mock,
    layer: SsoTokenProvider.layer({ ...options, client: { retry: false, ...options.client } }).pipe(
      Layer.provide(TokenCache.layerMemory(files)),
      Layer.provide(SsoConfig.layerMemory(configText)),
      Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client))
    )
  }))

const fileOf = (files: Map<string, string>, name = fileName) => JSON.parse(files.get(name)!)
const tokenText = (token: SsoTokenProvider.AccessToken) => Redacted.value(token.accessToken)

const expectNoSecret = (value: unknown) => {
  const printed = [String(value), inspect(value, { depth: 5 }), JSON.stringify(value)].join("\n")
  for (const secret of SECRETS) expect(printed).not.toContain(secret)
  if (value instanceof Error) for (const secret of SECRETS) expect(value.message).not.toContain(secret)
}

describe("token: refresh rules", () => {
  it.effect("a token valid beyond the refresh window is returned from the cache, with no request", () => {
    const files = new Map([[fileName, cachedFile(6 * MINUTE)]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, () => refreshReply())
      const token = yield* SsoTokenProvider.token("corp").pipe(Effect.provide(layer))
      expect(tokenText(token)).toBe("cached-access")
      expect(token).toMatchObject({ sessionName: "corp", region: "eu-west-1", startUrl: "https://corp.awsapps.com/start" })
      expect(yield* mock.requests).toHaveLength(0)
    })
  })

  it.effect("inside the 5-minute window: one CreateToken refresh_token call to the session's region, written back", () => {
    const files = new Map([[fileName, cachedFile(5 * MINUTE)]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, () => refreshReply())
      yield* TestClock.adjust(Duration.seconds(10))
      const token = yield* SsoTokenProvider.token("corp").pipe(Effect.provide(layer))
      expect(tokenText(token)).toBe("new-access")
      expect(token.expiresAt.toISOString()).toBe(new Date(10_000 + 3_600_000).toISOString())
      const requests = yield* mock.requests
      expect(requests).toHaveLength(1)
      expect(requests[0]!.url).toBe("https://oidc.eu-west-1.amazonaws.com/token")
      expect(requests[0]!.json).toEqual({
        clientId: "cached-client",
        clientSecret: "cached-secret",
        grantType: "refresh_token",
        refreshToken: "cached-refresh"
      })
      expect(fileOf(files)).toEqual({
        startUrl: "https://corp.awsapps.com/start",
        region: "eu-west-1",
        accessToken: "new-access",
        expiresAt: "1970-01-01T01:00:10Z",
        clientId: "cached-client",
        clientSecret: "cached-secret",
        registrationExpiresAt: "1970-04-01T00:00:00Z",
        refreshToken: "new-refresh"
      })
    })
  })

  it.effect("the window is strict: 5 min + 1 s left is not refreshed, 5 min left is", () => {
    const files = new Map([[fileName, cachedFile(5 * MINUTE + 1_000)]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, () => refreshReply())
      const provider = yield* Effect.provide(SsoTokenProvider.SsoTokenProvider, layer)
      expect(tokenText(yield* provider.token("corp"))).toBe("cached-access")
      expect(yield* mock.requests).toHaveLength(0)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(tokenText(yield* provider.token("corp"))).toBe("new-access")
      expect(yield* mock.requests).toHaveLength(1)
    })
  })

  it.effect("the window is configurable: 15 minutes refreshes what the AWS CLI would", () => {
    const files = new Map([[fileName, cachedFile(14 * MINUTE)]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, () => refreshReply(), { refreshWindow: "15 minutes" })
      expect(tokenText(yield* SsoTokenProvider.token("corp").pipe(Effect.provide(layer)))).toBe("new-access")
      expect(yield* mock.requests).toHaveLength(1)
    })
  })

  it.effect("a reply without a refresh token keeps the old refresh token in the file", () => {
    const files = new Map([[fileName, cachedFile(MINUTE)]])
    return Effect.gen(function*() {
      const { layer } = yield* setup(files, () => refreshReply({ refreshToken: undefined }))
      yield* SsoTokenProvider.token("corp").pipe(Effect.provide(layer))
      expect(fileOf(files).accessToken).toBe("new-access")
      expect(fileOf(files).refreshToken).toBe("cached-refresh")
    })
  })

  it.effect("an expired but refreshable token is refreshed", () => {
    const files = new Map([[fileName, cachedFile(MINUTE)]])
    return Effect.gen(function*() {
      const { layer } = yield* setup(files, () => refreshReply())
      yield* TestClock.adjust(Duration.minutes(10))
      expect(tokenText(yield* SsoTokenProvider.token("corp").pipe(Effect.provide(layer)))).toBe("new-access")
    })
  })

  it.effect("concurrent callers in one process share one CreateToken request", () => {
    const files = new Map([[fileName, cachedFile(MINUTE)]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, () => Effect.as(Effect.sleep(Duration.seconds(2)), refreshReply()))
      const provider = yield* Effect.provide(SsoTokenProvider.SsoTokenProvider, layer)
      const fiber = yield* Effect.forkChild(
        Effect.all(Array.from({ length: 12 }, () => provider.token("corp")), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust(Duration.seconds(5))
      const tokens = yield* Fiber.join(fiber)
      expect(tokens.map(tokenText)).toEqual(Array(12).fill("new-access"))
      expect(yield* mock.requests).toHaveLength(1)
    })
  })

  it.effect("at most one attempt per session per 30 s: a failed refresh of a valid token returns it", () => {
    const files = new Map([[fileName, cachedFile(3 * MINUTE)]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, (_, index) =>
        index === 0 ? MockHttp.awsError("InternalServerException", { status: 500 }) : refreshReply())
      const provider = yield* Effect.provide(SsoTokenProvider.SsoTokenProvider, layer)
      expect(tokenText(yield* provider.token("corp"))).toBe("cached-access")
      expect(yield* mock.requests).toHaveLength(1)
      yield* TestClock.adjust(Duration.seconds(29))
      expect(tokenText(yield* provider.token("corp"))).toBe("cached-access")
      expect(yield* mock.requests).toHaveLength(1)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(tokenText(yield* provider.token("corp"))).toBe("new-access")
      const requests = yield* mock.requests
      expect(requests.map((request) => request.at)).toEqual([0, 30_000])
    })
  })

  it.effect("the throttle is per session: another session refreshes at once", () => {
    const legacyKey = TokenCache.tokenKey("https://legacy.awsapps.com/start")
    const files = new Map([
      [fileName, cachedFile(MINUTE)],
      [`${legacyKey}.json`, cachedFile(MINUTE, { startUrl: "https://legacy.awsapps.com/start", region: "us-east-2" })]
    ])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, () => MockHttp.awsError("InternalServerException", { status: 500 }))
      const provider = yield* Effect.provide(SsoTokenProvider.SsoTokenProvider, layer)
      const legacy = yield* Effect.provide(SsoConfig.profile("legacy"), SsoConfig.layerMemory(configText))
      yield* provider.token("corp")
      yield* provider.token(legacy)
      const requests = yield* mock.requests
      expect(requests.map((request) => request.url)).toEqual([
        "https://oidc.eu-west-1.amazonaws.com/token",
        "https://oidc.us-east-2.amazonaws.com/token"
      ])
    })
  })

  it.effect("throttled and expired: the last refresh failure, without a new request", () => {
    const files = new Map([[fileName, cachedFile(MINUTE)]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, () => MockHttp.awsError("InternalServerException", { status: 500 }))
      const provider = yield* Effect.provide(SsoTokenProvider.SsoTokenProvider, layer)
      yield* TestClock.adjust(Duration.minutes(2))
      const first = yield* Effect.flip(provider.token("corp"))
      yield* TestClock.adjust(Duration.seconds(10))
      const second = yield* Effect.flip(provider.token("corp"))
      expect(first._tag).toBe("RefreshFailed")
      expect(second._tag).toBe("RefreshFailed")
      expect(second._tag === "RefreshFailed" && first._tag === "RefreshFailed" && second.cause === first.cause).toBe(true)
      expect(yield* mock.requests).toHaveLength(1)
    })
  })
})

describe("token: errors", () => {
  it.effect("no cache file: TokenMissing, telling the user to log in", () =>
    Effect.gen(function*() {
      const { layer, mock } = yield* setup(new Map(), () => refreshReply())
      const error = yield* Effect.flip(SsoTokenProvider.token("corp").pipe(Effect.provide(layer)))
      expect(error._tag).toBe("TokenMissing")
      expect(error.message).toContain("sso-oidc login --sso-session corp")
      expect(error.message).toContain(fileName)
      expect(yield* mock.requests).toHaveLength(0)
    }))

  it.effect("expired without a refresh token: TokenExpired(NoRefreshToken) with the login command, no request", () => {
    const files = new Map([[fileName, cachedFile(MINUTE, { refreshToken: undefined })]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, () => refreshReply())
      yield* TestClock.adjust(Duration.minutes(2))
      const error = yield* Effect.flip(SsoTokenProvider.token("corp").pipe(Effect.provide(layer)))
      expect(error).toMatchObject({ _tag: "TokenExpired", reason: "NoRefreshToken", sessionName: "corp" })
      expect(error.message).toContain("Run `sso-oidc login --sso-session corp` to sign in again")
      expect(yield* mock.requests).toHaveLength(0)
      expectNoSecret(error)
    })
  })

  it.effect("registration expired: not refreshable; the valid token is served, then TokenExpired(RegistrationExpired)", () => {
    const files = new Map([[fileName, cachedFile(3 * MINUTE, { registrationExpiresAt: new Date(MINUTE) })]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, () => refreshReply())
      const provider = yield* Effect.provide(SsoTokenProvider.SsoTokenProvider, layer)
      yield* TestClock.adjust(Duration.minutes(2))
      expect(tokenText(yield* provider.token("corp"))).toBe("cached-access")
      yield* TestClock.adjust(Duration.minutes(2))
      const error = yield* Effect.flip(provider.token("corp"))
      expect(error).toMatchObject({ _tag: "TokenExpired", reason: "RegistrationExpired" })
      expect(yield* mock.requests).toHaveLength(0)
    })
  })

  it.effect("expired without client credentials: TokenExpired(NoClientRegistration)", () => {
    const files = new Map([[fileName, cachedFile(MINUTE, { clientSecret: undefined })]])
    return Effect.gen(function*() {
      const { layer } = yield* setup(files, () => refreshReply())
      yield* TestClock.adjust(Duration.minutes(2))
      const error = yield* Effect.flip(SsoTokenProvider.token("corp").pipe(Effect.provide(layer)))
      expect(error).toMatchObject({ _tag: "TokenExpired", reason: "NoClientRegistration" })
    })
  })

  it.effect("expired and the refresh is refused: RefreshFailed with the typed cause and no secret", () => {
    const files = new Map([[fileName, cachedFile(MINUTE)]])
    return Effect.gen(function*() {
      const { layer } = yield* setup(files, () =>
        MockHttp.awsError("InvalidGrantException", {
          error: "invalid_grant",
          description: "Invalid refresh token provided"
        }))
      yield* TestClock.adjust(Duration.minutes(2))
      const error = yield* Effect.flip(SsoTokenProvider.token("corp").pipe(Effect.provide(layer)))
      expect(error._tag).toBe("RefreshFailed")
      if (error._tag !== "RefreshFailed") return
      expect(error.cause._tag).toBe("InvalidGrant")
      expect(error.sessionEnded).toBe(true)
      expect(error.message).toContain("Invalid refresh token provided")
      expect(error.message).toContain("sso-oidc login --sso-session corp")
      expectNoSecret(error)
      // the cache is left as it was
      expect(fileOf(files).accessToken).toBe("cached-access")
    })
  })

  it.effect("a transport failure of an expired token: RefreshFailed that does not claim the session ended", () => {
    const files = new Map([[fileName, cachedFile(MINUTE)]])
    return Effect.gen(function*() {
      const { layer } = yield* setup(files, () => MockHttp.transportFailure())
      yield* TestClock.adjust(Duration.minutes(2))
      const error = yield* Effect.flip(SsoTokenProvider.token("corp").pipe(Effect.provide(layer)))
      expect(error._tag === "RefreshFailed" && error.cause._tag).toBe("TransportError")
      expect(error._tag === "RefreshFailed" && error.sessionEnded).toBe(false)
    })
  })

  it.effect("a reply without accessToken or with expiresIn 0 is a failed refresh, not a token", () => {
    const files = new Map([[fileName, cachedFile(MINUTE)]])
    return Effect.gen(function*() {
      const { layer } = yield* setup(files, () => MockHttp.json({ accessToken: "new-access", expiresIn: 0 }))
      yield* TestClock.adjust(Duration.minutes(2))
      const error = yield* Effect.flip(SsoTokenProvider.token("corp").pipe(Effect.provide(layer)))
      expect(error._tag === "RefreshFailed" && error.cause._tag).toBe("ResponseDecodeError")
      expect(fileOf(files).accessToken).toBe("cached-access")
    })
  })

  it.effect("a corrupt token file is CacheFileCorrupt and is not overwritten", () => {
    const partial = cachedFile(MINUTE).slice(0, 60)
    const files = new Map([[fileName, partial]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, () => refreshReply())
      const error = yield* Effect.flip(SsoTokenProvider.token("corp").pipe(Effect.provide(layer)))
      expect(error._tag).toBe("CacheFileCorrupt")
      expect(files.get(fileName)).toBe(partial)
      expect(yield* mock.requests).toHaveLength(0)
    })
  })

  it.effect("config errors pass through typed", () =>
    Effect.gen(function*() {
      const { layer } = yield* setup(new Map(), () => refreshReply())
      expect(yield* Effect.flip(SsoTokenProvider.token("nope").pipe(Effect.provide(layer)))).toMatchObject({
        _tag: "SectionNotFound",
        kind: "sso-session",
        name: "nope"
      })
    }))

  it.effect("a legacy profile's token is keyed by its start URL", () => {
    const legacyKey = TokenCache.tokenKey("https://legacy.awsapps.com/start")
    const files = new Map([[`${legacyKey}.json`, cachedFile(60 * MINUTE)]])
    return Effect.gen(function*() {
      const { layer } = yield* setup(files, () => refreshReply())
      const session = yield* Effect.provide(SsoConfig.profile("legacy"), SsoConfig.layerMemory(configText))
      const token = yield* SsoTokenProvider.token(session).pipe(Effect.provide(layer))
      expect(tokenText(token)).toBe("cached-access")
      expect(token.sessionName).toBeUndefined()
    })
  })

  it.effect("tokens print no secret", () => {
    const files = new Map([[fileName, cachedFile(MINUTE)]])
    return Effect.gen(function*() {
      const { layer } = yield* setup(files, () => refreshReply())
      expectNoSecret(yield* SsoTokenProvider.token("corp").pipe(Effect.provide(layer)))
    })
  })
})

// -----------------------------------------------------------------------------
// login to cache
// -----------------------------------------------------------------------------

const registrationKey = TokenCache.registrationKey({
  startUrl: "https://corp.awsapps.com/start",
  region: "eu-west-1",
  registrationScopes: ["sso:account:access"],
  sessionName: "corp"
})

/** RegisterClient, StartDeviceAuthorization, then CreateToken: pending once, then the token. */
const loginServer = () => {
  let polls = 0
  return (request: MockHttp.Recorded): MockHttp.Reply => {
    switch (request.path) {
      case "/client/register":
        return MockHttp.json({
          clientId: "new-client",
          clientSecret: "new-secret",
          clientIdIssuedAt: 0,
          clientSecretExpiresAt: 90 * 24 * 3600
        })
      case "/device_authorization":
        return MockHttp.json({
          deviceCode: "device-code",
          userCode: "ABCD-EFGH",
          verificationUri: "https://device.sso.eu-west-1.amazonaws.com/",
          verificationUriComplete: "https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH",
          expiresIn: 600,
          interval: 1
        })
      default:
        return polls++ === 0
          ? MockHttp.awsError("AuthorizationPendingException", { error: "authorization_pending" })
          : MockHttp.json({ accessToken: "login-access", tokenType: "Bearer", expiresIn: 28800, refreshToken: "login-refresh" })
    }
  }
}

/** The cache with one device-flow registration of `cached-client`, expiring at `expiresAt` (ms). */
const cachedRegistrationFile = (expiresAt: number) =>
  new Map([[
    `${registrationKey}.json`,
    TokenCache.encodeRegistration({
      clientId: "cached-client",
      clientSecret: Redacted.make("cached-secret"),
      expiresAt: new Date(expiresAt),
      scopes: ["sso:account:access"],
      grantTypes: undefined
    })
  ]])

const runLogin = (layer: Layer.Layer<SsoTokenProvider.SsoTokenProvider>, options?: SsoTokenProvider.LoginOptions) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(SsoTokenProvider.loginToCache("corp", options).pipe(Effect.provide(layer)))
    yield* TestClock.adjust(Duration.seconds(5))
    return yield* Fiber.join(fiber)
  })

describe("login to cache", () => {
  it.effect("writes the token and the registration as `aws sso login` does", () => {
    const files = new Map<string, string>()
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, loginServer())
      const events: Array<string> = []
      const token = yield* runLogin(layer, { onEvent: (event) => Effect.sync(() => void events.push(event._tag)) })
      expect(tokenText(token)).toBe("login-access")
      expect(events).toEqual(["Registered", "AwaitingUser", "Pending", "Authorized"])
      const requests = yield* mock.requests
      expect(requests.map((request) => request.path)).toEqual([
        "/client/register",
        "/device_authorization",
        "/token",
        "/token"
      ])
      expect(requests[0]!.json).toMatchObject({ clientName: "effect-sso-oidc-corp", scopes: ["sso:account:access"] })
      expect(requests[1]!.json).toMatchObject({ startUrl: "https://corp.awsapps.com/start", clientId: "new-client" })
      expect(Object.keys(fileOf(files))).toEqual([
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken"
      ])
      expect(fileOf(files)).toEqual({
        startUrl: "https://corp.awsapps.com/start",
        region: "eu-west-1",
        accessToken: "login-access",
        expiresAt: "1970-01-01T08:00:02Z",
        clientId: "new-client",
        clientSecret: "new-secret",
        registrationExpiresAt: "1970-04-01T00:00:00Z",
        refreshToken: "login-refresh"
      })
      expect(files.get(`${registrationKey}.json`)).toBe(
        `{"clientId": "new-client", "clientSecret": "new-secret", "expiresAt": "1970-04-01T00:00:00Z", "scopes": ["sso:account:access"]}`
      )
    })
  })

  it.effect("a login stopped at its prompt keeps its new registration, as the AWS CLI does: the next login reuses it", () => {
    const files = new Map<string, string>()
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, loginServer())
      const prompted = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkChild(
        SsoTokenProvider.loginToCache("corp", {
          onEvent: (event) => event._tag === "AwaitingUser" ? Effect.asVoid(Deferred.succeed(prompted, undefined)) : Effect.void
        }).pipe(Effect.provide(layer))
      )
      yield* Deferred.await(prompted)
      // At the prompt: registered and authorization started, no poll yet, nothing signed in.
      expect((yield* mock.requests).map((request) => request.path)).toEqual(["/client/register", "/device_authorization"])
      yield* Fiber.interrupt(fiber)
      expect(files.has(`${key}.json`)).toBe(false)
      expect(fileOf(files, `${registrationKey}.json`)).toMatchObject({ clientId: "new-client", clientSecret: "new-secret" })
      yield* runLogin(layer)
      const paths = (yield* mock.requests).map((request) => request.path)
      expect(paths.filter((path) => path === "/client/register")).toHaveLength(1)
      expect(fileOf(files)).toMatchObject({ clientId: "new-client", accessToken: "login-access" })
    })
  })

  it.effect("a cached registration valid for more than 15 minutes is reused: no RegisterClient", () => {
    const files = cachedRegistrationFile(16 * MINUTE)
    return Effect.gen(function*() {
      const before = files.get(`${registrationKey}.json`)
      const { layer, mock } = yield* setup(files, loginServer())
      yield* runLogin(layer)
      const requests = yield* mock.requests
      expect(requests.map((request) => request.path)).not.toContain("/client/register")
      expect(requests[0]!.json).toMatchObject({ clientId: "cached-client", clientSecret: "cached-secret" })
      expect(fileOf(files)).toMatchObject({ clientId: "cached-client", registrationExpiresAt: "1970-01-01T00:16:00Z" })
      expect(files.get(`${registrationKey}.json`)).toBe(before)
    })
  })

  it.effect("a cached registration the service no longer knows (InvalidClient) is replaced by the login's new one", () => {
    const files = cachedRegistrationFile(60 * MINUTE)
    return Effect.gen(function*() {
      const answer = loginServer()
      const { layer, mock } = yield* setup(files, (request) =>
        request.path === "/device_authorization" && request.json.clientId === "cached-client"
          ? MockHttp.awsError("InvalidClientException", { status: 401, error: "invalid_client" })
          : answer(request))
      yield* runLogin(layer)
      const paths = (yield* mock.requests).map((request) => request.path)
      expect(paths.slice(0, 3)).toEqual(["/device_authorization", "/client/register", "/device_authorization"])
      expect(fileOf(files, `${registrationKey}.json`)).toMatchObject({ clientId: "new-client", clientSecret: "new-secret" })
      expect(fileOf(files)).toMatchObject({ clientId: "new-client", accessToken: "login-access" })
    })
  })

  it.effect("a registration expiring within 15 minutes, or made for the authorization-code flow, is replaced", () =>
    Effect.gen(function*() {
      for (
        const registration of [
          { expiresAt: new Date(14 * MINUTE), grantTypes: undefined },
          { expiresAt: new Date(60 * MINUTE), grantTypes: ["authorization_code", "refresh_token"] }
        ]
      ) {
        const files = new Map([[
          `${registrationKey}.json`,
          TokenCache.encodeRegistration({
            clientId: "cached-client",
            clientSecret: Redacted.make("cached-secret"),
            scopes: ["sso:account:access"],
            ...registration
          })
        ]])
        const { layer, mock } = yield* setup(files, loginServer())
        yield* runLogin(layer)
        expect((yield* mock.requests)[0]!.path).toBe("/client/register")
        expect(fileOf(files, `${registrationKey}.json`).clientId).toBe("new-client")
      }
    }))

  it.effect("after a login, token() serves the new token without a request", () => {
    const files = new Map<string, string>()
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, loginServer())
      const provider = yield* Effect.provide(SsoTokenProvider.SsoTokenProvider, layer)
      const fiber = yield* Effect.forkChild(provider.login("corp"))
      yield* TestClock.adjust(Duration.seconds(5))
      yield* Fiber.join(fiber)
      const count = (yield* mock.requests).length
      expect(tokenText(yield* provider.token("corp"))).toBe("login-access")
      expect(yield* mock.requests).toHaveLength(count)
    })
  })

  it.effect("a corrupt token file stops the login before anything is sent, unless replaceCorrupt", () => {
    const files = new Map([[fileName, "{\"accessToken\": \"cached-acc"]])
    return Effect.gen(function*() {
      const { layer, mock } = yield* setup(files, loginServer())
      const error = yield* Effect.flip(SsoTokenProvider.loginToCache("corp").pipe(Effect.provide(layer)))
      expect(error._tag).toBe("CacheFileCorrupt")
      expect(yield* mock.requests).toHaveLength(0)
      expect(files.get(fileName)).toBe("{\"accessToken\": \"cached-acc")
      yield* runLogin(layer, { replaceCorrupt: true })
      expect(fileOf(files).accessToken).toBe("login-access")
    })
  })

  it.effect("a login for a legacy profile keys the token by start URL and the registration by a null session", () => {
    const files = new Map<string, string>()
    return Effect.gen(function*() {
      const { layer } = yield* setup(files, loginServer())
      const session = yield* Effect.provide(SsoConfig.profile("legacy"), SsoConfig.layerMemory(configText))
      const fiber = yield* Effect.forkChild(SsoTokenProvider.loginToCache(session).pipe(Effect.provide(layer)))
      yield* TestClock.adjust(Duration.seconds(5))
      yield* Fiber.join(fiber)
      const tokenFile = `${TokenCache.tokenKey("https://legacy.awsapps.com/start")}.json`
      const legacyRegistration = `${
        TokenCache.registrationKey({
          startUrl: "https://legacy.awsapps.com/start",
          region: "us-east-2",
          registrationScopes: undefined,
          sessionName: undefined
        })
      }.json`
      expect([...files.keys()].sort()).toEqual([tokenFile, legacyRegistration].sort())
      expect(Option.fromNullishOr(files.get(legacyRegistration)).pipe(Option.map((text) => JSON.parse(text).scopes)))
        .toEqual(Option.some(undefined))
    })
  })
})

// -----------------------------------------------------------------------------
// end to end against the in-process emulator, in virtual time
// -----------------------------------------------------------------------------

describe("against the emulator", () => {
  it.effect("login, then refreshes near expiry with the rotated refresh token written back each time", () => {
    const files = new Map<string, string>()
    return Effect.gen(function*() {
      const emulator = yield* Emulator.make({ autoApproveAfter: "3 seconds", tokenExpiresIn: "1 hour" })
      const layer = SsoTokenProvider.layer({ client: { endpoint: emulator.url, retry: false } }).pipe(
        Layer.provide(TokenCache.layerMemory(files)),
        Layer.provide(SsoConfig.layerMemory(configText)),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, Emulator.toHttpClient(emulator)))
      )
      const provider = yield* Effect.provide(SsoTokenProvider.SsoTokenProvider, layer)
      const login = yield* Effect.forkChild(provider.login("corp"))
      yield* TestClock.adjust(Duration.seconds(10))
      const first = yield* Fiber.join(login)
      const afterLogin = fileOf(files)
      expect(afterLogin.refreshToken).toBeTypeOf("string")

      // 54 minutes later: 6 minutes left, outside the window
      yield* TestClock.adjust(Duration.minutes(54))
      expect(Redacted.value((yield* provider.token("corp")).accessToken)).toBe(Redacted.value(first.accessToken))

      // 56 minutes: 4 minutes left, refreshed
      yield* TestClock.adjust(Duration.minutes(2))
      const second = yield* provider.token("corp")
      expect(Redacted.value(second.accessToken)).not.toBe(Redacted.value(first.accessToken))
      const afterRefresh = fileOf(files)
      expect(afterRefresh.refreshToken).not.toBe(afterLogin.refreshToken)

      // and again an hour later, with the rotated refresh token from the file
      yield* TestClock.adjust(Duration.minutes(57))
      const third = yield* provider.token("corp")
      expect(Redacted.value(third.accessToken)).not.toBe(Redacted.value(second.accessToken))
      expect((yield* emulator.tokens).length).toBe(3)

      // a stale copy of the file (the pre-rotation refresh token) is refused: the session has to log in again
      files.set(fileName, JSON.stringify({ ...afterRefresh, expiresAt: "1970-01-01T00:00:00Z" }))
      yield* TestClock.adjust(Duration.minutes(1))
      const error = yield* Effect.flip(provider.token("corp"))
      expect(error._tag === "RefreshFailed" && error.cause._tag).toBe("InvalidGrant")
      expect(error._tag === "RefreshFailed" && error.sessionEnded).toBe(true)
    })
  })
})

// -----------------------------------------------------------------------------
// the guide's example
// -----------------------------------------------------------------------------

describe("docs/token-cache.md", () => {
  // The example is this edition's copy; the guide is the root's, which shows both editions' code.
  const read = (path: string) => readFileSync(join(__dirname, "..", path), "utf8")

  it("quotes the example verbatim", () => {
    const text = read("test/fixtures/cache/docs.example.ts")
    const block = text.slice(
      text.indexOf("// --- example start\n") + "// --- example start\n".length,
      text.indexOf("// --- example end")
    ).trimEnd()
    expect(block.length).toBeGreaterThan(0)
    expect(read("../docs/token-cache.md")).toContain(block)
  })

  it.effect("the example signs in and then authorizes (emulator, memory cache, virtual time)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ autoApproveAfter: "2 seconds" })
      const layer = SsoTokenProvider.layer({ client: { endpoint: emulator.url } }).pipe(
        Layer.provide(TokenCache.layerMemory()),
        Layer.provide(SsoConfig.layerMemory(configText.replace("corp", "my-sso"))),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, Emulator.toHttpClient(emulator)))
      )
      const fiber = yield* Effect.forkChild(Example.signIn.pipe(Effect.andThen(Example.authorization), Effect.provide(layer)))
      yield* TestClock.adjust(Duration.seconds(10))
      expect(yield* Fiber.join(fiber)).toMatch(/^Bearer .+/)
    }))

  it.live("SsoLive reads ~/.aws/config and ~/.aws/sso/cache of HOME", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const home = yield* fs.makeTempDirectoryScoped()
      yield* fs.makeDirectory(join(home, ".aws", "sso", "cache"), { recursive: true, mode: 0o700 })
      yield* fs.writeFileString(join(home, ".aws", "config"), configText.replace("corp", "my-sso"))
      // 0600, as the AWS CLI writes it: a looser mode would (rightly) log a warning.
      yield* fs.writeFileString(
        join(home, ".aws", "sso", "cache", `${TokenCache.tokenKey("my-sso")}.json`),
        cachedFile(Date.now() + 60 * MINUTE),
        { mode: 0o600 }
      )
      const env = ConfigProvider.fromEnvRecord({ HOME: home })
      const header = yield* Example.authorization.pipe(
        Effect.provide(Example.SsoLive),
        Effect.provideService(ConfigProvider.ConfigProvider, env)
      )
      expect(header).toBe("Bearer cached-access")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
