/**
 * The SSO OIDC client over a scripted `HttpClient`: what goes on the wire,
 * how replies are read, which failures are retried, and how the endpoint is
 * configured. Everything time-based runs in virtual time (TestClock at 0).
 */
import { HttpClient } from "effect/http"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Fiber, Formatter, Inspectable, Layer, Redacted, Result } from "effect"
import { TestClock } from "effect/testing"
import { readFileSync } from "node:fs"
import { inspect } from "node:util"
import { Endpoint, SsoOidcClient, SsoOidcError, SsoOidcSchema } from "../src/index.js"
import { VERSION } from "../src/internal/version.js"
import * as Mock from "../src/testing/ScriptedHttpClient.js"

// -----------------------------------------------------------------------------
// fixtures
// -----------------------------------------------------------------------------

const CLIENT_ID = "_yzkThXVzLWVhc3QtMQEXAMPLECLIENTID"
const CLIENT_SECRET = "VERYLONGSECRETeyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0"
const DEVICE_CODE = "yJraWQiOiJrZXktMTU2Njk2ODA4OCIsImFsZyI6IkhTMzIn0EXAMPLEDEVICECODE"
const ACCESS_TOKEN = "aoal-YigITUDiNX1xZwOMXM5MxOWDL0E0jg9P6_EXAMPLEACCESSTOKEN"
const REFRESH_TOKEN = "aorvJYubGpU6i91YnH7Mfo-AT2fIVa1zCfA_EXAMPLEREFRESHTOKEN"
const ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.EXAMPLEIDTOKEN.c2lnbmF0dXJl"
const CODE_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-EXAMPLEVERIFIER"
const START_URL = "https://d-1234567890.awsapps.com/start"
const REQUEST_ID = "7c1c1a52-0000-4000-8000-000000000000"

const secrets = [CLIENT_SECRET, DEVICE_CODE, ACCESS_TOKEN, REFRESH_TOKEN, ID_TOKEN, CODE_VERIFIER]

const registerInput: SsoOidcSchema.RegisterClientRequest = {
  clientName: "My IDE Plugin",
  clientType: "public",
  scopes: ["sso:account:access", "codewhisperer:completions"],
  redirectUris: ["http://127.0.0.1:53135/oauth/callback"],
  grantTypes: ["authorization_code", "refresh_token"],
  issuerUrl: "https://identitycenter.amazonaws.com/ssoins-1111111111111111",
  entitledApplicationArn: "arn:aws:sso::123456789012:application/ssoins-1111111111111111/apl-1111111111111111"
}

const startInput: SsoOidcSchema.StartDeviceAuthorizationRequest = {
  clientId: CLIENT_ID,
  clientSecret: Redacted.make(CLIENT_SECRET),
  startUrl: START_URL
}

const deviceCodeInput: SsoOidcSchema.CreateTokenRequest = {
  clientId: CLIENT_ID,
  clientSecret: Redacted.make(CLIENT_SECRET),
  grantType: SsoOidcSchema.GrantType.DeviceCode,
  deviceCode: Redacted.make(DEVICE_CODE)
}

/** The JSON object of a successful reply of each operation, every member set. */
const registerReply = {
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  clientIdIssuedAt: 1579725929,
  clientSecretExpiresAt: 1587584729,
  authorizationEndpoint: "https://oidc.us-east-1.amazonaws.com/authorize",
  tokenEndpoint: "https://oidc.us-east-1.amazonaws.com/token"
}

const startReply = {
  deviceCode: DEVICE_CODE,
  userCode: "ABCD-EFGH",
  verificationUri: "https://device.sso.us-east-1.amazonaws.com/",
  verificationUriComplete: "https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH",
  expiresIn: 600,
  interval: 1
}

const tokenReply = {
  accessToken: ACCESS_TOKEN,
  tokenType: "Bearer",
  expiresIn: 28800,
  refreshToken: REFRESH_TOKEN,
  idToken: ID_TOKEN
}

type Call = (client: SsoOidcClient.Service) => Effect.Effect<unknown, unknown>

const operations = {
  registerClient: (client) => client.registerClient(registerInput),
  startDeviceAuthorization: (client) => client.startDeviceAuthorization(startInput),
  createToken: (client) => client.createToken(deviceCodeInput)
} satisfies Record<string, Call>

type OperationMethod = keyof typeof operations

const allCalls: ReadonlyArray<Call> = Object.values(operations)

// -----------------------------------------------------------------------------
// helpers
// -----------------------------------------------------------------------------

/** Runs `f` with a client over `mock`; region us-east-1 unless `options` say otherwise. */
const withClient = <A, E>(
  mock: Mock.ScriptedHttpClient,
  f: (client: SsoOidcClient.Service) => Effect.Effect<A, E>,
  options: SsoOidcClient.Options = {}
): Effect.Effect<A, E> => Effect.flatMap(SsoOidcClient.SsoOidcClient, f).pipe(Effect.provide(Mock.clientLayer(mock, options)))

/** Runs `f` in a fiber, lets `advance` of virtual time pass, and returns its exit as an Either. */
const runFor = <A, E>(effect: Effect.Effect<A, E>, advance: Duration.Input = Duration.minutes(10)) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(Effect.result(effect))
    yield* TestClock.adjust(advance)
    return yield* Fiber.join(fiber)
  })

/** The requests a scripted mock received after one call. */
const sendOnce = (call: Call, options: SsoOidcClient.Options = {}, reply: Mock.Reply = Mock.json({})) =>
  Effect.gen(function*() {
    const mock = yield* Mock.script([reply])
    yield* Effect.ignore(withClient(mock, call, options))
    return yield* mock.requests
  })

const onlyRequest = (requests: ReadonlyArray<Mock.Recorded>): Mock.Recorded => {
  expect(requests).toHaveLength(1)
  return requests[0]!
}

const expectNoSecret = (text: string) => {
  for (const secret of secrets) expect(text).not.toContain(secret)
}

/** All the ways a value can be shown: `String`, `JSON.stringify`, `Formatter`, `Inspectable`, `util.inspect`. */
const renderings = (value: unknown): ReadonlyArray<string> => [
  String(value),
  JSON.stringify(value) ?? "",
  Formatter.format(value),
  Formatter.formatJson(value),
  Inspectable.toStringUnknown(value),
  inspect(value, { depth: 10 })
]

const expectLeft = <A, E>(result: Result.Result<A, E>): E => {
  if (Result.isSuccess(result)) throw new Error(`expected a failure, got ${Formatter.format(result.success)}`)
  return result.failure
}

// -----------------------------------------------------------------------------
// request encoding
// -----------------------------------------------------------------------------

describe("request encoding", () => {
  it.effect("RegisterClient is a JSON POST of every member to /client/register at the regional endpoint", () =>
    Effect.gen(function*() {
      const request = onlyRequest(yield* sendOnce(operations.registerClient))
      expect(request.method).toBe("POST")
      expect(request.url).toBe("https://oidc.us-east-1.amazonaws.com/client/register")
      expect(request.path).toBe("/client/register")
      expect(request.headers["content-type"]).toBe("application/json")
      expect(request.headers["user-agent"]).toMatch(/^effect-sso-oidc\//)
      expect(request.json).toStrictEqual({
        clientName: "My IDE Plugin",
        clientType: "public",
        scopes: ["sso:account:access", "codewhisperer:completions"],
        redirectUris: ["http://127.0.0.1:53135/oauth/callback"],
        grantTypes: ["authorization_code", "refresh_token"],
        issuerUrl: "https://identitycenter.amazonaws.com/ssoins-1111111111111111",
        entitledApplicationArn: "arn:aws:sso::123456789012:application/ssoins-1111111111111111/apl-1111111111111111"
      })
    }))

  it.effect("RegisterClient with only the required members sends only those", () =>
    Effect.gen(function*() {
      const request = onlyRequest(
        yield* sendOnce((client) => client.registerClient({ clientName: "cli", clientType: "public" }))
      )
      expect(request.json).toStrictEqual({ clientName: "cli", clientType: "public" })
      expect(request.text).toBe(`{"clientName":"cli","clientType":"public"}`)
    }))

  it.effect("StartDeviceAuthorization is a JSON POST to /device_authorization with the client secret in plain text", () =>
    Effect.gen(function*() {
      const request = onlyRequest(yield* sendOnce(operations.startDeviceAuthorization))
      expect(request.method).toBe("POST")
      expect(request.url).toBe("https://oidc.us-east-1.amazonaws.com/device_authorization")
      expect(request.headers["content-type"]).toBe("application/json")
      expect(request.headers["user-agent"]).toMatch(/^effect-sso-oidc\//)
      expect(request.json).toStrictEqual({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, startUrl: START_URL })
    }))

  it.effect("CreateToken (device code grant) is a JSON POST to /token with the device code in plain text", () =>
    Effect.gen(function*() {
      const request = onlyRequest(yield* sendOnce(operations.createToken))
      expect(request.method).toBe("POST")
      expect(request.url).toBe("https://oidc.us-east-1.amazonaws.com/token")
      expect(request.headers["content-type"]).toBe("application/json")
      expect(request.headers["user-agent"]).toMatch(/^effect-sso-oidc\//)
      expect(request.json).toStrictEqual({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        grantType: "urn:ietf:params:oauth:grant-type:device_code",
        deviceCode: DEVICE_CODE
      })
    }))

  it.effect("CreateToken (authorization code grant with PKCE) sends code, redirectUri, codeVerifier and scope", () =>
    Effect.gen(function*() {
      const request = onlyRequest(
        yield* sendOnce((client) =>
          client.createToken({
            clientId: CLIENT_ID,
            clientSecret: Redacted.make(CLIENT_SECRET),
            grantType: SsoOidcSchema.GrantType.AuthorizationCode,
            code: "auth-code-123",
            redirectUri: "http://127.0.0.1:53135/oauth/callback",
            codeVerifier: Redacted.make(CODE_VERIFIER),
            scope: ["sso:account:access"]
          })
        )
      )
      expect(request.json).toStrictEqual({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        grantType: "authorization_code",
        code: "auth-code-123",
        redirectUri: "http://127.0.0.1:53135/oauth/callback",
        codeVerifier: CODE_VERIFIER,
        scope: ["sso:account:access"]
      })
    }))

  it.effect("CreateToken (refresh token grant) sends refreshToken and scope", () =>
    Effect.gen(function*() {
      const request = onlyRequest(
        yield* sendOnce((client) =>
          client.createToken({
            clientId: CLIENT_ID,
            clientSecret: Redacted.make(CLIENT_SECRET),
            grantType: SsoOidcSchema.GrantType.RefreshToken,
            refreshToken: Redacted.make(REFRESH_TOKEN),
            scope: ["codewhisperer:completions", "sso:account:access"]
          })
        )
      )
      expect(request.json).toStrictEqual({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        grantType: "refresh_token",
        refreshToken: REFRESH_TOKEN,
        scope: ["codewhisperer:completions", "sso:account:access"]
      })
    }))

  it.effect("members given as undefined are left out of the body (no undefined or null keys)", () =>
    Effect.gen(function*() {
      const register = onlyRequest(
        yield* sendOnce((client) =>
          client.registerClient({
            clientName: "cli",
            clientType: "public",
            scopes: undefined,
            redirectUris: undefined,
            grantTypes: undefined,
            issuerUrl: undefined,
            entitledApplicationArn: undefined
          })
        )
      )
      expect(register.text).toBe(`{"clientName":"cli","clientType":"public"}`)

      const token = onlyRequest(
        yield* sendOnce((client) =>
          client.createToken({
            clientId: CLIENT_ID,
            clientSecret: Redacted.make(CLIENT_SECRET),
            grantType: SsoOidcSchema.GrantType.DeviceCode,
            deviceCode: Redacted.make(DEVICE_CODE),
            code: undefined,
            refreshToken: undefined,
            scope: undefined,
            redirectUri: undefined,
            codeVerifier: undefined
          })
        )
      )
      for (const key of ["code", "refreshToken", "scope", "redirectUri", "codeVerifier"]) {
        expect(token.text).not.toContain(`"${key}"`)
      }
      expect(token.text).not.toContain("undefined")
      expect(token.text).not.toContain("null")
      expect(Object.keys(token.json)).toStrictEqual(["clientId", "clientSecret", "grantType", "deviceCode"])
    }))

  it.effect("members outside the model (from untyped callers) are not sent", () =>
    Effect.gen(function*() {
      const request = onlyRequest(
        yield* sendOnce((client) =>
          client.startDeviceAuthorization({ ...startInput, extra: "x", clientType: "public" } as any)
        )
      )
      expect(Object.keys(request.json).sort()).toStrictEqual(["clientId", "clientSecret", "startUrl"])
    }))

  it.effect("secrets are plain text in the wire body only: not in the URL, not in a header, not in the input's rendering", () =>
    Effect.gen(function*() {
      const input: SsoOidcSchema.CreateTokenRequest = {
        clientId: CLIENT_ID,
        clientSecret: Redacted.make(CLIENT_SECRET),
        grantType: SsoOidcSchema.GrantType.AuthorizationCode,
        code: "c",
        codeVerifier: Redacted.make(CODE_VERIFIER),
        refreshToken: Redacted.make(REFRESH_TOKEN),
        deviceCode: Redacted.make(DEVICE_CODE)
      }
      const request = onlyRequest(yield* sendOnce((client) => client.createToken(input)))
      for (const secret of [CLIENT_SECRET, CODE_VERIFIER, REFRESH_TOKEN, DEVICE_CODE]) {
        expect(request.text).toContain(secret)
        expect(request.url).not.toContain(secret)
        expect(JSON.stringify(request.headers)).not.toContain(secret)
      }
      for (const shown of renderings(input)) expectNoSecret(shown)
    }))

  it.effect("the region picks the regional host (aws and aws-cn partitions)", () =>
    Effect.gen(function*() {
      const west = onlyRequest(yield* sendOnce(operations.startDeviceAuthorization, { region: "eu-west-1" }))
      expect(west.url).toBe("https://oidc.eu-west-1.amazonaws.com/device_authorization")
      const china = onlyRequest(yield* sendOnce(operations.createToken, { region: "cn-north-1" }))
      expect(china.url).toBe("https://oidc.cn-north-1.amazonaws.com.cn/token")
    }))

  it.effect("a custom endpoint replaces the regional URL", () =>
    Effect.gen(function*() {
      const request = onlyRequest(yield* sendOnce(operations.createToken, { endpoint: "http://localhost:4566" }))
      expect(request.url).toBe("http://localhost:4566/token")
    }))

  it.effect("a custom endpoint is used without a region", () =>
    Effect.gen(function*() {
      const request = onlyRequest(
        yield* sendOnce(operations.registerClient, { region: undefined, endpoint: "http://localhost:4566" })
      )
      expect(request.url).toBe("http://localhost:4566/client/register")
    }))

  it.effect("a trailing slash on a custom endpoint does not double the slash", () =>
    Effect.gen(function*() {
      const request = onlyRequest(
        yield* sendOnce(operations.startDeviceAuthorization, { endpoint: "http://localhost:4566/" })
      )
      expect(request.url).toBe("http://localhost:4566/device_authorization")
    }))

  it.effect("a custom endpoint's base path is kept, with or without a trailing slash", () =>
    Effect.gen(function*() {
      const bare = onlyRequest(yield* sendOnce(operations.createToken, { endpoint: "https://proxy.example.com/sso/oidc" }))
      expect(bare.url).toBe("https://proxy.example.com/sso/oidc/token")
      expect(bare.path).toBe("/sso/oidc/token")
      const slash = onlyRequest(
        yield* sendOnce(operations.registerClient, { endpoint: "https://proxy.example.com/sso/oidc/" })
      )
      expect(slash.url).toBe("https://proxy.example.com/sso/oidc/client/register")
    }))

  it.effect("the user-agent is effect-sso-oidc/<package version> on every operation", () =>
    Effect.gen(function*() {
      for (const call of allCalls) {
        const request = onlyRequest(yield* sendOnce(call))
        expect(request.headers["user-agent"]).toBe(`effect-sso-oidc/${VERSION}`)
        expect(request.headers["user-agent"]).toBe(SsoOidcClient.userAgent)
      }
    }))

  it.effect("no trace context header (b3, traceparent) is sent, even from inside the app's span", () =>
    Effect.gen(function*() {
      for (const call of allCalls) {
        const request = onlyRequest(yield* sendOnce(call).pipe(Effect.withSpan("app.call")))
        expect(request.headers).not.toHaveProperty("traceparent")
        expect(request.headers).not.toHaveProperty("b3")
      }
    }))
})

// -----------------------------------------------------------------------------
// success decoding
// -----------------------------------------------------------------------------

describe("success decoding", () => {
  const decode = <A>(call: (client: SsoOidcClient.Service) => Effect.Effect<A, unknown>, body: unknown) =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json(body)])
      return yield* withClient(mock, call)
    })

  it.effect("RegisterClient's reply decodes every member; clientSecret is Redacted", () =>
    Effect.gen(function*() {
      const out = yield* decode(operations.registerClient, registerReply)
      expect(Object.keys(out).sort()).toStrictEqual(Object.keys(registerReply).sort())
      expect(out.clientId).toBe(CLIENT_ID)
      expect(Redacted.isRedacted(out.clientSecret)).toBe(true)
      expect(Redacted.value(out.clientSecret!)).toBe(CLIENT_SECRET)
      expect(out.clientIdIssuedAt).toBe(1579725929)
      expect(out.clientSecretExpiresAt).toBe(1587584729)
      expect(out.authorizationEndpoint).toBe(registerReply.authorizationEndpoint)
      expect(out.tokenEndpoint).toBe(registerReply.tokenEndpoint)
    }))

  it.effect("StartDeviceAuthorization's reply decodes every member; deviceCode is Redacted", () =>
    Effect.gen(function*() {
      const out = yield* decode(operations.startDeviceAuthorization, startReply)
      expect(Object.keys(out).sort()).toStrictEqual(Object.keys(startReply).sort())
      expect(Redacted.isRedacted(out.deviceCode)).toBe(true)
      expect(Redacted.value(out.deviceCode!)).toBe(DEVICE_CODE)
      expect(out.userCode).toBe("ABCD-EFGH")
      expect(out.verificationUri).toBe(startReply.verificationUri)
      expect(out.verificationUriComplete).toBe(startReply.verificationUriComplete)
      expect(out.expiresIn).toBe(600)
      expect(out.interval).toBe(1)
    }))

  it.effect("CreateToken's reply decodes every member; accessToken, refreshToken and idToken are Redacted", () =>
    Effect.gen(function*() {
      const out = yield* decode(operations.createToken, tokenReply)
      expect(Object.keys(out).sort()).toStrictEqual(Object.keys(tokenReply).sort())
      expect(Redacted.isRedacted(out.accessToken)).toBe(true)
      expect(Redacted.isRedacted(out.refreshToken)).toBe(true)
      expect(Redacted.isRedacted(out.idToken)).toBe(true)
      expect(Redacted.value(out.accessToken!)).toBe(ACCESS_TOKEN)
      expect(Redacted.value(out.refreshToken!)).toBe(REFRESH_TOKEN)
      expect(Redacted.value(out.idToken!)).toBe(ID_TOKEN)
      expect(out.tokenType).toBe("Bearer")
      expect(out.expiresIn).toBe(28800)
    }))

  it.effect("no rendering of a decoded output shows a secret (String, JSON.stringify, Inspectable, util.inspect)", () =>
    Effect.gen(function*() {
      const outputs: ReadonlyArray<unknown> = [
        yield* decode(operations.registerClient, registerReply),
        yield* decode(operations.startDeviceAuthorization, startReply),
        yield* decode(operations.createToken, tokenReply)
      ]
      for (const out of outputs) {
        for (const shown of renderings(out)) expectNoSecret(shown)
      }
      // The redaction is visible, not silent.
      expect(JSON.stringify(outputs[2])).toContain("<redacted>")
    }))

  it.effect("missing expiresIn and interval read as 0", () =>
    Effect.gen(function*() {
      const out = yield* decode(operations.startDeviceAuthorization, { deviceCode: DEVICE_CODE, userCode: "U" })
      expect(out.expiresIn).toBe(0)
      expect(out.interval).toBe(0)
      const token = yield* decode(operations.createToken, { accessToken: ACCESS_TOKEN })
      expect(token.expiresIn).toBe(0)
    }))

  it.effect("null expiresIn and interval read as 0", () =>
    Effect.gen(function*() {
      const out = yield* decode(operations.startDeviceAuthorization, { expiresIn: null, interval: null })
      expect(out.expiresIn).toBe(0)
      expect(out.interval).toBe(0)
      const token = yield* decode(operations.createToken, { accessToken: ACCESS_TOKEN, expiresIn: null })
      expect(token.expiresIn).toBe(0)
    }))

  it.effect("missing or null clientIdIssuedAt and clientSecretExpiresAt read as 0", () =>
    Effect.gen(function*() {
      const missing = yield* decode(operations.registerClient, { clientId: CLIENT_ID })
      expect(missing.clientIdIssuedAt).toBe(0)
      expect(missing.clientSecretExpiresAt).toBe(0)
      const nulls = yield* decode(operations.registerClient, { clientIdIssuedAt: null, clientSecretExpiresAt: null })
      expect(nulls.clientIdIssuedAt).toBe(0)
      expect(nulls.clientSecretExpiresAt).toBe(0)
    }))

  it.effect("missing optional members stay absent (the key is not present)", () =>
    Effect.gen(function*() {
      const register = yield* decode(operations.registerClient, {})
      expect(register).toStrictEqual({ clientIdIssuedAt: 0, clientSecretExpiresAt: 0 })
      for (const key of ["clientId", "clientSecret", "authorizationEndpoint", "tokenEndpoint"]) {
        expect(key in register).toBe(false)
      }
      const start = yield* decode(operations.startDeviceAuthorization, {})
      expect(Object.keys(start).sort()).toStrictEqual(["expiresIn", "interval"])
      const token = yield* decode(operations.createToken, {})
      expect(Object.keys(token)).toStrictEqual(["expiresIn"])
    }))

  it.effect("null optional members read as absent", () =>
    Effect.gen(function*() {
      const token = yield* decode(operations.createToken, {
        accessToken: ACCESS_TOKEN,
        tokenType: null,
        refreshToken: null,
        idToken: null
      })
      expect(Object.keys(token).sort()).toStrictEqual(["accessToken", "expiresIn"])
    }))

  it.effect("unknown extra members are ignored and not copied into the output", () =>
    Effect.gen(function*() {
      const token = yield* decode(operations.createToken, {
        ...tokenReply,
        issuedTokenType: "urn:ietf:params:oauth:token-type:refresh_token",
        aws_extra: { nested: true },
        futureMember: 42
      })
      expect(Object.keys(token).sort()).toStrictEqual(Object.keys(tokenReply).sort())
      expect("futureMember" in token).toBe(false)
    }))
})

// -----------------------------------------------------------------------------
// service errors
// -----------------------------------------------------------------------------

interface ErrorCase {
  readonly tag: string
  readonly wireName: SsoOidcError.WireName
  readonly method: OperationMethod
  readonly status: number
  readonly error: string
  readonly reason?: string
}

/** Each service error the client exposes, for an operation that declares it, as AWS sends it. */
const errorCases: ReadonlyArray<ErrorCase> = [
  { tag: "AccessDenied", wireName: "AccessDeniedException", method: "createToken", status: 400, error: "access_denied", reason: "KMS_AccessDeniedException" },
  { tag: "AuthorizationPending", wireName: "AuthorizationPendingException", method: "createToken", status: 400, error: "authorization_pending" },
  { tag: "ExpiredToken", wireName: "ExpiredTokenException", method: "createToken", status: 400, error: "expired_token" },
  { tag: "InternalServer", wireName: "InternalServerException", method: "registerClient", status: 500, error: "server_error" },
  { tag: "InvalidClient", wireName: "InvalidClientException", method: "startDeviceAuthorization", status: 401, error: "invalid_client" },
  { tag: "InvalidClientMetadata", wireName: "InvalidClientMetadataException", method: "registerClient", status: 400, error: "invalid_client_metadata" },
  { tag: "InvalidGrant", wireName: "InvalidGrantException", method: "createToken", status: 400, error: "invalid_grant" },
  { tag: "InvalidRedirectUri", wireName: "InvalidRedirectUriException", method: "registerClient", status: 400, error: "invalid_redirect_uri" },
  { tag: "InvalidRequest", wireName: "InvalidRequestException", method: "startDeviceAuthorization", status: 400, error: "invalid_request", reason: "KMS_NotFoundException" },
  { tag: "InvalidScope", wireName: "InvalidScopeException", method: "registerClient", status: 400, error: "invalid_scope" },
  { tag: "SlowDown", wireName: "SlowDownException", method: "createToken", status: 400, error: "slow_down" },
  { tag: "UnauthorizedClient", wireName: "UnauthorizedClientException", method: "startDeviceAuthorization", status: 400, error: "unauthorized_client" },
  { tag: "UnsupportedGrantType", wireName: "UnsupportedGrantTypeException", method: "createToken", status: 400, error: "unsupported_grant_type" }
]

const failWith = (method: OperationMethod, reply: Mock.Reply, options: SsoOidcClient.Options = {}) =>
  Effect.gen(function*() {
    const mock = yield* Mock.script([reply])
    const error = yield* Effect.flip(withClient(mock, operations[method] as Call, { retry: false, ...options }))
    return { error: error as any, requests: yield* mock.requests }
  })

describe("service errors", () => {
  for (const c of errorCases) {
    it.effect(`${c.wireName} (HTTP ${c.status}) from ${c.method} becomes ${c.tag}${c.reason ? " with its reason" : ""}`, () =>
      Effect.gen(function*() {
        const description = `Description of ${c.tag}`
        const { error, requests } = yield* failWith(
          c.method,
          Mock.awsError(c.wireName, {
            status: c.status,
            error: c.error,
            description,
            ...(c.reason === undefined ? {} : { extra: { reason: c.reason } })
          })
        )
        expect(requests).toHaveLength(1)
        expect(error).toBeInstanceOf(SsoOidcError.byWireName[c.wireName])
        expect(error._tag).toBe(c.tag)
        expect(error.error).toBe(c.error)
        expect(error.error_description).toBe(description)
        expect(error.status).toBe(c.status)
        expect(error.requestId).toBe(REQUEST_ID)
        if (c.reason !== undefined) expect(error.reason).toBe(c.reason)
        expect(SsoOidcError.isSsoOidcError(error)).toBe(true)
      }))
  }

  it.effect("every operation's declared errors are covered by the cases above, except InvalidRequestRegion", () =>
    Effect.sync(() => {
      const covered = new Set(errorCases.map((c) => c.wireName))
      const all = Object.keys(SsoOidcError.byWireName)
      expect(all.filter((name) => !covered.has(name as SsoOidcError.WireName))).toStrictEqual([
        "InvalidRequestRegionException"
      ])
      for (const c of errorCases) {
        const declared: ReadonlyArray<string> = SsoOidcError.operationErrors[
          ({ registerClient: "RegisterClient", startDeviceAuthorization: "StartDeviceAuthorization", createToken: "CreateToken" } as const)[c.method]
        ]
        expect(declared).toContain(c.wireName)
      }
    }))

  it.effect("an InvalidRequestRegionException reply to CreateToken (declared only by CreateTokenWithIAM) is a ServiceError keeping its name", () =>
    Effect.gen(function*() {
      const { error } = yield* failWith(
        "createToken",
        Mock.awsError("InvalidRequestRegionException", {
          error: "invalid_request",
          description: "Token was issued in another region",
          extra: { endpoint: "https://oidc.eu-west-1.amazonaws.com", region: "eu-west-1" }
        })
      )
      expect(error).toBeInstanceOf(SsoOidcError.ServiceError)
      expect(error._tag).toBe("ServiceError")
      expect(error.errorType).toBe("InvalidRequestRegionException")
      expect(error.error).toBe("invalid_request")
      expect(error.error_description).toBe("Token was issued in another region")
      expect(error.status).toBe(400)
      expect(error.requestId).toBe(REQUEST_ID)
    }))

  it.effect("a known error name the operation does not declare (AuthorizationPending from RegisterClient) is a ServiceError keeping its name", () =>
    Effect.gen(function*() {
      const { error } = yield* failWith(
        "registerClient",
        Mock.awsError("AuthorizationPendingException", { error: "authorization_pending", description: "pending" })
      )
      expect(error._tag).toBe("ServiceError")
      expect(error.errorType).toBe("AuthorizationPendingException")
      expect(error.error).toBe("authorization_pending")
      expect(error.error_description).toBe("pending")
      expect(error.status).toBe(400)
      expect(error.requestId).toBe(REQUEST_ID)
    }))

  it.effect("an unknown error name is a ServiceError with status, request id, error and error_description", () =>
    Effect.gen(function*() {
      const { error, requests } = yield* failWith(
        "createToken",
        Mock.awsError("BrandNewException", { status: 409, error: "brand_new", description: "Something new" })
      )
      expect(requests).toHaveLength(1)
      expect(error._tag).toBe("ServiceError")
      expect(error.errorType).toBe("BrandNewException")
      expect(error.status).toBe(409)
      expect(error.requestId).toBe(REQUEST_ID)
      expect(error.error).toBe("brand_new")
      expect(error.error_description).toBe("Something new")
    }))

  it.effect("a non-JSON error page with no error name (a proxy's 403) is a ServiceError with its status", () =>
    Effect.gen(function*() {
      const { error } = yield* failWith(
        "startDeviceAuthorization",
        Mock.raw(403, "<html><body>Forbidden</body></html>", { "content-type": "text/html" })
      )
      expect(error._tag).toBe("ServiceError")
      expect(error.status).toBe(403)
      // no `name` member of its own (Error.prototype.name, the tag, shows through)
      expect(Object.hasOwn(error, "name")).toBe(false)
      expect(error.error).toBeUndefined()
      expect(error.error_description).toBeUndefined()
      expect(error.requestId).toBeUndefined()
    }))
})

// -----------------------------------------------------------------------------
// unreadable replies
// -----------------------------------------------------------------------------

describe("unreadable 200 replies", () => {
  const decodeFailure = (method: OperationMethod, reply: Mock.Reply) =>
    Effect.gen(function*() {
      const { error, requests } = yield* failWith(method, reply)
      expect(requests).toHaveLength(1)
      expect(error).toBeInstanceOf(SsoOidcError.ResponseDecodeError)
      expect(error._tag).toBe("ResponseDecodeError")
      expect(error.status).toBe(200)
      return error as SsoOidcError.ResponseDecodeError
    })

  const expectNothingShown = (error: SsoOidcError.ResponseDecodeError, ...values: ReadonlyArray<string>) => {
    for (const shown of [error.message, String(error), JSON.stringify(error), Formatter.format(error), inspect(error)]) {
      for (const value of values) expect(shown).not.toContain(value)
    }
  }

  it.effect("an empty body is a ResponseDecodeError", () =>
    Effect.gen(function*() {
      const error = yield* decodeFailure("createToken", Mock.raw(200, "", { "x-amzn-requestid": REQUEST_ID }))
      expect(error.operation).toBe("CreateToken")
      expect(error.requestId).toBe(REQUEST_ID)
      expect(error.message).toContain("empty body")
    }))

  it.effect("a non-JSON body is a ResponseDecodeError that does not quote the body", () =>
    Effect.gen(function*() {
      const body = `accessToken=${ACCESS_TOKEN}&refresh=${REFRESH_TOKEN}`
      const error = yield* decodeFailure("createToken", Mock.raw(200, body))
      expect(error.message).toContain("not JSON")
      expectNothingShown(error, ACCESS_TOKEN, REFRESH_TOKEN)
    }))

  it.effect("a non-JSON body that is entirely a secret is not shown", () =>
    Effect.gen(function*() {
      const error = yield* decodeFailure("registerClient", Mock.raw(200, CLIENT_SECRET))
      expectNothingShown(error, CLIENT_SECRET)
    }))

  it.effect("a JSON array is a ResponseDecodeError", () =>
    Effect.gen(function*() {
      const error = yield* decodeFailure("startDeviceAuthorization", Mock.json([{ deviceCode: DEVICE_CODE }]))
      expect(error.operation).toBe("StartDeviceAuthorization")
      expectNothingShown(error, DEVICE_CODE)
    }))

  it.effect("JSON null and a JSON string are ResponseDecodeErrors", () =>
    Effect.gen(function*() {
      yield* decodeFailure("createToken", Mock.raw(200, "null"))
      const error = yield* decodeFailure("createToken", Mock.json(ACCESS_TOKEN))
      expectNothingShown(error, ACCESS_TOKEN)
    }))

  it.effect("a wrong type (accessToken: 42) is a ResponseDecodeError naming the member, without the refresh token next to it", () =>
    Effect.gen(function*() {
      const error = yield* decodeFailure(
        "createToken",
        Mock.json({ accessToken: 42, refreshToken: REFRESH_TOKEN, idToken: ID_TOKEN, expiresIn: 3600 })
      )
      expect(error.description).toContain("accessToken")
      expectNothingShown(error, REFRESH_TOKEN, ID_TOKEN)
    }))

  it.effect("a wrong type (expiresIn: \"soon\") is a ResponseDecodeError naming the member, without the tokens", () =>
    Effect.gen(function*() {
      const error = yield* decodeFailure(
        "createToken",
        Mock.json({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, expiresIn: "soon" })
      )
      expect(error.description).toContain("expiresIn")
      expectNothingShown(error, ACCESS_TOKEN, REFRESH_TOKEN, "soon")
    }))

  it.effect("a secret member of the wrong type is not quoted (clientSecret: [secret])", () =>
    Effect.gen(function*() {
      const error = yield* decodeFailure("registerClient", Mock.json({ clientSecret: [CLIENT_SECRET], clientId: 7 }))
      expectNothingShown(error, CLIENT_SECRET)
    }))

  it.effect("an unreadable 200 is not retried", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.raw(200, "not json")])
      const result = yield* runFor(withClient(mock, operations.createToken))
      expect(expectLeft(result)._tag).toBe("ResponseDecodeError")
      expect(yield* mock.requests).toHaveLength(1)
    }))
})

// -----------------------------------------------------------------------------
// retries
// -----------------------------------------------------------------------------

describe("retries (virtual time)", () => {
  /** Each attempt is its own span, so its trace propagation headers differ. */
  const withoutTracing = (headers: Readonly<Record<string, string>>) => {
    const { b3: _b3, traceparent: _traceparent, ...rest } = headers
    return rest
  }
  const ok = Mock.json(tokenReply)

  it.effect("a 500 then a 200 succeeds; the second request is sent after a backoff delay", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.awsError("InternalServerException", { status: 500 }), ok])
      const result = yield* runFor(withClient(mock, operations.createToken))
      expect(Result.isSuccess(result)).toBe(true)
      const requests = yield* mock.requests
      expect(requests).toHaveLength(2)
      expect(requests[0]!.at).toBe(0)
      expect(requests[1]!.at).toBeGreaterThan(0)
      // default base 100 ms, equal jitter: the first delay is within [50, 100] ms
      expect(requests[1]!.at).toBeGreaterThanOrEqual(50)
      expect(requests[1]!.at).toBeLessThanOrEqual(100)
    }))

  it.effect("the retry does not happen before the backoff has elapsed", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.awsError("InternalServerException", { status: 500 }), ok])
      const fiber = yield* Effect.forkChild(withClient(mock, operations.createToken))
      yield* TestClock.adjust(Duration.millis(49))
      expect(yield* mock.requests).toHaveLength(1)
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(Duration.millis(51))
      yield* Fiber.join(fiber)
      expect(yield* mock.requests).toHaveLength(2)
    }))

  const transient: ReadonlyArray<readonly [string, Mock.Reply]> = [
    ["HTTP 429", Mock.awsError("SlowDownException", { status: 429, error: "slow_down" })],
    ["HTTP 500", Mock.json({}, 500)],
    ["HTTP 502", Mock.raw(502, "<html>Bad Gateway</html>")],
    ["HTTP 503", Mock.raw(503, "")],
    ["HTTP 504", Mock.json({ message: "Gateway timeout" }, 504)],
    ["a transport failure", Mock.transportFailure()]
  ]
  for (const [name, reply] of transient) {
    it.effect(`${name} is retried`, () =>
      Effect.gen(function*() {
        const mock = yield* Mock.script([reply, ok])
        const result = yield* runFor(withClient(mock, operations.createToken))
        expect(Result.isSuccess(result)).toBe(true)
        expect(yield* mock.requests).toHaveLength(2)
      }))
  }

  it.effect("after 3 retries (4 attempts) the last error is returned; the delays grow", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([
        Mock.json({}, 500, { "x-amzn-requestid": "req-1" }),
        Mock.json({}, 502, { "x-amzn-requestid": "req-2" }),
        Mock.json({}, 503, { "x-amzn-requestid": "req-3" }),
        Mock.json({}, 504, { "x-amzn-requestid": "req-4" }),
        ok
      ])
      const error: any = expectLeft(yield* runFor(withClient(mock, operations.createToken)))
      expect(error._tag).toBe("ServiceError")
      expect(error.status).toBe(504)
      expect(error.requestId).toBe("req-4")
      const at = (yield* mock.requests).map((r) => r.at)
      expect(at).toHaveLength(4)
      const gaps = [at[1]! - at[0]!, at[2]! - at[1]!, at[3]! - at[2]!]
      // exponential from 100 ms with equal jitter: [50,100], [100,200], [200,400]
      expect(gaps[0]).toBeGreaterThanOrEqual(50)
      expect(gaps[0]).toBeLessThanOrEqual(100)
      expect(gaps[1]).toBeGreaterThanOrEqual(100)
      expect(gaps[1]).toBeLessThanOrEqual(200)
      expect(gaps[2]).toBeGreaterThanOrEqual(200)
      expect(gaps[2]).toBeLessThanOrEqual(400)
    }))

  it.effect("after the retries are spent on transport failures, the TransportError is returned", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.transportFailure("read ECONNRESET")])
      const error: any = expectLeft(yield* runFor(withClient(mock, operations.startDeviceAuthorization)))
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toBe("Transport")
      expect(error.operation).toBe("StartDeviceAuthorization")
      expect(error.description).toContain("ECONNRESET")
      expect(yield* mock.requests).toHaveLength(4)
    }))

  it.effect("retry: false makes exactly one attempt", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.awsError("InternalServerException", { status: 500 }), ok])
      const error: any = expectLeft(yield* runFor(withClient(mock, operations.createToken, { retry: false })))
      expect(error._tag).toBe("InternalServer")
      expect(yield* mock.requests).toHaveLength(1)
    }))

  it.effect("retry: { times: 1 } makes two attempts", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({}, 503), Mock.json({}, 503), ok])
      const error: any = expectLeft(yield* runFor(withClient(mock, operations.createToken, { retry: { times: 1 } })))
      expect(error.status).toBe(503)
      expect(yield* mock.requests).toHaveLength(2)
    }))

  it.effect("retry: { times: 0 } makes one attempt", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({}, 503), ok])
      expectLeft(yield* runFor(withClient(mock, operations.createToken, { retry: { times: 0 } })))
      expect(yield* mock.requests).toHaveLength(1)
    }))

  it.effect("the backoff starts from retry.base", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({}, 503), ok])
      const result = yield* runFor(withClient(mock, operations.createToken, { retry: { base: Duration.seconds(2) } }))
      expect(Result.isSuccess(result)).toBe(true)
      const at = (yield* mock.requests).map((r) => r.at)
      expect(at[1]).toBeGreaterThanOrEqual(1000)
      expect(at[1]).toBeLessThanOrEqual(2000)
    }))

  it.effect("no delay exceeds retry.cap", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({}, 503)])
      const options = { retry: { times: 5, base: Duration.seconds(10), cap: Duration.seconds(1) } }
      expectLeft(yield* runFor(withClient(mock, operations.createToken, options)))
      const at = (yield* mock.requests).map((r) => r.at)
      expect(at).toHaveLength(6)
      for (let i = 1; i < at.length; i++) {
        expect(at[i]! - at[i - 1]!).toBeGreaterThan(0)
        expect(at[i]! - at[i - 1]!).toBeLessThanOrEqual(1000)
      }
    }))

  const neverRetried: ReadonlyArray<readonly [string, string, number]> = [
    ["AuthorizationPendingException", "AuthorizationPending", 400],
    ["SlowDownException", "SlowDown", 400],
    ["InvalidGrantException", "InvalidGrant", 400],
    ["InvalidClientException", "InvalidClient", 401]
  ]
  for (const [wireName, tag, status] of neverRetried) {
    it.effect(`a ${status} (${tag}) is never retried`, () =>
      Effect.gen(function*() {
        const mock = yield* Mock.script([Mock.awsError(wireName, { status }), ok])
        const error: any = expectLeft(yield* runFor(withClient(mock, operations.createToken)))
        expect(error._tag).toBe(tag)
        expect(yield* mock.requests).toHaveLength(1)
      }))
  }

  it.effect("a 400 with no error name is never retried", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.raw(400, ""), ok])
      expectLeft(yield* runFor(withClient(mock, operations.registerClient)))
      expect(yield* mock.requests).toHaveLength(1)
    }))

  it.effect("a retried request is sent again unchanged (same URL, body and headers but the per-attempt trace ids)", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.transportFailure(), Mock.json({}, 500), ok])
      const result = yield* runFor(withClient(mock, operations.createToken))
      expect(Result.isSuccess(result)).toBe(true)
      const requests = yield* mock.requests
      expect(requests).toHaveLength(3)
      for (const request of requests.slice(1)) {
        expect(request.text).toBe(requests[0]!.text)
        expect(request.url).toBe(requests[0]!.url)
        expect(withoutTracing(request.headers)).toStrictEqual(withoutTracing(requests[0]!.headers))
      }
      expect(requests[0]!.json.deviceCode).toBe(DEVICE_CODE)
    }))
})

// -----------------------------------------------------------------------------
// timeout
// -----------------------------------------------------------------------------

describe("timeout (virtual time)", () => {
  it.effect("a reply that never comes fails with TransportError Timeout after the default 30 s", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.hang])
      const fiber = yield* Effect.forkChild(Effect.flip(withClient(mock, operations.createToken, { retry: false })))
      yield* TestClock.adjust(Duration.millis(29_999))
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(Duration.millis(1))
      const error: any = yield* Fiber.join(fiber)
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toBe("Timeout")
      expect(error.operation).toBe("CreateToken")
      expect(yield* mock.requests).toHaveLength(1)
    }))

  it.effect("a configured timeout replaces the default", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.hang])
      const fiber = yield* Effect.forkChild(
        Effect.flip(withClient(mock, operations.registerClient, { retry: false, timeout: Duration.seconds(2) }))
      )
      yield* TestClock.adjust(Duration.millis(1_999))
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(Duration.millis(1))
      const error: any = yield* Fiber.join(fiber)
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toBe("Timeout")
      expect(error.operation).toBe("RegisterClient")
    }))

  it.effect("a timeout is retried as transient", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.hang, Mock.json(tokenReply)])
      const result = yield* runFor(withClient(mock, operations.createToken))
      expect(Result.isSuccess(result)).toBe(true)
      const requests = yield* mock.requests
      expect(requests).toHaveLength(2)
      expect(requests[1]!.at).toBeGreaterThan(30_000)
    }))

  it.effect("when every attempt times out, the fourth Timeout is returned", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.hang])
      const error: any = expectLeft(
        yield* runFor(withClient(mock, operations.createToken, { timeout: Duration.seconds(5) }), Duration.minutes(1))
      )
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toBe("Timeout")
      expect(yield* mock.requests).toHaveLength(4)
    }))
})

// -----------------------------------------------------------------------------
// endpoint configuration errors
// -----------------------------------------------------------------------------

describe("endpoint errors", () => {
  it.effect("without a region every method fails with EndpointError \"Invalid Configuration: Missing Region\" and sends nothing", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({})])
      for (const call of allCalls) {
        const error: any = yield* Effect.flip(withClient(mock, call, { region: undefined }))
        expect(error).toBeInstanceOf(Endpoint.EndpointError)
        expect(error._tag).toBe("EndpointError")
        expect(error.message).toBe("Invalid Configuration: Missing Region")
      }
      expect(yield* mock.requests).toHaveLength(0)
    }))

  it.effect("the service exposes the unresolved endpoint as a Left", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({})])
      const endpoint = yield* withClient(mock, (client) => Effect.succeed(client.endpoint), { region: undefined })
      expect(Result.isFailure(endpoint)).toBe(true)
      const region = yield* withClient(mock, (client) => Effect.succeed(client.region), { region: undefined })
      expect(region).toBeUndefined()
    }))

  it.effect("a custom endpoint that is not a URL is an EndpointError and sends nothing", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({})])
      for (const endpoint of ["not a url", "oidc.example.com", "ftp://oidc.example.com"]) {
        const error: any = yield* Effect.flip(withClient(mock, operations.createToken, { endpoint }))
        expect(error._tag).toBe("EndpointError")
        expect(error.message).toMatch(/^Invalid Configuration: /)
      }
      expect(yield* mock.requests).toHaveLength(0)
    }))

  // Fails on src as of this writing: the region is interpolated into the host
  // unchecked (src/Endpoint.ts) and the client only checks that the result
  // parses as an http(s) URL, so "@evil.example/" sends the client secret and
  // device code to https://evil.example (userinfo "oidc."), "evil.example#" to
  // oidc.evil.example. The AWS SDK refuses such regions before any request:
  // 'Region not accepted: region="…" is not a valid hostname component.'
  it.effect("a region that is not a valid host label is an EndpointError, and no request leaves for any host", () =>
    Effect.gen(function*() {
      for (const region of ["@evil.example/", "evil.example#", "evil.example/x?", "us east-1"]) {
        const mock = yield* Mock.script([Mock.json(tokenReply)])
        const result = yield* runFor(withClient(mock, operations.createToken, { region }))
        const hosts = (yield* mock.requests).map((r) => new URL(r.url).host)
        expect({ region, hosts }).toStrictEqual({ region, hosts: [] })
        const error: any = expectLeft(result)
        expect({ region, tag: error._tag }).toStrictEqual({ region, tag: "EndpointError" })
      }
    }))

  it.effect("an endpoint with a password is an EndpointError without it, and nothing is sent", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json(tokenReply)])
      const error: any = yield* Effect.flip(
        withClient(mock, operations.createToken, { endpoint: "https://user:hunter2-password@oidc.example.com" })
      )
      expect(error._tag).toBe("EndpointError")
      expect([error.message, String(error), JSON.stringify(error)].join("\n")).not.toContain("hunter2")
      expect(yield* mock.requests).toHaveLength(0)
    }))

  it.effect("a plain-http endpoint to another host is refused unless allowInsecureEndpoint is set", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json(tokenReply)])
      const refused: any = yield* Effect.flip(
        withClient(mock, operations.createToken, { endpoint: "http://oidc.example.com" })
      )
      expect(refused._tag).toBe("EndpointError")
      expect(refused.message).toContain("allowInsecureEndpoint")
      expect(yield* mock.requests).toHaveLength(0)
      yield* withClient(mock, operations.createToken, { endpoint: "http://oidc.example.com", allowInsecureEndpoint: true })
      expect((yield* mock.requests).map((r) => r.url)).toEqual(["http://oidc.example.com/token"])
    }))

  it.effect("layerConfig passes allowInsecureEndpoint on, for an endpoint from the environment", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json(tokenReply)])
      const withConfig = (options: SsoOidcClient.Options) =>
        Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) => Effect.succeed(client.endpoint)).pipe(
          Effect.provide(
            SsoOidcClient.layerConfig(options).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client)))
          ),
          Effect.provideService(
            ConfigProvider.ConfigProvider,
            ConfigProvider.fromEnvRecord({ AWS_ENDPOINT_URL_SSO_OIDC: "http://emulator.lan:4566" })
          )
        )
      expect(Result.isFailure(yield* withConfig({}))).toBe(true)
      expect(yield* withConfig({ allowInsecureEndpoint: true })).toEqual(Result.succeed("http://emulator.lan:4566"))
    }))

  it.effect("a custom endpoint with FIPS is the rule set's EndpointError", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({})])
      const error: any = yield* Effect.flip(
        withClient(mock, operations.createToken, { endpoint: "https://example.com", useFips: true })
      )
      expect(error._tag).toBe("EndpointError")
      expect(error.message).toBe("Invalid Configuration: FIPS and custom endpoint are not supported")
      expect(yield* mock.requests).toHaveLength(0)
    }))
})

// -----------------------------------------------------------------------------
// invalid input from untyped callers
// -----------------------------------------------------------------------------

describe("InvalidInput", () => {
  it.effect("a non-string clientId fails with InvalidInput naming clientId, sends nothing, and does not show the secret", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({})])
      const error: any = yield* Effect.flip(
        withClient(mock, (client) =>
          client.createToken({
            clientId: 42 as any,
            clientSecret: Redacted.make(CLIENT_SECRET),
            grantType: SsoOidcSchema.GrantType.RefreshToken,
            refreshToken: Redacted.make(REFRESH_TOKEN)
          }))
      )
      expect(error).toBeInstanceOf(SsoOidcError.InvalidInput)
      expect(error._tag).toBe("InvalidInput")
      expect(error.operation).toBe("CreateToken")
      expect(error.description).toContain("clientId")
      expect(error.message).toContain("clientId")
      for (const shown of [error.message, String(error), JSON.stringify(error), inspect(error)]) {
        expect(shown).not.toContain(CLIENT_SECRET)
        expect(shown).not.toContain(REFRESH_TOKEN)
      }
      expect(yield* mock.requests).toHaveLength(0)
    }))

  it.effect("a secret passed as a plain string instead of Redacted fails with InvalidInput without quoting it", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({})])
      const error: any = yield* Effect.flip(
        withClient(mock, (client) =>
          client.startDeviceAuthorization({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET as any, startUrl: START_URL }))
      )
      expect(error._tag).toBe("InvalidInput")
      expect(error.description).toContain("clientSecret")
      for (const shown of [error.message, String(error), JSON.stringify(error), inspect(error)]) {
        expect(shown).not.toContain(CLIENT_SECRET)
      }
      expect(yield* mock.requests).toHaveLength(0)
    }))

  it.effect("a missing required member fails with InvalidInput naming it", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({})])
      const error: any = yield* Effect.flip(
        withClient(mock, (client) => client.registerClient({ clientName: "cli" } as any))
      )
      expect(error._tag).toBe("InvalidInput")
      expect(error.operation).toBe("RegisterClient")
      expect(error.description).toContain("clientType")
      expect(yield* mock.requests).toHaveLength(0)
    }))
})

// -----------------------------------------------------------------------------
// layerConfig
// -----------------------------------------------------------------------------

describe("layerConfig", () => {
  /** The URL a StartDeviceAuthorization goes to, with `env` as the configuration. */
  const urlFrom = (env: Record<string, string>, options: SsoOidcClient.Options = {}) =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json(startReply)])
      const layer = SsoOidcClient.layerConfig(options).pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client))
      )
      const result = yield* Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) =>
        Effect.result(client.startDeviceAuthorization(startInput)).pipe(
          Effect.map((outcome) => ({ outcome, endpoint: client.endpoint, region: client.region }))
        )).pipe(
          Effect.provide(layer),
          Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))
        )
      const requests = yield* mock.requests
      return {
        url: requests[0]?.url,
        error: Result.isFailure(result.outcome) ? (result.outcome.failure as any) : undefined,
        endpoint: result.endpoint,
        region: result.region
      }
    })

  it.effect("AWS_REGION picks the region", () =>
    Effect.gen(function*() {
      const { url, endpoint, region } = yield* urlFrom({ AWS_REGION: "eu-west-1" })
      expect(url).toBe("https://oidc.eu-west-1.amazonaws.com/device_authorization")
      expect(endpoint).toStrictEqual(Result.succeed("https://oidc.eu-west-1.amazonaws.com"))
      expect(region).toBe("eu-west-1")
    }))

  it.effect("AWS_REGION wins over AWS_DEFAULT_REGION", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({ AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "ap-southeast-2" })
      expect(url).toBe("https://oidc.eu-west-1.amazonaws.com/device_authorization")
    }))

  it.effect("AWS_DEFAULT_REGION is used alone", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({ AWS_DEFAULT_REGION: "ap-southeast-2" })
      expect(url).toBe("https://oidc.ap-southeast-2.amazonaws.com/device_authorization")
    }))

  it.effect("an empty AWS_REGION is treated as unset", () =>
    Effect.gen(function*() {
      const fallback = yield* urlFrom({ AWS_REGION: "", AWS_DEFAULT_REGION: "ap-southeast-2" })
      expect(fallback.url).toBe("https://oidc.ap-southeast-2.amazonaws.com/device_authorization")
      const none = yield* urlFrom({ AWS_REGION: "" })
      expect(none.url).toBeUndefined()
      expect(none.error?._tag).toBe("EndpointError")
      expect(none.error?.message).toBe("Invalid Configuration: Missing Region")
    }))

  it.effect("no configuration at all builds the layer, and each call fails with Missing Region", () =>
    Effect.gen(function*() {
      const { url, error } = yield* urlFrom({})
      expect(url).toBeUndefined()
      expect(error?._tag).toBe("EndpointError")
      expect(error?.message).toBe("Invalid Configuration: Missing Region")
    }))

  it.effect("AWS_ENDPOINT_URL_SSO_OIDC wins over AWS_ENDPOINT_URL", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_SSO_OIDC: "https://sso-oidc.local:8001",
        AWS_ENDPOINT_URL: "https://everything.local:8002"
      })
      expect(url).toBe("https://sso-oidc.local:8001/device_authorization")
    }))

  it.effect("AWS_ENDPOINT_URL is used alone", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({ AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: "https://everything.local:8002/" })
      expect(url).toBe("https://everything.local:8002/device_authorization")
    }))

  it.effect("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores both endpoint variables", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({
        AWS_REGION: "us-west-2",
        AWS_ENDPOINT_URL_SSO_OIDC: "https://sso-oidc.local:8001",
        AWS_ENDPOINT_URL: "https://everything.local:8002",
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true"
      })
      expect(url).toBe("https://oidc.us-west-2.amazonaws.com/device_authorization")
    }))

  it.effect("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false keeps the configured endpoint", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({
        AWS_REGION: "us-west-2",
        AWS_ENDPOINT_URL: "https://everything.local:8002",
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "false"
      })
      expect(url).toBe("https://everything.local:8002/device_authorization")
    }))

  it.effect("AWS_USE_FIPS_ENDPOINT=true selects the FIPS host", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({ AWS_REGION: "us-east-1", AWS_USE_FIPS_ENDPOINT: "true" })
      expect(url).toBe("https://oidc-fips.us-east-1.amazonaws.com/device_authorization")
    }))

  it.effect("an empty AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS reads as unset", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL: "https://everything.local:8002",
        AWS_USE_FIPS_ENDPOINT: "",
        AWS_USE_DUALSTACK_ENDPOINT: "",
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: ""
      })
      expect(url).toBe("https://everything.local:8002/device_authorization")
    }))

  it.effect("AWS_USE_DUALSTACK_ENDPOINT=true selects the dual-stack host", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({ AWS_REGION: "us-east-1", AWS_USE_DUALSTACK_ENDPOINT: "true" })
      expect(url).toBe("https://oidc.us-east-1.api.aws/device_authorization")
    }))

  it.effect("FIPS and dual-stack together select the FIPS dual-stack host", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({
        AWS_REGION: "us-east-1",
        AWS_USE_FIPS_ENDPOINT: "true",
        AWS_USE_DUALSTACK_ENDPOINT: "true"
      })
      expect(url).toBe("https://oidc-fips.us-east-1.api.aws/device_authorization")
    }))

  it.effect("an explicit region option beats the environment", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({ AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "ap-southeast-2" }, {
        region: "ca-central-1"
      })
      expect(url).toBe("https://oidc.ca-central-1.amazonaws.com/device_authorization")
    }))

  it.effect("an explicit endpoint option beats the environment's endpoint", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({ AWS_ENDPOINT_URL_SSO_OIDC: "https://sso-oidc.local:8001" }, {
        endpoint: "https://explicit.local:9000"
      })
      expect(url).toBe("https://explicit.local:9000/device_authorization")
    }))

  it.effect("an explicit useFips: false beats AWS_USE_FIPS_ENDPOINT=true", () =>
    Effect.gen(function*() {
      const { url } = yield* urlFrom({ AWS_REGION: "us-east-1", AWS_USE_FIPS_ENDPOINT: "true" }, { useFips: false })
      expect(url).toBe("https://oidc.us-east-1.amazonaws.com/device_authorization")
    }))

  it.effect("options other than the endpoint settings (retry) still apply", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({}, 503), Mock.json(startReply)])
      const layer = SsoOidcClient.layerConfig({ retry: false }).pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client))
      )
      const result = yield* runFor(
        Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) => client.startDeviceAuthorization(startInput)).pipe(
          Effect.provide(layer),
          Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord({ AWS_REGION: "us-east-1" }))
        )
      )
      expect(Result.isFailure(result)).toBe(true)
      expect(yield* mock.requests).toHaveLength(1)
    }))
})

// -----------------------------------------------------------------------------
// version
// -----------------------------------------------------------------------------

describe("version", () => {
  it("src/internal/version.ts equals package.json's version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
    expect(VERSION).toBe(pkg.version)
    expect(SsoOidcClient.userAgent).toBe(`effect-sso-oidc/${pkg.version}`)
  })
})
