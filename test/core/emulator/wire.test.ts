/**
 * The emulator's wire format (src/core/emulator/wire.ts): restJson1 replies
 * as AWS shapes them, and the request body readers.
 */
import { describe, expect, it } from "vitest"
import * as Wire from "../../../src/core/emulator/wire.js"

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
