import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Redacted, Stream } from "effect"
import { AuthorizationCodeLogin } from "effect-sso-oidc"
import * as MockHttp from "./utils/MockHttp.js"

const { authorizationCodeLogin, codeChallenge, makeCodeVerifier } = AuthorizationCodeLogin

/** A service that registers and grants a token for any code. */
const service = () =>
  MockHttp.make((request) =>
    request.path === "/client/register"
      ? MockHttp.json({ clientId: "client-1", clientSecret: "secret-1", clientSecretExpiresAt: 4_000_000_000 })
      : MockHttp.json({ accessToken: "access-1", refreshToken: "refresh-1", tokenType: "Bearer", expiresIn: 3600 })
  )

/** Plays the browser: follows the redirect to the loopback callback with the given query. */
const callBack = (event: AuthorizationCodeLogin.AuthorizationCodeLoginEvent, query: (state: string) => string) =>
  Effect.gen(function*() {
    if (event._tag !== "AwaitingBrowser") return
    const state = new URL(event.authorizeUrl).searchParams.get("state")!
    yield* Effect.promise(() => fetch(`${event.redirectUri}?${query(state)}`).then((res) => res.text()))
  })

const runLogin = (mock: MockHttp.MockHttp, query: (state: string) => string, timeout: Duration.DurationInput = "10 seconds") =>
  authorizationCodeLogin({ startUrl: "https://portal.example/start", timeout }).pipe(
    Stream.tap((event) => Effect.forkDaemon(callBack(event, query))),
    Stream.runCollect,
    Effect.map(Chunk.toArray),
    Effect.provide(MockHttp.clientLayer(mock, { region: "eu-west-1" }))
  )

describe("PKCE (RFC 7636)", () => {
  it("the S256 challenge of the RFC 7636 Appendix B verifier is its published value", () => {
    expect(codeChallenge(Redacted.make("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
  })

  it("a verifier is 64 unreserved characters and differs every time", () => {
    const verifiers = Array.from({ length: 50 }, () => Redacted.value(makeCodeVerifier()))
    for (const verifier of verifiers) expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{64}$/)
    expect(new Set(verifiers).size).toBe(50)
    expect(String(makeCodeVerifier())).toBe("<redacted>")
  })
})

describe("authorizationCodeLogin", () => {
  it.live("registers for authorization_code, sends the browser to /authorize and exchanges the code", () =>
    Effect.gen(function*() {
      const mock = yield* service()
      const events = yield* runLogin(mock, (state) => `code=the-code&state=${state}`)
      expect(events.map((e) => e._tag)).toEqual(["Registered", "AwaitingBrowser", "CodeReceived", "Authorized"])

      const [register, token] = yield* mock.requests
      expect(register!.json).toEqual({
        clientName: "effect-sso-oidc",
        clientType: "public",
        scopes: ["sso:account:access"],
        grantTypes: ["authorization_code", "refresh_token"],
        redirectUris: ["http://127.0.0.1/oauth/callback"],
        issuerUrl: "https://portal.example/start"
      })

      const awaiting = events[1] as Extract<typeof events[number], { _tag: "AwaitingBrowser" }>
      const url = new URL(awaiting.authorizeUrl)
      expect(url.origin + url.pathname).toBe("https://oidc.eu-west-1.amazonaws.com/authorize")
      expect([...url.searchParams.keys()]).toEqual([
        "response_type", "client_id", "redirect_uri", "state", "code_challenge_method", "scopes", "code_challenge"
      ])
      expect(url.searchParams.get("response_type")).toBe("code")
      expect(url.searchParams.get("client_id")).toBe("client-1")
      expect(url.searchParams.get("code_challenge_method")).toBe("S256")
      expect(url.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/)

      expect(token!.path).toBe("/token")
      expect(token!.json.grantType).toBe("authorization_code")
      expect(token!.json.code).toBe("the-code")
      expect(token!.json.redirectUri).toBe(url.searchParams.get("redirect_uri"))
      // The verifier sent with the code is the one whose challenge went to /authorize.
      expect(codeChallenge(Redacted.make(token!.json.codeVerifier))).toBe(url.searchParams.get("code_challenge"))

      const authorized = events[3] as Extract<typeof events[number], { _tag: "Authorized" }>
      expect(Redacted.value(authorized.token.accessToken)).toBe("access-1")
      expect(JSON.stringify(events)).not.toContain("access-1")
    }))

  it.live("a callback with another state fails with StateMismatch and requests no token", () =>
    Effect.gen(function*() {
      const mock = yield* service()
      const error = yield* Effect.flip(runLogin(mock, () => "code=the-code&state=forged"))
      expect(error._tag).toBe("StateMismatch")
      expect((yield* mock.requests).map((r) => r.path)).toEqual(["/client/register"])
    }))

  it.live("a denial in the browser fails with AccessDenied and requests no token", () =>
    Effect.gen(function*() {
      const mock = yield* service()
      const error = yield* Effect.flip(
        runLogin(mock, (state) => `error=access_denied&error_description=User%20denied&state=${state}`)
      )
      expect(error._tag).toBe("AccessDenied")
      expect((yield* mock.requests).map((r) => r.path)).toEqual(["/client/register"])
    }))

  it.live("no callback within the timeout fails with CallbackTimeout and closes the server", () =>
    Effect.gen(function*() {
      const mock = yield* service()
      let redirectUri = ""
      const error = yield* authorizationCodeLogin({ startUrl: "https://portal.example/start", timeout: "200 millis" }).pipe(
        Stream.tap((event) => Effect.sync(() => { if (event._tag === "AwaitingBrowser") redirectUri = event.redirectUri })),
        Stream.runDrain,
        Effect.provide(MockHttp.clientLayer(mock)),
        Effect.flip
      )
      expect(error._tag).toBe("CallbackTimeout")
      const refused = yield* Effect.promise(() => fetch(redirectUri).then(() => false, () => true))
      expect(refused).toBe(true)
    }))

  it.live("the loopback server listens only on 127.0.0.1 and answers 404 elsewhere", () =>
    Effect.gen(function*() {
      const mock = yield* service()
      const statuses: Array<number> = []
      const result = yield* authorizationCodeLogin({ startUrl: "https://portal.example/start", timeout: "5 seconds" }).pipe(
        Stream.tap((event) =>
          event._tag === "AwaitingBrowser"
            ? Effect.promise(async () => {
              const url = new URL(event.redirectUri)
              statuses.push((await fetch(`http://127.0.0.1:${url.port}/elsewhere`)).status)
              await fetch(`${event.redirectUri}?code=c&state=${new URL(event.authorizeUrl).searchParams.get("state")}`)
            })
            : Effect.void
        ),
        Stream.runDrain,
        Effect.provide(MockHttp.clientLayer(mock))
      )
      expect(result).toBeUndefined()
      expect(statuses).toEqual([404])
    }))
})
