/**
 * The emulator on a real socket (`Emulator.layer`, 127.0.0.1, ephemeral
 * port), in real time: our client through `FetchHttpClient`, the HTML page
 * through `fetch`, faults that need a socket, and where the server listens.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted } from "effect"
import * as Net from "node:net"
import * as Os from "node:os"
import * as DeviceLogin from "../src/DeviceLogin.js"
import * as Emulator from "../src/testing/Emulator.js"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import { GrantType } from "../src/SsoOidcSchema.js"

const startUrl = "https://my-sso-portal.awsapps.com/start"
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A real server and our client pointed at its URL through `fetch`. */
const served = (options: NodeEmulator.LayerOptions = {}, client: SsoOidcClient.Options = { retry: false }) =>
  Layer.unwrapEffect(
    Effect.map(Emulator.Emulator, (emulator) =>
      SsoOidcClient.layer({ endpoint: emulator.url, region: "us-east-1", ...client }))
  ).pipe(Layer.provide(FetchHttpClient.layer), Layer.provideMerge(NodeEmulator.layer({ port: 0, ...options })))

const fetchText = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

/**
 * An error as plain data (its JSON), so a failed assertion prints it: chai's
 * `inspect` recurses without end on the span-carrying proxies Effect wraps
 * failures in.
 */
const plain = (u: unknown): unknown => JSON.parse(JSON.stringify(u))

/** Whether a TCP connection to host:port is accepted (false on refusal, error or 1 s timeout). */
const canConnect = (host: string, port: number) =>
  Effect.async<boolean>((resume) => {
    const socket = Net.connect({ host, port })
    const done = (result: boolean) => {
      socket.destroy()
      resume(Effect.succeed(result))
    }
    socket.setTimeout(1000, () => done(false))
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
    return Effect.sync(() => socket.destroy())
  })

describe("Emulator.layer — a real HTTP server", () => {
  it.live("serves on an ephemeral port of 127.0.0.1 with the AWS wire format", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(Number(new URL(emulator.url).port)).toBeGreaterThan(0)
      const ok = yield* fetchText(`${emulator.url}/client/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ clientName: "fetch", clientType: "public" })
      })
      expect(ok.status).toBe(200)
      expect(ok.headers.get("content-type")).toBe("application/json")
      expect(ok.headers.get("x-amzn-requestid")).toMatch(uuid)
      expect(Object.keys(JSON.parse(ok.text)).sort()).toEqual([
        "clientId",
        "clientIdIssuedAt",
        "clientSecret",
        "clientSecretExpiresAt"
      ])
      const error = yield* fetchText(`${emulator.url}/device_authorization`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ clientId: "nobody", clientSecret: "x", startUrl })
      })
      expect(error.status).toBe(401)
      expect(error.headers.get("x-amzn-errortype")).toBe(
        "InvalidClientException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
      )
      expect(error.headers.get("x-amzn-requestid")).toMatch(uuid)
      expect(Object.keys(JSON.parse(error.text)).sort()).toEqual(["error", "error_description"])
    }).pipe(Effect.provide(NodeEmulator.layer({ port: 0 }))))

  it.live("our client through FetchHttpClient completes a device login (auto-approve after 1 s)", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const token = yield* DeviceLogin.login({ startUrl, scopes: ["sso:account:access"] })
      expect(Redacted.value(token.accessToken)).toMatch(/^aoa/)
      expect(token.refreshToken).toBeDefined()
      const counts = yield* emulator.counts
      expect(counts.RegisterClient).toBe(1)
      expect(counts.StartDeviceAuthorization).toBe(1)
      expect(counts.CreateToken).toBeGreaterThanOrEqual(1)
      const [authorization] = yield* emulator.authorizations
      expect(authorization!.status).toBe("consumed")
      expect(authorization!.slowDowns).toBe(0)
    }).pipe(Effect.provide(served({ interval: "1 second", autoApproveAfter: "1 second" }))))

  it.live("the page at verificationUriComplete renders, and a POST approve lets the token through", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const client = yield* SsoOidcClient.SsoOidcClient
      const registered = yield* client.registerClient({ clientName: "Page <test> & co", clientType: "public" })
      const credentials = { clientId: registered.clientId!, clientSecret: registered.clientSecret! }
      const started = yield* client.startDeviceAuthorization({ ...credentials, startUrl })
      expect(started.verificationUri).toBe(`${emulator.url}/device`)
      const page = yield* fetchText(started.verificationUriComplete!)
      expect(page.status).toBe(200)
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8")
      expect(page.headers.get("content-security-policy")).toContain("default-src 'none'")
      expect(page.text).toMatch(/^<!doctype html>/)
      expect(page.text).toContain("<html lang=\"en\">")
      expect(page.text).toContain(`value="${started.userCode}"`)
      expect(page.text).toContain("Page &lt;test&gt; &amp; co")
      expect(page.text).not.toContain("<test>")

      const poll = client.createToken({
        ...credentials,
        grantType: GrantType.DeviceCode,
        deviceCode: started.deviceCode!
      })
      expect((yield* Effect.flip(poll))._tag).toBe("AuthorizationPending")

      const approved = yield* fetchText(`${emulator.url}/device`, {
        method: "POST",
        // what a browser sends for the page's own form
        headers: { "content-type": "application/x-www-form-urlencoded", origin: emulator.url },
        body: new URLSearchParams({ user_code: started.userCode!, action: "approve" }).toString()
      })
      expect(approved.status).toBe(200)
      expect(approved.text).toContain("Request approved")
      const token = yield* poll
      expect(token.tokenType).toBe("Bearer")
      const [authorization] = yield* emulator.authorizations
      expect(authorization!.status).toBe("consumed")
    }).pipe(Effect.provide(served())))

  it.live("a connection-reset fault makes our client fail with TransportError", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      yield* emulator.setFaults([{ fault: Emulator.Fault.reset() }])
      const client = yield* SsoOidcClient.SsoOidcClient
      const error = yield* Effect.flip(client.registerClient({ clientName: "reset", clientType: "public" }))
      expect(plain(error)).toMatchObject({ _tag: "TransportError", reason: "Transport" })
      const [logged] = yield* emulator.requests
      expect(logged).toMatchObject({ kind: "RegisterClient", status: undefined, faults: ["Reset"] })
      // the server keeps serving
      yield* emulator.clearFaults
      expect((yield* client.registerClient({ clientName: "after", clientType: "public" })).clientId).toBeDefined()
    }).pipe(Effect.provide(served())))

  it.live("a 10 MB body arrives as a ResponseDecodeError over a socket", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const client = yield* SsoOidcClient.SsoOidcClient
      yield* emulator.setFaults([{ fault: Emulator.Fault.hugeBody() }])
      const error = yield* Effect.flip(client.registerClient({ clientName: "huge", clientType: "public" }))
      expect(plain(error)).toMatchObject({ _tag: "ResponseDecodeError", status: 200, description: "the reply is larger than 1048576 bytes" })
    }).pipe(Effect.provide(served())))

  it.live("a delay beyond the client's timeout is a TransportError Timeout; shutdown does not wait for it", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const client = yield* SsoOidcClient.SsoOidcClient
      yield* emulator.setFaults([{ fault: Emulator.Fault.delay("10 seconds") }])
      const error = yield* Effect.flip(client.registerClient({ clientName: "slow", clientType: "public" }))
      expect(plain(error)).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      // leaving the test releases the layer at once, though the delayed request is still open
    }).pipe(
      Effect.provide(served({}, { retry: false, timeout: "300 millis" })),
      Effect.timed,
      Effect.map(([elapsed]) => expect(Duration.toMillis(elapsed)).toBeLessThan(3000))
    ))

  it.live("binds to 127.0.0.1 only, and stops listening when its scope closes", () =>
    Effect.gen(function*() {
      const port = yield* Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const port = Number(new URL(emulator.url).port)
        expect(yield* canConnect("127.0.0.1", port)).toBe(true)
        // every other address of this machine refuses: IPv6 loopback and the external interfaces
        const others = Object.values(Os.networkInterfaces())
          .flatMap((addresses) => addresses ?? [])
          .filter((address) => address.address !== "127.0.0.1")
          .map((address) => address.family === "IPv6" ? address.address.split("%")[0]! : address.address)
        for (const host of new Set(["::1", ...others])) {
          expect([host, yield* canConnect(host, port)]).toEqual([host, false])
        }
        // a kept-alive connection does not hold the shutdown up
        yield* fetchText(`${emulator.url}/device`)
        return port
      }).pipe(Effect.provide(NodeEmulator.layer({ port: 0 })))
      expect(yield* canConnect("127.0.0.1", port)).toBe(false)
    }))

  it.live("serves on a given port", () =>
    Effect.gen(function*() {
      const free = yield* Effect.async<number>((resume) => {
        const probe = Net.createServer()
        probe.listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as Net.AddressInfo
          probe.close(() => resume(Effect.succeed(port)))
        })
      })
      const url = yield* Effect.map(Emulator.Emulator, (emulator) => emulator.url).pipe(
        Effect.provide(NodeEmulator.layer({ port: free }))
      )
      expect(url).toBe(`http://127.0.0.1:${free}`)
    }))

  it.live("a port in use fails the layer with a ServeError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const port = Number(new URL(emulator.url).port)
        return yield* Effect.flip(Effect.provide(Emulator.Emulator, NodeEmulator.layer({ port })))
      }).pipe(Effect.provide(NodeEmulator.layer({ port: 0 })))
      expect(error._tag).toBe("ServeError")
    }))
})
