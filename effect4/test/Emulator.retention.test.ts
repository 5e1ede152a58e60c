/**
 * The emulator stays bounded however long it runs: each record is forgotten
 * an hour after its own lifetime ends (registrations, device authorizations,
 * access tokens, `/authorize` requests and their codes; refresh tokens once
 * used or once their client is gone), swept at most once a minute of `Clock`
 * time when a request arrives; and each collection holds at most
 * `maxRecords`, the oldest evicted first. In virtual time (TestClock at 0).
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { PersistentMap } from "../src/core/emulator/persistentMap.js"
import * as Emulator from "../src/testing/Emulator.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import * as SsoOidcSchema from "../src/SsoOidcSchema.js"

const { GrantType } = SsoOidcSchema

const startUrl = "https://my-sso-portal.awsapps.com/start"
const HOUR = 3_600_000
const MINUTE = 60_000

const setup = (options: Emulator.Options = {}) =>
  SsoOidcClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1", retry: false }).pipe(
    Layer.provideMerge(Emulator.layerInProcess(options))
  )

const plain = (u: unknown): any => JSON.parse(JSON.stringify(u))

/** A request that changes nothing (the verification page), so housekeeping runs at this instant. */
const tick = Effect.flatMap(Emulator.Emulator, (em) =>
  em.handle({ method: "GET", path: "/device", query: {}, headers: {}, bodyText: "" }))

/** Advances virtual time to `at` (ms since the start) and makes a request there. */
const at = (millis: number) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    yield* TestClock.adjust(millis - now)
    yield* tick
  })

const register = (name = "retention") =>
  Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) => client.registerClient({ clientName: name, clientType: "public" }))

/** Registers, starts, approves, and exchanges the device code: one record of each kind. */
const login = Effect.gen(function*() {
  const client = yield* SsoOidcClient.SsoOidcClient
  const em = yield* Emulator.Emulator
  const { clientId, clientSecret } = yield* register()
  const started = yield* client.startDeviceAuthorization({ clientId: clientId!, clientSecret: clientSecret!, startUrl })
  yield* em.approve(started.userCode!)
  const token = yield* client.createToken({
    clientId: clientId!,
    clientSecret: clientSecret!,
    grantType: GrantType.DeviceCode,
    deviceCode: started.deviceCode!
  })
  return { clientId: clientId!, clientSecret: clientSecret!, started, token }
})

const sizes = Effect.gen(function*() {
  const em = yield* Emulator.Emulator
  return {
    registrations: (yield* em.registrations).length,
    authorizations: (yield* em.authorizations).length,
    tokens: (yield* em.tokens).length,
    authorizationRequests: (yield* em.authorizationRequests).length
  }
})

describe("Emulator retention — expired records are forgotten", () => {
  it.effect("a device authorization is answered as expired for an hour after expiresIn, then forgotten at the next sweep", () =>
    Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const em = yield* Emulator.Emulator
      const { clientId, clientSecret } = yield* register()
      const started = yield* client.startDeviceAuthorization({ clientId: clientId!, clientSecret: clientSecret!, startUrl })
      const poll = client.createToken({
        clientId: clientId!,
        clientSecret: clientSecret!,
        grantType: GrantType.DeviceCode,
        deviceCode: started.deviceCode!
      })
      const expiresAt = 600_000
      // Expired, and still known: the service's ExpiredToken
      yield* at(expiresAt + HOUR - 1)
      expect((yield* em.authorizations).map((a) => a.status)).toEqual(["expired"])
      expect(plain(yield* Effect.flip(poll))).toMatchObject({ _tag: "ExpiredToken" })
      // That request swept (nothing was due yet); the next sweep is a minute later.
      yield* at(expiresAt + HOUR - 1 + MINUTE - 1)
      expect(yield* em.authorizations).toHaveLength(1)
      yield* at(expiresAt + HOUR - 1 + MINUTE)
      expect(yield* em.authorizations).toHaveLength(0)
      // Forgotten: the device code and the user code are unknown now.
      expect(plain(yield* Effect.flip(poll))).toMatchObject({ _tag: "InvalidGrant" })
      expect(plain(yield* Effect.flip(em.approve(started.userCode!)))).toMatchObject({ _tag: "UnknownUserCode" })
    }).pipe(Effect.provide(setup())))

  it.effect("registrations, access tokens and used refresh tokens go an hour after their lifetimes", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const client = yield* SsoOidcClient.SsoOidcClient
      const first = yield* login
      // Rotating the refresh token issues a second access token; the first refresh token is used up.
      yield* client.createToken({
        clientId: first.clientId,
        clientSecret: first.clientSecret,
        grantType: GrantType.RefreshToken,
        refreshToken: first.token.refreshToken!
      })
      expect(yield* sizes).toEqual({ registrations: 1, authorizations: 1, tokens: 2, authorizationRequests: 0 })

      // Access tokens live 1 h: forgotten 2 h in. The device authorization (600 s) went first.
      yield* at(2 * HOUR)
      expect(yield* sizes).toEqual({ registrations: 1, authorizations: 0, tokens: 0, authorizationRequests: 0 })
      // The used refresh token is refused as before; nothing else changed for the client.
      const used = yield* Effect.flip(client.createToken({
        clientId: first.clientId,
        clientSecret: first.clientSecret,
        grantType: GrantType.RefreshToken,
        refreshToken: first.token.refreshToken!
      }))
      expect(plain(used)).toMatchObject({ _tag: "InvalidGrant", error_description: "Invalid refresh token provided" })

      // The registration lives 3 h here: known (as expired) until 4 h, then gone.
      yield* at(4 * HOUR - 1)
      expect(yield* em.registrations).toHaveLength(1)
      const expired = yield* Effect.flip(
        client.startDeviceAuthorization({ clientId: first.clientId, clientSecret: first.clientSecret, startUrl })
      )
      expect(plain(expired)).toMatchObject({
        _tag: "InvalidClient",
        error_description: "The client registration has expired; register again"
      })
      yield* at(4 * HOUR - 1 + MINUTE)
      expect(yield* em.registrations).toHaveLength(0)
      const unknown = yield* Effect.flip(
        client.startDeviceAuthorization({ clientId: first.clientId, clientSecret: first.clientSecret, startUrl })
      )
      expect(plain(unknown)).toMatchObject({ _tag: "InvalidClient", error_description: "Invalid client credentials" })
    }).pipe(Effect.provide(setup({ registrationLifetime: "3 hours" }))))

  it.effect("an /authorize request and its code go an hour after the code expires", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const client = yield* SsoOidcClient.SsoOidcClient
      const { clientId } = yield* client.registerClient({
        clientName: "pkce",
        clientType: "public",
        grantTypes: [GrantType.AuthorizationCode],
        redirectUris: ["http://127.0.0.1/callback"]
      })
      const page = yield* em.handle({
        method: "GET",
        path: "/authorize",
        query: {
          client_id: clientId!,
          redirect_uri: "http://127.0.0.1:5000/callback",
          response_type: "code",
          code_challenge_method: "S256",
          code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        },
        headers: {},
        bodyText: ""
      })
      expect(page.status).toBe(200)
      const [request] = yield* em.authorizationRequests
      // Approved at 1 min: the code lives 600 s from then.
      yield* TestClock.adjust(MINUTE)
      yield* em.approveAuthorizationRequest(request!.id)
      const codeExpiresAt = MINUTE + 600_000
      yield* at(codeExpiresAt + HOUR - 1)
      expect((yield* em.authorizationRequests).map((r) => r.status)).toEqual(["expired"])
      yield* at(codeExpiresAt + HOUR - 1 + MINUTE)
      expect(yield* em.authorizationRequests).toHaveLength(0)
    }).pipe(Effect.provide(setup())))
})

describe("Emulator retention — each collection is capped, the oldest evicted", () => {
  it.effect("with maxRecords 3, five registrations keep the last three; the evicted clients are unknown", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const client = yield* SsoOidcClient.SsoOidcClient
      const registered: Array<SsoOidcSchema.RegisterClientResponse> = []
      for (let i = 0; i < 5; i++) registered.push(yield* register(`client-${i}`))
      expect((yield* em.registrations).map((r) => r.clientName)).toEqual(["client-2", "client-3", "client-4"])
      const evicted = yield* Effect.flip(client.startDeviceAuthorization({
        clientId: registered[0]!.clientId!,
        clientSecret: registered[0]!.clientSecret!,
        startUrl
      }))
      expect(plain(evicted)).toMatchObject({ _tag: "InvalidClient", error_description: "Invalid client credentials" })
    }).pipe(Effect.provide(setup({ maxRecords: 3 }))))

  it.effect("with maxRecords 3, device authorizations, tokens and refresh tokens are capped too", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const client = yield* SsoOidcClient.SsoOidcClient
      // One client, five logins: five authorizations, access tokens and (active) refresh tokens.
      const { clientId, clientSecret } = yield* register()
      const logins: Array<{
        readonly started: SsoOidcSchema.StartDeviceAuthorizationResponse
        readonly token: SsoOidcSchema.CreateTokenResponse
      }> = []
      for (let i = 0; i < 5; i++) {
        const started = yield* client.startDeviceAuthorization({ clientId: clientId!, clientSecret: clientSecret!, startUrl })
        yield* em.approve(started.userCode!)
        const token = yield* client.createToken({
          clientId: clientId!,
          clientSecret: clientSecret!,
          grantType: GrantType.DeviceCode,
          deviceCode: started.deviceCode!
        })
        logins.push({ started, token })
      }
      expect(yield* sizes).toEqual({ registrations: 1, authorizations: 3, tokens: 3, authorizationRequests: 0 })
      // the newest are kept, oldest first
      const kept = (yield* em.tokens).map((t) => Redacted.value(t.accessToken))
      expect(kept).toEqual(logins.slice(2).map((l) => Redacted.value(l.token.accessToken!)))
      // the oldest user code went with its authorization
      expect(plain(yield* Effect.flip(em.approve(logins[0]!.started.userCode!)))).toMatchObject({ _tag: "UnknownUserCode" })
      const refresh = (i: number) =>
        client.createToken({
          clientId: clientId!,
          clientSecret: clientSecret!,
          grantType: GrantType.RefreshToken,
          refreshToken: logins[i]!.token.refreshToken!
        })
      // an evicted refresh token is refused; a kept one still works
      expect(plain(yield* Effect.flip(refresh(0)))).toMatchObject({ _tag: "InvalidGrant" })
      expect((yield* refresh(2)).accessToken).toBeDefined()
    }).pipe(Effect.provide(setup({ maxRecords: 3 }))))

  it.effect("the default cap is 10,000 per collection", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      // 10,001 registrations straight through the handler (no client) to keep it quick.
      const body = JSON.stringify({ clientName: "bulk", clientType: "public" })
      for (let i = 0; i < 10_001; i++) {
        yield* em.handle({ method: "POST", path: "/client/register", query: {}, headers: {}, bodyText: body })
      }
      expect(yield* em.registrations).toHaveLength(10_000)
    }).pipe(Effect.provide(setup())), 120_000)
})

describe("PersistentMap", () => {
  it("keeps insertion order through updates and deletes, and finds the oldest entry", () => {
    let map = PersistentMap.empty<string, number>()
    for (const [key, value] of [["a", 1], ["b", 2], ["c", 3]] as const) map = map.set(key, value)
    map = map.set("a", 10) // an update keeps its place
    expect([...map]).toEqual([["a", 10], ["b", 2], ["c", 3]])
    expect(map.oldest()).toEqual(["a", 10])
    const without = map.delete("a")
    expect([...without.keys()]).toEqual(["b", "c"])
    expect(without.oldest()).toEqual(["b", 2])
    expect(without.size).toBe(2)
    expect(without.has("a")).toBe(false)
    expect(without.delete("zz")).toBe(without)
    // the original is unchanged
    expect(map.size).toBe(3)
    // a deleted key set again goes to the end
    expect([...without.set("a", 1).keys()]).toEqual(["b", "c", "a"])
  })
})
