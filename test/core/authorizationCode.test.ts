/**
 * The PKCE pieces of `src/core/authorizationCode.ts`, without Effect: the
 * verifier's alphabet and length, the `/authorize` URL as the AWS CLI builds
 * it, and what the loopback listener answers to each request.
 */
import { describe, expect, it } from "vitest"
import * as Pkce from "../../src/core/authorizationCode.js"

const request = (path: string, query: string, method = "GET") => ({ method, path, query: new URLSearchParams(query) })

describe("core/authorizationCode: the verifier and the URL", () => {
  it("a verifier is 64 unreserved characters (RFC 7636 §4.1)", () => {
    for (let i = 0; i < 20; i++) expect(Pkce.codeVerifierText()).toMatch(/^[A-Za-z0-9\-._~]{64}$/)
  })

  it("rejection sampling: bytes at or above the largest multiple of 66 are skipped, the rest map by modulo", () => {
    // 256 - 256 % 66 = 198: 198..255 are skipped; 0 → "A", 65 → "~", 66 → "A", 197 → "~"
    let call = 0
    const bytes = (length: number) => {
      call++
      const out = new Uint8Array(length)
      for (let i = 0; i < length; i++) out[i] = call === 1 ? [198, 255, 0, 65, 66, 197][i % 6]! : 1
      return out
    }
    const text = Pkce.codeVerifierText(bytes)
    expect(text).toHaveLength(64)
    expect(text.startsWith("A~A~A~A~")).toBe(true)
    // 96 bytes of the first draw give 64 characters (two of every six skipped)
    expect(call).toBe(1)
  })

  it("the /authorize URL has the AWS CLI's parameters, in its order, scopes space-separated", () => {
    const url = new URL(Pkce.authorizeUrl({
      endpoint: "https://oidc.eu-west-1.amazonaws.com",
      clientId: "client-1",
      redirectUri: Pkce.redirectUriOf(49152),
      state: "s",
      challenge: "c",
      scopes: ["sso:account:access", "codewhisperer:completions"]
    }))
    expect(url.origin + url.pathname).toBe("https://oidc.eu-west-1.amazonaws.com/authorize")
    expect([...url.searchParams]).toEqual([
      ["response_type", "code"],
      ["client_id", "client-1"],
      ["redirect_uri", "http://127.0.0.1:49152/oauth/callback"],
      ["state", "s"],
      ["code_challenge_method", "S256"],
      ["scopes", "sso:account:access codewhisperer:completions"],
      ["code_challenge", "c"]
    ])
    expect(Pkce.registeredRedirectUri).toBe("http://127.0.0.1/oauth/callback")
  })
})

describe("core/authorizationCode: judgeCallback", () => {
  const state = "expected-state"

  it("the matching callback with a code is accepted with a 200", () => {
    const { accepted, reply } = Pkce.judgeCallback(request("/oauth/callback", `code=c&state=${state}`), state, false)
    expect(accepted).toEqual({ code: "c" })
    expect(reply.status).toBe(200)
    expect(reply.html).toContain("Signed in")
  })

  it("the matching callback with an error is accepted with a 400, its description kept; error wins over code", () => {
    const denied = Pkce.judgeCallback(
      request("/oauth/callback", `error=access_denied&error_description=User%20denied&code=c&state=${state}`),
      state,
      false
    )
    expect(denied.accepted).toEqual({ error: "access_denied", errorDescription: "User denied" })
    expect(denied.reply.status).toBe(400)
    const bare = Pkce.judgeCallback(request("/oauth/callback", `error=x&state=${state}`), state, false)
    expect(bare.accepted).toEqual({ error: "x", errorDescription: undefined })
  })

  it("another path is a 404; another method, state, no state, neither code nor error a 400; none is accepted", () => {
    const cases = [
      [request("/elsewhere", `code=c&state=${state}`), 404],
      [request("/oauth/callback", `code=c&state=${state}`, "POST"), 400],
      [request("/oauth/callback", "code=c&state=forged"), 400],
      [request("/oauth/callback", "code=c"), 400],
      [request("/oauth/callback", `state=${state}`), 400],
      [request("/oauth/callback", ""), 400]
    ] as const
    for (const [req, status] of cases) {
      const judged = Pkce.judgeCallback(req, state, false)
      expect(judged.reply.status, `${req.method} ${req.path}?${req.query}`).toBe(status)
      expect(judged.accepted).toBeUndefined()
    }
  })

  it("once answered, a reload of the matching callback gets a 200 and is not accepted again", () => {
    const { accepted, reply } = Pkce.judgeCallback(request("/oauth/callback", `code=other&state=${state}`), state, true)
    expect(accepted).toBeUndefined()
    expect(reply.status).toBe(200)
    expect(reply.html).toContain("Already done")
  })

  it("the pages say nothing of the request (no code, state or error echoed)", () => {
    const judged = Pkce.judgeCallback(request("/oauth/callback", `code=secret-code&state=${state}`), state, false)
    expect(judged.reply.html).not.toContain("secret-code")
    expect(judged.reply.html).not.toContain(state)
  })
})
