/**
 * Each edition's clients on the wire, through its harness (the built
 * package, `FetchHttpClient`) to a real `node:http` server of this file's own
 * on 127.0.0.1:
 *
 * - the bytes they send, and what replies and real network failures become;
 * - request parity: for the same inputs, the edition's requests equal the AWS
 *   SDK's (`@aws-sdk/client-sso-oidc`, `@aws-sdk/client-sso`), both recorded
 *   by the same server (method, path, query, body, content type, the bearer
 *   header; the SigV4 scope of CreateTokenWithIAM).
 */
import { GetRoleCredentialsCommand, ListAccountRolesCommand, ListAccountsCommand, LogoutCommand, SSOClient } from "@aws-sdk/client-sso"
import {
  CreateTokenCommand,
  CreateTokenWithIAMCommand,
  RegisterClientCommand,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"
import { readFileSync } from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Path from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Edition, editions, type Harness, redacted, repoRoot, startHarness } from "./harness.js"

const CLIENT_ID = "_yzkThXVzLWVhc3QtMQEXAMPLECLIENTID"
const CLIENT_SECRET = "VERYLONGSECRETeyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0"
const DEVICE_CODE = "yJraWQiOiJrZXktMTU2Njk2ODA4OCIsImFsZyI6IkhTMzIn0EXAMPLEDEVICECODE"
const ACCESS_TOKEN = "aoal-YigITUDiNX1xZwOMXM5MxOWDL0E0jg9P6_EXAMPLEACCESSTOKEN"
const REFRESH_TOKEN = "aorvJYubGpU6i91YnH7Mfo-AT2fIVa1zCfA_EXAMPLEREFRESHTOKEN"
const REQUEST_ID = "3b4c5d6e-1111-4222-8333-944455556666"
const APP_ARN = "arn:aws:sso::123456789012:application/ssoins-1111111111111111/apl-1111111111111111"

/** The version in each edition's package.json: its client's user agent names it. */
const versionOf = (edition: Edition) =>
  JSON.parse(readFileSync(Path.join(repoRoot, edition === "effect3" ? "" : "effect4", "package.json"), "utf8")).version

// -----------------------------------------------------------------------------
// the server: records each raw request, answers with the current handler
// -----------------------------------------------------------------------------

interface Captured {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly rawHeaders: ReadonlyArray<string>
  readonly body: string
}

type Handler = (req: Http.IncomingMessage, res: Http.ServerResponse, body: string) => void

let server: Http.Server
let baseUrl: string
let captured: Array<Captured> = []
let handler: Handler = (_req, res) => res.end()

beforeAll(async () => {
  server = Http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      captured.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders, body })
      handler(req, res, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

beforeEach(() => {
  captured = []
  handler = (_req, res) => res.end()
})

/** A reply as AWS sends it: JSON with `x-amzn-RequestId`, and for an error the coral `x-amzn-ErrorType`. */
const reply = (status: number, body: unknown, errorType?: string): Handler => (_req, res) => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": REQUEST_ID,
    ...(errorType === undefined
      ? {}
      : { "x-amzn-ErrorType": `${errorType}:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/` })
  })
  res.end(text)
}

/** Answers the n-th request (0-based) with `handlers[n]`, the last one repeating. */
const sequence = (...handlers: ReadonlyArray<Handler>): Handler => (req, res, body) =>
  handlers[Math.min(captured.length - 1, handlers.length - 1)]!(req, res, body)

/** A closed port on 127.0.0.1: listen on an ephemeral port, then close it. */
const closedPort = async (): Promise<number> => {
  const probe = Http.createServer()
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

const tokenInput = {
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  grantType: "urn:ietf:params:oauth:grant-type:device_code",
  deviceCode: DEVICE_CODE
}

const onlyRequest = (): Captured => {
  expect(captured).toHaveLength(1)
  return captured[0]!
}

/** What matters in a request: everything but the headers each client adds for itself. */
const essentials = (seen: Captured) => {
  const [path, query = ""] = seen.url.split("?")
  return {
    method: seen.method,
    path,
    // the query as encoded (a space as %20, as the SDK sends it), in a stable order
    query: query.split("&").filter((part) => part !== "").sort(),
    contentType: seen.headers["content-type"],
    bearer: seen.headers["x-amz-sso_bearer_token"],
    body: seen.body === "" ? "" : JSON.parse(seen.body)
  }
}

const sdkOidc = (config: { region?: string; endpoint?: string } = {}) =>
  new SSOOIDCClient({
    region: "us-east-1",
    endpoint: baseUrl,
    credentials: { accessKeyId: "AKID", secretAccessKey: "SECRET" },
    maxAttempts: 1,
    ...config
  })

// -----------------------------------------------------------------------------
// inputs (as the SDK takes them, and as JSON on the wire)
// -----------------------------------------------------------------------------

const registerInputs: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["required members only", { clientName: "My IDE Plugin", clientType: "public" }],
  ["every member", {
    clientName: "My IDE Plugin",
    clientType: "public",
    scopes: ["sso:account:access", "codewhisperer:completions"],
    redirectUris: ["127.0.0.1:PORT/oauth/callback"],
    grantTypes: ["authorization_code", "refresh_token"],
    issuerUrl: "https://identitycenter.amazonaws.com/ssoins-1111111111111111",
    entitledApplicationArn: APP_ARN
  }],
  ["empty lists and non-ASCII text", {
    clientName: "Café IDE ✓ \"quoted\" \\ back",
    clientType: "public",
    scopes: [],
    grantTypes: [],
    redirectUris: []
  }],
  ["device-code client as the AWS CLI registers it", {
    clientName: "botocore-client-my-session",
    clientType: "public",
    scopes: ["sso:account:access"],
    grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
    issuerUrl: "https://d-1234567890.awsapps.com/start"
  }]
]

const startInputs: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["the model's example", {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    startUrl: "https://identitycenter.amazonaws.com/ssoins-111111111111"
  }],
  ["an access portal URL with a fragment", {
    clientId: "c",
    clientSecret: "s",
    startUrl: "https://d-1234567890.awsapps.com/start/#/"
  }]
]

const tokenInputs: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["device code grant", tokenInput],
  ["authorization code grant with PKCE", {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    grantType: "authorization_code",
    code: "auth-code",
    redirectUri: "http://127.0.0.1:53135/oauth/callback",
    codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    scope: ["sso:account:access"]
  }],
  ["refresh token grant", {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    grantType: "refresh_token",
    refreshToken: REFRESH_TOKEN,
    scope: ["codewhisperer:completions"]
  }],
  ["every member at once", {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    grantType: "authorization_code",
    deviceCode: "device-code",
    code: "auth-code",
    refreshToken: "refresh-token",
    scope: ["a", "b"],
    redirectUri: "http://127.0.0.1/oauth/callback",
    codeVerifier: "verifier"
  }]
]

const iamInputs: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["authorization code grant", {
    clientId: APP_ARN,
    grantType: "authorization_code",
    code: "auth-code",
    redirectUri: "https://mywebapp.example/redirect",
    codeVerifier: "verifier",
    scope: ["openid", "aws", "sts:identity_context"]
  }],
  ["JWT bearer grant", {
    clientId: APP_ARN,
    grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
    assertion: "eyJhbGciOiJIUzI1NiJ9.EXAMPLEASSERTION.c2ln"
  }],
  ["refresh token grant", { clientId: APP_ARN, grantType: "refresh_token", refreshToken: REFRESH_TOKEN }],
  ["token exchange grant", {
    clientId: APP_ARN,
    grantType: "urn:ietf:params:oauth:grant-type:token-exchange",
    subjectToken: "aoak-Hig8TUDPNX1xZwOMXM5EXAMPLESUBJECTTOKEN",
    subjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
    requestedTokenType: "urn:ietf:params:oauth:token-type:refresh_token"
  }],
  ["every member at once", {
    clientId: APP_ARN,
    grantType: "authorization_code",
    code: "c",
    refreshToken: "r",
    assertion: "a",
    scope: ["s"],
    redirectUri: "https://r",
    subjectToken: "st",
    subjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
    requestedTokenType: "urn:ietf:params:oauth:token-type:access_token",
    codeVerifier: "v"
  }]
]

const PORTAL_TOKEN = "aoaPARITYACCESSTOKEN0123456789abcdefghijkl"

/** A minimal 200 for each portal path. */
const portalReplies: Handler = (req, res) => {
  const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname
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
  const body = replies[path]
  res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": REQUEST_ID })
  res.end(body === undefined ? "" : JSON.stringify(body))
}

const portalCases: ReadonlyArray<{
  readonly name: string
  readonly sdk: (client: SSOClient) => Promise<unknown>
  readonly operation: string
  readonly input: Record<string, unknown>
}> = [
  {
    name: "GetRoleCredentials",
    sdk: (client) =>
      client.send(new GetRoleCredentialsCommand({ accessToken: PORTAL_TOKEN, accountId: "123456789012", roleName: "Dev Role+/=" })),
    operation: "getRoleCredentials",
    input: { accessToken: PORTAL_TOKEN, accountId: "123456789012", roleName: "Dev Role+/=" }
  },
  {
    name: "ListAccounts (no page)",
    sdk: (client) => client.send(new ListAccountsCommand({ accessToken: PORTAL_TOKEN })),
    operation: "listAccounts",
    input: { accessToken: PORTAL_TOKEN }
  },
  {
    name: "ListAccounts (next_token and max_result)",
    sdk: (client) => client.send(new ListAccountsCommand({ accessToken: PORTAL_TOKEN, nextToken: "a b/c+d=", maxResults: 7 })),
    operation: "listAccounts",
    input: { accessToken: PORTAL_TOKEN, nextToken: "a b/c+d=", maxResults: 7 }
  },
  {
    name: "ListAccountRoles",
    sdk: (client) =>
      client.send(
        new ListAccountRolesCommand({ accessToken: PORTAL_TOKEN, accountId: "123456789012", nextToken: "n", maxResults: 100 })
      ),
    operation: "listAccountRoles",
    input: { accessToken: PORTAL_TOKEN, accountId: "123456789012", nextToken: "n", maxResults: 100 }
  },
  {
    name: "Logout",
    sdk: (client) => client.send(new LogoutCommand({ accessToken: PORTAL_TOKEN })),
    operation: "logout",
    input: { accessToken: PORTAL_TOKEN }
  }
]

for (const edition of editions) describe(`[${edition}]`, () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness(edition)
  }, 60_000)
  afterAll(() => h?.close())

  const oidc = (input: Record<string, unknown>, options: Record<string, unknown> = {}, operation = "createToken") =>
    h.attempt("oidc", { endpoint: baseUrl, operation, input, timeoutMillis: 2000, ...options })

  describe("the client over fetch to a node:http server", () => {

    it("the raw request: POST /token, content-type, user-agent, length, JSON body with the secrets in plain text", async () => {
      handler = reply(200, { accessToken: ACCESS_TOKEN, tokenType: "Bearer", expiresIn: 3600 })
      expect((await oidc(tokenInput)).ok).toBe(true)
      const request = onlyRequest()
      expect(request.method).toBe("POST")
      expect(request.url).toBe("/token")
      expect(request.headers["content-type"]).toBe("application/json")
      expect(request.headers["user-agent"]).toBe(`effect-sso-oidc/${versionOf(edition)}`)
      expect(request.headers["content-length"]).toBe(String(Buffer.byteLength(request.body)))
      expect(request.headers.host).toBe(new URL(baseUrl).host)
      expect(JSON.parse(request.body)).toStrictEqual(tokenInput)
      // The secrets travel in the body only: not in the URL, not in any header.
      expect(request.body).toContain(CLIENT_SECRET)
      expect(request.body).toContain(DEVICE_CODE)
      for (const value of [request.url, ...request.rawHeaders]) {
        expect(value).not.toContain(CLIENT_SECRET)
        expect(value).not.toContain(DEVICE_CODE)
      }
    })

    it("RegisterClient and StartDeviceAuthorization go to their paths; non-ASCII text is UTF-8 with the right length", async () => {
      handler = reply(200, {})
      await oidc({ clientName: "Café IDE ✓", clientType: "public", scopes: ["sso:account:access"] }, {}, "registerClient")
      await oidc(
        { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, startUrl: "https://d-1234567890.awsapps.com/start" },
        {},
        "startDeviceAuthorization"
      )
      expect(captured.map((r) => `${r.method} ${r.url}`)).toStrictEqual([
        "POST /client/register",
        "POST /device_authorization"
      ])
      expect(JSON.parse(captured[0]!.body)).toStrictEqual({
        clientName: "Café IDE ✓",
        clientType: "public",
        scopes: ["sso:account:access"]
      })
      expect(captured[0]!.headers["content-length"]).toBe(String(Buffer.byteLength(captured[0]!.body, "utf8")))
      expect(JSON.parse(captured[1]!.body).clientSecret).toBe(CLIENT_SECRET)
    })

    it("a custom endpoint's base path reaches the server", async () => {
      handler = reply(200, {})
      await oidc(tokenInput, { endpoint: `${baseUrl}/sso/oidc/` })
      expect(onlyRequest().url).toBe("/sso/oidc/token")
    })

    it("a 200 reply decodes, with the tokens Redacted", async () => {
      handler = reply(200, { accessToken: ACCESS_TOKEN, tokenType: "Bearer", expiresIn: 28800, refreshToken: REFRESH_TOKEN })
      const answer = await oidc(tokenInput)
      expect(answer.ok).toBe(true)
      const { output, shown } = answer.ok ? answer.result : ({} as any)
      expect(output).toStrictEqual({
        accessToken: redacted(ACCESS_TOKEN),
        refreshToken: redacted(REFRESH_TOKEN),
        tokenType: "Bearer",
        expiresIn: 28800
      })
      expect(shown).not.toContain(ACCESS_TOKEN)
      expect(shown).not.toContain(REFRESH_TOKEN)
    })

    it("an error reply named by x-amzn-ErrorType becomes the typed error with status and request id", async () => {
      handler = reply(
        400,
        { error: "authorization_pending", error_description: "Authorization is still pending" },
        "AuthorizationPendingException"
      )
      const answer = await oidc(tokenInput)
      expect(!answer.ok && answer.error).toMatchObject({
        _tag: "AuthorizationPending",
        error: "authorization_pending",
        error_description: "Authorization is still pending",
        status: 400,
        requestId: REQUEST_ID
      })
    })

    it("a 401 InvalidClientException becomes InvalidClient", async () => {
      handler = reply(401, { error: "invalid_client", error_description: "Invalid client" }, "InvalidClientException")
      const answer = await oidc(tokenInput)
      expect(!answer.ok && answer.error).toMatchObject({ _tag: "InvalidClient", status: 401 })
    })

    it("a connection the server destroys mid-request is a TransportError with reason Transport", async () => {
      handler = (req) => req.socket.destroy()
      const answer = await oidc(tokenInput)
      expect(!answer.ok && answer.error).toMatchObject({ _tag: "TransportError", reason: "Transport", operation: "CreateToken" })
      expect(!answer.ok && answer.error.message).not.toContain(CLIENT_SECRET)
      expect(!answer.ok && answer.error.message).not.toContain(DEVICE_CODE)
      expect(captured).toHaveLength(1)
    })

    it("a destroyed connection is retried as transient: 1 + retry.times requests, then the TransportError", async () => {
      handler = (req) => req.socket.destroy()
      const answer = await oidc(tokenInput, { retry: { times: 2, baseMillis: 5 } })
      expect(!answer.ok && answer.error).toMatchObject({ _tag: "TransportError", reason: "Transport" })
      expect(captured).toHaveLength(3)
      expect(new Set(captured.map((r) => r.body)).size).toBe(1)
    })

    it("a reply cut short in its body is a TransportError that does not quote the partial body", async () => {
      handler = (_req, res) => {
        res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "1000" })
        res.write(`{"accessToken":"${ACCESS_TOKEN}","refreshToken":"${REFRESH_TOKEN}"`)
        setTimeout(() => res.socket?.destroy(), 10)
      }
      const answer = await oidc(tokenInput)
      expect(!answer.ok && answer.error).toMatchObject({ _tag: "TransportError", reason: "Transport" })
      expect(answer.ok).toBe(false)
      if (!answer.ok) {
        for (const shown of [answer.error.message, answer.error.string, answer.error.json]) {
          expect(shown).not.toContain(ACCESS_TOKEN)
          expect(shown).not.toContain(REFRESH_TOKEN)
        }
      }
    })

    it("a 503 then a 200 over real HTTP succeeds after a short backoff, resending the same body", async () => {
      handler = sequence(reply(503, { message: "Service Unavailable" }), reply(200, { accessToken: ACCESS_TOKEN, expiresIn: 3600 }))
      const answer = await oidc(tokenInput, { retry: { times: 3, baseMillis: 5 } })
      expect(answer.ok && answer.result.output.accessToken).toStrictEqual(redacted(ACCESS_TOKEN))
      expect(captured).toHaveLength(2)
      expect(captured[1]!.body).toBe(captured[0]!.body)
    })

    it("a server that never answers fails with TransportError Timeout (the configured timeout)", async () => {
      handler = () => {}
      const answer = await oidc(tokenInput, { timeoutMillis: 200 })
      expect(!answer.ok && answer.error).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
    })

    it("a refused connection (closed port) is a TransportError naming ECONNREFUSED", async () => {
      const port = await closedPort()
      const answer = await oidc(tokenInput, { endpoint: `http://127.0.0.1:${port}` })
      expect(!answer.ok && answer.error).toMatchObject({ _tag: "TransportError", reason: "Transport" })
      expect(!answer.ok && String(answer.error["description"])).toContain("ECONNREFUSED")
      expect(!answer.ok && answer.error.message).not.toContain(CLIENT_SECRET)
      expect(captured).toHaveLength(0)
    })

    it("nothing the harness printed holds a secret the client was given or sent back", () => {
      for (const secret of [CLIENT_SECRET, DEVICE_CODE, ACCESS_TOKEN, REFRESH_TOKEN]) {
        expect(h.transcript()).not.toContain(secret)
      }
    })
  })

  describe("request parity with @aws-sdk/client-sso-oidc", () => {

    /** The SDK's request and the edition's, for the same input, in that order. */
    const both = async (
      send: (client: SSOOIDCClient) => Promise<unknown>,
      operation: string,
      input: Record<string, unknown>,
      options: Record<string, unknown> = {},
      sdkConfig: { endpoint?: string } = {}
    ) => {
      handler = reply(200, {})
      const sdk = sdkOidc(sdkConfig)
      try {
        await send(sdk)
      } finally {
        sdk.destroy()
      }
      const answer = await oidc(input, { ...options, ...(sdkConfig.endpoint === undefined ? {} : { endpoint: sdkConfig.endpoint }) }, operation)
      expect(answer.ok, JSON.stringify(answer)).toBe(true)
      expect(captured).toHaveLength(2)
      return [captured[0]!, captured[1]!] as const
    }

    for (const [name, input] of registerInputs) {
      it(`RegisterClient, ${name}: same method, path and JSON body`, async () => {
        const [theirs, ours] = await both((c) => c.send(new RegisterClientCommand(input as any)), "registerClient", input)
        expect(essentials(ours)).toStrictEqual(essentials(theirs))
      })
    }

    for (const [name, input] of startInputs) {
      it(`StartDeviceAuthorization, ${name}: same method, path and JSON body`, async () => {
        const [theirs, ours] = await both(
          (c) => c.send(new StartDeviceAuthorizationCommand(input as any)),
          "startDeviceAuthorization",
          input
        )
        expect(essentials(ours)).toStrictEqual(essentials(theirs))
      })
    }

    for (const [name, input] of tokenInputs) {
      it(`CreateToken, ${name}: same method, path, no query and the same JSON body`, async () => {
        const [theirs, ours] = await both((c) => c.send(new CreateTokenCommand(input as any)), "createToken", input)
        expect(essentials(theirs).query).toStrictEqual([])
        expect(essentials(ours)).toStrictEqual(essentials(theirs))
      })
    }

    it("the unsigned operations are unsigned in the SDK too (no Authorization header), as the edition sends them", async () => {
      const [theirs, ours] = await both((c) => c.send(new CreateTokenCommand(tokenInput as any)), "createToken", tokenInput)
      expect(theirs.headers["authorization"]).toBeUndefined()
      expect(ours.headers["authorization"]).toBeUndefined()
    })

    for (const [name, input] of iamInputs) {
      it(`CreateTokenWithIAM, ${name}: same path, query (aws_iam=t), JSON body and SigV4 scope as the SDK`, async () => {
        const [theirs, ours] = await both(
          (c) => c.send(new CreateTokenWithIAMCommand(input as any)),
          "createTokenWithIam",
          input,
          { credentials: { accessKeyId: "AKID", secretAccessKey: "SECRET" } }
        )
        expect(essentials(theirs)).toMatchObject({ method: "POST", path: "/token", query: ["aws_iam=t"] })
        expect(essentials(ours)).toStrictEqual(essentials(theirs))
        const scope = (authorization: string | string[] | undefined) => /Credential=([^,]+)/.exec(String(authorization ?? ""))?.[1]
        const ourScope = scope(ours.headers["authorization"])
        // signed with SigV4, signing name sso-oauth, in the endpoint's region
        expect(ourScope).toMatch(/^AKID\/\d{8}\/us-east-1\/sso-oauth\/aws4_request$/)
        expect(ourScope?.split("/").slice(2)).toStrictEqual(scope(theirs.headers["authorization"])?.split("/").slice(2))
      })
    }

    it("a custom endpoint with a base path: the same path as the SDK's", async () => {
      const [theirs, ours] = await both(
        (c) => c.send(new CreateTokenCommand(tokenInput as any)),
        "createToken",
        tokenInput,
        {},
        { endpoint: `${baseUrl}/sso/oidc` }
      )
      expect(ours.url).toBe(theirs.url)
      expect(ours.url).toBe("/sso/oidc/token")
    })
  })

  describe("endpoint parity with the AWS SDK", () => {
    const regions = ["us-east-1", "eu-central-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1", "us-iso-east-1"]
    const variants = [
      { useFips: false, useDualStack: false },
      { useFips: true, useDualStack: false },
      { useFips: false, useDualStack: true },
      { useFips: true, useDualStack: true }
    ]

    /** Where an SDK client would send its request (its request handler answers, so nothing reaches a network), or `error`. */
    const sdkOrigin = async (send: (handler: unknown) => Promise<unknown>) => {
      let origin = "error"
      const handler = {
        handle: async (request: { protocol: string; hostname: string; port?: number }) => {
          origin = `${request.protocol}//${request.hostname}${request.port === undefined ? "" : `:${request.port}`}`
          throw new Error("captured")
        }
      }
      await send(handler).catch(() => undefined)
      return origin
    }

    for (const region of regions) {
      it(`${region}: Endpoint.resolve and resolvePortal name the SDK's host, with and without FIPS and dual-stack`, async () => {
        for (const variant of variants) {
          const config = { region, useFipsEndpoint: variant.useFips, useDualstackEndpoint: variant.useDualStack, maxAttempts: 1 }
          const theirs = {
            oidc: await sdkOrigin((requestHandler) => {
              const client = new SSOOIDCClient({ ...config, requestHandler: requestHandler as any })
              return client.send(new StartDeviceAuthorizationCommand(startInputs[0]![1] as any)).finally(() => client.destroy())
            }),
            portal: await sdkOrigin((requestHandler) => {
              const client = new SSOClient({ ...config, requestHandler: requestHandler as any })
              return client.send(new LogoutCommand({ accessToken: PORTAL_TOKEN })).finally(() => client.destroy())
            })
          }
          const ours = async (service: string) => {
            const answer = await h.attempt("endpoint", { service, params: { region, ...variant } })
            return answer.ok ? answer.result.url : "error"
          }
          expect({ region, ...variant, oidc: await ours("oidc"), portal: await ours("portal") }).toEqual({
            region,
            ...variant,
            ...theirs
          })
        }
      })
    }
  })

  describe("request parity with @aws-sdk/client-sso", () => {

    for (const c of portalCases) {
      it(`${c.name}: method, path, query, the bearer-token header and the body are the SDK's`, async () => {
        handler = portalReplies
        const sdk = new SSOClient({ region: "us-east-1", endpoint: baseUrl, maxAttempts: 1 })
        try {
          await c.sdk(sdk)
        } finally {
          sdk.destroy()
        }
        const answer = await h.attempt("portal", { endpoint: baseUrl, operation: c.operation, input: c.input })
        expect(answer.ok, JSON.stringify(answer)).toBe(true)
        expect(captured).toHaveLength(2)
        const [theirs, ours] = captured.map(essentials)
        expect(ours).toEqual(theirs)
        expect(ours!.bearer).toBe(PORTAL_TOKEN)
        expect(captured[1]!.headers["authorization"]).toBeUndefined()
      })
    }
  })
})
