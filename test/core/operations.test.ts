/**
 * The Effect-free operations table (src/core/operations.ts): its readers and
 * its internal consistency. The comparison with the Smithy model is in
 * test/Operations.spec.test.ts, which reads each edition's table.
 */
import { describe, expect, it } from "vitest"
import * as Operations from "../../src/core/operations.js"

describe("core operations table", () => {
  it("names every declared error in its service's error table", () => {
    for (const operation of Object.values(Operations.operations)) {
      for (const name of operation.errors) expect(Object.keys(Operations.ssoOidcErrors)).toContain(name)
    }
    for (const operation of Object.values(Operations.portalOperations)) {
      for (const name of operation.errors) expect(Object.keys(Operations.ssoPortalErrors)).toContain(name)
    }
  })

  it("keys each operation by its own name and gives each a client method and documentation", () => {
    for (const [key, operation] of Object.entries({ ...Operations.operations, ...Operations.portalOperations })) {
      expect(operation.name).toBe(key)
      expect(operation.clientMethod).toMatch(/^[a-z][A-Za-z]+$/)
      expect(operation.documentation.endsWith(".")).toBe(true)
    }
  })

  it("lists the SSO OIDC operations in table order and all operations OIDC first", () => {
    expect(Operations.ssoOidcOperations.map((o) => o.name)).toStrictEqual([
      "RegisterClient",
      "StartDeviceAuthorization",
      "CreateToken",
      "CreateTokenWithIAM"
    ])
    expect(Operations.allOperations.map((o) => o.name)).toStrictEqual([
      "RegisterClient",
      "StartDeviceAuthorization",
      "CreateToken",
      "CreateTokenWithIAM",
      "GetRoleCredentials",
      "ListAccountRoles",
      "ListAccounts",
      "Logout"
    ])
  })

  it("signs only CreateTokenWithIAM, under the service's signing name", () => {
    const signed = Operations.allOperations.filter((o) => o.auth.type === "sigv4").map((o) => o.name)
    expect(signed).toStrictEqual(["CreateTokenWithIAM"])
    expect(Operations.operations.CreateTokenWithIAM.auth).toStrictEqual({ type: "sigv4", signingName: "sso-oauth" })
  })
})

describe("requestTarget", () => {
  it("appends the literal query of the operation's URI", () => {
    expect(Operations.requestTarget(Operations.operations.CreateToken)).toBe("/token")
    expect(Operations.requestTarget(Operations.operations.CreateTokenWithIAM)).toBe("/token?aws_iam=t")
    expect(Operations.requestTarget(Operations.portalOperations.GetRoleCredentials)).toBe("/federation/credentials")
  })
})

describe("locationOf", () => {
  it("places a bound member in its query parameter or header, any other in the body under its own name", () => {
    const op = Operations.portalOperations.ListAccountRoles
    expect(Operations.locationOf(op, "maxResults")).toStrictEqual({ in: "query", name: "max_result" })
    expect(Operations.locationOf(op, "accessToken")).toStrictEqual({ in: "header", name: "x-amz-sso_bearer_token" })
    expect(Operations.locationOf(Operations.operations.CreateToken, "clientId")).toStrictEqual({
      in: "body",
      name: "clientId"
    })
  })

  it("does not take a member from the prototype chain for a binding", () => {
    expect(Operations.locationOf(Operations.portalOperations.Logout, "toString")).toStrictEqual({
      in: "body",
      name: "toString"
    })
  })
})

describe("findOperation", () => {
  it("routes /token to CreateToken, and /token with aws_iam (any value) to CreateTokenWithIAM", () => {
    expect(Operations.findOperation({ method: "POST", path: "/token", query: {} })?.name).toBe("CreateToken")
    expect(Operations.findOperation({ method: "POST", path: "/token", query: { aws_iam: "t" } })?.name).toBe(
      "CreateTokenWithIAM"
    )
    expect(Operations.findOperation({ method: "POST", path: "/token", query: { aws_iam: "x", other: "1" } })?.name)
      .toBe("CreateTokenWithIAM")
  })

  it("routes the portal's GETs and POST /logout, and refuses a wrong method or an unknown path", () => {
    expect(Operations.findOperation({ method: "GET", path: "/assignment/accounts", query: {} })?.name).toBe(
      "ListAccounts"
    )
    expect(Operations.findOperation({ method: "POST", path: "/logout", query: {} })?.name).toBe("Logout")
    expect(Operations.findOperation({ method: "GET", path: "/logout", query: {} })).toBeUndefined()
    expect(Operations.findOperation({ method: "POST", path: "/token/", query: {} })).toBeUndefined()
  })

  it("finds among any candidates with findIn, the most specific winning whatever the order", () => {
    const { CreateToken, CreateTokenWithIAM } = Operations.operations
    const request = { method: "POST", path: "/token", query: { aws_iam: "t" } }
    expect(Operations.findIn([CreateTokenWithIAM, CreateToken], request)?.name).toBe("CreateTokenWithIAM")
    expect(Operations.findIn([CreateToken, CreateTokenWithIAM], request)?.name).toBe("CreateTokenWithIAM")
    expect(Operations.findIn([CreateTokenWithIAM], { ...request, query: {} })).toBeUndefined()
    expect(Operations.findIn([], request)).toBeUndefined()
  })
})

describe("byOAuthCode", () => {
  it("names each OAuth code's error, the general one for a shared code", () => {
    expect(Operations.byOAuthCode["slow_down"]).toBe("SlowDownException")
    expect(Operations.byOAuthCode["invalid_request"]).toBe("InvalidRequestException")
    expect(Operations.byOAuthCode["server_error"]).toBe("InternalServerException")
    for (const [name, definition] of Object.entries(Operations.ssoOidcErrors)) {
      if (name !== "InvalidRequestRegionException") expect(Operations.byOAuthCode[definition.code]).toBe(name)
    }
  })

  it("has no entry for an unknown code, nor for a prototype name", () => {
    expect(Operations.byOAuthCode["no_such_code"]).toBeUndefined()
    expect(Operations.byOAuthCode["constructor"]).toBeUndefined()
    expect(Operations.byOAuthCode["__proto__"]).toBeUndefined()
  })

  it("lists the errors each SSO OIDC operation declares, by name, and no portal operation", () => {
    expect(Object.keys(Operations.ssoOidcOperationErrors)).toEqual(
      Operations.ssoOidcOperations.map((operation) => operation.name)
    )
    expect(Operations.ssoOidcOperationErrors.CreateToken).toBe(Operations.operations.CreateToken.errors)
    expect(Object.keys(Operations.ssoOidcOperationErrors)).not.toContain("GetRoleCredentials")
  })
})
