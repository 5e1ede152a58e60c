/**
 * The emulator's wire format (src/core/emulator/wire.ts): restJson1 replies
 * as AWS shapes them, the request body readers, and the replies of injected
 * faults (src/core/emulator/faults.ts).
 */
import { describe, expect, it } from "vitest"
import * as Faults from "../../../src/core/emulator/faults.js"
import * as Wire from "../../../src/core/emulator/wire.js"
import { ssoOidc, ssoPortal } from "../../../src/core/operations.js"

describe("core emulator wire format", () => {
  it("an error reply has the model's status and code, the coral namespace and exactly error / error_description", () => {
    const reply = Wire.errorReply("InvalidClientException", "bad", "req-1")
    expect(reply.status).toBe(401)
    expect(reply.headers).toEqual({
      "content-type": "application/json",
      "x-amzn-RequestId": "req-1",
      "x-amzn-ErrorType": "InvalidClientException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
    })
    expect(JSON.parse(reply.bodyText)).toEqual({ error: "invalid_client", error_description: "bad" })
    expect(Wire.errorNameOf(reply)).toBe("InvalidClientException")
  })

  it("an unknown error name is sent as is, 400 invalid_request unless told otherwise", () => {
    const reply = Wire.errorReply("MadeUpException", "x", "r")
    expect([reply.status, JSON.parse(reply.bodyText).error]).toEqual([400, "invalid_request"])
    expect(Wire.errorReply("MadeUpException", "x", "r", { status: 503, code: "c" }).status).toBe(503)
  })

  it("InvalidRequestRegion carries endpoint and region", () => {
    const reply = Wire.outcomeReply(
      Wire.err("InvalidRequestRegionException", "elsewhere", { endpoint: "https://oidc.eu-west-1.amazonaws.com", region: "eu-west-1" }),
      "r"
    )
    expect(JSON.parse(reply.bodyText)).toEqual({
      error: "invalid_request",
      error_description: "elsewhere",
      endpoint: "https://oidc.eu-west-1.amazonaws.com",
      region: "eu-west-1"
    })
  })

  it("portal errors are { message } with the portal's status and a bare name", () => {
    const reply = Wire.portalErrorReply("UnauthorizedException", "Session token not found or invalid", "r")
    expect(reply.status).toBe(401)
    expect(reply.headers["x-amzn-ErrorType"]).toBe("UnauthorizedException")
    expect(JSON.parse(reply.bodyText)).toEqual({ message: "Session token not found or invalid" })
  })

  it("an authentication failure is 403 { message } in the coral service namespace", () => {
    const reply = Wire.authFailureReply("InvalidSignatureException", "no", "r", ":ns/")
    expect([reply.status, reply.headers["x-amzn-ErrorType"], reply.bodyText]).toEqual([
      403,
      "InvalidSignatureException:ns/",
      JSON.stringify({ message: "no" })
    ])
  })

  it("reads bodies: empty is {}, non-objects and bad JSON are InvalidRequest; members are type-checked", () => {
    expect(Wire.parseObject("  ")).toEqual({ _tag: "Ok", value: {} })
    expect(Wire.parseObject("[1]")._tag).toBe("Err")
    expect(Wire.parseObject("{")._tag).toBe("Err")
    expect(Wire.optionalString({ a: null }, "a")).toEqual({ _tag: "Ok", value: undefined })
    expect(Wire.optionalString({ a: 1 }, "a")._tag).toBe("Err")
    expect(Wire.requiredString({ a: "" }, "a")).toEqual({
      _tag: "Err",
      failure: { name: "InvalidRequestException", description: "Missing required parameter: a" }
    })
    expect(Wire.optionalStringList({ a: ["x", 1] }, "a")._tag).toBe("Err")
    expect(Wire.optionalStringList({ a: ["x"] }, "a")).toEqual({ _tag: "Ok", value: ["x"] })
  })
})

describe("core emulator faults", () => {
  const delay = { _tag: "Delay", duration: 5 } as const
  const reset = { _tag: "Reset" } as const
  const relabel = { _tag: "WrongContentType", contentType: "text/html" } as const

  it("delays add up, the first replacing fault wins, counts are used up, other operations are untouched", () => {
    const armed = Faults.arm([
      { fault: delay },
      { fault: relabel, operation: ["CreateToken"] },
      { fault: reset, operation: "CreateToken", count: 1 },
      { fault: { _tag: "EmptyBody", status: 200 } as const }
    ])
    const [first, after] = Faults.select(armed, "CreateToken", [])
    expect(first).toEqual({ delays: [delay], reply: reset, contentType: "text/html", fired: ["Delay", "WrongContentType", "Reset"] })
    const [second] = Faults.select(after, "CreateToken", [])
    expect(second.reply).toEqual({ _tag: "EmptyBody", status: 200 })
    const [other] = Faults.select(after, "RegisterClient", [])
    expect(other.fired).toEqual(["Delay", "EmptyBody"])
  })

  it("a ratio below 1 fires only when its draw is below it", () => {
    const armed = Faults.arm([{ fault: reset, ratio: 0.5 }])
    expect(Faults.select(armed, "CreateToken", [0.49])[0].reply).toEqual(reset)
    expect(Faults.select(armed, "CreateToken", [0.5])[0].reply).toBeUndefined()
    expect(Faults.select(armed, "CreateToken", [])[0].reply).toBeUndefined()
  })

  it("replies in the service's shape: OIDC errors with error / error_description, the portal's with message", () => {
    const status = { _tag: "Status", status: 500, errorName: "InternalServerException" } as const
    expect(JSON.parse(Faults.faultReply(status, "r", ssoOidc).bodyText)).toEqual({
      error: "server_error",
      error_description: "Injected fault: InternalServerException"
    })
    expect(JSON.parse(Faults.faultReply(status, "r", ssoPortal).bodyText)).toEqual({
      message: "Injected fault: InternalServerException"
    })
    expect(Faults.faultReply(reset, "r", ssoOidc).resetConnection).toBe(true)
    expect(Faults.faultReply({ _tag: "HugeBody", status: 200, bytes: 10 }, "r", ssoOidc).bodyText).toBe("x".repeat(10))
    expect(Faults.faultReply({ _tag: "Redirect", status: 307, location: "https://x.invalid/" }, "r", ssoOidc).headers["location"])
      .toBe("https://x.invalid/")
  })
})
