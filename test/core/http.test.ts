/**
 * The Effect-free rules of the reply guards (src/core/http.ts). The guards
 * themselves, over real and scripted HTTP clients, are tested per edition in
 * FaultMatrix.test.ts and SsoOidcClient.test.ts.
 */
import { describe, expect, it } from "vitest"
import * as Http from "../../src/core/http.js"

describe("core http", () => {
  it("a redirect is any 3xx or a browser's opaque redirect (status 0)", () => {
    expect([0, 300, 301, 302, 307, 308, 399].every(Http.isRedirectStatus)).toBe(true)
    expect([200, 204, 299, 400, 500].some(Http.isRedirectStatus)).toBe(false)
  })

  it("a redirect's origin only, relative to the request, and only for http(s)", () => {
    expect(Http.locationOrigin("https://evil.test:8443/steal?token=x", "https://oidc.test/token")).toBe(
      "https://evil.test:8443"
    )
    expect(Http.locationOrigin("/elsewhere", "https://oidc.test/token")).toBe("https://oidc.test")
    expect(Http.locationOrigin("https://user:pass@evil.test/", "https://oidc.test/")).toBe("https://evil.test")
    expect(Http.locationOrigin("javascript:alert(1)", "https://oidc.test/")).toBeUndefined()
    expect(Http.locationOrigin("  ", "https://oidc.test/")).toBeUndefined()
    expect(Http.locationOrigin(undefined, "https://oidc.test/")).toBeUndefined()
    expect(Http.locationOrigin("http://[", "https://oidc.test/")).toBeUndefined()
  })

  it("a declared length is trusted only without a content encoding", () => {
    expect([undefined, "", " ", "identity", " Identity "].every(Http.isIdentityEncoded)).toBe(true)
    expect(["gzip", "br", "deflate, gzip"].some(Http.isIdentityEncoded)).toBe(false)
  })

  it("joins a body's chunks", () => {
    const one = new Uint8Array([1, 2])
    expect(Http.concatBytes([one], 2)).toBe(one)
    expect([...Http.concatBytes([one, new Uint8Array([3]), new Uint8Array()], 3)]).toEqual([1, 2, 3])
    expect(Http.concatBytes([], 0).byteLength).toBe(0)
  })

  it("a network failure's text: messages and codes of up to three causes, never anything else", () => {
    const inner = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
    const outer = new Error("fetch failed", { cause: inner })
    expect(Http.transportDescription(outer)).toBe("fetch failed: connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)")
    const deep = new Error("a", { cause: new Error("b", { cause: new Error("c", { cause: new Error("d") }) }) })
    expect(Http.transportDescription(deep)).toBe("a: b: c")
    expect(Http.transportDescription({ request: { body: "secret" } })).toBe("no reply")
    expect(Http.cutShortDescription(undefined)).toBe("reply cut short: no reply")
    expect(Http.tooLargeDescription).toBe(`the reply is larger than ${1024 * 1024} bytes`)
  })
})
