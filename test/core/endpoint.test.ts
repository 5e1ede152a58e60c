/**
 * The Effect-free endpoint rule sets (src/core/endpoint.ts), against
 * botocore's 40 endpoint test cases (test/fixtures/spec), for SSO OIDC and,
 * with the host names mapped, the SSO portal. The Effect-level wrapping
 * (Either / Result and EndpointError) is tested per edition in Endpoint.test.ts.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import * as Endpoint from "../../src/core/endpoint.js"

const readFixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/spec/${name}`, import.meta.url), "utf8"))

/** The `expect` member of a test case: an endpoint URL or an error message. */
type Outcome = { readonly endpoint: { readonly url: string } } | { readonly error: string }

interface EndpointTestCase {
  readonly documentation: string
  readonly params?: {
    readonly Region?: string
    readonly UseFIPS?: boolean
    readonly UseDualStack?: boolean
    readonly Endpoint?: string
  }
  readonly expect: Outcome
}

const testCases = (readFixture("botocore-endpoint-tests-1.json") as { testCases: ReadonlyArray<EndpointTestCase> })
  .testCases

const outcome = (resolution: Endpoint.Resolution): Outcome =>
  resolution._tag === "Ok" ? { endpoint: { url: resolution.url } } : { error: resolution.message }
const paramsOf = (testCase: EndpointTestCase): Endpoint.EndpointParameters => ({
  region: testCase.params?.Region,
  useFips: testCase.params?.UseFIPS,
  useDualStack: testCase.params?.UseDualStack,
  endpoint: testCase.params?.Endpoint
})
const toPortalHosts = (url: string) =>
  url.replace(/^https:\/\/oidc-fips\./, "https://portal.sso-fips.").replace(/^https:\/\/oidc\./, "https://portal.sso.")

describe("core endpoint — botocore endpoint-tests-1.json", () => {
  it("reads exactly 40 distinct test cases, some URLs and some errors", () => {
    expect(testCases).toHaveLength(40)
    expect(new Set(testCases.map((c) => c.documentation)).size).toBe(40)
    expect(testCases.some((c) => "error" in c.expect)).toBe(true)
    expect(testCases.some((c) => "endpoint" in c.expect)).toBe(true)
  })

  for (const testCase of testCases) {
    it(`oidc: ${testCase.documentation}`, () => {
      expect(outcome(Endpoint.resolve(paramsOf(testCase)))).toStrictEqual(testCase.expect)
    })

    it(`portal: ${testCase.documentation}`, () => {
      const expected = "endpoint" in testCase.expect && testCase.params?.Endpoint === undefined
        ? { endpoint: { url: toPortalHosts(testCase.expect.endpoint.url) } }
        : testCase.expect
      expect(outcome(Endpoint.resolvePortal(paramsOf(testCase)))).toStrictEqual(expected)
    })
  }
})

describe("core endpoint — beyond the rule set", () => {
  it("returns a plain tagged union", () => {
    expect(Endpoint.resolve({ region: "eu-west-1" })).toStrictEqual({
      _tag: "Ok",
      url: "https://oidc.eu-west-1.amazonaws.com"
    })
    expect(Endpoint.resolve({})).toStrictEqual({ _tag: "Err", message: "Invalid Configuration: Missing Region" })
  })

  it("refuses a region that is not a host label, before it reaches a host name", () => {
    for (const region of ["a@b/", "x#", "evil.com/", "-east-1", "", "a".repeat(64)]) {
      expect(Endpoint.resolve({ region })).toStrictEqual({
        _tag: "Err",
        message: `Invalid Configuration: the region "${region}" is not a valid host label`
      })
    }
    expect(Endpoint.resolve({ region: "a".repeat(63) })._tag).toBe("Ok")
  })

  it("resolves any service's hosts by the same rules", () => {
    const hosts = { plain: "svc", fips: "svc-fips" }
    expect(Endpoint.resolveService(hosts, { region: "us-gov-west-1", useFips: true })).toStrictEqual({
      _tag: "Ok",
      url: "https://svc.us-gov-west-1.amazonaws.com"
    })
    expect(Endpoint.resolveService(hosts, { region: "cn-north-1", useFips: true, useDualStack: true })).toStrictEqual({
      _tag: "Ok",
      url: "https://svc-fips.cn-north-1.api.amazonwebservices.com.cn"
    })
  })

  it("refuses credentials in a custom endpoint without repeating them", () => {
    const resolution = Endpoint.resolve({ endpoint: "https://me:hunter2@example.com", allowInsecureEndpoint: true })
    expect(resolution).toStrictEqual({
      _tag: "Err",
      message: "Invalid Configuration: endpoint must not contain a user name or password"
    })
    expect(JSON.stringify(resolution)).not.toContain("hunter2")
  })

  it("accepts plain http only to a loopback address unless allowInsecureEndpoint is set", () => {
    expect(Endpoint.resolve({ endpoint: "http://127.0.0.1:4566" })._tag).toBe("Ok")
    expect(Endpoint.resolve({ endpoint: "http://10.0.0.8:4566" })._tag).toBe("Err")
    expect(Endpoint.resolve({ endpoint: "http://10.0.0.8:4566", allowInsecureEndpoint: true })).toStrictEqual({
      _tag: "Ok",
      url: "http://10.0.0.8:4566"
    })
  })

  it("knows the loopback host names as URL writes them", () => {
    for (const host of ["localhost", "[::1]", "127.0.0.1", "127.255.9.1", "[::ffff:7f00:1]"]) {
      expect(Endpoint.isLoopback(host), host).toBe(true)
    }
    for (const host of ["localhost.example.com", "10.0.0.1", "[::2]", "128.0.0.1", "[::ffff:a00:1]"]) {
      expect(Endpoint.isLoopback(host), host).toBe(false)
    }
  })
})

describe("withConfigured", () => {
  it("fills in the configured settings the options leave out, options winning", () => {
    const merged = Endpoint.withConfigured(
      { region: "eu-west-1", useFips: undefined, extra: 1 },
      { region: "us-east-1", endpoint: "http://127.0.0.1:1", useFips: true, useDualStack: false }
    )
    expect(merged).toStrictEqual({
      region: "eu-west-1",
      useFips: true,
      extra: 1,
      endpoint: "http://127.0.0.1:1",
      useDualStack: false
    })
  })

  it("leaves the options alone when nothing is configured, and does not mutate them", () => {
    const options = { region: "eu-west-1" }
    const merged = Endpoint.withConfigured(options, {})
    expect(merged).toStrictEqual({ region: "eu-west-1" })
    expect(merged).not.toBe(options)
    expect(Endpoint.withConfigured({}, { allowInsecureEndpoint: true })).toStrictEqual({})
  })
})
