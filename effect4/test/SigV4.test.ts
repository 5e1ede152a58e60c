import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { HttpClientRequest } from "effect/http"
import { AwsCredentials, SsoOidcClient } from "effect-sso-oidc"
import { amzDate, signRequest } from "../src/internal/sigv4.js"
import * as MockHttp from "../src/testing/ScriptedHttpClient.js"

// Known answers from the AWS Signature Version 4 test suite (AWS General Reference):
// credentials AKIDEXAMPLE, date 20150830T123600Z, region us-east-1, service "service".
const suite = {
  credentials: {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
  },
  region: "us-east-1",
  service: "service",
  now: Date.UTC(2015, 7, 30, 12, 36, 0)
}
const credential = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"

const sign = (request: HttpClientRequest.HttpClientRequest, body: string) =>
  signRequest(request, body, suite).pipe(Effect.map((signed) => signed.headers))

describe("SigV4 signing (aws4fetch) against the AWS test suite", () => {
  it("formats the SigV4 date from a Clock reading", () => {
    expect(amzDate(suite.now)).toBe("20150830T123600Z")
  })

  it.effect("get-vanilla", () =>
    Effect.gen(function*() {
      const headers = yield* sign(HttpClientRequest.get("https://example.amazonaws.com/"), "")
      expect(headers["authorization"]).toBe(
        `AWS4-HMAC-SHA256 ${credential}, SignedHeaders=host;x-amz-date, ` +
          "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
      )
      expect(headers["x-amz-date"]).toBe("20150830T123600Z")
    }))

  it.effect("get-vanilla-query-order-key-case: query parameters are sorted", () =>
    Effect.gen(function*() {
      const headers = yield* sign(
        HttpClientRequest.get("https://example.amazonaws.com/?Param2=value2&Param1=value1"),
        ""
      )
      expect(headers["authorization"]).toBe(
        `AWS4-HMAC-SHA256 ${credential}, SignedHeaders=host;x-amz-date, ` +
          "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
      )
    }))

  it.effect("post-x-www-form-urlencoded: a POST body and its content-type are signed", () =>
    Effect.gen(function*() {
      const request = HttpClientRequest.post("https://example.amazonaws.com/").pipe(
        HttpClientRequest.bodyText("Param1=value1", "application/x-www-form-urlencoded")
      )
      const headers = yield* sign(request, "Param1=value1")
      expect(headers["authorization"]).toBe(
        `AWS4-HMAC-SHA256 ${credential}, SignedHeaders=content-type;host;x-amz-date, ` +
          "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
      )
    }))

  it.effect("the user-agent is not signed, as in the AWS SDKs", () =>
    Effect.gen(function*() {
      const request = HttpClientRequest.get("https://example.amazonaws.com/").pipe(
        HttpClientRequest.setHeader("user-agent", "effect-sso-oidc/test")
      )
      const headers = yield* sign(request, "")
      expect(headers["authorization"]).toContain("SignedHeaders=host;x-amz-date,")
    }))

  it.effect("a session token is sent as x-amz-security-token and signed", () =>
    Effect.gen(function*() {
      const signed = yield* signRequest(HttpClientRequest.get("https://example.amazonaws.com/"), "", {
        ...suite,
        credentials: { ...suite.credentials, sessionToken: Redacted.make("SESSION") }
      })
      expect(signed.headers["x-amz-security-token"]).toBe("SESSION")
      expect(signed.headers["authorization"]).toContain("SignedHeaders=host;x-amz-date;x-amz-security-token,")
    }))
})

describe("createTokenWithIam", () => {
  const credentials = AwsCredentials.layerStatic({
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
  })

  it.effect("is sent to /token?aws_iam=t, signed for sso-oauth in the client's region", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttp.script([MockHttp.json({ accessToken: "at", tokenType: "Bearer", expiresIn: 3600 })])
      const client = yield* Effect.provide(SsoOidcClient.SsoOidcClient, MockHttp.clientLayer(mock, { region: "eu-west-1" }))
      const reply = yield* client.createTokenWithIam({
        clientId: "arn:aws:sso::123456789012:application/ssoins-1/apl-1",
        grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion: Redacted.make("eyJ.jwt.sig")
      }).pipe(Effect.provide(credentials))
      expect(Redacted.value(reply.accessToken!)).toBe("at")
      const [request] = yield* mock.requests
      expect(request!.url).toBe("https://oidc.eu-west-1.amazonaws.com/token?aws_iam=t")
      expect(request!.headers["authorization"]).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/19700101\/eu-west-1\/sso-oauth\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/
      )
      expect(request!.headers["x-amz-date"]).toBe("19700101T000000Z")
      expect(request!.json).toEqual({
        clientId: "arn:aws:sso::123456789012:application/ssoins-1/apl-1",
        grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion: "eyJ.jwt.sig"
      })
    }))

  it.effect("the unsigned operations never carry an Authorization header", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttp.script([MockHttp.json({ clientId: "c", clientSecret: "s" })])
      const client = yield* Effect.provide(SsoOidcClient.SsoOidcClient, MockHttp.clientLayer(mock))
      yield* client.registerClient({ clientName: "n", clientType: "public" })
      const [request] = yield* mock.requests
      expect(request!.headers["authorization"]).toBeUndefined()
    }))

  it.effect("fails with CredentialsError when the environment has no credentials, sending nothing", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttp.script([MockHttp.json({})])
      const client = yield* Effect.provide(SsoOidcClient.SsoOidcClient, MockHttp.clientLayer(mock))
      const error = yield* client.createTokenWithIam({ clientId: "arn", grantType: "refresh_token" }).pipe(
        Effect.provide(AwsCredentials.layerEnv),
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord({})),
        Effect.flip
      )
      expect(error._tag).toBe("CredentialsError")
      expect(yield* mock.requests).toHaveLength(0)
    }))

  it.effect("an empty AWS_SESSION_TOKEN is no session token; an empty key id or secret is a CredentialsError", () =>
    Effect.gen(function*() {
      const credentialsOf = (env: Record<string, string>) =>
        Effect.flatMap(AwsCredentials.AwsCredentials, (credentials) => credentials.get).pipe(
          Effect.provide(AwsCredentials.layerEnv),
          Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))
        )
      const read = yield* credentialsOf({ AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "" })
      expect(read.accessKeyId).toBe("AKID")
      expect(read.sessionToken).toBeUndefined()
      for (const env of [{ AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "secret" }, { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "" }]) {
        const error = yield* Effect.flip(credentialsOf(env))
        expect(error._tag).toBe("CredentialsError")
      }
    }))

  it.effect("InvalidRequestRegion keeps endpoint and region", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttp.script([
        MockHttp.awsError("InvalidRequestRegionException", {
          error: "invalid_request",
          extra: { endpoint: "https://oidc.us-west-2.amazonaws.com", region: "us-west-2" }
        })
      ])
      const client = yield* Effect.provide(SsoOidcClient.SsoOidcClient, MockHttp.clientLayer(mock))
      const error = yield* client.createTokenWithIam({ clientId: "arn", grantType: "refresh_token" }).pipe(
        Effect.provide(credentials),
        Effect.flip
      )
      expect(error._tag).toBe("InvalidRequestRegion")
      if (error._tag === "InvalidRequestRegion") {
        expect(error.endpoint).toBe("https://oidc.us-west-2.amazonaws.com")
        expect(error.region).toBe("us-west-2")
      }
    }))

  it.effect("an SDK credential provider is called once and cached until near expiry", () =>
    Effect.gen(function*() {
      let calls = 0
      const provider = () => {
        calls++
        return Promise.resolve({ accessKeyId: "AK", secretAccessKey: "SK", expiration: new Date(3_600_000) })
      }
      const service = yield* Effect.provide(AwsCredentials.AwsCredentials, AwsCredentials.layerFromProvider(provider))
      const first = yield* service.get
      yield* service.get
      expect(calls).toBe(1)
      expect(String(first.secretAccessKey)).toBe("<redacted>")
      expect(Layer.isLayer(credentials)).toBe(true)
    }))
})
