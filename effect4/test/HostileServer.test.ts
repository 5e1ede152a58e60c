/**
 * The client against a hostile endpoint: real `node:http` servers on
 * 127.0.0.1, through each `HttpClient` an application may provide
 * (`FetchHttpClient.layer`, `NodeHttpClient.layer`, `NodeHttpClient.layerUndici`).
 *
 * - Redirects: the endpoint answers 301, 302, 303, 307 or 308 pointing at a
 *   second loopback server, which serves a token of its own. The call fails
 *   with `UnexpectedRedirect` (status, the target's origin, never its path or
 *   query) and the second server receives nothing, not even a connection; a
 *   background refresh leaves the cached token as it was.
 * - A gzip bomb: 50 MB of zeros, gzipped to about 50 KB on the wire. The
 *   1 MiB cap counts decoded bytes, so fetch (which decompresses) stops at the
 *   cap with `ResponseDecodeError`, not retried, and memory stays bounded
 *   (a rough `process.memoryUsage` bound: a guard, not a speed goal).
 *
 * Real time (`it.live`), small timeouts and backoffs.
 */
import { FetchHttpClient, type HttpClient } from "effect/http"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Layer, Option, Redacted } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as zlib from "node:zlib"
import { SsoConfig, SsoOidcClient, SsoOidcError, SsoOidcSchema, SsoTokenProvider, TokenCache } from "../src/index.js"

const CLIENT_SECRET = "hostile-test-client-secret-VERYLONGSECRET"
const REFRESH_TOKEN = "hostile-test-refresh-token-aorvJYubGpU6i91"
const DEVICE_CODE = "hostile-test-device-code-yJraWQiOiJrZXkt"
const SUBSTITUTED = "substituted-access-token-from-the-other-host"

// -----------------------------------------------------------------------------
// two servers: the endpoint, and the host its redirects point to
// -----------------------------------------------------------------------------

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void

interface TestServer {
  readonly server: http.Server
  readonly url: string
  readonly received: Array<Received>
  connections: number
  handler: Handler
}

const listen = async (): Promise<TestServer> => {
  const self: TestServer = {
    server: http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8")
        self.received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body })
        self.handler(req, res, body)
      })
    }),
    url: "",
    received: [],
    connections: 0,
    handler: (_req, res) => res.end()
  }
  self.server.on("connection", () => {
    self.connections++
  })
  await new Promise<void>((resolve) => self.server.listen(0, "127.0.0.1", resolve))
  return Object.assign(self, { url: `http://127.0.0.1:${(self.server.address() as AddressInfo).port}` })
}

const close = async (self: TestServer) => {
  self.server.closeAllConnections()
  await new Promise<void>((resolve) => self.server.close(() => resolve()))
}

let endpoint: TestServer
let target: TestServer

/** 50 MB of zeros, gzipped (about 50 KB). */
const bombDecodedBytes = 50 * 1024 * 1024
let bomb: Buffer

beforeAll(async () => {
  endpoint = await listen()
  target = await listen()
  bomb = zlib.gzipSync(Buffer.alloc(bombDecodedBytes), { level: 9 })
})

afterAll(async () => {
  await close(endpoint)
  await close(target)
})

beforeEach(() => {
  for (const server of [endpoint, target]) {
    server.received.length = 0
    server.connections = 0
  }
  // The other host answers whatever reaches it with a token of its own.
  target.handler = (_req, res) => {
    const text = JSON.stringify({ accessToken: SUBSTITUTED, tokenType: "Bearer", expiresIn: 3600, refreshToken: SUBSTITUTED })
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    res.end(text)
  }
})

const redirectingTo = (status: number, location: string): Handler => (_req, res) => {
  const text = JSON.stringify({ message: "moved" })
  res.writeHead(status, { location, "content-type": "application/json", "content-length": Buffer.byteLength(text) })
  res.end(text)
}

// -----------------------------------------------------------------------------
// the clients
// -----------------------------------------------------------------------------

const httpClients: ReadonlyArray<{ readonly name: string; readonly layer: Layer.Layer<HttpClient.HttpClient> }> = [
  { name: "FetchHttpClient", layer: FetchHttpClient.layer },
  // Effect 3's `NodeHttpClient.layer` (node:http) is `layerNodeHttp` in Effect 4; the name stays for the tests' names.
  { name: "NodeHttpClient.layer", layer: NodeHttpClient.layerNodeHttp },
  { name: "NodeHttpClient.layerUndici", layer: NodeHttpClient.layerUndici }
]

const clientLayer = (httpLayer: Layer.Layer<HttpClient.HttpClient>, options: SsoOidcClient.Options = {}) =>
  SsoOidcClient.layer({ endpoint: endpoint.url, retry: false, timeout: Duration.seconds(5), ...options }).pipe(
    Layer.provide(httpLayer)
  )

type Operation = "RegisterClient" | "StartDeviceAuthorization" | "CreateToken (device code)" | "CreateToken (refresh token)"

const call = (operation: Operation) =>
  Effect.flatMap(SsoOidcClient.SsoOidcClient, (client): Effect.Effect<unknown, SsoOidcError.SsoOidcError | unknown> => {
    switch (operation) {
      case "RegisterClient":
        return client.registerClient({ clientName: "hostile", clientType: "public" })
      case "StartDeviceAuthorization":
        return client.startDeviceAuthorization({
          clientId: "client-1",
          clientSecret: Redacted.make(CLIENT_SECRET),
          startUrl: "https://corp.awsapps.com/start"
        })
      case "CreateToken (device code)":
        return client.createToken({
          clientId: "client-1",
          clientSecret: Redacted.make(CLIENT_SECRET),
          grantType: SsoOidcSchema.GrantType.DeviceCode,
          deviceCode: Redacted.make(DEVICE_CODE)
        })
      case "CreateToken (refresh token)":
        return client.createToken({
          clientId: "client-1",
          clientSecret: Redacted.make(CLIENT_SECRET),
          grantType: SsoOidcSchema.GrantType.RefreshToken,
          refreshToken: Redacted.make(REFRESH_TOKEN)
        })
    }
  })

const operationName = (operation: Operation) => operation.split(" ")[0]!

/** The one typed failure of an exit, as plain data. */
const failureOf = (exit: Exit.Exit<unknown, unknown>): Record<string, unknown> & { readonly message: string } => {
  if (Exit.isSuccess(exit)) return expect.fail(`succeeded with ${JSON.stringify(exit.value)}`)
  expect(Cause.hasDies(exit.cause), Cause.pretty(exit.cause)).toBe(false)
  const error = Option.getOrThrow(Cause.findErrorOption(exit.cause))
  expect(SsoOidcError.isSsoOidcError(error)).toBe(true)
  return { ...JSON.parse(JSON.stringify(error)), message: (error as Error).message }
}

// -----------------------------------------------------------------------------
// redirects
// -----------------------------------------------------------------------------

describe("a redirecting endpoint: nothing is sent to the redirect's target", () => {
  for (const { layer, name } of httpClients) {
    for (const status of [301, 302, 303, 307, 308]) {
      it.live(`${name}: a ${status} to another host is UnexpectedRedirect naming its origin; the other host gets nothing`, () =>
        Effect.gen(function*() {
          endpoint.handler = redirectingTo(status, `${target.url}/steal?refreshToken=${REFRESH_TOKEN}`)
          const exit = yield* Effect.exit(call("CreateToken (refresh token)"))
          const error = failureOf(exit)
          expect(error).toMatchObject({ _tag: "UnexpectedRedirect", operation: "CreateToken", status, locationOrigin: target.url })
          expect(error.message).toContain(target.url)
          expect(error.message).toContain(String(status))
          // the target's path and query are not repeated
          expect(error.message).not.toContain("/steal")
          expect(JSON.stringify(error)).not.toContain("steal")
          expect(target.connections, "connections to the other host").toBe(0)
          expect(target.received).toHaveLength(0)
          expect(endpoint.received).toHaveLength(1)
        }).pipe(Effect.provide(clientLayer(layer))))
    }

    for (const operation of ["RegisterClient", "StartDeviceAuthorization", "CreateToken (device code)"] as const) {
      it.live(`${name}: ${operation} redirected with a 307 is UnexpectedRedirect and is not re-sent anywhere`, () =>
        Effect.gen(function*() {
          endpoint.handler = redirectingTo(307, `${target.url}/token`)
          const error = failureOf(yield* Effect.exit(call(operation)))
          expect(error).toMatchObject({ _tag: "UnexpectedRedirect", operation: operationName(operation), status: 307 })
          expect(target.connections).toBe(0)
          expect(endpoint.received).toHaveLength(1)
        }).pipe(Effect.provide(clientLayer(layer))))
    }

    it.live(`${name}: a redirect to the same origin is refused too, and never retried`, () =>
      Effect.gen(function*() {
        endpoint.handler = redirectingTo(308, "/elsewhere")
        const error = failureOf(yield* Effect.exit(call("CreateToken (device code)")))
        expect(error).toMatchObject({ _tag: "UnexpectedRedirect", status: 308, locationOrigin: endpoint.url })
        expect(SsoOidcError.isTransient(error)).toBe(false)
        expect(endpoint.received).toHaveLength(1)
      }).pipe(Effect.provide(clientLayer(layer, { retry: { times: 3, base: 1 } }))))
  }

  it.live("fetch options given in context are kept: only `redirect` is overridden", () =>
    Effect.gen(function*() {
      endpoint.handler = redirectingTo(307, `${target.url}/token`)
      const error = failureOf(yield* Effect.exit(call("CreateToken (device code)")))
      expect(error["_tag"]).toBe("UnexpectedRedirect")
      expect(target.connections).toBe(0)
      // the app's other options still apply: its header went out with the request
      expect(endpoint.received[0]?.headers["x-app-header"]).toBe("kept")
    }).pipe(
      Effect.provide(clientLayer(FetchHttpClient.layer)),
      // `redirect: "follow"` from the app does not win
      Effect.provideService(FetchHttpClient.RequestInit, { redirect: "follow", headers: { "x-app-header": "kept" } })
    ))

  it.live("a background refresh through a redirect keeps the cached token: the other host's token never reaches the cache", () => {
    const configText = `
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
`
    const file = `${TokenCache.tokenKey("corp")}.json`
    // Inside the refresh window (5 minutes): the next `token` refreshes.
    const cached = TokenCache.encodeToken({
      startUrl: "https://corp.awsapps.com/start",
      region: "eu-west-1",
      accessToken: Redacted.make("cached-access"),
      expiresAt: new Date(Date.now() + 2 * 60_000),
      clientId: "cached-client",
      clientSecret: Redacted.make(CLIENT_SECRET),
      registrationExpiresAt: new Date(Date.now() + 30 * 24 * 3600_000),
      refreshToken: Redacted.make(REFRESH_TOKEN)
    })
    const files = new Map([[file, cached]])
    return Effect.gen(function*() {
      endpoint.handler = redirectingTo(307, `${target.url}/token`)
      const token = yield* SsoTokenProvider.token("corp").pipe(Effect.result)
      // Still valid: the cached token, or the refresh failure — never the other host's token.
      if (token._tag === "Success") expect(Redacted.value(token.success.accessToken)).toBe("cached-access")
      expect(files.get(file)).toBe(cached)
      expect(files.get(file)).not.toContain(SUBSTITUTED)
      expect(endpoint.received.map((r) => r.url)).toEqual(["/token"])
      expect(target.connections).toBe(0)
    }).pipe(
      Effect.provide(
        SsoTokenProvider.layer({ client: { endpoint: endpoint.url, retry: false, timeout: Duration.seconds(5) } }).pipe(
          Layer.provide(TokenCache.layerMemory(files)),
          Layer.provide(SsoConfig.layerMemory(configText)),
          Layer.provide(FetchHttpClient.layer)
        )
      )
    )
  })
})

// -----------------------------------------------------------------------------
// a gzip bomb
// -----------------------------------------------------------------------------

const gzipped = (status: number, body: Buffer): Handler => (_req, res) => {
  res.writeHead(status, {
    "content-type": "application/json",
    "content-encoding": "gzip",
    "content-length": body.length,
    "x-amzn-RequestId": "bomb-request-id"
  })
  res.end(body)
}

/** Memory the process holds (heap and buffers), in bytes. */
const held = () => {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.external
}

/** Runs `effect`, sampling memory every few milliseconds; returns its exit and the peak growth. */
const peakGrowthDuring = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const before = held()
    let peak = before
    const sample = () => {
      peak = Math.max(peak, held())
    }
    const timer = setInterval(sample, 2)
    const exit = yield* Effect.exit(effect).pipe(Effect.ensuring(Effect.sync(() => clearInterval(timer))))
    sample()
    return { exit, growth: peak - before }
  })

/** Far below the 50 MB the bomb decodes to (the cap is 1 MiB; when the cap counted wire bytes, about 50 MB were held). */
const memoryBound = 16 * 1024 * 1024

describe("a gzip bomb: the 1 MiB cap counts decoded bytes", () => {
  it.live("the bomb is small on the wire and large decoded (the fixture is what it claims)", () =>
    Effect.sync(() => {
      expect(bomb.length).toBeLessThan(128 * 1024)
      expect(zlib.gunzipSync(bomb).length).toBe(bombDecodedBytes)
    }))

  it.live("FetchHttpClient (which decompresses): ResponseDecodeError at the cap, one request, bounded memory", () =>
    Effect.gen(function*() {
      endpoint.handler = gzipped(200, bomb)
      const { exit, growth } = yield* peakGrowthDuring(call("CreateToken (device code)"))
      const error = failureOf(exit)
      expect(error).toMatchObject({
        _tag: "ResponseDecodeError",
        operation: "CreateToken",
        status: 200,
        requestId: "bomb-request-id",
        description: "the reply is larger than 1048576 bytes"
      })
      expect(endpoint.received).toHaveLength(1)
      expect(growth, `memory growth ${Math.round(growth / 1024 / 1024)} MB`).toBeLessThan(memoryBound)
    }).pipe(Effect.provide(clientLayer(FetchHttpClient.layer, { retry: { times: 3, base: 1 } }))))

  it.live("a chunked bomb (no content-length) through fetch is cut off at the cap too", () =>
    Effect.gen(function*() {
      endpoint.handler = (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
        // in pieces, as a server streaming it would
        for (let offset = 0; offset < bomb.length; offset += 8192) res.write(bomb.subarray(offset, offset + 8192))
        res.end()
      }
      const { exit, growth } = yield* peakGrowthDuring(call("StartDeviceAuthorization"))
      expect(failureOf(exit)).toMatchObject({ _tag: "ResponseDecodeError", description: "the reply is larger than 1048576 bytes" })
      expect(endpoint.received).toHaveLength(1)
      expect(growth).toBeLessThan(memoryBound)
    }).pipe(Effect.provide(clientLayer(FetchHttpClient.layer, { retry: { times: 3, base: 1 } }))))

  it.live("a bomb on a 500 is a ResponseDecodeError too: not transient, never retried", () =>
    Effect.gen(function*() {
      endpoint.handler = gzipped(500, bomb)
      const error = failureOf(yield* Effect.exit(call("RegisterClient")))
      expect(error).toMatchObject({ _tag: "ResponseDecodeError", status: 500, description: "the reply is larger than 1048576 bytes" })
      expect(SsoOidcError.isTransient(error)).toBe(false)
      expect(endpoint.received).toHaveLength(1)
    }).pipe(Effect.provide(clientLayer(FetchHttpClient.layer, { retry: { times: 3, base: 1 } }))))

  for (const { layer, name } of httpClients.slice(1)) {
    it.live(`${name} (which does not decompress): the gzip bytes are not JSON; one request, bounded memory`, () =>
      Effect.gen(function*() {
        endpoint.handler = gzipped(200, bomb)
        const { exit, growth } = yield* peakGrowthDuring(call("CreateToken (device code)"))
        expect(failureOf(exit)).toMatchObject({ _tag: "ResponseDecodeError", status: 200, description: "body is not JSON" })
        expect(endpoint.received).toHaveLength(1)
        expect(growth).toBeLessThan(memoryBound)
      }).pipe(Effect.provide(clientLayer(layer, { retry: { times: 3, base: 1 } }))))
  }

  it.live("a gzipped reply of normal size still decodes through fetch", () =>
    Effect.gen(function*() {
      const json = JSON.stringify({ accessToken: "gzipped-access-token", tokenType: "Bearer", expiresIn: 3600 })
      endpoint.handler = gzipped(200, zlib.gzipSync(json))
      const reply = yield* call("CreateToken (device code)")
      expect(Redacted.value((reply as SsoOidcSchema.CreateTokenResponse).accessToken!)).toBe("gzipped-access-token")
    }).pipe(Effect.provide(clientLayer(FetchHttpClient.layer))))
})
