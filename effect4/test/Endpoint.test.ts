import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import * as Endpoint from "../src/Endpoint.js"
import { partitionOf, partitions } from "../src/core/partitions.js"

const readFixture = (name: string): unknown =>
  // The fixtures are Effect-free: this edition reads the root's.
  JSON.parse(readFileSync(new URL(`../../test/fixtures/spec/${name}`, import.meta.url), "utf8"))

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

interface PartitionsJson {
  readonly version: string
  readonly partitions: ReadonlyArray<{
    readonly id: string
    readonly regionRegex: string
    readonly regions: Record<string, Record<string, unknown>>
    readonly outputs: Record<string, unknown>
  }>
}

const testCases = (readFixture("botocore-endpoint-tests-1.json") as { testCases: ReadonlyArray<EndpointTestCase> })
  .testCases
const partitionsJson = readFixture("botocore-partitions.json") as PartitionsJson

// Results are compared as plain data in the fixture's `expect` shape: `toEqual`
// on a `Result.fail(EndpointError)` would go through Effect's `Equal`, which
// ignores an error's `message` (not an enumerable own property).
const outcome = (result: Result.Result<string, Endpoint.EndpointError>): Outcome =>
  Result.match(result, {
    onFailure: (error) => {
      expect(error).toBeInstanceOf(Endpoint.EndpointError)
      expect(error._tag).toBe("EndpointError")
      return { error: error.message }
    },
    onSuccess: (url) => ({ endpoint: { url } })
  })
const resolve = (params: Endpoint.EndpointParameters): Outcome => outcome(Endpoint.resolve(params))
const ok = (url: string): Outcome => ({ endpoint: { url } })
const err = (error: string): Outcome => ({ error })

describe("Endpoint.resolve — botocore endpoint-tests-1.json", () => {
  it("the expectations below are discriminating (URLs and error messages are compared)", () => {
    expect(resolve({ region: "us-east-1" })).not.toEqual(ok("https://oidc.us-east-2.amazonaws.com"))
    expect(resolve({})).not.toEqual(err("Invalid Configuration: Missing"))
    expect(resolve({})).not.toEqual(ok("Invalid Configuration: Missing Region"))
  })

  it("reads exactly 40 test cases", () => {
    expect(testCases).toHaveLength(40)
    expect(new Set(testCases.map((c) => c.documentation)).size).toBe(40)
  })

  for (const testCase of testCases) {
    it(testCase.documentation, () => {
      const params = testCase.params ?? {}
      const result = resolve({
        region: params.Region,
        useFips: params.UseFIPS,
        useDualStack: params.UseDualStack,
        endpoint: params.Endpoint
      })
      expect(result).toStrictEqual(testCase.expect)
    })
  }
})

describe("Endpoint.resolve — rules", () => {
  it("useFips and useDualStack default to false", () => {
    expect(resolve({ region: "us-east-1" })).toEqual(ok("https://oidc.us-east-1.amazonaws.com"))
    expect(resolve({ region: "us-east-1", useFips: undefined, useDualStack: undefined })).toEqual(
      ok("https://oidc.us-east-1.amazonaws.com")
    )
  })

  it("an unknown region falls back to the aws partition", () => {
    expect(resolve({ region: "xx-unknown-1" })).toEqual(ok("https://oidc.xx-unknown-1.amazonaws.com"))
    expect(resolve({ region: "xx-unknown-1", useFips: true })).toEqual(
      ok("https://oidc-fips.xx-unknown-1.amazonaws.com")
    )
    expect(resolve({ region: "xx-unknown-1", useDualStack: true })).toEqual(
      ok("https://oidc.xx-unknown-1.api.aws")
    )
    expect(partitionOf("not a region").name).toBe("aws")
  })

  it("the region is interpolated verbatim (the rule set has no host-label check)", () => {
    expect(resolve({ region: "local" })).toEqual(ok("https://oidc.local.amazonaws.com"))
  })

  it("an unlisted region matching a partition's regex resolves to that partition", () => {
    expect(resolve({ region: "ap-southeast-99" })).toEqual(ok("https://oidc.ap-southeast-99.amazonaws.com"))
    expect(resolve({ region: "cn-south-9" })).toEqual(ok("https://oidc.cn-south-9.amazonaws.com.cn"))
    expect(resolve({ region: "us-iso-north-3", useDualStack: true })).toEqual(
      ok("https://oidc.us-iso-north-3.api.aws.ic.gov")
    )
    // GovCloud by regex still gets the GovCloud FIPS special case.
    expect(resolve({ region: "us-gov-north-7", useFips: true })).toEqual(
      ok("https://oidc.us-gov-north-7.amazonaws.com")
    )
  })

  it("explicitly listed regions are looked up before the regexes (global pseudo-regions)", () => {
    // `aws-us-gov-global` matches no regex: only the explicit list puts it in GovCloud.
    expect(partitionOf("aws-us-gov-global").name).toBe("aws-us-gov")
    expect(resolve({ region: "aws-us-gov-global", useFips: true })).toEqual(
      ok("https://oidc.aws-us-gov-global.amazonaws.com")
    )
    expect(resolve({ region: "aws-cn-global" })).toEqual(ok("https://oidc.aws-cn-global.amazonaws.com.cn"))
    expect(resolve({ region: "aws-global" })).toEqual(ok("https://oidc.aws-global.amazonaws.com"))
  })

  it("every listed region maps to the partition that lists it", () => {
    for (const p of partitions) {
      for (const region of p.regions) expect(partitionOf(region).name).toBe(p.id)
    }
  })

  it("eusc regions resolve to amazonaws.eu", () => {
    expect(resolve({ region: "eusc-de-east-1" })).toEqual(ok("https://oidc.eusc-de-east-1.amazonaws.eu"))
    expect(resolve({ region: "eusc-de-east-1", useFips: true })).toEqual(
      ok("https://oidc-fips.eusc-de-east-1.amazonaws.eu")
    )
    expect(resolve({ region: "eusc-de-east-1", useDualStack: true })).toEqual(
      ok("https://oidc.eusc-de-east-1.api.amazonwebservices.eu")
    )
    expect(resolve({ region: "eusc-de-east-1", useFips: true, useDualStack: true })).toEqual(
      ok("https://oidc-fips.eusc-de-east-1.api.amazonwebservices.eu")
    )
    // Not listed, matched by `^eusc\-(de)\-\w+\-\d+$`.
    expect(resolve({ region: "eusc-de-west-2" })).toEqual(ok("https://oidc.eusc-de-west-2.amazonaws.eu"))
  })

  it("ISO-E and ISO-F partitions resolve", () => {
    expect(resolve({ region: "eu-isoe-west-1" })).toEqual(ok("https://oidc.eu-isoe-west-1.cloud.adc-e.uk"))
    expect(resolve({ region: "eu-isoe-west-1", useFips: true })).toEqual(
      ok("https://oidc-fips.eu-isoe-west-1.cloud.adc-e.uk")
    )
    expect(resolve({ region: "eu-isoe-west-1", useDualStack: true })).toEqual(
      ok("https://oidc.eu-isoe-west-1.api.cloud-aws.adc-e.uk")
    )
    expect(resolve({ region: "us-isof-south-1" })).toEqual(ok("https://oidc.us-isof-south-1.csp.hci.ic.gov"))
    expect(resolve({ region: "us-isof-east-1", useFips: true })).toEqual(
      ok("https://oidc-fips.us-isof-east-1.csp.hci.ic.gov")
    )
    expect(resolve({ region: "us-isof-south-1", useFips: true, useDualStack: true })).toEqual(
      ok("https://oidc-fips.us-isof-south-1.api.aws.hci.ic.gov")
    )
  })

  it("ISO and ISO-B dual-stack use the partitions' dual-stack suffixes", () => {
    expect(resolve({ region: "us-iso-east-1", useDualStack: true })).toEqual(
      ok("https://oidc.us-iso-east-1.api.aws.ic.gov")
    )
    expect(resolve({ region: "us-isob-east-1", useFips: true, useDualStack: true })).toEqual(
      ok("https://oidc-fips.us-isob-east-1.api.aws.scloud")
    )
  })

  it("GovCloud FIPS uses the plain oidc hostname, but FIPS+DualStack uses oidc-fips", () => {
    expect(resolve({ region: "us-gov-west-1", useFips: true })).toEqual(
      ok("https://oidc.us-gov-west-1.amazonaws.com")
    )
    expect(resolve({ region: "us-gov-west-1", useFips: true, useDualStack: true })).toEqual(
      ok("https://oidc-fips.us-gov-west-1.api.aws")
    )
  })

  it("a custom endpoint is returned unchanged", () => {
    for (const endpoint of ["http://localhost:8080", "https://oidc.example.com/base/path/", "http://127.0.0.1:4566/"]) {
      expect(resolve({ endpoint })).toEqual(ok(endpoint))
      expect(resolve({ endpoint, region: "cn-north-1", useFips: false, useDualStack: false })).toEqual(
        ok(endpoint)
      )
    }
  })

  it("a custom endpoint with a user name or password is an EndpointError that does not repeat them", () => {
    for (const endpoint of [
      "https://user:hunter2-password@oidc.example.com",
      "https://token-as-user@oidc.example.com/base",
      "http://admin:hunter2-password@127.0.0.1:4566",
      "https://:hunter2-password@oidc.example.com"
    ]) {
      const result = resolve({ endpoint, allowInsecureEndpoint: true })
      expect(result).toEqual(err("Invalid Configuration: endpoint must not contain a user name or password"))
      const message = "error" in result ? result.error : ""
      expect(message).not.toContain("hunter2")
      expect(message).not.toContain("token-as-user")
    }
  })

  it("a custom plain-http endpoint to a host that is not a loopback address is refused, naming only its origin", () => {
    for (const endpoint of ["http://oidc.example.com", "http://10.0.0.8:4566/base?x=1", "http://[2001:db8::1]:8080", "http://localhost.example.com"]) {
      const origin = new URL(endpoint).origin
      expect(resolve({ endpoint })).toEqual(
        err(
          `Invalid Configuration: endpoint ${origin} is plain http, which only a loopback address ` +
            "(127.0.0.0/8, ::1, localhost) may use; use https, or set allowInsecureEndpoint"
        )
      )
      expect(resolve({ endpoint, allowInsecureEndpoint: false })).toEqual(resolve({ endpoint }))
    }
  })

  it("allowInsecureEndpoint accepts a plain-http endpoint to any host, unchanged", () => {
    for (const endpoint of ["http://oidc.example.com", "http://10.0.0.8:4566/base/"]) {
      expect(resolve({ endpoint, allowInsecureEndpoint: true })).toEqual(ok(endpoint))
    }
  })

  it("plain http to a loopback address (127.0.0.0/8, ::1, localhost) is accepted without the option", () => {
    for (const endpoint of [
      "http://127.0.0.1:4566",
      "http://127.255.0.9/",
      "http://[::1]:8080",
      "http://LOCALHOST:3000",
      "http://[::ffff:127.0.0.1]:4566",
      "http://127.1:4566" // URL reads this as 127.0.0.1
    ]) {
      expect(resolve({ endpoint })).toEqual(ok(endpoint))
    }
  })

  it("https to any host needs no option", () => {
    expect(resolve({ endpoint: "https://oidc.example.com" })).toEqual(ok("https://oidc.example.com"))
    expect(resolve({ endpoint: "https://10.0.0.8:4566" })).toEqual(ok("https://10.0.0.8:4566"))
  })

  it("a custom endpoint that is not an absolute http(s) URL is an EndpointError", () => {
    expect(resolve({ endpoint: "oidc.example.com" })).toEqual(err("Invalid Configuration: endpoint is not a valid URL"))
    expect(resolve({ endpoint: "ftp://oidc.example.com" })).toEqual(
      err("Invalid Configuration: endpoint must be an http(s) URL")
    )
  })

  it("a custom endpoint with FIPS and dual-stack reports the FIPS error first", () => {
    expect(resolve({ endpoint: "https://example.com", useFips: true, useDualStack: true })).toEqual(
      err("Invalid Configuration: FIPS and custom endpoint are not supported")
    )
  })

  it("a missing region is reported whatever the flags", () => {
    for (const flags of [{ useFips: true }, { useDualStack: true }, { useFips: true, useDualStack: true }]) {
      expect(resolve(flags)).toEqual(err("Invalid Configuration: Missing Region"))
    }
  })

  it.effect("EndpointError is yieldable as a typed failure in Effect.gen", () =>
    Effect.gen(function*() {
      // A Result is not yieldable in Effect.gen in Effect 4: `Effect.fromResult` lifts it.
      const url = yield* Effect.fromResult(Endpoint.resolve({ region: "eu-west-1" }))
      expect(url).toBe("https://oidc.eu-west-1.amazonaws.com")

      const error = yield* Effect.gen(function*() {
        return yield* Effect.fromResult(Endpoint.resolve({ useFips: true }))
      }).pipe(Effect.flip)
      expect(error).toBeInstanceOf(Endpoint.EndpointError)
      expect(error._tag).toBe("EndpointError")
      expect(error.message).toBe("Invalid Configuration: Missing Region")

      const recovered = yield* Effect.fromResult(Endpoint.resolve({})).pipe(
        Effect.catchTag("EndpointError", (e) => Effect.succeed(`recovered: ${e.message}`))
      )
      expect(recovered).toBe("recovered: Invalid Configuration: Missing Region")

      // The error itself is yieldable, as in Effect 3.
      const direct = yield* Effect.gen(function*() {
        return yield* new Endpoint.EndpointError({ message: "Invalid Configuration: Missing Region" })
      }).pipe(Effect.flip)
      expect(direct).toBeInstanceOf(Endpoint.EndpointError)
    }))

  it("EndpointError encodes with its tag and message", () => {
    const error = new Endpoint.EndpointError({ message: "Invalid Configuration: Missing Region" })
    expect(Schema.encodeSync(Endpoint.EndpointError)(error)).toEqual({
      _tag: "EndpointError",
      message: "Invalid Configuration: Missing Region"
    })
  })
})

describe("embedded partition table", () => {
  it("equals botocore-partitions.json (ids, order, regions, regex sources, outputs)", () => {
    expect(partitionsJson.version).toBe("1.1")
    const embedded = partitions.map((p) => ({
      id: p.id,
      regionRegex: p.regionRegex.source,
      regions: [...p.regions],
      outputs: { ...p.outputs }
    }))
    const fromJson = partitionsJson.partitions.map((p) => ({
      id: p.id,
      regionRegex: p.regionRegex,
      regions: Object.keys(p.regions),
      outputs: p.outputs
    }))
    expect(embedded).toEqual(fromJson)
    for (const p of partitions) expect(p.regionRegex.flags).toBe("")
  })

  it("the JSON has no per-region output overrides (only descriptions), which the table does not model", () => {
    for (const p of partitionsJson.partitions) {
      for (const data of Object.values(p.regions)) expect(Object.keys(data)).toEqual(["description"])
    }
  })
})

describe("Endpoint.resolvePortal — the SSO portal rule set", () => {
  // The portal's rule set, with its host names mapped to the OIDC ones, is the
  // OIDC rule set exactly: so one resolver serves both, and the 40 OIDC cases,
  // with the host names mapped back, are the portal's cases.
  const toOidcHosts = (text: string) => text.replaceAll("portal.sso-fips.", "oidc-fips.").replaceAll("portal.sso.", "oidc.")
  const toPortalHosts = (url: string) =>
    url.replace(/^https:\/\/oidc-fips\./, "https://portal.sso-fips.").replace(/^https:\/\/oidc\./, "https://portal.sso.")

  it("the portal rule set is the OIDC rule set with other host names", () => {
    const portal = JSON.stringify(readFixture("botocore-sso-portal-endpoint-rule-set-1.json"))
    const oidc = JSON.stringify(readFixture("botocore-endpoint-rule-set-1.json"))
    expect(portal).toContain("portal.sso-fips.")
    expect(toOidcHosts(portal)).toBe(oidc)
  })

  it("resolves the regional, FIPS, dual-stack, GovCloud and China hosts", () => {
    const portal = (params: Endpoint.EndpointParameters) => outcome(Endpoint.resolvePortal(params))
    expect(portal({ region: "eu-west-1" })).toEqual(ok("https://portal.sso.eu-west-1.amazonaws.com"))
    expect(portal({ region: "eu-west-1", useFips: true })).toEqual(ok("https://portal.sso-fips.eu-west-1.amazonaws.com"))
    expect(portal({ region: "eu-west-1", useDualStack: true })).toEqual(ok("https://portal.sso.eu-west-1.api.aws"))
    expect(portal({ region: "us-gov-west-1", useFips: true })).toEqual(ok("https://portal.sso.us-gov-west-1.amazonaws.com"))
    expect(portal({ region: "cn-north-1" })).toEqual(ok("https://portal.sso.cn-north-1.amazonaws.com.cn"))
    expect(portal({ endpoint: "http://127.0.0.1:4000" })).toEqual(ok("http://127.0.0.1:4000"))
    expect(portal({})).toEqual(err("Invalid Configuration: Missing Region"))
  })

  for (const testCase of testCases) {
    it(`portal: ${testCase.documentation}`, () => {
      const params = testCase.params ?? {}
      const result = outcome(Endpoint.resolvePortal({
        region: params.Region,
        useFips: params.UseFIPS,
        useDualStack: params.UseDualStack,
        endpoint: params.Endpoint
      }))
      const expected = "endpoint" in testCase.expect && params.Endpoint === undefined
        ? ok(toPortalHosts(testCase.expect.endpoint.url))
        : testCase.expect
      expect(result).toStrictEqual(expected)
    })
  }
})
