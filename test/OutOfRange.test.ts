/**
 * Numbers a timestamp cannot hold, and values a cache file cannot keep
 * (issue 11, item 5). Before: `expiresIn` or `clientSecretExpiresAt` of 1e12
 * killed a login or refresh with `RangeError: timestamp out of range` (a
 * defect); 1e308 wrote `"0NaN-NaN-NaNTNaN:NaN:NaNZ"` to the cache, whose next
 * read was `CacheFileCorrupt`; a StartDeviceAuthorization `expiresIn` of 1e308
 * ended the login at once with `ExpiredToken`; an empty `accessToken` was
 * written and read back as corrupt. Now each is a typed `ResponseDecodeError`
 * at the schema (or a refused write), and nothing invalid reaches the disk.
 * All in virtual time (TestClock at 0).
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Either, Exit, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import * as AwsCredentials from "../src/AwsCredentials.js"
import * as DeviceLogin from "../src/DeviceLogin.js"
import * as SsoConfig from "../src/SsoConfig.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import * as SsoTokenProvider from "../src/SsoTokenProvider.js"
import * as TokenCache from "../src/TokenCache.js"
import * as Mock from "../src/testing/ScriptedHttpClient.js"

const startUrl = "https://corp.awsapps.com/start"
const configText = `
[sso-session corp]
sso_start_url = ${startUrl}
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`
const key = TokenCache.tokenKey("corp")
const registrationKey = TokenCache.registrationKey({
  startUrl,
  region: "eu-west-1",
  registrationScopes: ["sso:account:access"],
  sessionName: "corp"
})
const MINUTE = 60_000

/** A raw JSON reply: `1e999` must reach `JSON.parse` as written (it reads as Infinity). */
const rawJson = (body: string) => Mock.raw(200, body, { "content-type": "application/json", "x-amzn-requestid": "req-1" })

/** The typed failure of an exit; fails the test on success or on a defect. */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  expect(Cause.isDie(exit.cause), `expected a typed failure, got ${Cause.pretty(exit.cause)}`).toBe(false)
  return Option.getOrThrow(Cause.failureOption(exit.cause))
}

// -----------------------------------------------------------------------------
// the schema
// -----------------------------------------------------------------------------

const members = [
  { operation: "RegisterClient", member: "clientSecretExpiresAt", kind: "epoch seconds", max: 253_402_300_799 },
  { operation: "RegisterClient", member: "clientIdIssuedAt", kind: "epoch seconds", max: 253_402_300_799 },
  { operation: "StartDeviceAuthorization", member: "expiresIn", kind: "seconds", max: 315_360_000 },
  // A fractional interval is read as sent: polling never goes below 1 s anyway (DeviceLogin.test.ts).
  { operation: "StartDeviceAuthorization", member: "interval", kind: "seconds", max: 315_360_000, fractions: true },
  { operation: "CreateToken", member: "expiresIn", kind: "seconds", max: 315_360_000 },
  { operation: "CreateTokenWithIAM", member: "expiresIn", kind: "seconds", max: 315_360_000 }
] as const

const call = (operation: (typeof members)[number]["operation"]) =>
  Effect.gen(function*() {
    const client = yield* SsoOidcClient.SsoOidcClient
    const secret = Redacted.make("secret")
    switch (operation) {
      case "RegisterClient":
        return yield* Effect.asVoid(client.registerClient({ clientName: "c", clientType: "public" }))
      case "StartDeviceAuthorization":
        return yield* Effect.asVoid(client.startDeviceAuthorization({ clientId: "c", clientSecret: secret, startUrl }))
      case "CreateToken":
        return yield* Effect.asVoid(
          client.createToken({ clientId: "c", clientSecret: secret, grantType: "refresh_token", refreshToken: secret })
        )
      case "CreateTokenWithIAM":
        return yield* Effect.asVoid(
          client.createTokenWithIam({ clientId: "arn:app", grantType: "refresh_token", refreshToken: secret })
        )
    }
  })

const replyingWith = (body: string) =>
  Effect.map(Mock.make(() => rawJson(body)), (mock) => Mock.clientLayer(mock, { retry: false }))

// CreateTokenWithIAM is signed: any static credentials do.
const awsCredentials = AwsCredentials.layerStatic({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: Redacted.make("secret") })

describe("the schema bounds the model's integer members", () => {
  for (const entry of members) {
    const { kind, max, member, operation } = entry
    const fractions = "fractions" in entry
    for (const value of ["1e12", "1e308", "1e999", "-1", ...(fractions ? [] : ["1.5"]), String(max + 1)]) {
      it.effect(`${operation} ${member}: ${value} is a ResponseDecodeError naming the member`, () =>
        Effect.gen(function*() {
          const layer = yield* replyingWith(`{"${member}": ${value}}`)
          const exit = yield* Effect.exit(call(operation).pipe(Effect.provide(layer)))
          expect(failureOf(exit)).toMatchObject({
            _tag: "ResponseDecodeError",
            operation,
            status: 200,
            description: expect.stringContaining(
              `${member}: expected ${kind} (${fractions ? "a number" : "an integer"} from 0 to ${max}`
            )
          })
        }).pipe(Effect.provide(awsCredentials)))
    }
    it.effect(`${operation} ${member}: ${max}, the largest, is read`, () =>
      Effect.gen(function*() {
        const layer = yield* replyingWith(`{"${member}": ${max}}`)
        yield* call(operation).pipe(Effect.provide(layer))
      }).pipe(Effect.provide(awsCredentials)))
  }
})

// -----------------------------------------------------------------------------
// logins
// -----------------------------------------------------------------------------

const registered = (fields: Record<string, unknown> = {}) =>
  Mock.json({ clientId: "client-1", clientSecret: "client-secret", clientSecretExpiresAt: 7_776_000, ...fields })
const started = (fields: Record<string, unknown> = {}) =>
  Mock.json({
    deviceCode: "device-code",
    userCode: "ABCD-EFGH",
    verificationUri: "https://device.sso.eu-west-1.amazonaws.com/",
    expiresIn: 600,
    interval: 1,
    ...fields
  })
const granted = (fields: Record<string, unknown> = {}) =>
  Mock.json({ accessToken: "new-access", refreshToken: "new-refresh", tokenType: "Bearer", expiresIn: 28_800, ...fields })

interface Script {
  readonly register?: Mock.Reply
  readonly start?: Mock.Reply
  readonly token?: Mock.Reply
}

const scripted = (script: Script) =>
  Mock.make((request) => {
    switch (request.path) {
      case "/client/register":
        return script.register ?? registered()
      case "/device_authorization":
        return script.start ?? started()
      default:
        return script.token ?? granted()
    }
  })

/** `SsoTokenProvider.login` over a memory cache, run to its end in virtual time. */
const loginToCache = (script: Script) =>
  Effect.gen(function*() {
    const mock = yield* scripted(script)
    const files = new Map<string, string>()
    const layer = SsoTokenProvider.layer({ client: { retry: false } }).pipe(
      Layer.provide(TokenCache.layerMemory(files)),
      Layer.provide(SsoConfig.layerMemory(configText)),
      Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client))
    )
    const fiber = yield* SsoTokenProvider.loginToCache("corp").pipe(Effect.provide(layer), Effect.fork)
    yield* TestClock.adjust(Duration.minutes(15))
    const exit = Option.getOrThrow(yield* Fiber.poll(fiber))
    return { exit, files, paths: (yield* mock.requests).map((r) => r.path) }
  })

describe("a login with out-of-range numbers ends in ResponseDecodeError and writes no token (a good registration is kept)", () => {
  const cases: ReadonlyArray<readonly [string, Script, string, string]> = [
    ["RegisterClient clientSecretExpiresAt 1e12", { register: registered({ clientSecretExpiresAt: 1e12 }) }, "RegisterClient", "clientSecretExpiresAt"],
    ["RegisterClient clientSecretExpiresAt 1e308", { register: registered({ clientSecretExpiresAt: 1e308 }) }, "RegisterClient", "clientSecretExpiresAt"],
    ["StartDeviceAuthorization expiresIn 1e308", { start: started({ expiresIn: 1e308 }) }, "StartDeviceAuthorization", "expiresIn"],
    ["CreateToken expiresIn 1e12", { token: granted({ expiresIn: 1e12 }) }, "CreateToken", "expiresIn"],
    ["CreateToken expiresIn 1e308", { token: granted({ expiresIn: 1e308 }) }, "CreateToken", "expiresIn"],
    ["CreateToken expiresIn -1", { token: granted({ expiresIn: -1 }) }, "CreateToken", "expiresIn"]
  ]
  for (const [label, script, operation, member] of cases) {
    it.effect(`${label}`, () =>
      Effect.gen(function*() {
        const { exit, files } = yield* loginToCache(script)
        expect(failureOf(exit)).toMatchObject({
          _tag: "ResponseDecodeError",
          operation,
          description: expect.stringContaining(`${member}: expected`)
        })
        // The registration is written as soon as it is made (as the AWS CLI does); a bad one never is.
        expect([...files.keys()]).toEqual(operation === "RegisterClient" ? [] : [`${registrationKey}.json`])
      }))
  }

  it.effect("StartDeviceAuthorization expiresIn 1e308 fails at once, before any poll (not ExpiredToken)", () =>
    Effect.gen(function*() {
      const { exit, paths } = yield* loginToCache({ start: started({ expiresIn: 1e308 }) })
      expect(failureOf(exit)._tag).toBe("ResponseDecodeError")
      expect(paths).toEqual(["/client/register", "/device_authorization"])
    }))

  it.effect("an empty accessToken from CreateToken is ResponseDecodeError `accessToken is missing`, not a corrupt file", () =>
    Effect.gen(function*() {
      const { exit, files } = yield* loginToCache({ token: granted({ accessToken: "" }) })
      expect(failureOf(exit)).toMatchObject({
        _tag: "ResponseDecodeError",
        operation: "CreateToken",
        description: "accessToken is missing"
      })
      expect([...files.keys()].filter((name) => name === `${key}.json`)).toEqual([])
    }))

  it.effect("an empty clientId or clientSecret from RegisterClient is ResponseDecodeError", () =>
    Effect.gen(function*() {
      for (const [member, fields] of [["clientId", { clientId: "" }], ["clientSecret", { clientSecret: "" }]] as const) {
        const { exit, files } = yield* loginToCache({ register: registered(fields) })
        expect(failureOf(exit)).toMatchObject({ _tag: "ResponseDecodeError", description: `${member} is missing` })
        expect([...files.keys()]).toEqual([])
      }
    }))

  it.effect("the Date models: clientSecretExpiresAt 90 days after 0 is that Date; an absent clientIdIssuedAt is undefined", () =>
    Effect.gen(function*() {
      const mock = yield* scripted({})
      const token = yield* DeviceLogin.login({ startUrl }).pipe(
        Effect.provide(Mock.clientLayer(mock, { retry: false })),
        Effect.fork,
        Effect.tap(() => TestClock.adjust(Duration.seconds(1))),
        Effect.flatMap(Fiber.join)
      )
      expect(token.registration.clientSecretExpiresAt).toEqual(new Date(7_776_000_000))
      expect(token.registration.clientIdIssuedAt).toBeUndefined()
      expect(token.expiresAt).toEqual(new Date(1_000 + 28_800_000))
    }))
})

// -----------------------------------------------------------------------------
// refreshes
// -----------------------------------------------------------------------------

const cachedFile = (expiresAtMillis: number) =>
  TokenCache.encodeToken({
    startUrl,
    region: "eu-west-1",
    accessToken: Redacted.make("cached-access"),
    expiresAt: new Date(expiresAtMillis),
    clientId: "cached-client",
    clientSecret: Redacted.make("cached-secret"),
    registrationExpiresAt: new Date(90 * 24 * 60 * MINUTE),
    refreshToken: Redacted.make("cached-refresh")
  })

const refreshWith = (reply: Mock.Reply, expiresAtMillis: number) =>
  Effect.gen(function*() {
    const before = cachedFile(expiresAtMillis)
    const files = new Map([[`${key}.json`, before]])
    const mock = yield* Mock.make(() => reply)
    const layer = SsoTokenProvider.layer({ client: { retry: false } }).pipe(
      Layer.provide(TokenCache.layerMemory(files)),
      Layer.provide(SsoConfig.layerMemory(configText)),
      Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client))
    )
    yield* TestClock.adjust(Duration.seconds(1))
    const exit = yield* SsoTokenProvider.token("corp").pipe(Effect.provide(layer), Effect.exit)
    return { exit, files, before, requests: (yield* mock.requests).length }
  })

describe("a refresh with out-of-range numbers or an empty access token", () => {
  const replies: ReadonlyArray<readonly [string, Mock.Reply, string]> = [
    ["expiresIn 1e12", granted({ expiresIn: 1e12 }), "expiresIn: expected seconds"],
    ["expiresIn 1e308", granted({ expiresIn: 1e308 }), "expiresIn: expected seconds"],
    ["expiresIn 1.5", granted({ expiresIn: 1.5 }), "expiresIn: expected seconds"],
    ["an empty accessToken", granted({ accessToken: "" }), "accessToken is missing"]
  ]
  for (const [label, reply, description] of replies) {
    it.effect(`${label}: a valid cached token is served, and the file is left as it was`, () =>
      Effect.gen(function*() {
        const { before, exit, files, requests } = yield* refreshWith(reply, 4 * MINUTE)
        expect(requests).toBe(1)
        expect(Exit.isSuccess(exit) && Redacted.value(exit.value.accessToken)).toBe("cached-access")
        expect(files.get(`${key}.json`)).toBe(before)
      }))

    it.effect(`${label}: an expired token is RefreshFailed(ResponseDecodeError), and the file still reads`, () =>
      Effect.gen(function*() {
        const { before, exit, files } = yield* refreshWith(reply, 0)
        const error = failureOf(exit)
        expect(error).toMatchObject({ _tag: "RefreshFailed" })
        expect(error._tag === "RefreshFailed" && error.cause).toMatchObject({
          _tag: "ResponseDecodeError",
          operation: "CreateToken",
          description: expect.stringContaining(description)
        })
        expect(files.get(`${key}.json`)).toBe(before)
        expect(Either.isRight(TokenCache.decodeToken(files.get(`${key}.json`)!))).toBe(true)
      }))
  }
})

// -----------------------------------------------------------------------------
// the cache writer
// -----------------------------------------------------------------------------

const token = (fields: Partial<TokenCache.CachedToken> = {}): TokenCache.CachedToken => ({
  startUrl,
  region: "eu-west-1",
  accessToken: Redacted.make("access"),
  expiresAt: new Date(Date.UTC(2030, 0, 1)),
  clientId: "client",
  clientSecret: Redacted.make("secret"),
  registrationExpiresAt: new Date(Date.UTC(2030, 3, 1)),
  refreshToken: Redacted.make("refresh"),
  ...fields
})

describe("the cache writer refuses what would not read back", () => {
  const refused: ReadonlyArray<readonly [string, Partial<TokenCache.CachedToken>, string]> = [
    ["an Invalid Date expiresAt", { expiresAt: new Date(Number.NaN) }, "expiresAt is not a date from the year 0000 to 9999"],
    ["an expiresAt in the year 10000", { expiresAt: new Date(Date.UTC(10000, 0, 1)) }, "expiresAt is not a date from the year 0000 to 9999"],
    ["an expiresAt before the year 0000", { expiresAt: new Date(Date.UTC(-1, 0, 1)) }, "expiresAt is not a date from the year 0000 to 9999"],
    ["an Invalid Date registrationExpiresAt", { registrationExpiresAt: new Date(Number.NaN) }, "registrationExpiresAt is not a date from the year 0000 to 9999"],
    ["an empty accessToken", { accessToken: Redacted.make("") }, "accessToken is empty"]
  ]
  for (const [label, fields, description] of refused) {
    it.effect(`setToken with ${label}: CacheIoError naming the field, and no file`, () =>
      Effect.gen(function*() {
        const files = new Map<string, string>()
        const cache = yield* Effect.provide(TokenCache.TokenCache, TokenCache.layerMemory(files))
        const error = yield* Effect.flip(cache.setToken(key, token(fields)))
        expect(error).toMatchObject({
          _tag: "CacheIoError",
          operation: "write",
          path: `<memory>/${key}.json`,
          description: `${description}; nothing was written`
        })
        expect(files.size).toBe(0)
      }))
  }

  it.effect("setRegistration with an Invalid Date or an empty client secret: CacheIoError, and no file", () =>
    Effect.gen(function*() {
      const files = new Map<string, string>()
      const cache = yield* Effect.provide(TokenCache.TokenCache, TokenCache.layerMemory(files))
      const registration: TokenCache.CachedRegistration = {
        clientId: "client",
        clientSecret: Redacted.make("secret"),
        expiresAt: new Date(Number.NaN),
        scopes: undefined,
        grantTypes: undefined
      }
      expect(yield* Effect.flip(cache.setRegistration(key, registration))).toMatchObject({
        _tag: "CacheIoError",
        description: "expiresAt is not a date from the year 0000 to 9999; nothing was written"
      })
      expect(
        yield* Effect.flip(
          cache.setRegistration(key, { ...registration, expiresAt: new Date(0), clientSecret: Redacted.make("") })
        )
      ).toMatchObject({ _tag: "CacheIoError", description: "clientSecret is empty; nothing was written" })
      expect(files.size).toBe(0)
    }))

  it("encodeToken throws a RangeError for an Invalid Date instead of writing 0NaN-NaN-NaN", () => {
    expect(() => TokenCache.encodeToken(token({ expiresAt: new Date(Number.NaN) }))).toThrow(RangeError)
  })

  it.effect("the years 0000 and 9999 are written and read back", () =>
    Effect.gen(function*() {
      const files = new Map<string, string>()
      const cache = yield* Effect.provide(TokenCache.TokenCache, TokenCache.layerMemory(files))
      const first = new Date("0000-01-01T00:00:00Z")
      const last = new Date("9999-12-31T23:59:59Z")
      yield* cache.setToken(key, token({ expiresAt: first, registrationExpiresAt: last }))
      const read = Option.getOrThrow(yield* cache.getToken(key))
      expect(read.expiresAt).toEqual(first)
      expect(read.registrationExpiresAt).toEqual(last)
    }))
})
