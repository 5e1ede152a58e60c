import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Redacted, Stream } from "effect"
import { AuthorizationCodeLogin } from "effect-sso-oidc"
import { connect } from "node:net"
import * as MockHttp from "../src/testing/ScriptedHttpClient.js"
import * as NodeSso from "../src/node/NodeSso.js"

const { authorizationCodeLogin, codeChallenge, makeCodeVerifier } = AuthorizationCodeLogin

/** Sends raw bytes to the loopback port and returns the reply's status code (0 when the socket closes first). */
const rawStatus = (port: string, bytes: string): Promise<number> =>
  new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1", () => socket.write(bytes))
    let reply = ""
    socket.on("data", (chunk) => (reply += chunk.toString("latin1")))
    socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0)))
    socket.on("error", () => resolve(0))
  })

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

const runLogin = (mock: MockHttp.ScriptedHttpClient, query: (state: string) => string, timeout: Duration.DurationInput = "10 seconds") =>
  authorizationCodeLogin({ startUrl: "https://portal.example/start", timeout }).pipe(
    Stream.tap((event) => Effect.forkDaemon(callBack(event, query))),
    Stream.runCollect,
    Effect.map(Chunk.toArray),
    Effect.provide([MockHttp.clientLayer(mock, { region: "eu-west-1" }), NodeSso.layerLoopbackListener])
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

  it.live("stray callbacks (another state, no state, no code, a malformed target) get a 400 and do not end the login; the real one does", () =>
    Effect.gen(function*() {
      const mock = yield* service()
      const statuses: Array<number> = []
      const events = yield* authorizationCodeLogin({ startUrl: "https://portal.example/start", timeout: "10 seconds" }).pipe(
        Stream.tap((event) =>
          event._tag === "AwaitingBrowser"
            ? Effect.promise(async () => {
              const state = new URL(event.authorizeUrl).searchParams.get("state")!
              for (const query of ["code=c&state=forged", "code=c", `state=${state}`, "error=access_denied&state=forged", ""]) {
                statuses.push((await fetch(`${event.redirectUri}?${query}`)).status)
              }
              statuses.push(await rawStatus(new URL(event.redirectUri).port, "GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
              statuses.push((await fetch(`${event.redirectUri}?code=the-code&state=${state}`)).status)
            })
            : Effect.void
        ),
        Stream.runCollect,
        Effect.map(Chunk.toArray),
        Effect.provide([MockHttp.clientLayer(mock, { region: "eu-west-1" }), NodeSso.layerLoopbackListener])
      )
      expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 200])
      expect(events.map((e) => e._tag)).toEqual(["Registered", "AwaitingBrowser", "CodeReceived", "Authorized"])
      const token = (yield* mock.requests)[1]!
      expect(token.json.code).toBe("the-code")
    }))

  it("state is 32 random bytes, base64url (43 characters), different every time", () => {
    const states = Array.from({ length: 50 }, () => AuthorizationCodeLogin.makeState())
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(new Set(states).size).toBe(50)
  })

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
        Effect.provide([MockHttp.clientLayer(mock), NodeSso.layerLoopbackListener]),
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
        Effect.provide([MockHttp.clientLayer(mock), NodeSso.layerLoopbackListener])
      )
      expect(result).toBeUndefined()
      expect(statuses).toEqual([404])
    }))
})

describe("error names", () => {
  it("every error of the module is named after its tag: String(error) is `Tag: message`", () => {
    const errors = [
      new AuthorizationCodeLogin.CallbackTimeout({ timeout: "5 minutes" }),
      new AuthorizationCodeLogin.CallbackError({ description: "listen EADDRINUSE" })
    ]
    for (const error of errors) {
      expect(error.name).toBe(error._tag)
      expect(String(error)).toBe(`${error._tag}: ${error.message}`)
    }
  })
})
