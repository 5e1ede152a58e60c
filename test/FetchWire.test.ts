/**
 * The client through the real `FetchHttpClient.layer` to a real `node:http`
 * server on 127.0.0.1: the bytes on the wire, and what real network failures
 * become. Real time (`it.live`), kept short with small timeouts and backoffs.
 */
import { FetchHttpClient } from "@effect/platform"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { SsoOidcClient, SsoOidcSchema } from "../src/index.js"
import { VERSION } from "../src/internal/version.js"

const CLIENT_ID = "_yzkThXVzLWVhc3QtMQEXAMPLECLIENTID"
const CLIENT_SECRET = "VERYLONGSECRETeyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0"
const DEVICE_CODE = "yJraWQiOiJrZXktMTU2Njk2ODA4OCIsImFsZyI6IkhTMzIn0EXAMPLEDEVICECODE"
const ACCESS_TOKEN = "aoal-YigITUDiNX1xZwOMXM5MxOWDL0E0jg9P6_EXAMPLEACCESSTOKEN"
const REFRESH_TOKEN = "aorvJYubGpU6i91YnH7Mfo-AT2fIVa1zCfA_EXAMPLEREFRESHTOKEN"
const REQUEST_ID = "3b4c5d6e-1111-4222-8333-944455556666"

// -----------------------------------------------------------------------------
// the server: records each raw request, answers with the current handler
// -----------------------------------------------------------------------------

interface Captured {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly rawHeaders: ReadonlyArray<string>
  readonly body: string
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void

let server: http.Server
let baseUrl: string
let captured: Array<Captured> = []
let handler: Handler = (_req, res) => res.end()

beforeAll(async () => {
  server = http.createServer((req, res) => {
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
  const probe = http.createServer()
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve))
  const port = (probe.address() as AddressInfo).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

// -----------------------------------------------------------------------------
// the client over fetch
// -----------------------------------------------------------------------------

const withClient = <A, E>(
  f: (client: SsoOidcClient.Service) => Effect.Effect<A, E>,
  options: SsoOidcClient.Options = {}
): Effect.Effect<A, E> =>
  Effect.flatMap(SsoOidcClient.SsoOidcClient, f).pipe(
    Effect.provide(
      SsoOidcClient.layer({ endpoint: baseUrl, retry: false, timeout: Duration.seconds(2), ...options }).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
    )
  )

const tokenInput: SsoOidcSchema.CreateTokenRequest = {
  clientId: CLIENT_ID,
  clientSecret: Redacted.make(CLIENT_SECRET),
  grantType: SsoOidcSchema.GrantType.DeviceCode,
  deviceCode: Redacted.make(DEVICE_CODE)
}

const createToken = (client: SsoOidcClient.Service) => client.createToken(tokenInput)

const onlyRequest = (): Captured => {
  expect(captured).toHaveLength(1)
  return captured[0]!
}

describe("FetchHttpClient to a node:http server", () => {
  it.live("the raw request: POST /token, content-type, user-agent, length, JSON body with the secrets in plain text", () =>
    Effect.gen(function*() {
      handler = reply(200, { accessToken: ACCESS_TOKEN, tokenType: "Bearer", expiresIn: 3600 })
      yield* withClient(createToken)
      const request = onlyRequest()
      expect(request.method).toBe("POST")
      expect(request.url).toBe("/token")
      expect(request.headers["content-type"]).toBe("application/json")
      expect(request.headers["user-agent"]).toBe(`effect-sso-oidc/${VERSION}`)
      expect(request.headers["content-length"]).toBe(String(Buffer.byteLength(request.body)))
      expect(request.headers.host).toBe(new URL(baseUrl).host)
      expect(JSON.parse(request.body)).toStrictEqual({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        grantType: "urn:ietf:params:oauth:grant-type:device_code",
        deviceCode: DEVICE_CODE
      })
      // The secrets travel in the body only: not in the URL, not in any header.
      expect(request.body).toContain(CLIENT_SECRET)
      expect(request.body).toContain(DEVICE_CODE)
      for (const value of [request.url, ...request.rawHeaders]) {
        expect(value).not.toContain(CLIENT_SECRET)
        expect(value).not.toContain(DEVICE_CODE)
      }
    }))

  it.live("RegisterClient and StartDeviceAuthorization go to their paths; non-ASCII text is UTF-8 with the right length", () =>
    Effect.gen(function*() {
      handler = reply(200, {})
      yield* withClient((client) =>
        client.registerClient({ clientName: "Café IDE ✓", clientType: "public", scopes: ["sso:account:access"] })
      )
      yield* withClient((client) =>
        client.startDeviceAuthorization({
          clientId: CLIENT_ID,
          clientSecret: Redacted.make(CLIENT_SECRET),
          startUrl: "https://d-1234567890.awsapps.com/start"
        })
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
    }))

  it.live("a custom endpoint's base path reaches the server", () =>
    Effect.gen(function*() {
      handler = reply(200, {})
      yield* withClient(createToken, { endpoint: `${baseUrl}/sso/oidc/` })
      expect(onlyRequest().url).toBe("/sso/oidc/token")
    }))

  it.live("a 200 reply decodes, with the tokens Redacted", () =>
    Effect.gen(function*() {
      handler = reply(200, {
        accessToken: ACCESS_TOKEN,
        tokenType: "Bearer",
        expiresIn: 28800,
        refreshToken: REFRESH_TOKEN
      })
      const out = yield* withClient(createToken)
      expect(Redacted.value(out.accessToken!)).toBe(ACCESS_TOKEN)
      expect(Redacted.value(out.refreshToken!)).toBe(REFRESH_TOKEN)
      expect(out.tokenType).toBe("Bearer")
      expect(out.expiresIn).toBe(28800)
      expect("idToken" in out).toBe(false)
      expect(JSON.stringify(out)).not.toContain(ACCESS_TOKEN)
    }))

  it.live("an error reply named by x-amzn-ErrorType becomes the typed error with status and request id", () =>
    Effect.gen(function*() {
      handler = reply(
        400,
        { error: "authorization_pending", error_description: "Authorization is still pending" },
        "AuthorizationPendingException"
      )
      const error: any = yield* Effect.flip(withClient(createToken))
      expect(error._tag).toBe("AuthorizationPending")
      expect(error.error).toBe("authorization_pending")
      expect(error.error_description).toBe("Authorization is still pending")
      expect(error.status).toBe(400)
      expect(error.requestId).toBe(REQUEST_ID)
    }))

  it.live("a 401 InvalidClientException becomes InvalidClient", () =>
    Effect.gen(function*() {
      handler = reply(401, { error: "invalid_client", error_description: "Invalid client" }, "InvalidClientException")
      const error: any = yield* Effect.flip(withClient(createToken))
      expect(error._tag).toBe("InvalidClient")
      expect(error.status).toBe(401)
    }))

  it.live("a connection the server destroys mid-request is a TransportError with reason Transport", () =>
    Effect.gen(function*() {
      handler = (req) => req.socket.destroy()
      const error: any = yield* Effect.flip(withClient(createToken, { retry: false }))
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toBe("Transport")
      expect(error.operation).toBe("CreateToken")
      expect(error.message).not.toContain(CLIENT_SECRET)
      expect(error.message).not.toContain(DEVICE_CODE)
      expect(captured).toHaveLength(1)
    }))

  it.live("a destroyed connection is retried as transient: 1 + retry.times requests, then the TransportError", () =>
    Effect.gen(function*() {
      handler = (req) => req.socket.destroy()
      const error: any = yield* Effect.flip(
        withClient(createToken, { retry: { times: 2, base: Duration.millis(5) } })
      )
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toBe("Transport")
      expect(captured).toHaveLength(3)
      expect(new Set(captured.map((r) => r.body)).size).toBe(1)
    }))

  it.live("a reply cut short in its body is a TransportError that does not quote the partial body", () =>
    Effect.gen(function*() {
      handler = (_req, res) => {
        res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "1000" })
        res.write(`{"accessToken":"${ACCESS_TOKEN}","refreshToken":"${REFRESH_TOKEN}"`)
        setTimeout(() => res.socket?.destroy(), 10)
      }
      const error: any = yield* Effect.flip(withClient(createToken))
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toBe("Transport")
      for (const shown of [error.message, String(error), JSON.stringify(error)]) {
        expect(shown).not.toContain(ACCESS_TOKEN)
        expect(shown).not.toContain(REFRESH_TOKEN)
      }
    }))

  it.live("a 503 then a 200 over real HTTP succeeds after a short backoff, resending the same body", () =>
    Effect.gen(function*() {
      handler = sequence(
        reply(503, { message: "Service Unavailable" }),
        reply(200, { accessToken: ACCESS_TOKEN, expiresIn: 3600 })
      )
      const out = yield* withClient(createToken, { retry: { base: Duration.millis(5) } })
      expect(Redacted.value(out.accessToken!)).toBe(ACCESS_TOKEN)
      expect(captured).toHaveLength(2)
      expect(captured[1]!.body).toBe(captured[0]!.body)
    }))

  it.live("a server that never answers fails with TransportError Timeout after the configured timeout", () =>
    Effect.gen(function*() {
      handler = () => {}
      const started = Date.now()
      const error: any = yield* Effect.flip(withClient(createToken, { timeout: Duration.millis(200) }))
      const elapsed = Date.now() - started
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toBe("Timeout")
      expect(elapsed).toBeGreaterThanOrEqual(150)
      expect(elapsed).toBeLessThan(1_900)
    }))

  it.live("a refused connection (closed port) is a TransportError naming ECONNREFUSED", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(closedPort)
      const error: any = yield* Effect.flip(withClient(createToken, { endpoint: `http://127.0.0.1:${port}` }))
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toBe("Transport")
      expect(error.description).toContain("ECONNREFUSED")
      expect(error.message).not.toContain(CLIENT_SECRET)
      expect(captured).toHaveLength(0)
    }))
})
