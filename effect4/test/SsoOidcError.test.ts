/**
 * How an error reply is named and described: the restJson1 name resolution
 * (`x-amzn-ErrorType` header, else body `__type`, else body `code`) and its
 * sanitization, the OAuth `error` fallback, the guards, and the messages.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"
// The modules themselves, not the entry point: the suite needs none of the login modules.
import * as Endpoint from "../src/Endpoint.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import * as SsoOidcError from "../src/SsoOidcError.js"
import * as SsoOidcSchema from "../src/SsoOidcSchema.js"
import { readErrorReply, sanitizeErrorName } from "../src/internal/wire.js"
import * as Mock from "../src/testing/ScriptedHttpClient.js"

const CODER = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
const NS = "com.amazonaws.ssooidc"

/** Every form a wire name takes, for a given bare name. */
const forms = (name: string): ReadonlyArray<readonly [string, string]> => [
  ["X", name],
  ["X:http://…", `${name}:${CODER}`],
  ["ns#X", `${NS}#${name}`],
  ["ns#X:http://…", `${NS}#${name}:${CODER}`]
]

const tokenInput: SsoOidcSchema.CreateTokenRequest = {
  clientId: "client-id",
  clientSecret: Redacted.make("client-secret-value"),
  grantType: SsoOidcSchema.GrantType.DeviceCode,
  deviceCode: Redacted.make("device-code-value")
}

/** The error CreateToken fails with when the service sends `reply`. */
const createTokenError = (reply: Mock.Reply) =>
  Effect.gen(function*() {
    const mock = yield* Mock.script([reply])
    const error = yield* Effect.flip(
      Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) => client.createToken(tokenInput)).pipe(
        Effect.provide(Mock.clientLayer(mock, { retry: false }))
      )
    )
    return error as any
  })

/** A 400 reply with `body` and optionally an `x-amzn-ErrorType` header, nothing else naming it. */
const reply400 = (body: Record<string, unknown>, errorType?: string): Mock.Reply =>
  Mock.raw(400, JSON.stringify(body), {
    "content-type": "application/json",
    "x-amzn-requestid": "rid-400",
    ...(errorType === undefined ? {} : { "x-amzn-errortype": errorType })
  })

// -----------------------------------------------------------------------------
// sanitizeErrorName
// -----------------------------------------------------------------------------

describe("sanitizeErrorName", () => {
  for (const [form, raw] of forms("SlowDownException")) {
    it(`the form ${form} sanitizes to the bare name`, () => {
      expect(sanitizeErrorName(raw)).toBe("SlowDownException")
    })
  }

  it("keeps what is before the first ':' and then what is after the first '#' (Smithy restJson1 vector)", () => {
    expect(sanitizeErrorName("aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/"))
      .toBe("FooError")
    expect(sanitizeErrorName("FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/")).toBe("FooError")
    expect(sanitizeErrorName("aws.protocoltests.restjson#FooError")).toBe("FooError")
  })

  it("surrounding whitespace is dropped", () => {
    expect(sanitizeErrorName("  SlowDownException  ")).toBe("SlowDownException")
  })
})

// -----------------------------------------------------------------------------
// readErrorReply
// -----------------------------------------------------------------------------

describe("readErrorReply", () => {
  const body = JSON.stringify({ error: "authorization_pending", error_description: "Still pending" })

  for (const [form, raw] of forms("AuthorizationPendingException")) {
    it(`the name is read from the x-amzn-ErrorType header in the form ${form}`, () => {
      const reply = readErrorReply(raw, body)
      expect(reply.name).toBe("AuthorizationPendingException")
      expect(reply.error).toBe("authorization_pending")
      expect(reply.error_description).toBe("Still pending")
    })
    it(`the name is read from a body __type in the form ${form}`, () => {
      expect(readErrorReply(undefined, JSON.stringify({ __type: raw })).name).toBe("AuthorizationPendingException")
    })
    it(`the name is read from a body code in the form ${form}`, () => {
      expect(readErrorReply(undefined, JSON.stringify({ code: raw })).name).toBe("AuthorizationPendingException")
    })
  }

  it("the header beats __type, which beats code", () => {
    const all = JSON.stringify({ __type: "SlowDownException", code: "ExpiredTokenException" })
    expect(readErrorReply("AccessDeniedException", all).name).toBe("AccessDeniedException")
    expect(readErrorReply(undefined, all).name).toBe("SlowDownException")
    expect(readErrorReply(undefined, JSON.stringify({ code: "ExpiredTokenException" })).name).toBe(
      "ExpiredTokenException"
    )
  })

  it("an empty or blank header or __type does not count as a name", () => {
    const reply = JSON.stringify({ __type: "  ", code: "ExpiredTokenException" })
    expect(readErrorReply("", reply).name).toBe("ExpiredTokenException")
    expect(readErrorReply("   ", reply).name).toBe("ExpiredTokenException")
  })

  it("with no name at all, error: \"slow_down\" falls back to SlowDownException", () => {
    expect(readErrorReply(undefined, JSON.stringify({ error: "slow_down" })).name).toBe("SlowDownException")
  })

  it("with no name, each OAuth error code that names exactly one error falls back to it", () => {
    const codes: Record<string, string> = {
      access_denied: "AccessDeniedException",
      authorization_pending: "AuthorizationPendingException",
      expired_token: "ExpiredTokenException",
      server_error: "InternalServerException",
      invalid_client: "InvalidClientException",
      invalid_client_metadata: "InvalidClientMetadataException",
      invalid_grant: "InvalidGrantException",
      invalid_redirect_uri: "InvalidRedirectUriException",
      invalid_scope: "InvalidScopeException",
      unauthorized_client: "UnauthorizedClientException",
      unsupported_grant_type: "UnsupportedGrantTypeException"
    }
    for (const [code, name] of Object.entries(codes)) {
      expect(readErrorReply(undefined, JSON.stringify({ error: code })).name).toBe(name)
    }
  })

  it("an OAuth error code named like an Object member (constructor, __proto__, toString) names no error", () => {
    for (const code of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const reply = readErrorReply(undefined, JSON.stringify({ error: code }))
      expect(reply.name, code).toBeUndefined()
      expect(reply.error).toBe(code)
    }
  })

  it("the OAuth error code never overrides an explicit name", () => {
    expect(readErrorReply("SlowDownException", JSON.stringify({ error: "authorization_pending" })).name).toBe(
      "SlowDownException"
    )
  })

  it("an unknown OAuth error code and no name leave the name unknown", () => {
    const reply = readErrorReply(undefined, JSON.stringify({ error: "temporarily_unavailable", error_description: "d" }))
    expect(reply.name).toBeUndefined()
    expect(reply.error).toBe("temporarily_unavailable")
    expect(reply.error_description).toBe("d")
  })

  it("a non-JSON, empty or array body gives no members, and the header still names the error", () => {
    for (const text of ["<html>502 Bad Gateway</html>", "", "[]", "null", "\"slow_down\""]) {
      expect(readErrorReply(undefined, text)).toStrictEqual({
        name: undefined,
        error: undefined,
        error_description: undefined,
        reason: undefined,
        endpoint: undefined,
        region: undefined
      })
      expect(readErrorReply(`SlowDownException:${CODER}`, text).name).toBe("SlowDownException")
    }
  })

  it("members that are not strings are ignored", () => {
    const reply = readErrorReply(
      undefined,
      JSON.stringify({ __type: 7, code: ["x"], error: 42, error_description: { text: "d" }, reason: true })
    )
    expect(reply).toStrictEqual({
      name: undefined,
      error: undefined,
      error_description: undefined,
      reason: undefined,
      endpoint: undefined,
      region: undefined
    })
  })

  it("reason, endpoint and region are read from the body", () => {
    const reply = readErrorReply(
      "InvalidRequestRegionException",
      JSON.stringify({ error: "invalid_request", reason: "KMS_DisabledException", endpoint: "https://e", region: "eu-west-1" })
    )
    expect(reply.reason).toBe("KMS_DisabledException")
    expect(reply.endpoint).toBe("https://e")
    expect(reply.region).toBe("eu-west-1")
  })
})

// -----------------------------------------------------------------------------
// through the client
// -----------------------------------------------------------------------------

describe("error names through the client (CreateToken)", () => {
  const description = { error_description: "Client is polling too fast" }

  for (const [form, raw] of forms("SlowDownException")) {
    it.effect(`a header x-amzn-ErrorType in the form ${form} gives SlowDown`, () =>
      Effect.gen(function*() {
        const error = yield* createTokenError(reply400(description, raw))
        expect(error._tag).toBe("SlowDown")
        expect(error.error_description).toBe("Client is polling too fast")
        expect(error.status).toBe(400)
        expect(error.requestId).toBe("rid-400")
      }))
    it.effect(`a body __type in the form ${form} gives SlowDown`, () =>
      Effect.gen(function*() {
        const error = yield* createTokenError(reply400({ __type: raw, ...description }))
        expect(error._tag).toBe("SlowDown")
        expect(error.error_description).toBe("Client is polling too fast")
      }))
    it.effect(`a body code in the form ${form} gives SlowDown`, () =>
      Effect.gen(function*() {
        const error = yield* createTokenError(reply400({ code: raw, ...description }))
        expect(error._tag).toBe("SlowDown")
        expect(error.error_description).toBe("Client is polling too fast")
      }))
  }

  it.effect("a 400 whose only name is an OAuth code like \"constructor\" is a ServiceError, not a defect", () =>
    Effect.gen(function*() {
      for (const code of ["constructor", "__proto__", "toString"]) {
        const error = yield* createTokenError(reply400({ error: code, error_description: "d" }))
        expect(error._tag, code).toBe("ServiceError")
        expect(error.errorType).toBeUndefined()
        expect(error.error).toBe(code)
        expect(error.status).toBe(400)
      }
    }))

  it.effect("the header beats a body __type", () =>
    Effect.gen(function*() {
      const error = yield* createTokenError(
        reply400({ __type: `${NS}#SlowDownException` }, `AuthorizationPendingException:${CODER}`)
      )
      expect(error._tag).toBe("AuthorizationPending")
    }))

  it.effect("a body __type beats a body code", () =>
    Effect.gen(function*() {
      const error = yield* createTokenError(reply400({ __type: "ExpiredTokenException", code: "SlowDownException" }))
      expect(error._tag).toBe("ExpiredToken")
    }))

  it.effect("the header beats both __type and code", () =>
    Effect.gen(function*() {
      const error = yield* createTokenError(
        reply400({ __type: "ExpiredTokenException", code: "SlowDownException" }, "InvalidGrantException")
      )
      expect(error._tag).toBe("InvalidGrant")
    }))

  it.effect("a body with only error: \"slow_down\" and no name falls back to SlowDown", () =>
    Effect.gen(function*() {
      const error = yield* createTokenError(reply400({ error: "slow_down", error_description: "Slow down" }))
      expect(error._tag).toBe("SlowDown")
      expect(error.error).toBe("slow_down")
      expect(error.error_description).toBe("Slow down")
    }))

  it.effect("a body with only error: \"authorization_pending\" falls back to AuthorizationPending", () =>
    Effect.gen(function*() {
      const error = yield* createTokenError(reply400({ error: "authorization_pending" }))
      expect(error._tag).toBe("AuthorizationPending")
    }))

  it.effect("a fallback name the operation does not declare is a ServiceError (invalid_client_metadata from CreateToken)", () =>
    Effect.gen(function*() {
      const error = yield* createTokenError(reply400({ error: "invalid_client_metadata" }))
      expect(error._tag).toBe("ServiceError")
      expect(error.errorType).toBe("InvalidClientMetadataException")
    }))

  it.effect("the message of an error from the wire carries error, error_description, status and request id", () =>
    Effect.gen(function*() {
      const error = yield* createTokenError(
        Mock.awsError("AuthorizationPendingException", {
          error: "authorization_pending",
          description: "Authorization is still pending"
        })
      )
      expect(error.message).toContain("authorization_pending")
      expect(error.message).toContain("Authorization is still pending")
      expect(error.message).toContain("400")
      expect(error.message).toContain("7c1c1a52-0000-4000-8000-000000000000")
    }))
})

// -----------------------------------------------------------------------------
// guards
// -----------------------------------------------------------------------------

const common = { error: "some_error", error_description: "Some description", status: 400, requestId: "rid-1" }

describe("isTransient", () => {
  it("a TransportError (Transport or Timeout) is transient", () => {
    expect(SsoOidcError.isTransient(new SsoOidcError.TransportError({ operation: "CreateToken", reason: "Transport", description: "reset" })))
      .toBe(true)
    expect(SsoOidcError.isTransient(new SsoOidcError.TransportError({ operation: "CreateToken", reason: "Timeout", description: "30s" })))
      .toBe(true)
  })

  it("HTTP 429, 500, 502, 503 and 504 are transient, whatever the error", () => {
    for (const status of [429, 500, 502, 503, 504]) {
      expect(SsoOidcError.isTransient(new SsoOidcError.ServiceError({ status }))).toBe(true)
    }
    expect(SsoOidcError.isTransient(new SsoOidcError.InternalServer({ ...common, status: 500 }))).toBe(true)
    expect(SsoOidcError.isTransient(new SsoOidcError.SlowDown({ ...common, status: 429 }))).toBe(true)
  })

  it("the protocol's 400s and the 401 are not transient", () => {
    for (const ErrorClass of Object.values(SsoOidcError.byWireName)) {
      expect(SsoOidcError.isTransient(new ErrorClass({ ...common, status: 400 }))).toBe(false)
    }
    expect(SsoOidcError.isTransient(new SsoOidcError.InvalidClient({ ...common, status: 401 }))).toBe(false)
  })

  it("other statuses (400, 401, 403, 404, 501) are not transient", () => {
    for (const status of [400, 401, 403, 404, 409, 501, 505]) {
      expect(SsoOidcError.isTransient(new SsoOidcError.ServiceError({ status }))).toBe(false)
    }
  })

  it("a ResponseDecodeError of a 500 or 503 (a reply too large) and an UnexpectedRedirect are not transient", () => {
    for (const status of [500, 503, 429]) {
      expect(SsoOidcError.isTransient(new SsoOidcError.ResponseDecodeError({ operation: "CreateToken", status, description: "d" })))
        .toBe(false)
    }
    for (const status of [301, 302, 307, 308, 0]) {
      expect(SsoOidcError.isTransient(new SsoOidcError.UnexpectedRedirect({ operation: "CreateToken", status }))).toBe(false)
    }
  })

  it("InvalidInput, a ResponseDecodeError of a 200, an EndpointError and foreign values are not transient", () => {
    expect(SsoOidcError.isTransient(new SsoOidcError.InvalidInput({ operation: "CreateToken", description: "d" }))).toBe(
      false
    )
    expect(
      SsoOidcError.isTransient(new SsoOidcError.ResponseDecodeError({ operation: "CreateToken", status: 200, description: "d" }))
    ).toBe(false)
    expect(SsoOidcError.isTransient(new Endpoint.EndpointError({ message: "Invalid Configuration: Missing Region" })))
      .toBe(false)
    for (const value of [new Error("boom"), { status: 503 }, { _tag: "TransportError" }, null, undefined, 503, "x"]) {
      expect(SsoOidcError.isTransient(value)).toBe(false)
    }
  })
})

describe("isSsoOidcError", () => {
  it("is true for every error of the module", () => {
    for (const ErrorClass of Object.values(SsoOidcError.byWireName)) {
      expect(SsoOidcError.isSsoOidcError(new ErrorClass(common))).toBe(true)
    }
    expect(SsoOidcError.isSsoOidcError(new SsoOidcError.ServiceError(common))).toBe(true)
    expect(SsoOidcError.isSsoOidcError(new SsoOidcError.TransportError({ operation: "X", reason: "Timeout", description: "d" })))
      .toBe(true)
    expect(SsoOidcError.isSsoOidcError(new SsoOidcError.ResponseDecodeError({ operation: "X", status: 200, description: "d" })))
      .toBe(true)
    expect(SsoOidcError.isSsoOidcError(new SsoOidcError.InvalidInput({ operation: "X", description: "d" }))).toBe(true)
  })

  it("is false for foreign values, look-alikes, and the Endpoint module's EndpointError", () => {
    for (const value of [new Error("x"), { _tag: "SlowDown", status: 400 }, null, undefined, "SlowDown", 1]) {
      expect(SsoOidcError.isSsoOidcError(value)).toBe(false)
    }
    expect(SsoOidcError.isSsoOidcError(new Endpoint.EndpointError({ message: "m" }))).toBe(false)
  })
})

// -----------------------------------------------------------------------------
// messages
// -----------------------------------------------------------------------------

describe("messages", () => {
  const tags = Object.entries(SsoOidcError.byWireName)

  for (const [wireName, ErrorClass] of tags) {
    const tag = wireName.replace(/Exception$/, "")
    it(`${tag}: the message carries error, error_description, status and request id; String starts with the tag`, () => {
      const error = new ErrorClass({ ...common, status: 401 })
      expect(error._tag).toBe(tag)
      expect(error.message).toContain("some_error")
      expect(error.message).toContain("Some description")
      expect(error.message).toContain("401")
      expect(error.message).toContain("rid-1")
      expect(String(error).startsWith(tag)).toBe(true)
      expect(String(error)).toContain("Some description")
    })
  }

  it("a service error without error text still says its status", () => {
    const error = new SsoOidcError.InternalServer({ status: 500 })
    expect(error.message).toContain("500")
    expect(String(error).startsWith("InternalServer")).toBe(true)
  })

  it("InvalidRequestRegion's message names the region to use", () => {
    const error = new SsoOidcError.InvalidRequestRegion({ ...common, region: "eu-west-1", endpoint: "https://oidc.eu-west-1.amazonaws.com" })
    expect(error.message).toContain("eu-west-1")
    expect(error.message).toContain("Some description")
  })

  it("ServiceError: the message carries the name, error, error_description, status and request id", () => {
    const error = new SsoOidcError.ServiceError({ ...common, status: 409, errorType: "BrandNewException" })
    expect(error.message).toContain("BrandNewException")
    expect(error.message).toContain("some_error")
    expect(error.message).toContain("Some description")
    expect(error.message).toContain("409")
    expect(error.message).toContain("rid-1")
  })

  it("ServiceError without a name: String starts with the tag", () => {
    const error = new SsoOidcError.ServiceError({ ...common, status: 502 })
    expect(String(error).startsWith("ServiceError")).toBe(true)
    expect(error.message).toContain("502")
  })

  // The wire name is kept as `errorType`: a `name` field would shadow Error.prototype.name.
  it("ServiceError with a name: String starts with the tag, not with the wire name", () => {
    const error = new SsoOidcError.ServiceError({ ...common, status: 409, errorType: "BrandNewException" })
    expect(String(error)).toMatch(/^ServiceError/)
  })

  it("TransportError: the message carries operation, reason and description; String starts with the tag", () => {
    const error = new SsoOidcError.TransportError({ operation: "CreateToken", reason: "Timeout", description: "no complete reply within 30s" })
    expect(error.message).toContain("CreateToken")
    expect(error.message).toContain("Timeout")
    expect(error.message).toContain("no complete reply within 30s")
    expect(String(error).startsWith("TransportError")).toBe(true)
  })

  it("ResponseDecodeError: the message carries operation, status, request id and description; String starts with the tag", () => {
    const error = new SsoOidcError.ResponseDecodeError({
      operation: "RegisterClient",
      status: 200,
      requestId: "rid-2",
      description: "clientId: expected string"
    })
    expect(error.message).toContain("RegisterClient")
    expect(error.message).toContain("200")
    expect(error.message).toContain("rid-2")
    expect(error.message).toContain("clientId: expected string")
    expect(String(error).startsWith("ResponseDecodeError")).toBe(true)
  })

  it("UnexpectedRedirect: the message carries operation, status and the target's origin; String starts with the tag", () => {
    const error = new SsoOidcError.UnexpectedRedirect({
      operation: "CreateToken",
      status: 307,
      locationOrigin: "http://evil.example:8080",
      requestId: "rid-3"
    })
    expect(error.message).toBe(
      "CreateToken: the endpoint answered with a redirect to http://evil.example:8080 (HTTP 307); " +
        "the service never redirects, so nothing was sent there: check the endpoint"
    )
    expect(String(error).startsWith("UnexpectedRedirect")).toBe(true)
    expect(SsoOidcError.isSsoOidcError(error)).toBe(true)
    // a browser's opaque redirect: no status, no location
    expect(new SsoOidcError.UnexpectedRedirect({ operation: "RegisterClient", status: 0 }).message).toContain(
      "an opaque redirect"
    )
  })

  it("InvalidInput: the message carries operation and description; String starts with the tag", () => {
    const error = new SsoOidcError.InvalidInput({ operation: "CreateToken", description: "clientId: expected string" })
    expect(error.message).toContain("CreateToken")
    expect(error.message).toContain("clientId: expected string")
    expect(String(error).startsWith("InvalidInput")).toBe(true)
  })

  it("no error's JSON carries a body: only its declared fields", () => {
    const error = new SsoOidcError.SlowDown({ ...common })
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual({ _tag: "SlowDown", ...common })
  })
})

// -----------------------------------------------------------------------------
// captured stacks
// -----------------------------------------------------------------------------

/** A stack of the header line alone: no frame was captured (V8 writes frames as `\n    at …`). */
const hasNoFrames = (error: Error) => error.stack === `${error.name}: ${error.message}`

describe("captured stacks", () => {
  it.effect("a service error decoded from a reply carries no captured stack: its stack is its header line alone", () =>
    Effect.gen(function*() {
      const error = yield* createTokenError(reply400({ error: "authorization_pending" }, "AuthorizationPendingException"))
      expect(error).toBeInstanceOf(SsoOidcError.AuthorizationPending)
      expect(error.stack).toBe(`AuthorizationPending: ${error.message}`)
    }))

  it("no error of the module captures a stack, and Error.stackTraceLimit is left as it was", () => {
    const limit = Error.stackTraceLimit
    const errors: ReadonlyArray<Error> = [
      ...Object.values(SsoOidcError.byWireName).map((ErrorClass) => new ErrorClass({ status: 400 })),
      new SsoOidcError.ServiceError({ status: 502 }),
      new SsoOidcError.TransportError({ operation: "CreateToken", reason: "Timeout", description: "d" }),
      new SsoOidcError.ResponseDecodeError({ operation: "CreateToken", status: 200, description: "d" }),
      new SsoOidcError.UnexpectedRedirect({ operation: "CreateToken", status: 302 }),
      new SsoOidcError.InvalidInput({ operation: "CreateToken", description: "d" }),
      Schema.decodeUnknownSync(SsoOidcError.SlowDown)({ _tag: "SlowDown", status: 400 })
    ]
    for (const error of errors) {
      expect(hasNoFrames(error), error.name).toBe(true)
      expect(error).toBeInstanceOf(Error)
    }
    expect(Error.stackTraceLimit).toBe(limit)
    // Other errors keep theirs.
    expect(new Error("x").stack).toContain("\n    at ")
  })
})
