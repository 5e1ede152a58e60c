/**
 * Each edition's emulator (`NodeEmulator.layer`, served by its harness on
 * 127.0.0.1, port 0) over real HTTP: the wire format through `fetch`, the
 * verification page, each edition's client completing a device login against
 * it, faults that need a socket, and where it listens. Then every client
 * against every emulator: the two editions' wires are one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Net from "node:net"
import * as Os from "node:os"
import { deviceCodeGrant, editions, type Harness, startHarness, startUrl, uuid } from "./harness.js"

const fetchText = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, init)
  return { status: response.status, headers: response.headers, text: await response.text() }
}

const postJson = (url: string, body: unknown) =>
  fetchText(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })

/** Whether a TCP connection to host:port is accepted (false on refusal, error or a 1 s silence). */
const canConnect = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = Net.connect({ host, port })
    const done = (result: boolean) => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
  })

interface Served {
  readonly id: string
  readonly url: string
}

/** An emulator of the harness for the length of `f`. */
const withEmulator = async <A>(h: Harness, options: Record<string, unknown>, f: (emulator: Served) => Promise<A>) => {
  const emulator = await h.call<Served>("emulator.start", options)
  try {
    return await f(emulator)
  } finally {
    await h.call("emulator.stop", { id: emulator.id })
  }
}

for (const edition of editions) {
  describe(`[${edition}] the emulator over HTTP`, () => {
    let h: Harness
    beforeAll(async () => {
      h = await startHarness(edition)
    }, 60_000)
    afterAll(() => h?.close())

    it("serves on an ephemeral port of 127.0.0.1 with the AWS wire format", () =>
      withEmulator(h, {}, async ({ url }) => {
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        expect(Number(new URL(url).port)).toBeGreaterThan(0)
        const ok = await postJson(`${url}/client/register`, { clientName: "fetch", clientType: "public" })
        expect(ok.status).toBe(200)
        expect(ok.headers.get("content-type")).toBe("application/json")
        expect(ok.headers.get("x-amzn-requestid")).toMatch(uuid)
        expect(Object.keys(JSON.parse(ok.text)).sort()).toEqual([
          "clientId",
          "clientIdIssuedAt",
          "clientSecret",
          "clientSecretExpiresAt"
        ])
        const error = await postJson(`${url}/device_authorization`, { clientId: "nobody", clientSecret: "x", startUrl })
        expect(error.status).toBe(401)
        expect(error.headers.get("x-amzn-errortype")).toBe(
          "InvalidClientException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
        )
        expect(error.headers.get("x-amzn-requestid")).toMatch(uuid)
        expect(Object.keys(JSON.parse(error.text)).sort()).toEqual(["error", "error_description"])
      }))

    it("a whole device flow over fetch: pending, slow_down, approve through the page's form, the token, then invalid_grant", () =>
      withEmulator(h, { intervalMillis: 30_000 }, async ({ id, url }) => {
        const registration = JSON.parse(
          (await postJson(`${url}/client/register`, { clientName: "Page <test> & co", clientType: "public" })).text
        )
        const credentials = { clientId: registration.clientId, clientSecret: registration.clientSecret }
        const started = JSON.parse((await postJson(`${url}/device_authorization`, { ...credentials, startUrl })).text)
        expect(started).toMatchObject({ verificationUri: `${url}/device`, expiresIn: 600, interval: 30 })
        expect(started.verificationUriComplete).toBe(`${url}/device?user_code=${started.userCode}`)

        const page = await fetchText(started.verificationUriComplete)
        expect(page.status).toBe(200)
        expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8")
        expect(page.headers.get("content-security-policy")).toContain("default-src 'none'")
        expect(page.text).toMatch(/^<!doctype html>/)
        expect(page.text).toContain("<html lang=\"en\">")
        expect(page.text).toContain(`value="${started.userCode}"`)
        expect(page.text).toContain("Page &lt;test&gt; &amp; co")
        expect(page.text).not.toContain("<test>")

        const poll = () => postJson(`${url}/token`, { ...credentials, grantType: deviceCodeGrant, deviceCode: started.deviceCode })
        const pending = await poll()
        expect(pending.status).toBe(400)
        expect(pending.headers.get("x-amzn-errortype")).toMatch(/^AuthorizationPendingException:/)
        expect(JSON.parse(pending.text)).toEqual({
          error: "authorization_pending",
          error_description: "Authorization is still pending"
        })
        const slow = await poll()
        expect(slow.headers.get("x-amzn-errortype")).toMatch(/^SlowDownException:/)

        const approved = await fetchText(`${url}/device`, {
          method: "POST",
          // what a browser sends for the page's own form
          headers: { "content-type": "application/x-www-form-urlencoded", origin: url },
          body: new URLSearchParams({ user_code: started.userCode, action: "approve" }).toString()
        })
        expect(approved.status).toBe(200)
        expect(approved.text).toContain("Request approved")

        const granted = await poll()
        expect(granted.status).toBe(200)
        const token = JSON.parse(granted.text)
        expect(token).toMatchObject({ tokenType: "Bearer", expiresIn: 3600 })
        expect(token.accessToken).toMatch(/^aoa/)
        expect(token.refreshToken).toMatch(/^aor/)
        const reused = await poll()
        expect(reused.headers.get("x-amzn-errortype")).toMatch(/^InvalidGrantException:/)

        const [view] = await h.call("emulator.view", { id, what: "authorizations" })
        expect(view).toMatchObject({ status: "consumed", polls: 4, slowDowns: 1, userCode: started.userCode })
      }))

    it("the edition's DeviceLogin stream completes against it (auto-approve after 1 s)", () =>
      withEmulator(h, { intervalMillis: 1000, autoApproveAfterMillis: 1000 }, async ({ id, url }) => {
        const { events } = await h.call("deviceLogin", { endpoint: url, startUrl, scopes: ["sso:account:access"] })
        const tags = events.map((event: { _tag: string }) => event._tag)
        expect(tags[0]).toBe("Registered")
        expect(tags[1]).toBe("AwaitingUser")
        expect(tags.at(-1)).toBe("Authorized")
        expect(tags.slice(2, -1).every((tag: string) => tag === "Pending")).toBe(true)
        expect(events[1]).toMatchObject({ verificationUri: `${url}/device` })
        const [token] = await h.call("emulator.view", { id, what: "tokens" })
        expect(events.at(-1).token.accessToken).toEqual(token.accessToken)
        const counts = await h.call("emulator.view", { id, what: "counts" })
        expect(counts).toMatchObject({ RegisterClient: 1, StartDeviceAuthorization: 1 })
        expect(counts.CreateToken).toBeGreaterThanOrEqual(1)
        const [authorization] = await h.call("emulator.view", { id, what: "authorizations" })
        expect(authorization).toMatchObject({ status: "consumed", slowDowns: 0 })
      }))

    it("a connection-reset fault is a TransportError of the client; the server keeps serving", () =>
      withEmulator(h, {}, async ({ id, url }) => {
        await h.call("emulator.setFaults", { id, faults: [{ fault: { _tag: "Reset" } }] })
        const call = { endpoint: url, operation: "registerClient", input: { clientName: "reset", clientType: "public" } }
        const failed = await h.attempt("oidc", call)
        expect(failed.ok).toBe(false)
        expect(!failed.ok && failed.error).toMatchObject({ _tag: "TransportError", reason: "Transport" })
        const [logged] = await h.call("emulator.view", { id, what: "requests" })
        expect(logged).toMatchObject({ kind: "RegisterClient", status: null, faults: ["Reset"] })
        await h.call("emulator.clearFaults", { id })
        const after = await h.call("oidc", call)
        expect(typeof after.output.clientId).toBe("string")
      }))

    it("a 10 MB body is a ResponseDecodeError over a socket", () =>
      withEmulator(h, { faults: [{ fault: { _tag: "HugeBody", status: 200, bytes: 10 * 1024 * 1024 } }] }, async ({ url }) => {
        const failed = await h.attempt("oidc", {
          endpoint: url,
          operation: "registerClient",
          input: { clientName: "huge", clientType: "public" }
        })
        expect(!failed.ok && failed.error).toMatchObject({
          _tag: "ResponseDecodeError",
          status: 200,
          description: "the reply is larger than 1048576 bytes"
        })
      }))

    it("a delay beyond the client's timeout is a TransportError Timeout, and stopping does not wait for the open request", () =>
      // A 10-minute delay: were the shutdown to wait for it, the test would time out.
      withEmulator(h, { faults: [{ fault: { _tag: "Delay", millis: 600_000 } }] }, async ({ url }) => {
        const failed = await h.attempt("oidc", {
          endpoint: url,
          operation: "registerClient",
          input: { clientName: "slow", clientType: "public" },
          timeoutMillis: 300
        })
        expect(!failed.ok && failed.error).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
      }))

    it("binds to 127.0.0.1 only, and stops listening when stopped", async () => {
      const port = await withEmulator(h, {}, async ({ url }) => {
        const port = Number(new URL(url).port)
        expect(await canConnect("127.0.0.1", port)).toBe(true)
        // every other address of this machine refuses: IPv6 loopback and the external interfaces
        const others = Object.values(Os.networkInterfaces())
          .flatMap((addresses) => addresses ?? [])
          .filter((address) => address.address !== "127.0.0.1")
          .map((address) => address.family === "IPv6" ? address.address.split("%")[0]! : address.address)
        for (const host of new Set(["::1", ...others])) {
          expect([host, await canConnect(host, port)]).toEqual([host, false])
        }
        // a kept-alive connection does not hold the shutdown up
        await fetchText(`${url}/device`)
        return port
      })
      expect(await canConnect("127.0.0.1", port)).toBe(false)
    })

    it("serves on a given port", async () => {
      const free = await new Promise<number>((resolve) => {
        const probe = Net.createServer()
        probe.listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as Net.AddressInfo
          probe.close(() => resolve(port))
        })
      })
      await withEmulator(h, { port: free }, async ({ url }) => {
        expect(url).toBe(`http://127.0.0.1:${free}`)
        expect((await fetchText(`${url}/device`)).status).toBe(200)
      })
    })

    it("a port in use is a ServeError", () =>
      withEmulator(h, {}, async ({ url }) => {
        const taken = await h.attempt("emulator.start", { port: Number(new URL(url).port) })
        expect(!taken.ok && taken.error._tag).toBe("ServeError")
      }))
  })
}

describe("every edition's client against every edition's emulator", () => {
  const harnesses = new Map<string, Harness>()
  beforeAll(async () => {
    for (const edition of editions) harnesses.set(edition, await startHarness(edition))
  }, 60_000)
  afterAll(() => Promise.all([...harnesses.values()].map((h) => h.close())))

  for (const client of editions) {
    for (const server of editions) {
      it(`${client}'s DeviceLogin against ${server}'s emulator: the token the emulator issued`, () =>
        withEmulator(harnesses.get(server)!, { intervalMillis: 1000, autoApproveAfterMillis: 1000 }, async ({ id, url }) => {
          const { events } = await harnesses.get(client)!.call("deviceLogin", { endpoint: url, startUrl })
          expect(events.at(-1)._tag).toBe("Authorized")
          const tokens = await harnesses.get(server)!.call("emulator.view", { id, what: "tokens" })
          expect(tokens.map((t: { accessToken: unknown }) => t.accessToken)).toEqual([events.at(-1).token.accessToken])
        }))
    }
  }
})
