/**
 * The emulator in-process: our client over `Emulator.layerInProcess`, in
 * virtual time (TestClock starts at 0 in every `it.effect`). Covers whole
 * logins, every enforcement rule with the typed error our client reports,
 * the AWS wire shape of replies, the verification page and fault injection.
 */
import { HttpClient, HttpClientRequest } from "effect/http"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Redacted, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as DeviceLogin from "../src/DeviceLogin.js"
import * as Emulator from "../src/testing/Emulator.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import * as CoreGrants from "../src/core/emulator/grants.js"
import { GrantType, TokenTypeUri } from "../src/SsoOidcSchema.js"

const startUrl = "https://my-sso-portal.awsapps.com/start"
const coral = ":http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The emulator, its in-process HttpClient and our client pointed at it. */
const setup = (options: Emulator.Options = {}, client: SsoOidcClient.Options = { retry: false }) =>
  SsoOidcClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1", ...client }).pipe(
    Layer.provideMerge(Emulator.layerInProcess(options))
  )

/** Register a client and start a device authorization; `poll` is one CreateToken call. */
const started = (registration: { readonly grantTypes?: ReadonlyArray<string> } = {}) =>
  Effect.gen(function*() {
    const client = yield* SsoOidcClient.SsoOidcClient
    const registered = yield* client.registerClient({
      clientName: "emulator-test",
      clientType: "public",
      scopes: ["sso:account:access"],
      ...registration
    })
    const clientId = registered.clientId!
    const clientSecret = registered.clientSecret!
    const authorization = yield* client.startDeviceAuthorization({ clientId, clientSecret, startUrl })
    const poll = client.createToken({
      clientId,
      clientSecret,
      grantType: GrantType.DeviceCode,
      deviceCode: authorization.deviceCode!
    })
    return { client, registered, clientId, clientSecret, authorization, poll }
  })

/** A raw request through the in-process HttpClient. */
const raw = (
  path: string,
  body: string,
  options: {
    readonly method?: "GET" | "POST"
    readonly type?: string
    readonly headers?: Record<string, string>
  } = {}
) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const base = HttpClientRequest.make(options.method ?? "POST")(Emulator.inProcessUrl + path).pipe(
      HttpClientRequest.setHeaders(options.headers ?? {})
    )
    const request = options.method === "GET"
      ? base
      : HttpClientRequest.bodyText(base, body, options.type ?? "application/json")
    const response = yield* http.execute(request)
    const text = yield* response.text
    let json: any = undefined
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json }
  }).pipe(Effect.orDie)

const emulator = Emulator.Emulator

/**
 * An error as plain data (its JSON), so a failed assertion prints it: chai's
 * `inspect` recurses without end on the span-carrying proxies Effect wraps
 * failures in.
 */
const plain = (u: unknown): unknown => JSON.parse(JSON.stringify(u))

// -----------------------------------------------------------------------------
// whole logins
// -----------------------------------------------------------------------------

describe("Emulator in-process — whole device logins in virtual time", () => {
  it.effect("completes when auto-approve fires, polling at the interval with no slow_down", () =>
    Effect.gen(function*() {
      const fiber = yield* DeviceLogin.deviceLogin({ startUrl, scopes: ["sso:account:access"] }).pipe(
        Stream.runCollect,
        Effect.forkChild
      )
      yield* TestClock.adjust("10 seconds")
      const events = Array.from(yield* Fiber.join(fiber))
      expect(events.map((event) => event._tag)).toEqual([
        "Registered",
        "AwaitingUser",
        "Pending",
        "Pending",
        "Pending",
        "Pending",
        "Authorized"
      ])
      const awaiting = events[1] as Extract<DeviceLogin.DeviceLoginEvent, { _tag: "AwaitingUser" }>
      expect(awaiting.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
      expect(awaiting.verificationUri).toBe("https://emulator.invalid/device")
      expect(awaiting.verificationUriComplete).toBe(`https://emulator.invalid/device?user_code=${awaiting.userCode}`)
      expect(awaiting.expiresAt.getTime()).toBe(600_000)
      const token = (events[6] as Extract<DeviceLogin.DeviceLoginEvent, { _tag: "Authorized" }>).token
      expect(Redacted.value(token.accessToken)).toMatch(/^aoa/)
      expect(Redacted.value(token.refreshToken!)).toMatch(/^aor/)
      expect(token.expiresAt.getTime()).toBe(5_000 + 3_600_000)

      const em = yield* emulator
      const counts = yield* em.counts
      expect(counts).toEqual({
        RegisterClient: 1,
        StartDeviceAuthorization: 1,
        CreateToken: 5,
        CreateTokenWithIAM: 0,
        GetRoleCredentials: 0,
        ListAccounts: 0,
        ListAccountRoles: 0,
        Logout: 0,
        VerificationPage: 0,
        AuthorizationPage: 0,
        Unknown: 0
      })
      const polls = (yield* em.requests).filter((r) => r.kind === "CreateToken")
      expect(polls.map((r) => r.at.getTime())).toEqual([1000, 2000, 3000, 4000, 5000])
      expect(polls.map((r) => r.errorName ?? r.status)).toEqual([
        "AuthorizationPendingException",
        "AuthorizationPendingException",
        "AuthorizationPendingException",
        "AuthorizationPendingException",
        200
      ])
      const [authorization] = yield* em.authorizations
      expect(authorization!.status).toBe("consumed")
      expect(authorization!.slowDowns).toBe(0)
      const [tokenView] = yield* em.tokens
      expect(Redacted.value(tokenView!.accessToken)).toBe(Redacted.value(token.accessToken))
    }).pipe(Effect.provide(setup({ autoApproveAfter: "5 seconds" }))))

  it.effect("completes when the user code is approved through the controls", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      const fiber = yield* Effect.forkChild(DeviceLogin.login({ startUrl }))
      yield* TestClock.adjust("30 seconds")
      const [pending] = yield* em.authorizations
      expect(pending!.status).toBe("pending")
      expect(pending!.polls).toBe(30)
      yield* em.approve(pending!.userCode.toLowerCase().replace("-", ""))
      yield* TestClock.adjust("1 second")
      const token = yield* Fiber.join(fiber)
      expect(token.expiresAt.getTime()).toBe(31_000 + 3_600_000)
      const [done] = yield* em.authorizations
      expect(done!.status).toBe("consumed")
      expect(Redacted.isRedacted(done!.deviceCode)).toBe(true)
      expect(String(done!.deviceCode)).toBe("<redacted>")
    }).pipe(Effect.provide(setup())))

  it.effect("survives transient faults while polling (500s and resets) and still completes", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      yield* em.setFaults([
        { operation: "CreateToken", fault: Emulator.Fault.status(500, { errorName: "InternalServerException" }), count: 3 },
        { operation: "CreateToken", fault: Emulator.Fault.reset(), count: 2 }
      ])
      const fiber = yield* Effect.forkChild(DeviceLogin.login({ startUrl }))
      yield* TestClock.adjust("2 minutes")
      const token = yield* Fiber.join(fiber)
      expect(Redacted.value(token.accessToken)).toMatch(/^aoa/)
      const polls = (yield* em.requests).filter((r) => r.kind === "CreateToken")
      expect(polls.slice(0, 5).map((r) => r.faults)).toEqual([["Status"], ["Status"], ["Status"], ["Reset"], ["Reset"]])
      expect(polls.slice(0, 5).map((r) => r.status)).toEqual([500, 500, 500, undefined, undefined])
    }).pipe(Effect.provide(setup({ autoApproveAfter: "20 seconds" }, { retry: { times: 2 } }))))
})

// -----------------------------------------------------------------------------
// enforcement
// -----------------------------------------------------------------------------

describe("Emulator in-process — protocol enforcement, as our client's typed errors", () => {
  it.effect("AuthorizationPending while pending; the first poll is never penalized", () =>
    Effect.gen(function*() {
      const { authorization, poll } = yield* started()
      expect(authorization.interval).toBe(1)
      expect(authorization.expiresIn).toBe(600)
      const error = yield* Effect.flip(poll)
      expect(error._tag).toBe("AuthorizationPending")
      expect(plain(error)).toMatchObject({ status: 400, error: "authorization_pending" })
    }).pipe(Effect.provide(setup())))

  it.effect("SlowDown when polled sooner than the interval; each slow_down adds 5 s", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      const { poll } = yield* started()
      expect((yield* Effect.flip(poll))._tag).toBe("AuthorizationPending")
      const slow = yield* Effect.flip(poll)
      expect(slow._tag).toBe("SlowDown")
      expect(plain(slow)).toMatchObject({ status: 400, error: "slow_down" })
      let [view] = yield* em.authorizations
      expect(Duration.toSeconds(view!.interval)).toBe(6)
      expect(view!.slowDowns).toBe(1)
      // 5 s later is still sooner than the new 6 s interval.
      yield* TestClock.adjust("5 seconds")
      expect((yield* Effect.flip(poll))._tag).toBe("SlowDown")
      ;[view] = yield* em.authorizations
      expect(Duration.toSeconds(view!.interval)).toBe(11)
      // Waiting the whole interval is fine again.
      yield* TestClock.adjust("11 seconds")
      expect((yield* Effect.flip(poll))._tag).toBe("AuthorizationPending")
      ;[view] = yield* em.authorizations
      expect(view!.polls).toBe(4)
      expect(view!.slowDowns).toBe(2)
    }).pipe(Effect.provide(setup())))

  it.effect("ExpiredToken once the device code expired (Clock time), and after expireAuthorization", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      const first = yield* started()
      yield* TestClock.adjust("599 seconds")
      expect((yield* Effect.flip(first.poll))._tag).toBe("AuthorizationPending")
      yield* TestClock.adjust("1 second")
      const expired = yield* Effect.flip(first.poll)
      expect(expired._tag).toBe("ExpiredToken")
      expect(plain(expired)).toMatchObject({ status: 400, error: "expired_token" })
      expect((yield* em.authorizations)[0]!.status).toBe("expired")
      // approving an expired code is refused
      const late = yield* Effect.flip(em.approve(first.authorization.userCode!))
      expect(late).toBeInstanceOf(Emulator.AuthorizationNotPending)
      expect(plain(late)).toMatchObject({ status: "expired" })

      const second = yield* started()
      yield* em.expireAuthorization(second.authorization.userCode!)
      expect((yield* Effect.flip(second.poll))._tag).toBe("ExpiredToken")
    }).pipe(Effect.provide(setup())))

  it.effect("AccessDenied after deny; the decision cannot be reversed", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      const { authorization, poll } = yield* started()
      yield* em.deny(authorization.userCode!)
      const denied = yield* Effect.flip(poll)
      expect(denied._tag).toBe("AccessDenied")
      expect(plain(denied)).toMatchObject({ status: 400, error: "access_denied" })
      yield* em.deny(authorization.userCode!) // the same decision again is a no-op
      const reversed = yield* Effect.flip(em.approve(authorization.userCode!))
      expect(plain(reversed)).toMatchObject({ _tag: "AuthorizationNotPending", status: "denied" })
      const unknown = yield* Effect.flip(em.approve("BCDF-GHJK"))
      expect(unknown).toBeInstanceOf(Emulator.UnknownUserCode)
    }).pipe(Effect.provide(setup())))

  it.effect("InvalidGrant when a device code is used twice or is unknown", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      const { authorization, client, clientId, clientSecret, poll } = yield* started()
      yield* em.approve(authorization.userCode!)
      const token = yield* poll
      expect(token.tokenType).toBe("Bearer")
      expect(token.expiresIn).toBe(3600)
      const reused = yield* Effect.flip(poll)
      expect(reused._tag).toBe("InvalidGrant")
      expect(plain(reused)).toMatchObject({ status: 400, error: "invalid_grant" })
      const unknown = yield* Effect.flip(client.createToken({
        clientId,
        clientSecret,
        grantType: GrantType.DeviceCode,
        deviceCode: Redacted.make("no-such-device-code")
      }))
      expect(unknown._tag).toBe("InvalidGrant")
    }).pipe(Effect.provide(setup())))

  it.effect("refresh_token grant returns a new token and rotates the refresh token", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      const { authorization, client, clientId, clientSecret, poll } = yield* started()
      yield* em.approve(authorization.userCode!)
      const first = yield* poll
      yield* TestClock.adjust("1 hour")
      const refresh = (refreshToken: Redacted.Redacted<string>) =>
        client.createToken({ clientId, clientSecret, grantType: GrantType.RefreshToken, refreshToken })
      const second = yield* refresh(first.refreshToken!)
      expect(Redacted.value(second.accessToken!)).not.toBe(Redacted.value(first.accessToken!))
      expect(Redacted.value(second.refreshToken!)).not.toBe(Redacted.value(first.refreshToken!))
      expect(second.expiresIn).toBe(3600)
      // the old refresh token was rotated away
      expect((yield* Effect.flip(refresh(first.refreshToken!)))._tag).toBe("InvalidGrant")
      // a made-up one is refused
      expect((yield* Effect.flip(refresh(Redacted.make("aor-made-up"))))._tag).toBe("InvalidGrant")
      // the new one works
      yield* refresh(second.refreshToken!)
      const views = yield* em.tokens
      expect(views.map((t) => [t.grantType, t.refreshTokenActive])).toEqual([
        [GrantType.DeviceCode, false],
        [GrantType.RefreshToken, false],
        [GrantType.RefreshToken, true]
      ])
      expect(views[1]!.issuedAt.getTime()).toBe(3_600_000)
    }).pipe(Effect.provide(setup())))

  it.effect("InvalidGrant for a grant type the client did not register for (and no refresh token)", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      const { authorization, client, clientId, clientSecret, poll } = yield* started({
        grantTypes: [GrantType.DeviceCode]
      })
      yield* em.approve(authorization.userCode!)
      const token = yield* poll
      expect(token.refreshToken).toBeUndefined()
      const refused = yield* Effect.flip(client.createToken({
        clientId,
        clientSecret,
        grantType: GrantType.RefreshToken,
        refreshToken: Redacted.make("anything")
      }))
      expect(refused._tag).toBe("InvalidGrant")
    }).pipe(Effect.provide(setup())))

  it.effect("UnsupportedGrantType for an unknown grant type", () =>
    Effect.gen(function*() {
      const { client, clientId, clientSecret } = yield* started()
      const error = yield* Effect.flip(client.createToken({ clientId, clientSecret, grantType: "password" }))
      expect(error._tag).toBe("UnsupportedGrantType")
      expect(plain(error)).toMatchObject({ status: 400, error: "unsupported_grant_type" })
    }).pipe(Effect.provide(setup())))

  it.effect("InvalidClient (401) for a wrong secret, an unknown client id and an expired registration", () =>
    Effect.gen(function*() {
      const { client, clientId, clientSecret, authorization } = yield* started()
      const wrongSecret = yield* Effect.flip(client.startDeviceAuthorization({
        clientId,
        clientSecret: Redacted.make("wrong"),
        startUrl
      }))
      expect(wrongSecret._tag).toBe("InvalidClient")
      expect(plain(wrongSecret)).toMatchObject({ status: 401, error: "invalid_client" })
      const unknown = yield* Effect.flip(client.createToken({
        clientId: "no-such-client",
        clientSecret,
        grantType: GrantType.DeviceCode,
        deviceCode: authorization.deviceCode!
      }))
      expect(unknown._tag).toBe("InvalidClient")
      // 90 days later the registration is past clientSecretExpiresAt
      yield* TestClock.adjust("90 days")
      const expired = yield* Effect.flip(client.startDeviceAuthorization({ clientId, clientSecret, startUrl }))
      expect(expired._tag).toBe("InvalidClient")
    }).pipe(Effect.provide(setup())))

  it.effect("registration: clientSecretExpiresAt 90 days ahead; other client types and grants are refused", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("1000 seconds")
      const client = yield* SsoOidcClient.SsoOidcClient
      const registered = yield* client.registerClient({ clientName: "x", clientType: "public" })
      expect(registered.clientIdIssuedAt).toBe(1000)
      expect(registered.clientSecretExpiresAt).toBe(1000 + 90 * 24 * 3600)
      const confidential = yield* Effect.flip(client.registerClient({ clientName: "x", clientType: "confidential" }))
      expect(confidential._tag).toBe("InvalidClientMetadata")
      const grant = yield* Effect.flip(client.registerClient({
        clientName: "x",
        clientType: "public",
        grantTypes: ["password"]
      }))
      expect(grant._tag).toBe("UnsupportedGrantType")
      // a client registered only for the authorization code grant cannot start a device authorization
      const pkce = yield* client.registerClient({
        clientName: "x",
        clientType: "public",
        grantTypes: [GrantType.AuthorizationCode, GrantType.RefreshToken]
      })
      const unauthorized = yield* Effect.flip(client.startDeviceAuthorization({
        clientId: pkce.clientId!,
        clientSecret: pkce.clientSecret!,
        startUrl
      }))
      expect(unauthorized._tag).toBe("UnauthorizedClient")
      const em = yield* emulator
      const views = yield* em.registrations
      expect(views).toHaveLength(2)
      expect(String(views[0]!.clientSecret)).toBe("<redacted>")
      expect(views[0]!.grantTypes).toEqual([GrantType.DeviceCode, GrantType.RefreshToken])
    }).pipe(Effect.provide(setup())))

  it.effect("InvalidRequest for missing members and for a body that is not a JSON object (raw requests)", () =>
    Effect.gen(function*() {
      const empty = yield* raw("/token", "{}")
      expect(empty.status).toBe(400)
      expect(empty.headers["x-amzn-errortype"]).toBe(`InvalidRequestException${coral}`)
      expect(empty.json).toEqual({ error: "invalid_request", error_description: "Missing required parameter: clientId" })

      const noStartUrl = yield* raw("/device_authorization", JSON.stringify({ clientId: "a", clientSecret: "b" }))
      expect(noStartUrl.json.error_description).toBe("Missing required parameter: startUrl")

      const noName = yield* raw("/client/register", JSON.stringify({ clientType: "public" }))
      expect(noName.headers["x-amzn-errortype"]).toBe(`InvalidRequestException${coral}`)

      for (const body of ["[1,2]", "\"text\"", "null", "not json {"]) {
        const reply = yield* raw("/client/register", body)
        expect(reply.status).toBe(400)
        expect(reply.headers["x-amzn-errortype"]).toBe(`InvalidRequestException${coral}`)
      }
      const wrongType = yield* raw("/client/register", JSON.stringify({ clientName: 1, clientType: "public" }))
      expect(wrongType.json.error_description).toBe("Invalid value for clientName: expected a string")
    }).pipe(Effect.provide(setup())))

  it.effect("a missing deviceCode is an InvalidRequest, and our client sees it typed", () =>
    Effect.gen(function*() {
      const { client, clientId, clientSecret } = yield* started()
      const error = yield* Effect.flip(client.createToken({ clientId, clientSecret, grantType: GrantType.DeviceCode }))
      expect(error._tag).toBe("InvalidRequest")
      expect(plain(error)).toMatchObject({ status: 400, error: "invalid_request" })
    }).pipe(Effect.provide(setup())))

  it.effect("an unsigned CreateTokenWithIAM (POST /token?aws_iam=t) is refused with 403; unknown paths are 404", () =>
    Effect.gen(function*() {
      const iam = yield* raw("/token?aws_iam=t", JSON.stringify({ clientId: "arn:x", grantType: "refresh_token" }))
      expect(iam.status).toBe(403)
      expect(iam.headers["x-amzn-errortype"]).toBe(
        "MissingAuthenticationTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/"
      )
      expect(iam.json).toEqual({ message: "Missing Authentication Token" })
      const unknown = yield* raw("/nope", "{}")
      expect(unknown.status).toBe(404)
      const getToken = yield* raw("/token", "", { method: "GET" })
      expect(getToken.status).toBe(404)
      const counts = yield* (yield* emulator).counts
      expect(counts.CreateTokenWithIAM).toBe(1)
      expect(counts.Unknown).toBe(2)
    }).pipe(Effect.provide(setup())))
})

// -----------------------------------------------------------------------------
// wire shape
// -----------------------------------------------------------------------------

describe("Emulator in-process — the AWS wire shape", () => {
  it("the core's grant types and token type URIs are the edition's SsoOidcSchema constants", () => {
    expect(CoreGrants.GrantType).toEqual(GrantType)
    expect(CoreGrants.TokenTypeUri).toEqual(TokenTypeUri)
  })

  it.effect("error replies: status, coral-suffixed x-amzn-ErrorType, body keys only error and error_description", () =>
    Effect.gen(function*() {
      const reply = yield* raw("/token", JSON.stringify({ clientId: "nobody", clientSecret: "x", grantType: "refresh_token" }))
      expect(reply.status).toBe(401)
      expect(reply.headers["content-type"]).toBe("application/json")
      expect(reply.headers["x-amzn-errortype"]).toBe(
        "InvalidClientException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
      )
      expect(reply.headers["x-amzn-requestid"]).toMatch(uuid)
      expect(Object.keys(reply.json).sort()).toEqual(["error", "error_description"])
      expect(reply.json.error).toBe("invalid_client")
      expect(reply.json.__type).toBeUndefined()
    }).pipe(Effect.provide(setup())))

  it.effect("success replies: 200 JSON with camelCase members and a fresh request id every time", () =>
    Effect.gen(function*() {
      const first = yield* raw("/client/register", JSON.stringify({ clientName: "raw", clientType: "public" }))
      const second = yield* raw("/client/register", JSON.stringify({ clientName: "raw", clientType: "public" }))
      expect(first.status).toBe(200)
      expect(first.headers["content-type"]).toBe("application/json")
      expect(first.headers["x-amzn-requestid"]).toMatch(uuid)
      expect(second.headers["x-amzn-requestid"]).not.toBe(first.headers["x-amzn-requestid"])
      expect(Object.keys(first.json).sort()).toEqual([
        "clientId",
        "clientIdIssuedAt",
        "clientSecret",
        "clientSecretExpiresAt"
      ])
      const started = yield* raw(
        "/device_authorization",
        JSON.stringify({ clientId: first.json.clientId, clientSecret: first.json.clientSecret, startUrl })
      )
      expect(Object.keys(started.json).sort()).toEqual([
        "deviceCode",
        "expiresIn",
        "interval",
        "userCode",
        "verificationUri",
        "verificationUriComplete"
      ])
    }).pipe(Effect.provide(setup())))
  it.effect("ids, secrets and codes never start with '-' or '_' (a CLI would read them as options)", () =>
    Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const values: Array<string> = []
      for (let i = 0; i < 150; i++) {
        const registered = yield* client.registerClient({ clientName: "argv", clientType: "public" })
        const started = yield* client.startDeviceAuthorization({
          clientId: registered.clientId!,
          clientSecret: registered.clientSecret!,
          startUrl
        })
        values.push(registered.clientId!, Redacted.value(registered.clientSecret!), Redacted.value(started.deviceCode!))
      }
      expect(values.filter((value) => !/^[A-Za-z0-9]/.test(value))).toEqual([])
    }).pipe(Effect.provide(setup())))
})

// -----------------------------------------------------------------------------
// the verification page, in-process
// -----------------------------------------------------------------------------

describe("Emulator in-process — verification page", () => {
  it.effect("GET shows the code to confirm; POST approves; everything echoed is escaped", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      const { authorization, poll } = yield* started()
      const entry = yield* raw("/device", "", { method: "GET" })
      expect(entry.status).toBe(200)
      expect(entry.headers["content-type"]).toBe("text/html; charset=utf-8")
      expect(entry.text).toContain("<label for=\"user_code\">")

      const confirm = yield* raw(`/device?user_code=${authorization.userCode}`, "", { method: "GET" })
      expect(confirm.status).toBe(200)
      expect(confirm.text).toContain(`value="${authorization.userCode}"`)
      expect(confirm.text).toContain("emulator-test")
      expect(confirm.text).toContain("value=\"approve\"")
      expect(confirm.text).toContain("value=\"deny\"")

      const hostile = yield* raw(`/device?user_code=${encodeURIComponent("<script>alert(1)</script>\"")}`, "", {
        method: "GET"
      })
      expect(hostile.status).toBe(404)
      expect(hostile.text).not.toContain("<script>")
      expect(hostile.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;")

      // a page of another site cannot decide
      const form = new URLSearchParams({ user_code: authorization.userCode!.toLowerCase(), action: "approve" })
      const crossSite = yield* raw("/device", form.toString(), {
        type: "application/x-www-form-urlencoded",
        headers: { origin: "https://evil.example" }
      })
      expect(crossSite.status).toBe(403)
      expect((yield* em.authorizations)[0]!.status).toBe("pending")

      const approved = yield* raw("/device", form.toString(), {
        type: "application/x-www-form-urlencoded",
        headers: { origin: "https://emulator.invalid", "sec-fetch-site": "same-origin" }
      })
      expect(approved.status).toBe(200)
      expect(approved.text).toContain("Request approved")
      expect((yield* em.authorizations)[0]!.status).toBe("approved")
      const again = yield* raw(
        "/device",
        new URLSearchParams({ user_code: authorization.userCode!, action: "deny" }).toString(),
        { type: "application/x-www-form-urlencoded" }
      )
      expect(again.status).toBe(409)
      yield* poll
      expect((yield* em.counts).VerificationPage).toBe(6)
    }).pipe(Effect.provide(setup())))
})

// -----------------------------------------------------------------------------
// fault injection
// -----------------------------------------------------------------------------

const register = Effect.flatMap(
  SsoOidcClient.SsoOidcClient,
  (client) => client.registerClient({ clientName: "faults", clientType: "public" })
)

const withFault = (fault: Emulator.Fault, extra: Partial<Emulator.FaultRule> = {}) =>
  Effect.flatMap(emulator, (em) => em.setFaults([{ fault, operation: "RegisterClient", ...extra }]))

describe("Emulator in-process — fault injection, as our client's typed errors", () => {
  it.effect("a transient 500 (count 2) is retried by the client and then succeeds", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      yield* withFault(Emulator.Fault.status(500, { errorName: "InternalServerException" }), { count: 2 })
      const fiber = yield* Effect.forkChild(register)
      yield* TestClock.adjust("10 seconds")
      const registered = yield* Fiber.join(fiber)
      expect(registered.clientId).toBeDefined()
      const log = yield* em.requests
      expect(log.map((r) => [r.status, r.errorName, r.faults])).toEqual([
        [500, "InternalServerException", ["Status"]],
        [500, "InternalServerException", ["Status"]],
        [200, undefined, []]
      ])
    }).pipe(Effect.provide(setup({}, { retry: { times: 3 } }))))

  it.effect("a persistent 500 ends in InternalServer; a 503 without a name in ServiceError", () =>
    Effect.gen(function*() {
      yield* withFault(Emulator.Fault.status(500, { errorName: "InternalServerException" }))
      const internal = yield* Effect.flip(register)
      expect(internal._tag).toBe("InternalServer")
      expect(plain(internal)).toMatchObject({ status: 500, error: "server_error" })
      yield* withFault(Emulator.Fault.status(503))
      const unavailable = yield* Effect.flip(register)
      expect(unavailable._tag).toBe("ServiceError")
      expect(plain(unavailable)).toMatchObject({ status: 503 })
      yield* withFault(Emulator.Fault.status(429, { errorName: "ThrottlingException", error: "throttled" }))
      const throttled = yield* Effect.flip(register)
      expect(plain(throttled)).toMatchObject({ _tag: "ServiceError", status: 429, errorType: "ThrottlingException" })
    }).pipe(Effect.provide(setup())))

  it.effect("an unknown error name becomes a ServiceError that keeps it (errorType), the status and the request id", () =>
    Effect.gen(function*() {
      yield* withFault(Emulator.Fault.unknownError("BrandNewException"))
      const error = yield* Effect.flip(register)
      expect(plain(error)).toMatchObject({
        _tag: "ServiceError",
        errorType: "BrandNewException",
        status: 400,
        error: "unknown_error"
      })
      expect((error as { requestId?: string }).requestId).toMatch(uuid)
    }).pipe(Effect.provide(setup())))

  it.effect("a connection reset is a TransportError; with retries, one reset is survived", () =>
    Effect.gen(function*() {
      yield* withFault(Emulator.Fault.reset())
      const error = yield* Effect.flip(register)
      expect(plain(error)).toMatchObject({ _tag: "TransportError", reason: "Transport" })
      expect(error.message).toContain("ECONNRESET")
    }).pipe(Effect.provide(setup())))

  it.effect("a connection reset once, with the client's retries, ends in success", () =>
    Effect.gen(function*() {
      yield* withFault(Emulator.Fault.reset(), { count: 1 })
      const fiber = yield* Effect.forkChild(register)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).clientId).toBeDefined()
    }).pipe(Effect.provide(setup({}, {}))))

  it.effect("a delay longer than the client's timeout is a TransportError Timeout (in virtual time)", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      yield* withFault(Emulator.Fault.delay("1 minute"))
      const fiber = yield* Effect.forkChild(Effect.flip(register))
      yield* TestClock.adjust("30 seconds")
      const error = yield* Fiber.join(fiber)
      expect(plain(error)).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      const [logged] = yield* em.requests
      expect(logged).toMatchObject({ kind: "RegisterClient", status: undefined })
    }).pipe(Effect.provide(setup())))

  it.effect("a short delay only delays the reply", () =>
    Effect.gen(function*() {
      yield* withFault(Emulator.Fault.delay("5 seconds"))
      const fiber = yield* Effect.forkChild(register)
      yield* TestClock.adjust("4 seconds")
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).clientId).toBeDefined()
    }).pipe(Effect.provide(setup())))

  it.effect("malformed bodies are ResponseDecodeErrors: empty, not JSON, wrong shape, 10 MB", () =>
    Effect.gen(function*() {
      yield* withFault(Emulator.Fault.emptyBody())
      expect(plain(yield* Effect.flip(register))).toMatchObject({
        _tag: "ResponseDecodeError",
        status: 200,
        description: "empty body"
      })
      yield* withFault(Emulator.Fault.notJson())
      expect(plain(yield* Effect.flip(register))).toMatchObject({ _tag: "ResponseDecodeError", description: "body is not JSON" })
      yield* withFault(Emulator.Fault.wrongShape())
      const shape = yield* Effect.flip(register)
      expect(shape._tag).toBe("ResponseDecodeError")
      expect((shape as { description: string }).description).toContain("clientId")
      yield* withFault(Emulator.Fault.hugeBody())
      const huge = yield* Effect.flip(register)
      expect(plain(huge)).toMatchObject({ _tag: "ResponseDecodeError", description: "the reply is larger than 1048576 bytes" })
      expect(huge.message.length).toBeLessThan(500)
    }).pipe(Effect.provide(setup())))

  it.effect("a wrong content type does not matter to the client (it reads the body)", () =>
    Effect.gen(function*() {
      yield* withFault(Emulator.Fault.wrongContentType("text/plain"))
      const registered = yield* register
      expect(registered.clientId).toBeDefined()
      const reply = yield* raw("/client/register", JSON.stringify({ clientName: "x", clientType: "public" }))
      expect(reply.headers["content-type"]).toBe("text/plain")
      expect(reply.json.clientId).toBeDefined()
    }).pipe(Effect.provide(setup())))

  it.effect("rules target operations, run out after count, and ratio 0 never fires", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      yield* em.setFaults([
        { fault: Emulator.Fault.status(500), ratio: 0 },
        { fault: Emulator.Fault.emptyBody(), operation: ["StartDeviceAuthorization", "CreateToken"] },
        { fault: Emulator.Fault.notJson(), operation: "*", count: 1 }
      ])
      expect((yield* Effect.flip(register))._tag).toBe("ResponseDecodeError") // notJson, count 1
      const registered = yield* register // exhausted; emptyBody does not target RegisterClient
      const client = yield* SsoOidcClient.SsoOidcClient
      const start = client.startDeviceAuthorization({
        clientId: registered.clientId!,
        clientSecret: registered.clientSecret!,
        startUrl
      })
      expect(plain(yield* Effect.flip(start))).toMatchObject({ _tag: "ResponseDecodeError", description: "empty body" })
      yield* em.clearFaults
      expect((yield* start).userCode).toBeDefined()
    }).pipe(Effect.provide(setup())))

  it.effect("ratio draws come from Effect's Random (about half fire at 0.5)", () =>
    Effect.gen(function*() {
      const em = yield* emulator
      yield* em.setFaults([{ fault: Emulator.Fault.status(503), ratio: 0.5 }])
      let failures = 0
      for (let i = 0; i < 200; i++) {
        const result = yield* Effect.result(register)
        if (result._tag === "Failure") failures++
      }
      expect(failures).toBeGreaterThan(60)
      expect(failures).toBeLessThan(140)
    }).pipe(Effect.provide(setup())))
})

describe("error names", () => {
  it("every error of the module is named after its tag: String(error) is `Tag: message`", () => {
    const errors = [
      new Emulator.UnknownUserCode({ userCode: "ABCD-EFGH" }),
      new Emulator.AuthorizationNotPending({ userCode: "ABCD-EFGH", status: "denied" }),
      new Emulator.UnknownAuthorizationRequest({ id: "r1" }),
      new Emulator.AuthorizationRequestNotPending({ id: "r1", status: "consumed" })
    ]
    for (const error of errors) {
      expect(error.name).toBe(error._tag)
      expect(String(error)).toBe(`${error._tag}: ${error.message}`)
    }
  })
})
