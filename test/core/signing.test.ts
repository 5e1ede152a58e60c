/**
 * The Effect-free parts of the clients' SigV4 signing (src/core/signing.ts).
 * The signing itself (aws4fetch, the AWS SigV4 test suite) is tested per
 * edition in SigV4.test.ts.
 */
import { describe, expect, it } from "vitest"
import * as Signing from "../../src/core/signing.js"

describe("core signing", () => {
  it("signs the headers sent, not user-agent nor content-length, and the body's content type", () => {
    expect(
      Signing.headersToSign(
        { accept: "application/json", "user-agent": "x/1", "content-length": "12" },
        "application/json"
      )
    ).toEqual({ accept: "application/json", "content-type": "application/json" })
    // A content-type header already set wins over the body's.
    expect(Signing.headersToSign({ "content-type": "text/plain" }, "application/json")).toEqual({
      "content-type": "text/plain"
    })
    expect(Signing.headersToSign({}, undefined)).toEqual({})
  })

  it("carries on only the signer's signature headers that are present", () => {
    const signed = new Headers({ authorization: "AWS4-HMAC-SHA256 Credential=k", "x-amz-date": "20150830T123600Z", host: "h" })
    expect(Signing.signatureHeaders((name) => signed.get(name))).toEqual({
      authorization: "AWS4-HMAC-SHA256 Credential=k",
      "x-amz-date": "20150830T123600Z"
    })
  })

  it("the SigV4 date of a Clock reading", () => {
    expect(Signing.amzDate(Date.UTC(2015, 7, 30, 12, 36, 0, 123))).toBe("20150830T123600Z")
  })
})
