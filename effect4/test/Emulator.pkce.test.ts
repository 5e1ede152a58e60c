/**
 * The emulator's authorization code grant with PKCE: the `/authorize` page
 * (validation, approve / deny, CSRF), the code's rules at CreateToken
 * (single use, bound to client, redirect URI and challenge, expiry), in
 * virtual time in-process; then whole `AuthorizationCodeLogin` runs against
 * the emulator on a real port, with `fetch` playing the browser.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as AuthorizationCodeLogin from "../src/AuthorizationCodeLogin.js"
import * as Emulator from "../src/testing/Emulator.js"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import { GrantType } from "../src/SsoOidcSchema.js"
import * as NodeSso from "../src/node/NodeSso.js"

const startUrl = "https://my-sso-portal.awsapps.com/start"
const coral = ":http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"

// RFC 7636 Appendix B: a verifier and its S256 challenge, computed by the RFC's authors.
const rfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
const rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

/** An error as plain data: chai's `inspect` can recurse without end on Effect's span-carrying errors. */
const plain = (u: unknown): unknown => JSON.parse(JSON.stringify(u))

const setup = (options: Emulator.Options = {}) =>
  SsoOidcClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1", retry: false }).pipe(
    Layer.provideMerge(Emulator.layerInProcess(options))
  )

/** A raw request through the in-process HttpClient (redirects are not followed). */
const raw = (
  method: "GET" | "POST",
  pathAndQuery: string,
  options: { readonly form?: Record<string, string>; readonly headers?: Record<string, string> } = {}
) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const base = HttpClientRequest.make(method)(Emulator.inProcessUrl + pathAndQuery).pipe(
      HttpClientRequest.setHeaders(options.headers ?? {})
    )
    const request = options.form === undefined
      ? base
      : HttpClientRequest.bodyText(base, new URLSearchParams(options.form).toString(), "application/x-www-form-urlencoded")
    const response = yield* http.execute(request)
    return { status: response.status, headers: response.headers, text: yield* response.text }
  }).pipe(Effect.orDie)

/** Registers a client for the authorization code grant, with the AWS CLI's loopback redirect URI. */
const registered = (
  overrides: { readonly grantTypes?: ReadonlyArray<string>; readonly redirectUris?: ReadonlyArray<string> } = {}
) =>
  Effect.gen(function*() {
    const client = yield* SsoOidcClient.SsoOidcClient
    const reply = yield* client.registerClient({
      clientName: "pkce-test",
      clientType: "public",
      scopes: ["sso:account:access"],
      grantTypes: [GrantType.AuthorizationCode, GrantType.RefreshToken],
      redirectUris: [AuthorizationCodeLogin.registeredRedirectUri],
      issuerUrl: startUrl,
      ...overrides
    })
    return { client, clientId: reply.clientId!, clientSecret: reply.clientSecret! }
  })

const redirectUri = "http://127.0.0.1:51234/oauth/callback"

/** The path and query of an `/authorize` request as the AWS CLI builds it. */
const authorizePath = (clientId: string, overrides: Record<string, string> = {}) => {
  const url = new URL(AuthorizationCodeLogin.authorizeUrl({
    endpoint: Emulator.inProcessUrl,
    clientId,
    redirectUri,
    state: "state-123",
    challenge: rfcChallenge,
    scopes: ["sso:account:access"]
  }))
  for (const [name, value] of Object.entries(overrides)) url.searchParams.set(name, value)
  return url.pathname + url.search
}

const requestIdOf = (html: string) => /name="request_id" value="([^"]+)"/.exec(html)?.[1]

/** GET /authorize, then POST the decision as the page's form does; the 302's location. */
const decide = (clientId: string, action: "approve" | "deny", overrides: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const page = yield* raw("GET", authorizePath(clientId, overrides))
    expect(page.status).toBe(200)
    const decided = yield* raw("POST", "/authorize", {
      form: { request_id: requestIdOf(page.text)!, action },
      headers: { origin: Emulator.inProcessUrl }
    })
    expect(decided.status).toBe(302)
    return new URL(decided.headers["location"]!)
  })

const exchange = (
  auth: Effect.Success<ReturnType<typeof registered>>,
  input: { readonly code: string; readonly redirectUri?: string; readonly codeVerifier?: string }
) =>
  auth.client.createToken({
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    grantType: GrantType.AuthorizationCode,
    code: input.code,
    redirectUri: input.redirectUri ?? redirectUri,
    codeVerifier: Redacted.make(input.codeVerifier ?? rfcVerifier)
  })

describe("Emulator /authorize — the page", () => {
  it.effect("a valid request shows Approve / Deny, with the CSP letting the form redirect only to the callback's origin", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const page = yield* raw("GET", authorizePath(auth.clientId))
      expect(page.status).toBe(200)
      expect(page.headers["content-type"]).toBe("text/html; charset=utf-8")
      expect(page.headers["content-security-policy"]).toContain("form-action 'self' http://127.0.0.1:51234;")
      expect(page.headers["x-frame-options"]).toBe("DENY")
      // under no-referrer, browsers would send the page's own form post with Origin: null
      expect(page.headers["referrer-policy"]).toBe("same-origin")
      expect(page.text).toContain(">Approve</button>")
      expect(page.text).toContain(">Deny</button>")
      expect(page.text).toContain("pkce-test")
      expect(page.text).toContain("sso:account:access")
      const em = yield* Emulator.Emulator
      const [request] = yield* em.authorizationRequests
      expect(request).toMatchObject({
        id: requestIdOf(page.text),
        clientId: auth.clientId,
        clientName: "pkce-test",
        redirectUri,
        state: "state-123",
        codeChallenge: rfcChallenge,
        scopes: ["sso:account:access"],
        status: "pending",
        code: undefined
      })
      expect(request!.expiresAt.getTime()).toBe(600_000)
      expect((yield* em.counts).AuthorizationPage).toBe(1)
    }).pipe(Effect.provide(setup())))

  it.effect("approve redirects to redirect_uri?code=…&state=…; deny to ?error=access_denied&error_description=…&state=…", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const approved = yield* decide(auth.clientId, "approve")
      expect(approved.origin + approved.pathname).toBe(redirectUri)
      expect([...approved.searchParams.keys()]).toEqual(["code", "state"])
      expect(approved.searchParams.get("state")).toBe("state-123")
      expect(approved.searchParams.get("code")).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]+$/)

      const denied = yield* decide(auth.clientId, "deny")
      expect(denied.origin + denied.pathname).toBe(redirectUri)
      expect([...denied.searchParams.keys()]).toEqual(["error", "error_description", "state"])
      expect(denied.searchParams.get("error")).toBe("access_denied")
      expect(denied.searchParams.get("state")).toBe("state-123")

      const em = yield* Emulator.Emulator
      const statuses = (yield* em.authorizationRequests).map((r) => r.status)
      expect(statuses).toEqual(["approved", "denied"])
      expect(String((yield* em.authorizationRequests)[0]!.code)).toBe("<redacted>")
    }).pipe(Effect.provide(setup())))

  it.effect("invalid requests get a 400 page and never a redirect", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const deviceOnly = yield* registered({ grantTypes: [GrantType.DeviceCode] })
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["unregistered redirect_uri", authorizePath(auth.clientId, { redirect_uri: "https://evil.example/cb" })],
        ["other path on loopback", authorizePath(auth.clientId, { redirect_uri: "http://127.0.0.1:51234/elsewhere" })],
        ["localhost is not 127.0.0.1", authorizePath(auth.clientId, { redirect_uri: "http://localhost:51234/oauth/callback" })],
        ["https loopback", authorizePath(auth.clientId, { redirect_uri: "https://127.0.0.1:51234/oauth/callback" })],
        ["fragment", authorizePath(auth.clientId, { redirect_uri: `${redirectUri}#x` })],
        ["unknown client", authorizePath("no-such-client")],
        ["client without the grant", authorizePath(deviceOnly.clientId)],
        ["response_type token", authorizePath(auth.clientId, { response_type: "token" })],
        ["plain method", authorizePath(auth.clientId, { code_challenge_method: "plain" })],
        ["no challenge", authorizePath(auth.clientId, { code_challenge: "" })],
        ["padded challenge", authorizePath(auth.clientId, { code_challenge: `${rfcChallenge}=` })],
        ["unregistered scope", authorizePath(auth.clientId, { scopes: "sso:account:access admin" })]
      ]
      for (const [name, path] of cases) {
        const page = yield* raw("GET", path)
        expect({ name, status: page.status, location: page.headers["location"] }).toEqual({
          name,
          status: 400,
          location: undefined
        })
        expect(page.headers["content-type"]).toBe("text/html; charset=utf-8")
        expect(page.text).toContain("role=\"alert\"")
      }
      expect(yield* (yield* Emulator.Emulator).authorizationRequests).toHaveLength(0)
    }).pipe(Effect.provide(setup())))

  it.effect("a loopback registration matches any port (RFC 8252 §7.3); other registrations match exactly", () =>
    Effect.gen(function*() {
      const auth = yield* registered({
        redirectUris: [AuthorizationCodeLogin.registeredRedirectUri, "https://app.example/callback"]
      })
      for (const uri of ["http://127.0.0.1:1/oauth/callback", "http://127.0.0.1:65535/oauth/callback", "http://127.0.0.1/oauth/callback"]) {
        expect((yield* raw("GET", authorizePath(auth.clientId, { redirect_uri: uri }))).status).toBe(200)
      }
      expect((yield* raw("GET", authorizePath(auth.clientId, { redirect_uri: "https://app.example/callback" }))).status)
        .toBe(200)
      expect((yield* raw("GET", authorizePath(auth.clientId, { redirect_uri: "https://app.example:8443/callback" }))).status)
        .toBe(400)
    }).pipe(Effect.provide(setup())))

  it.effect("a cross-site post cannot decide; an unknown or closed request is refused", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const page = yield* raw("GET", authorizePath(auth.clientId))
      const id = requestIdOf(page.text)!
      const crossSite = yield* raw("POST", "/authorize", {
        form: { request_id: id, action: "approve" },
        headers: { origin: "https://evil.example" }
      })
      expect(crossSite.status).toBe(403)
      expect(crossSite.headers["location"]).toBeUndefined()
      for (
        const headers of [
          { "sec-fetch-site": "cross-site" },
          // another port of the same host (the application's own loopback page) is same-site, not same-origin
          { "sec-fetch-site": "same-site", origin: "http://127.0.0.1:51234" },
          { origin: "null" }
        ]
      ) {
        const refused = yield* raw("POST", "/authorize", { form: { request_id: id, action: "approve" }, headers })
        expect({ headers, status: refused.status }).toEqual({ headers, status: 403 })
      }
      const unknown = yield* raw("POST", "/authorize", { form: { request_id: "nope", action: "approve" } })
      expect(unknown.status).toBe(404)
      const incomplete = yield* raw("POST", "/authorize", { form: { request_id: id } })
      expect(incomplete.status).toBe(400)
      // what a browser sends from the page itself
      const own = yield* raw("POST", "/authorize", {
        form: { request_id: id, action: "deny" },
        headers: { origin: Emulator.inProcessUrl, "sec-fetch-site": "same-origin" }
      })
      expect(own.status).toBe(302)
      const again = yield* raw("POST", "/authorize", { form: { request_id: id, action: "approve" } })
      expect(again.status).toBe(409)
      expect(again.headers["location"]).toBeUndefined()
    }).pipe(Effect.provide(setup())))

  it.effect("echoed values are HTML-escaped", () =>
    Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const reply = yield* client.registerClient({
        clientName: "<script>alert(1)</script>",
        clientType: "public",
        grantTypes: [GrantType.AuthorizationCode],
        redirectUris: [AuthorizationCodeLogin.registeredRedirectUri]
      })
      const page = yield* raw("GET", authorizePath(reply.clientId!, { scopes: "" }))
      expect(page.status).toBe(200)
      expect(page.text).not.toContain("<script>")
      expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;")
    }).pipe(Effect.provide(setup())))

  it.effect("controls: approve / deny by id return the redirect; unknown and closed requests fail typed", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const auth = yield* registered()
      yield* raw("GET", authorizePath(auth.clientId))
      yield* raw("GET", authorizePath(auth.clientId, { state: "second" }))
      const [first, second] = yield* em.authorizationRequests
      const location = new URL(yield* em.approveAuthorizationRequest(first!.id))
      expect(location.searchParams.get("state")).toBe("state-123")
      const denied = new URL(yield* em.denyAuthorizationRequest(second!.id))
      expect(denied.searchParams.get("error")).toBe("access_denied")
      expect(denied.searchParams.get("state")).toBe("second")
      const closed = yield* Effect.flip(em.approveAuthorizationRequest(first!.id))
      expect(plain(closed)).toEqual({ _tag: "AuthorizationRequestNotPending", id: first!.id, status: "approved" })
      const unknown = yield* Effect.flip(em.denyAuthorizationRequest("nope"))
      expect(unknown._tag).toBe("UnknownAuthorizationRequest")
    }).pipe(Effect.provide(setup())))

  it.effect("autoApproveAfter approves device codes only: an /authorize request still waits for a decision", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const auth = yield* registered()
      yield* raw("GET", authorizePath(auth.clientId))
      yield* TestClock.adjust("5 seconds")
      expect((yield* em.authorizationRequests).map((r) => r.status)).toEqual(["pending"])
    }).pipe(Effect.provide(setup({ autoApproveAfter: "1 second" }))))

  it.effect("an undecided request expires after authorizationCodeExpiresIn (Clock time)", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const auth = yield* registered()
      yield* raw("GET", authorizePath(auth.clientId))
      yield* TestClock.adjust("2 minutes")
      const [request] = yield* em.authorizationRequests
      expect(request!.status).toBe("expired")
      const late = yield* Effect.flip(em.approveAuthorizationRequest(request!.id))
      expect(plain(late)).toMatchObject({ _tag: "AuthorizationRequestNotPending", status: "expired" })
    }).pipe(Effect.provide(setup({ authorizationCodeExpiresIn: "2 minutes" }))))
})

describe("Emulator CreateToken authorization_code — PKCE verification", () => {
  it.effect("the right verifier, client and redirect URI get access and refresh tokens", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const code = (yield* decide(auth.clientId, "approve")).searchParams.get("code")!
      const token = yield* exchange(auth, { code })
      expect(Redacted.value(token.accessToken!)).toMatch(/^aoa/)
      expect(Redacted.value(token.refreshToken!)).toMatch(/^aor/)
      expect(token.tokenType).toBe("Bearer")
      expect(token.expiresIn).toBe(3600)
      const em = yield* Emulator.Emulator
      const [issued] = yield* em.tokens
      expect(issued).toMatchObject({ clientId: auth.clientId, grantType: "authorization_code", scopes: ["sso:account:access"] })
      expect((yield* em.authorizationRequests)[0]!.status).toBe("consumed")
      // the refresh token works as for the device grant
      const refreshed = yield* auth.client.createToken({
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        grantType: GrantType.RefreshToken,
        refreshToken: token.refreshToken!
      })
      expect(refreshed.accessToken).toBeDefined()
    }).pipe(Effect.provide(setup())))

  it.effect("a wrong verifier is InvalidGrant (wire-exact), and the code stays usable with the right one", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const code = (yield* decide(auth.clientId, "approve")).searchParams.get("code")!
      const wrong = yield* Effect.flip(exchange(auth, { code, codeVerifier: Redacted.value(AuthorizationCodeLogin.makeCodeVerifier()) }))
      expect(plain(wrong)).toMatchObject({
        _tag: "InvalidGrant",
        status: 400,
        error: "invalid_grant",
        error_description: "The code verifier does not match the code challenge (PKCE)"
      })
      const tooShort = yield* Effect.flip(exchange(auth, { code, codeVerifier: "short" }))
      expect(tooShort._tag).toBe("InvalidGrant")
      // raw: the exact wire shape
      const http = yield* HttpClient.HttpClient
      const response = yield* http.execute(
        HttpClientRequest.post(`${Emulator.inProcessUrl}/token`).pipe(
          HttpClientRequest.bodyText(
            JSON.stringify({
              clientId: auth.clientId,
              clientSecret: Redacted.value(auth.clientSecret),
              grantType: "authorization_code",
              code,
              redirectUri,
              codeVerifier: rfcVerifier.replace("d", "e")
            }),
            "application/json"
          )
        )
      )
      expect(response.status).toBe(400)
      expect(response.headers["x-amzn-errortype"]).toBe(`InvalidGrantException${coral}`)
      expect(JSON.parse(yield* response.text)).toEqual({
        error: "invalid_grant",
        error_description: "The code verifier does not match the code challenge (PKCE)"
      })
      const token = yield* exchange(auth, { code })
      expect(token.accessToken).toBeDefined()
    }).pipe(Effect.provide(setup())))

  it.effect("a code used twice is InvalidGrant, and the refresh token it gave is revoked (RFC 6749 §4.1.2)", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const code = (yield* decide(auth.clientId, "approve")).searchParams.get("code")!
      const first = yield* exchange(auth, { code })
      const reused = yield* Effect.flip(exchange(auth, { code }))
      expect(plain(reused)).toMatchObject({
        _tag: "InvalidGrant",
        error_description: "The authorization code was already used"
      })
      const refresh = yield* Effect.flip(auth.client.createToken({
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        grantType: GrantType.RefreshToken,
        refreshToken: first.refreshToken!
      }))
      expect(refresh._tag).toBe("InvalidGrant")
      const [view] = yield* (yield* Emulator.Emulator).tokens
      expect(view!.refreshTokenActive).toBe(false)
    }).pipe(Effect.provide(setup())))

  it.effect("a redirect URI other than the authorize request's is InvalidGrant, even another registered port", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const code = (yield* decide(auth.clientId, "approve")).searchParams.get("code")!
      for (const other of ["http://127.0.0.1:51235/oauth/callback", AuthorizationCodeLogin.registeredRedirectUri]) {
        const error = yield* Effect.flip(exchange(auth, { code, redirectUri: other }))
        expect(plain(error)).toMatchObject({
          _tag: "InvalidGrant",
          error_description: "The redirectUri does not match the redirect_uri of the authorization request"
        })
      }
      expect((yield* exchange(auth, { code })).accessToken).toBeDefined()
    }).pipe(Effect.provide(setup())))

  it.effect("a code is bound to its client, unknown codes are refused, a missing code is InvalidRequest", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const other = yield* registered()
      const code = (yield* decide(auth.clientId, "approve")).searchParams.get("code")!
      const stolen = yield* Effect.flip(exchange(other, { code }))
      expect(plain(stolen)).toMatchObject({
        _tag: "InvalidGrant",
        error_description: "The authorization code was issued to another client"
      })
      const unknown = yield* Effect.flip(exchange(auth, { code: "not-a-code" }))
      expect(unknown._tag).toBe("InvalidGrant")
      const missing = yield* Effect.flip(auth.client.createToken({
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        grantType: GrantType.AuthorizationCode
      }))
      expect(missing._tag).toBe("InvalidRequest")
    }).pipe(Effect.provide(setup())))

  it.effect("a code expires 10 minutes after approval (Clock time)", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const code = (yield* decide(auth.clientId, "approve")).searchParams.get("code")!
      yield* TestClock.adjust("10 minutes")
      const error = yield* Effect.flip(exchange(auth, { code }))
      expect(plain(error)).toMatchObject({ _tag: "InvalidGrant", error_description: "The authorization code has expired" })
      expect((yield* (yield* Emulator.Emulator).authorizationRequests)[0]!.status).toBe("expired")
    }).pipe(Effect.provide(setup())))

  it.effect("a denied request issues no code", () =>
    Effect.gen(function*() {
      const auth = yield* registered()
      const denied = yield* decide(auth.clientId, "deny")
      expect(denied.searchParams.get("code")).toBeNull()
      expect((yield* (yield* Emulator.Emulator).authorizationRequests)[0]!.code).toBeUndefined()
    }).pipe(Effect.provide(setup())))
})

// -----------------------------------------------------------------------------
// on a real port: AuthorizationCodeLogin end to end, fetch as the browser
// -----------------------------------------------------------------------------

const served = (options: NodeEmulator.LayerOptions = {}) =>
  Layer.unwrap(
    Effect.map(Emulator.Emulator, (emulator) =>
      SsoOidcClient.layer({ endpoint: emulator.url, region: "us-east-1", retry: false }))
  ).pipe(Layer.provide(FetchHttpClient.layer), Layer.provideMerge(NodeEmulator.layer({ port: 0, ...options })), Layer.merge(NodeSso.layerLoopbackListener))

/** Plays the browser: opens the authorize URL, presses a button, follows the redirect to the loopback callback. */
const browse = (authorizeUrl: string, action: "approve" | "deny") =>
  Effect.promise(async () => {
    const page = await fetch(authorizeUrl)
    const html = await page.text()
    const origin = new URL(authorizeUrl).origin
    const decided = await fetch(`${origin}/authorize`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin },
      body: new URLSearchParams({ request_id: requestIdOf(html)!, action }).toString(),
      redirect: "follow"
    })
    return { pageStatus: page.status, finalUrl: decided.url, finalStatus: decided.status, finalText: await decided.text() }
  })

describe("AuthorizationCodeLogin against the emulator on a real port", () => {
  it.live("approve: the login ends Authorized; the callback page says the tab can be closed", () =>
    Effect.gen(function*() {
      let visit: Effect.Success<ReturnType<typeof browse>> | undefined
      const events = yield* AuthorizationCodeLogin.authorizationCodeLogin({ startUrl, timeout: "20 seconds" }).pipe(
        Stream.tap((event) =>
          event._tag === "AwaitingBrowser"
            ? Effect.forkDetach(Effect.map(browse(event.authorizeUrl, "approve"), (v) => (visit = v)))
            : Effect.void
        ),
        Stream.runCollect,
        Effect.map((chunk) => Array.from(chunk))
      )
      expect(events.map((e) => e._tag)).toEqual(["Registered", "AwaitingBrowser", "CodeReceived", "Authorized"])
      const authorized = events[3] as Extract<AuthorizationCodeLogin.AuthorizationCodeLoginEvent, { _tag: "Authorized" }>
      expect(Redacted.value(authorized.token.accessToken)).toMatch(/^aoa/)
      expect(authorized.token.refreshToken).toBeDefined()
      // wait for the browser fiber's last read
      for (let i = 0; i < 50 && visit === undefined; i++) yield* Effect.sleep("20 millis")
      expect(visit!.pageStatus).toBe(200)
      expect(visit!.finalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback\?code=.+&state=/)
      expect(visit!.finalStatus).toBe(200)
      expect(visit!.finalText).toContain("You can close this tab")
      const em = yield* Emulator.Emulator
      const [request] = yield* em.authorizationRequests
      expect(request!.status).toBe("consumed")
      expect(request!.redirectUri).toBe((events[1] as { redirectUri: string }).redirectUri)
      expect((yield* em.tokens).map((t) => t.grantType)).toEqual(["authorization_code"])
    }).pipe(Effect.provide(served())))

  it.live("deny: the login fails with our AccessDenied and requests no token", () =>
    Effect.gen(function*() {
      const error = yield* AuthorizationCodeLogin.authorizationCodeLogin({ startUrl, timeout: "20 seconds" }).pipe(
        Stream.tap((event) =>
          event._tag === "AwaitingBrowser" ? Effect.forkDetach(browse(event.authorizeUrl, "deny")) : Effect.void
        ),
        Stream.runDrain,
        Effect.flip
      )
      expect(plain(error)).toMatchObject({ _tag: "AccessDenied", error: "access_denied" })
      const em = yield* Emulator.Emulator
      expect((yield* em.counts).CreateToken).toBe(0)
      expect((yield* em.authorizationRequests)[0]!.status).toBe("denied")
    }).pipe(Effect.provide(served())))

  it.live("an authorize request with an unregistered redirect_uri gets a 400 page and no redirect", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const client = yield* SsoOidcClient.SsoOidcClient
      const reply = yield* client.registerClient({
        clientName: "pkce",
        clientType: "public",
        grantTypes: [GrantType.AuthorizationCode],
        redirectUris: [AuthorizationCodeLogin.registeredRedirectUri]
      })
      const url = AuthorizationCodeLogin.authorizeUrl({
        endpoint: em.url,
        clientId: reply.clientId!,
        redirectUri: "https://attacker.example/callback",
        state: "s",
        challenge: rfcChallenge,
        scopes: []
      })
      const response = yield* Effect.promise(() => fetch(url, { redirect: "manual" }))
      expect(response.status).toBe(400)
      expect(response.headers.get("location")).toBeNull()
      const html = yield* Effect.promise(() => response.text())
      expect(html).toContain("not one of the URIs registered")
      expect(html).not.toContain("attacker.example")
    }).pipe(Effect.provide(served())))
})
