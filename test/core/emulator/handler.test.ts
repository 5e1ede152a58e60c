/**
 * The Effect-free parts of the emulator's handler (src/core/emulator/handler.ts):
 * routing, the same-origin rule of form posts, and the pages as transitions.
 */
import { describe, expect, it } from "vitest"
import * as Handler from "../../../src/core/emulator/handler.js"
import type { HandlerRequest } from "../../../src/core/emulator/reply.js"
import * as State from "../../../src/core/emulator/state.js"

const settings: State.Settings = {
  baseUrl: "http://127.0.0.1:4321",
  intervalSeconds: 1,
  deviceCodeExpiresInSeconds: 600,
  tokenExpiresInSeconds: 3600,
  registrationLifetimeSeconds: 3600,
  autoApproveAfterMillis: undefined,
  region: "us-east-1",
  authorizationCodeExpiresInSeconds: 600,
  applications: [],
  idTokenKey: new Uint8Array(32),
  maxRecords: 100
}
const t0 = Date.UTC(2026, 0, 1)
const request = (method: string, path: string, extra: Partial<HandlerRequest> = {}): HandlerRequest => ({
  method,
  path,
  query: {},
  headers: {},
  bodyText: "",
  ...extra
})

const pending = () => {
  const [, registered] = State.registerClient(State.empty, { clientName: "app", clientType: "public" }, t0, {
    clientId: "c",
    clientSecret: "s"
  }, settings)
  const [, started] = State.startDeviceAuthorization(registered, { clientId: "c", clientSecret: "s", startUrl: "u" }, t0, {
    deviceCode: "d",
    userCode: "BCDF-GHJK"
  }, settings)
  return started
}

describe("core emulator handler", () => {
  it("routes by the operations table, then the pages, else Unknown (404 UnknownOperationException)", () => {
    expect(Handler.requestKind(request("POST", "/token"))).toBe("CreateToken")
    expect(Handler.requestKind(request("POST", "/token", { query: { aws_iam: "t" } }))).toBe("CreateTokenWithIAM")
    expect(Handler.requestKind(request("GET", "/assignment/accounts"))).toBe("ListAccounts")
    expect(Handler.requestKind(request("GET", "/device"))).toBe("VerificationPage")
    expect(Handler.requestKind(request("GET", "/authorize"))).toBe("AuthorizationPage")
    expect(Handler.requestKind(request("GET", "/token"))).toBe("Unknown")
    expect(Handler.unknownOperationReply(request("GET", "/x"), "r").status).toBe(404)
    expect(Object.values(Handler.zeroCounts).every((n) => n === 0)).toBe(true)
    expect(Handler.isPortalOperation("Logout")).toBe(true)
    expect(Handler.isPortalOperation("CreateToken")).toBe(false)
  })

  it("accepts form posts of its own origin (localhost aliases 127.0.0.1) and refuses other sites and ports", () => {
    const base = settings.baseUrl
    expect(Handler.sameOrigin({}, base)).toBe(true)
    expect(Handler.sameOrigin({ Origin: "http://localhost:4321" }, base)).toBe(true)
    expect(Handler.sameOrigin({ origin: "http://127.0.0.1:9999" }, base)).toBe(false)
    expect(Handler.sameOrigin({ "sec-fetch-site": "same-site" }, base)).toBe(false)
    expect(Handler.sameOrigin({ origin: "null" }, base)).toBe(false)
    expect(Handler.sameOrigin({ origin: "null", "sec-fetch-site": "same-origin" }, base)).toBe(true)
  })

  it("the verification page approves a typed code on a same-origin POST, and refuses a cross-site one unchanged", () => {
    const s = pending()
    const form = "user_code=bcdf+ghjk&action=approve"
    const [refused, unchanged] = Handler.verificationPage(
      s,
      request("POST", "/device", { headers: { "sec-fetch-site": "cross-site" }, bodyText: form }),
      t0,
      settings,
      "r"
    )
    expect(refused.status).toBe(403)
    expect(unchanged).toBe(s)
    const [done, approved] = Handler.verificationPage(s, request("POST", "/device", { bodyText: form }), t0, settings, "r")
    expect(done.status).toBe(200)
    expect(State.lookup(approved, "BCDF-GHJK")?.status).toBe("approved")
    const [again] = Handler.verificationPage(approved, request("POST", "/device", { bodyText: "user_code=BCDF-GHJK&action=deny" }), t0, settings, "r")
    expect(again.status).toBe(409)
    const [unknown] = Handler.verificationPage(s, request("POST", "/device", { bodyText: "user_code=XXXX-XXXX&action=deny" }), t0, settings, "r")
    expect(unknown.status).toBe(404)
    expect(Handler.verificationPage(s, request("PUT", "/device"), t0, settings, "r")[0].status).toBe(405)
  })

  it("/authorize: an invalid query is a 400 page; an incomplete POST is a 400 page; an unknown request a 404", () => {
    const fresh = { id: "r1", code: "c1" }
    const [invalid, same] = Handler.authorizationPage(State.empty, request("GET", "/authorize"), t0, fresh, settings, "r")
    expect(invalid.status).toBe(400)
    expect(same).toBe(State.empty)
    expect(Handler.authorizationPage(State.empty, request("POST", "/authorize", { bodyText: "action=approve" }), t0, fresh, settings, "r")[0].status)
      .toBe(400)
    expect(
      Handler.authorizationPage(State.empty, request("POST", "/authorize", { bodyText: "request_id=zz&action=approve" }), t0, fresh, settings, "r")[0]
        .status
    ).toBe(404)
  })
})
