/**
 * The error texts of src/core/errorText.ts, which both editions' error
 * classes return as their `message`. The classes themselves (tags, fields,
 * TypeId) are tested per edition in SsoOidcError.test.ts / SsoPortal*.test.ts.
 */
import { describe, expect, it } from "vitest"
import * as Text from "../../src/core/errorText.js"

describe("core errorText", () => {
  it("a service error: code, description, status and request id, the empty parts left out", () => {
    expect(Text.oidcServiceErrorText({
      error: "authorization_pending",
      error_description: "still waiting",
      status: 400,
      requestId: "r-1"
    })).toBe("authorization_pending: still waiting (HTTP 400, request id r-1)")
    expect(Text.oidcServiceErrorText({ error: "slow_down", error_description: "" })).toBe("slow_down")
    expect(Text.oidcServiceErrorText({})).toBe("no error text")
    expect(Text.oidcServiceErrorText({ status: 500 })).toBe("no error text (HTTP 500)")
    expect(Text.oidcServiceErrorText({ error: "x", requestId: "r" }, "WeirdException")).toBe(
      "WeirdException: x (request id r)"
    )
  })

  it("InvalidRequestRegion names the region the token may be used in", () => {
    expect(Text.invalidRequestRegionText({ error: "invalid_request", region: "eu-west-1" })).toBe(
      "invalid_request [use region eu-west-1]"
    )
    expect(Text.invalidRequestRegionText({ error: "invalid_request" })).toBe("invalid_request")
  })

  it("the client-side failures", () => {
    expect(Text.transportErrorText({ operation: "CreateToken", reason: "Timeout", description: "after 10s" })).toBe(
      "CreateToken: Timeout error: after 10s"
    )
    expect(Text.responseDecodeErrorText({ operation: "CreateToken", status: 200, description: "not JSON" })).toBe(
      "CreateToken: unreadable reply (HTTP 200): not JSON"
    )
    expect(
      Text.responseDecodeErrorText({ operation: "CreateToken", status: 200, requestId: "r", description: "not JSON" })
    ).toBe("CreateToken: unreadable reply (HTTP 200, request id r): not JSON")
    expect(Text.unexpectedRedirectText({ operation: "RegisterClient", status: 302, locationOrigin: "https://a.test" }))
      .toBe(
        "RegisterClient: the endpoint answered with a redirect to https://a.test (HTTP 302); " +
          "the service never redirects, so nothing was sent there: check the endpoint"
      )
    expect(Text.unexpectedRedirectText({ operation: "RegisterClient", status: 0 })).toContain(
      "a redirect (an opaque redirect);"
    )
    expect(Text.invalidInputText({ operation: "CreateToken", description: "clientId is missing" })).toBe(
      "CreateToken: invalid input: clientId is missing"
    )
  })

  it("transient statuses: 429 and the 5xx that may pass, nothing else", () => {
    expect([429, 500, 502, 503, 504].every(Text.isTransientStatus)).toBe(true)
    expect([undefined, 0, 400, 401, 403, 404, 501, 505].some(Text.isTransientStatus)).toBe(false)
  })

  it("a portal error: what it means, then the service's message, status and request id", () => {
    expect(Text.portalServiceErrorText({ status: 401 }, Text.portalErrorWhat.Unauthorized)).toBe(
      "the SSO access token is not valid (expired or signed out); sign in again (HTTP 401)"
    )
    expect(
      Text.portalServiceErrorText(
        { description: "bad role", status: 404, requestId: "r" },
        Text.portalErrorWhat.ResourceNotFound
      )
    ).toBe("no such account or role for this user: bad role (HTTP 404, request id r)")
    expect(Text.portalServiceErrorText({ description: "" }, Text.portalErrorWhat.TooManyRequests)).toBe(
      "too many requests"
    )
  })
})
