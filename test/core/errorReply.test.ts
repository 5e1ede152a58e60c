/**
 * The Effect-free reading of error replies (src/core/errorReply.ts) and the
 * choice of the error each becomes. The error classes built from the choice
 * are tested per edition (SsoOidcError.test.ts, SsoPortalClient.test.ts).
 */
import { describe, expect, it } from "vitest"
import * as ErrorReply from "../../src/core/errorReply.js"
import * as Operations from "../../src/core/operations.js"

const CODER = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
const reply = (
  errorType: string | undefined,
  body: unknown,
  more: Partial<ErrorReply.ErrorResponse> = {}
): ErrorReply.ErrorResponse => ({
  status: 400,
  requestId: "req-1",
  errorType,
  body: typeof body === "string" ? body : JSON.stringify(body),
  ...more
})

describe("sanitizeErrorName", () => {
  it("keeps what is before the first ':' and then what is after the first '#'", () => {
    expect(ErrorReply.sanitizeErrorName(`com.amazonaws.ssooidc#SlowDownException:${CODER}`)).toBe("SlowDownException")
    expect(ErrorReply.sanitizeErrorName(`SlowDownException:${CODER}`)).toBe("SlowDownException")
    expect(ErrorReply.sanitizeErrorName("a#b#SlowDownException")).toBe("b#SlowDownException")
    expect(ErrorReply.sanitizeErrorName(" X ")).toBe("X")
    expect(ErrorReply.sanitizeErrorName(":X")).toBe("")
  })
})

describe("readErrorReply", () => {
  it("reads the name from the header, then __type, then code, then the OAuth code", () => {
    const body = { __type: "ns#SlowDownException", code: "ExpiredTokenException", error: "access_denied" }
    expect(ErrorReply.readErrorReply(`InvalidGrantException:${CODER}`, JSON.stringify(body)).name).toBe(
      "InvalidGrantException"
    )
    expect(ErrorReply.readErrorReply(undefined, JSON.stringify(body)).name).toBe("SlowDownException")
    expect(ErrorReply.readErrorReply(" ", JSON.stringify({ code: "ExpiredTokenException" })).name).toBe(
      "ExpiredTokenException"
    )
    expect(ErrorReply.readErrorReply(undefined, JSON.stringify({ error: "access_denied" })).name).toBe(
      "AccessDeniedException"
    )
  })

  it("takes a SigV4 failure's message (or Message) as the description, error_description first", () => {
    expect(ErrorReply.readErrorReply(undefined, JSON.stringify({ message: "m" })).error_description).toBe("m")
    expect(ErrorReply.readErrorReply(undefined, JSON.stringify({ Message: "M" })).error_description).toBe("M")
    expect(
      ErrorReply.readErrorReply(undefined, JSON.stringify({ error_description: "d", message: "m" })).error_description
    ).toBe("d")
  })

  it("ignores members that are not strings, and bodies that are not JSON objects", () => {
    expect(ErrorReply.readErrorReply(undefined, JSON.stringify({ error: 1, reason: {}, region: ["x"] }))).toStrictEqual({
      name: undefined,
      error: undefined,
      error_description: undefined,
      reason: undefined,
      endpoint: undefined,
      region: undefined
    })
    for (const text of ["<html>", "", "[]", "null", "1"]) {
      expect(ErrorReply.readErrorReply("SlowDownException", text).name).toBe("SlowDownException")
    }
  })

  it("a name that sanitizes to nothing is no name", () => {
    expect(ErrorReply.readErrorReply(":http://x", "{}").name).toBeUndefined()
  })
})

describe("withoutUndefined", () => {
  it("drops keys whose value is undefined, keeping null, false, 0 and empty strings", () => {
    expect(ErrorReply.withoutUndefined({ a: undefined, b: null, c: false, d: 0, e: "" })).toStrictEqual({
      b: null,
      c: false,
      d: 0,
      e: ""
    })
  })
})

describe("oidcErrorOf", () => {
  it("a declared name becomes that error, with status, request id, error and description", () => {
    const choice = ErrorReply.oidcErrorOf(
      "CreateToken",
      reply(`AuthorizationPendingException:${CODER}`, { error: "authorization_pending", error_description: "wait" })
    )
    expect(choice).toStrictEqual({
      _tag: "Declared",
      name: "AuthorizationPendingException",
      fields: { status: 400, requestId: "req-1", error: "authorization_pending", error_description: "wait" }
    })
  })

  it("keeps only the members the error's table row lists (reason on AccessDenied, endpoint and region on InvalidRequestRegion)", () => {
    const body = { error: "x", reason: "KMS_AccessDeniedException", endpoint: "e", region: "r" }
    expect(ErrorReply.oidcErrorOf("CreateToken", reply("AccessDeniedException", body)).fields).toStrictEqual({
      status: 400,
      requestId: "req-1",
      error: "x",
      reason: "KMS_AccessDeniedException"
    })
    expect(ErrorReply.oidcErrorOf("CreateTokenWithIAM", reply("InvalidRequestRegionException", body)).fields)
      .toStrictEqual({ status: 400, requestId: "req-1", error: "x", endpoint: "e", region: "r" })
    expect(ErrorReply.oidcErrorOf("CreateToken", reply("SlowDownException", body)).fields).toStrictEqual({
      status: 400,
      requestId: "req-1",
      error: "x"
    })
  })

  it("a name the operation does not declare is ServiceError keeping the name (InvalidRequestRegion is CreateTokenWithIAM's only)", () => {
    expect(ErrorReply.oidcErrorOf("CreateToken", reply("InvalidRequestRegionException", { error: "invalid_request" })))
      .toStrictEqual({
        _tag: "Undeclared",
        fields: { status: 400, requestId: "req-1", errorType: "InvalidRequestRegionException", error: "invalid_request" }
      })
    expect(ErrorReply.oidcErrorOf("RegisterClient", reply("AuthorizationPendingException", "{}"))._tag).toBe(
      "Undeclared"
    )
    expect(ErrorReply.oidcErrorOf("CreateToken", reply("ThrottlingException", "{}")).fields).toStrictEqual({
      status: 400,
      requestId: "req-1",
      errorType: "ThrottlingException"
    })
  })

  it("no name at all is ServiceError without errorType, and no request id means none is kept", () => {
    expect(ErrorReply.oidcErrorOf("CreateToken", reply(undefined, "<html>", { status: 502, requestId: undefined })))
      .toStrictEqual({ _tag: "Undeclared", fields: { status: 502 } })
  })

  it("every declared error of every operation is chosen by its name, in each of its wire forms", () => {
    for (const operation of Operations.ssoOidcOperations) {
      for (const name of operation.errors) {
        for (const form of [name, `${name}:${CODER}`, `com.amazonaws.ssooidc#${name}`]) {
          const choice = ErrorReply.oidcErrorOf(operation.name, reply(form, "{}"))
          expect(choice._tag === "Declared" && choice.name, `${operation.name} ${form}`).toBe(name)
        }
      }
    }
  })

  it("the OAuth code stands in for a missing name", () => {
    const choice = ErrorReply.oidcErrorOf("CreateToken", reply(undefined, { error: "slow_down" }))
    expect(choice._tag === "Declared" && choice.name).toBe("SlowDownException")
  })
})

describe("portalErrorOf", () => {
  const { GetRoleCredentials, Logout } = Operations.portalOperations

  it("a declared name becomes that error, the model's message as description", () => {
    expect(
      ErrorReply.portalErrorOf(
        GetRoleCredentials,
        reply("UnauthorizedException", { message: "Session token not found" }, { status: 401 })
      )
    ).toStrictEqual({
      _tag: "Declared",
      name: "UnauthorizedException",
      fields: { status: 401, requestId: "req-1", description: "Session token not found" }
    })
  })

  it("ForbiddenException is taken although no operation declares it", () => {
    const choice = ErrorReply.portalErrorOf(GetRoleCredentials, reply("ForbiddenException", { message: "No access" }))
    expect(choice._tag === "Declared" && choice.name).toBe("ForbiddenException")
  })

  it("a name the operation does not declare is ServiceError keeping the name and description", () => {
    expect(ErrorReply.portalErrorOf(Logout, reply("ResourceNotFoundException", { message: "gone" }, { status: 404 })))
      .toStrictEqual({
        _tag: "Undeclared",
        fields: { status: 404, requestId: "req-1", errorType: "ResourceNotFoundException", error_description: "gone" }
      })
  })

  it("an OIDC name, a prototype name or no name is ServiceError", () => {
    for (const name of ["SlowDownException", "constructor", "toString"]) {
      const choice = ErrorReply.portalErrorOf({ errors: [...GetRoleCredentials.errors, name] }, reply(name, "{}"))
      expect(choice._tag, name).toBe("Undeclared")
    }
    expect(ErrorReply.portalErrorOf(GetRoleCredentials, reply(undefined, "", { status: 503, requestId: undefined })))
      .toStrictEqual({ _tag: "Undeclared", fields: { status: 503 } })
  })
})
