/**
 * For the same inputs, the request bodies (and paths) this client sends equal
 * the ones `@aws-sdk/client-sso-oidc` sends. The SDK's request is captured by
 * a custom request handler, so nothing goes to the network.
 *
 * `@smithy/protocol-http` is not installed in this tree: the SDK's smithy
 * version ships `HttpResponse` in `@smithy/core/transport` instead.
 */
import {
  CreateTokenCommand,
  CreateTokenWithIAMCommand,
  RegisterClientCommand,
  SSOOIDCClient,
  type SSOOIDCClientConfig,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"
import { HttpResponse } from "@smithy/core/transport"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"
import { Readable } from "node:stream"
import * as AwsCredentials from "../src/AwsCredentials.js"
import { SsoOidcClient, SsoOidcSchema } from "../src/index.js"
import { withoutUndefined } from "../src/internal/wire.js"
import * as Mock from "../src/testing/ScriptedHttpClient.js"

// -----------------------------------------------------------------------------
// the AWS SDK side
// -----------------------------------------------------------------------------

interface SdkRequest {
  readonly method: string
  readonly hostname: string
  readonly path: string
  readonly query: Record<string, unknown>
  readonly headers: Record<string, string>
  readonly body: unknown
}

/** An SDK client whose request handler records the request and answers `{}`. */
const sdkClient = (config: Partial<SSOOIDCClientConfig> = {}) => {
  const requests: Array<SdkRequest> = []
  const client = new SSOOIDCClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKID", secretAccessKey: "SECRET" },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: any) => {
        requests.push({
          method: request.method,
          hostname: request.hostname,
          path: request.path,
          query: { ...request.query },
          headers: { ...request.headers },
          body: request.body
        })
        return {
          response: new HttpResponse({
            statusCode: 200,
            headers: { "content-type": "application/json" },
            body: Readable.from([Buffer.from("{}")])
          })
        }
      }
    } as any,
    ...config
  })
  return { client, requests }
}

/** The SDK's body is a string or bytes, depending on the smithy serializer version. */
const parseBody = (body: unknown): unknown => {
  if (typeof body === "string") return JSON.parse(body)
  expect(body).toBeInstanceOf(Uint8Array)
  return JSON.parse(new TextDecoder().decode(body as Uint8Array))
}

// -----------------------------------------------------------------------------
// our side
// -----------------------------------------------------------------------------

type Method = "registerClient" | "startDeviceAuthorization" | "createToken"

/** The request this client sends for `wire` (the input as plain JSON, decoded to our typed input). */
const ours = async (method: Method, wire: Record<string, unknown>, options: SsoOidcClient.Options = {}) => {
  const program = Effect.gen(function*() {
    const mock = yield* Mock.script([Mock.json({})])
    yield* Effect.flatMap(SsoOidcClient.SsoOidcClient, (client): Effect.Effect<unknown, unknown> => {
      switch (method) {
        case "registerClient":
          return client.registerClient(Schema.decodeUnknownSync(SsoOidcSchema.RegisterClientRequest)(wire))
        case "startDeviceAuthorization":
          return client.startDeviceAuthorization(
            Schema.decodeUnknownSync(SsoOidcSchema.StartDeviceAuthorizationRequest)(wire)
          )
        case "createToken":
          return client.createToken(Schema.decodeUnknownSync(SsoOidcSchema.CreateTokenRequest)(wire))
      }
    }).pipe(Effect.provide(Mock.clientLayer(mock, { retry: false, ...options })))
    const requests = yield* mock.requests
    expect(requests).toHaveLength(1)
    return requests[0]!
  })
  return Effect.runPromise(program)
}

/** The request this client sends for CreateTokenWithIAM, signed with static credentials. */
const oursIam = async (wire: Record<string, unknown>) => {
  const program = Effect.gen(function*() {
    const mock = yield* Mock.script([Mock.json({})])
    yield* Effect.flatMap(
      SsoOidcClient.SsoOidcClient,
      (client) => client.createTokenWithIam(Schema.decodeUnknownSync(SsoOidcSchema.CreateTokenWithIamRequest)(wire))
    ).pipe(
      Effect.provide(Mock.clientLayer(mock, { retry: false })),
      Effect.provide(AwsCredentials.layerStatic({ accessKeyId: "AKID", secretAccessKey: Redacted.make("SECRET") }))
    )
    const requests = yield* mock.requests
    expect(requests).toHaveLength(1)
    return requests[0]!
  })
  return Effect.runPromise(program)
}

/** The body the schema encodes for CreateTokenWithIAM (what the client serializes). */
const oursIamBody = (wire: Record<string, unknown>): unknown => {
  const typed = Schema.decodeUnknownSync(SsoOidcSchema.CreateTokenWithIamRequest)(wire)
  const encoded = Schema.encodeSync(SsoOidcSchema.CreateTokenWithIamRequest)(typed)
  return JSON.parse(JSON.stringify(withoutUndefined(encoded as Record<string, unknown>)))
}

// -----------------------------------------------------------------------------
// inputs (as the SDK takes them: plain strings)
// -----------------------------------------------------------------------------

const CLIENT_ID = "_yzkThXVzLWVhc3QtMQEXAMPLECLIENTID"
const CLIENT_SECRET = "VERYLONGSECRETeyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0"
const APP_ARN = "arn:aws:sso::123456789012:application/ssoins-1111111111111111/apl-1111111111111111"

const registerInputs: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["required members only", { clientName: "My IDE Plugin", clientType: "public" }],
  ["every member", {
    clientName: "My IDE Plugin",
    clientType: "public",
    scopes: ["sso:account:access", "codewhisperer:completions"],
    redirectUris: ["127.0.0.1:PORT/oauth/callback"],
    grantTypes: ["authorization_code", "refresh_token"],
    issuerUrl: "https://identitycenter.amazonaws.com/ssoins-1111111111111111",
    entitledApplicationArn: APP_ARN
  }],
  ["empty lists and non-ASCII text", {
    clientName: "Café IDE ✓ \"quoted\" \\ back",
    clientType: "public",
    scopes: [],
    grantTypes: [],
    redirectUris: []
  }],
  ["device-code client as the AWS CLI registers it", {
    clientName: "botocore-client-my-session",
    clientType: "public",
    scopes: ["sso:account:access"],
    grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
    issuerUrl: "https://d-1234567890.awsapps.com/start"
  }]
]

const startInputs: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["the model's example", {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    startUrl: "https://identitycenter.amazonaws.com/ssoins-111111111111"
  }],
  ["an access portal URL with a fragment", {
    clientId: "c",
    clientSecret: "s",
    startUrl: "https://d-1234567890.awsapps.com/start/#/"
  }]
]

const tokenInputs: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["device code grant", {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    grantType: "urn:ietf:params:oauth:grant-type:device_code",
    deviceCode: "yJraWQiOiJrZXktMTU2Njk2ODA4OCIsImFsZyI6IkhTMzIn0EXAMPLEDEVICECODE"
  }],
  ["authorization code grant with PKCE", {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    grantType: "authorization_code",
    code: "auth-code",
    redirectUri: "http://127.0.0.1:53135/oauth/callback",
    codeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    scope: ["sso:account:access"]
  }],
  ["refresh token grant", {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    grantType: "refresh_token",
    refreshToken: "aorvJYubGpU6i91YnH7Mfo-AT2fIVa1zCfA_EXAMPLEREFRESHTOKEN",
    scope: ["codewhisperer:completions"]
  }],
  ["every member at once", {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    grantType: "authorization_code",
    deviceCode: "device-code",
    code: "auth-code",
    refreshToken: "refresh-token",
    scope: ["a", "b"],
    redirectUri: "http://127.0.0.1/oauth/callback",
    codeVerifier: "verifier"
  }]
]

const iamInputs: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["authorization code grant", {
    clientId: APP_ARN,
    grantType: "authorization_code",
    code: "auth-code",
    redirectUri: "https://mywebapp.example/redirect",
    codeVerifier: "verifier",
    scope: ["openid", "aws", "sts:identity_context"]
  }],
  ["JWT bearer grant", {
    clientId: APP_ARN,
    grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
    assertion: "eyJhbGciOiJIUzI1NiJ9.EXAMPLEASSERTION.c2ln"
  }],
  ["refresh token grant", {
    clientId: APP_ARN,
    grantType: "refresh_token",
    refreshToken: "aorvJYubGpU6i91YnH7Mfo-AT2fIVa1zCfA_EXAMPLEREFRESHTOKEN"
  }],
  ["token exchange grant", {
    clientId: APP_ARN,
    grantType: "urn:ietf:params:oauth:grant-type:token-exchange",
    subjectToken: "aoak-Hig8TUDPNX1xZwOMXM5EXAMPLESUBJECTTOKEN",
    subjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
    requestedTokenType: "urn:ietf:params:oauth:token-type:refresh_token"
  }],
  ["every member at once", {
    clientId: APP_ARN,
    grantType: "authorization_code",
    code: "c",
    refreshToken: "r",
    assertion: "a",
    scope: ["s"],
    redirectUri: "https://r",
    subjectToken: "st",
    subjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
    requestedTokenType: "urn:ietf:params:oauth:token-type:access_token",
    codeVerifier: "v"
  }]
]

// -----------------------------------------------------------------------------
// parity
// -----------------------------------------------------------------------------

describe("request parity with @aws-sdk/client-sso-oidc", () => {
  for (const [name, input] of registerInputs) {
    it(`RegisterClient, ${name}: same method, URL and JSON body`, async () => {
      const sdk = sdkClient()
      await sdk.client.send(new RegisterClientCommand(input as any))
      const mine = await ours("registerClient", input)
      const theirs = sdk.requests[0]!
      expect(mine.method).toBe(theirs.method)
      expect(mine.url).toBe(`https://${theirs.hostname}${theirs.path}`)
      expect(mine.json).toStrictEqual(parseBody(theirs.body))
      expect(mine.headers["content-type"]).toBe(theirs.headers["content-type"])
    })
  }

  for (const [name, input] of startInputs) {
    it(`StartDeviceAuthorization, ${name}: same method, URL and JSON body`, async () => {
      const sdk = sdkClient()
      await sdk.client.send(new StartDeviceAuthorizationCommand(input as any))
      const mine = await ours("startDeviceAuthorization", input)
      const theirs = sdk.requests[0]!
      expect(mine.method).toBe(theirs.method)
      expect(mine.url).toBe(`https://${theirs.hostname}${theirs.path}`)
      expect(mine.json).toStrictEqual(parseBody(theirs.body))
      expect(mine.headers["content-type"]).toBe(theirs.headers["content-type"])
    })
  }

  for (const [name, input] of tokenInputs) {
    it(`CreateToken, ${name}: same method, URL and JSON body`, async () => {
      const sdk = sdkClient()
      await sdk.client.send(new CreateTokenCommand(input as any))
      const mine = await ours("createToken", input)
      const theirs = sdk.requests[0]!
      expect(mine.method).toBe(theirs.method)
      expect(mine.url).toBe(`https://${theirs.hostname}${theirs.path}`)
      expect(theirs.query).toStrictEqual({})
      expect(mine.json).toStrictEqual(parseBody(theirs.body))
      expect(mine.headers["content-type"]).toBe(theirs.headers["content-type"])
    })
  }

  it("the unsigned operations are unsigned in the SDK too (no Authorization header), as this client sends them", async () => {
    const sdk = sdkClient()
    await sdk.client.send(new CreateTokenCommand(tokenInputs[0]![1] as any))
    const mine = await ours("createToken", tokenInputs[0]![1])
    const header = (headers: Record<string, string>) =>
      Object.keys(headers).find((key) => key.toLowerCase() === "authorization")
    expect(header(sdk.requests[0]!.headers)).toBeUndefined()
    expect(header(mine.headers)).toBeUndefined()
  })

  for (const [name, input] of iamInputs) {
    it(`CreateTokenWithIAM, ${name}: the encoded request equals the SDK's body; the SDK's path is /token?aws_iam=t`, async () => {
      const sdk = sdkClient()
      await sdk.client.send(new CreateTokenWithIAMCommand(input as any))
      const theirs = sdk.requests[0]!
      expect(theirs.method).toBe("POST")
      expect(theirs.path).toBe("/token")
      expect(theirs.query).toStrictEqual({ aws_iam: "t" })
      expect(oursIamBody(input)).toStrictEqual(parseBody(theirs.body))
      // the SDK signs it with SigV4, signing name sso-oauth, in the endpoint's region
      expect(theirs.headers["authorization"]).toContain("/us-east-1/sso-oauth/aws4_request")
    })
  }

  for (const [name, input] of iamInputs) {
    it(`CreateTokenWithIAM through the client, ${name}: same path, query, JSON body and SigV4 scope as the SDK`, async () => {
      const sdk = sdkClient()
      await sdk.client.send(new CreateTokenWithIAMCommand(input as any))
      const theirs = sdk.requests[0]!
      const mine = await oursIam(input)
      expect(mine.method).toBe(theirs.method)
      expect(mine.url).toBe(`https://${theirs.hostname}${theirs.path}?aws_iam=t`)
      expect(mine.json).toStrictEqual(parseBody(theirs.body))
      const scope = (authorization: string | undefined) => /Credential=([^,]+)/.exec(authorization ?? "")?.[1]
      const mineScope = scope(mine.headers["authorization"])
      expect(mineScope).toMatch(/^AKID\/\d{8}\/us-east-1\/sso-oauth\/aws4_request$/)
      expect(mineScope?.split("/").slice(2)).toStrictEqual(scope(theirs.headers["authorization"])?.split("/").slice(2))
    })
  }

  it("a custom endpoint with a base path: the same URL as the SDK's", async () => {
    const endpoint = "https://proxy.example.com/sso/oidc"
    const sdk = sdkClient({ endpoint })
    await sdk.client.send(new CreateTokenCommand(tokenInputs[0]![1] as any))
    const mine = await ours("createToken", tokenInputs[0]![1], { endpoint })
    const theirs = sdk.requests[0]!
    expect(mine.url).toBe(`https://${theirs.hostname}${theirs.path}`)
    expect(mine.url).toBe("https://proxy.example.com/sso/oidc/token")
  })

  it("another region: the same host as the SDK's", async () => {
    const sdk = sdkClient({ region: "eu-central-1" })
    await sdk.client.send(new StartDeviceAuthorizationCommand(startInputs[0]![1] as any))
    const mine = await ours("startDeviceAuthorization", startInputs[0]![1], { region: "eu-central-1" })
    expect(sdk.requests[0]!.hostname).toBe("oidc.eu-central-1.amazonaws.com")
    expect(new URL(mine.url).hostname).toBe(sdk.requests[0]!.hostname)
  })
})
