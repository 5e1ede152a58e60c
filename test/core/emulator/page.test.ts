/**
 * The emulator's pages (src/core/emulator/page.ts): escaped, script-free HTML.
 */
import { describe, expect, it } from "vitest"
import * as Page from "../../../src/core/emulator/page.js"
import * as Random from "../../../src/core/emulator/random.js"

describe("core emulator pages and codes", () => {
  it("escapes everything it echoes", () => {
    expect(Page.escapeHtml(`<script>"x" & 'y'</script>`)).toBe(
      "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
    )
    const page = Page.problemPage(404, "Unknown code", "The code <b> is not known", "<img src=x>", "r")
    expect(page.status).toBe(404)
    expect(page.bodyText).not.toContain("<img src=x>")
    expect(page.bodyText).not.toContain("<script")
  })

  it("redirects with 302 and a Location header", () => {
    const reply = Page.redirectReply("http://127.0.0.1:1234/cb?code=c", "r")
    expect(reply.status).toBe(302)
    expect(Object.entries(reply.headers).find(([key]) => key.toLowerCase() === "location")?.[1]).toBe(
      "http://127.0.0.1:1234/cb?code=c"
    )
  })

  it("user codes are XXXX-XXXX over the RFC 8628 alphabet, and typed codes normalize", () => {
    for (let i = 0; i < 200; i++) expect(Random.userCode()).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    // Bytes ≥ 240 (256 − 256 % 20) are rejected, not folded: 255 never becomes a letter.
    expect(Random.userCode(() => new Uint8Array(16).map((_, i) => (i < 8 ? 255 : i)))).toBe("LMNP-QRST")
    expect(Random.normalizeUserCode(" bcdf ghjk ")).toBe("BCDF-GHJK")
    expect(Random.normalizeUserCode("bcdfghjk")).toBe("BCDF-GHJK")
    expect(Random.normalizeUserCode(" short ")).toBe("SHORT")
  })

  it("tokens never start with - or _, and credentials have STS's shapes", () => {
    for (let i = 0; i < 200; i++) expect(Random.token(3)).toMatch(/^[A-Za-z0-9]/)
    expect(Random.token(48, "aoa")).toMatch(/^aoa[A-Za-z0-9_-]{64}$/)
    const credentials = Random.roleCredentials()
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    expect(credentials.secretAccessKey).toHaveLength(40)
    expect(Random.requestId()).toMatch(/^[0-9a-f-]{36}$/)
  })
})
