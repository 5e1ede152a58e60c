/**
 * The emulator's CreateTokenWithIAM (`POST /token?aws_iam=t`): its SigV4
 * verifier (written apart from the client's signer) against the AWS test
 * suite, the four grants through our `createTokenWithIam`, signature failures
 * end to end as the typed errors our client maps, and the AWS SDK's
 * `CreateTokenWithIAMCommand` on a real port.
 */
import {
  CreateTokenWithIAMCommand,
  SSOOIDCClient,
  type SSOOIDCClientConfig
} from "@aws-sdk/client-sso-oidc"
import { FetchHttpClient, Headers, HttpBody, HttpClient, HttpClientRequest, HttpClientResponse, type HttpMethod } from "effect/http"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Deferred, Effect, Fiber, Layer, ManagedRuntime, Redacted } from "effect"
import { TestClock } from "effect/testing"
import * as AuthorizationCodeLogin from "../src/AuthorizationCodeLogin.js"
import * as AwsCredentials from "../src/AwsCredentials.js"
import * as Emulator from "../src/testing/Emulator.js"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import * as SigV4 from "../src/core/emulator/sigv4.js"
import { signRequest } from "../src/internal/sigv4.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import { GrantType, TokenTypeUri } from "../src/SsoOidcSchema.js"

const coralService = ":http://internal.amazon.com/coral/com.amazon.coral.service/"
const applicationArn = Emulator.defaultApplication.applicationArn

/** An error as plain data: chai's `inspect` can recurse without end on Effect's span-carrying errors. */
const plain = (u: unknown): unknown => JSON.parse(JSON.stringify(u))

const base64Url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

/** A syntactically valid JWT from some trusted token issuer (its signature is not checked). */
const assertion = (claims: Record<string, unknown> = { sub: "alice@example.com", iss: "https://idp.example" }) =>
  Redacted.make(`${base64Url({ alg: "RS256", typ: "JWT" })}.${base64Url(claims)}.c2lnbmF0dXJl`)

const decodeJwt = (token: string) => {
  const [header, payload, signature] = token.split(".")
  return {
    header: JSON.parse(Buffer.from(header!, "base64url").toString()),
    payload: JSON.parse(Buffer.from(payload!, "base64url").toString()),
    signature
  }
}

const emulatorCredentials = AwsCredentials.layerStatic(Emulator.defaultIamCredentials)

/** Our client over the in-process emulator, with the emulator's credentials. */
const setup = (
  options: Emulator.Options = {},
  client: SsoOidcClient.Options = {},
  credentials: Layer.Layer<AwsCredentials.AwsCredentials> = emulatorCredentials
) =>
  SsoOidcClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1", retry: false, ...client }).pipe(
    Layer.provideMerge(Emulator.layerInProcess(options)),
    Layer.merge(credentials)
  )

const withIam = (input: Parameters<SsoOidcClient.Service["createTokenWithIam"]>[0]) =>
  Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) => client.createTokenWithIam(input))

const jwtBearer = withIam({ clientId: applicationArn, grantType: GrantType.JwtBearer, assertion: assertion() })

// -----------------------------------------------------------------------------
// the verifier, on its own
// -----------------------------------------------------------------------------

describe("the emulator's SigV4 verifier against the AWS test suite", () => {
  // AWS Signature Version 4 test suite: AKIDEXAMPLE, 20150830T123600Z, us-east-1, service "service".
  const expected: SigV4.Expected = {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    sessionToken: undefined,
    region: "us-east-1",
    service: "service",
    now: Date.UTC(2015, 7, 30, 12, 36, 0)
  }
  const scope = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
  const vectors = [
    {
      name: "get-vanilla",
      request: { method: "GET", path: "/", query: {}, bodyText: "", headers: { host: "example.amazonaws.com" } },
      signedHeaders: "host;x-amz-date",
      signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    },
    {
      name: "get-vanilla-query-order-key-case",
      request: {
        method: "GET",
        path: "/",
        query: { Param2: "value2", Param1: "value1" },
        bodyText: "",
        headers: { host: "example.amazonaws.com" }
      },
      signedHeaders: "host;x-amz-date",
      signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
    },
    {
      name: "post-x-www-form-urlencoded",
      request: {
        method: "POST",
        path: "/",
        query: {},
        bodyText: "Param1=value1",
        headers: { host: "example.amazonaws.com", "Content-Type": "application/x-www-form-urlencoded" }
      },
      signedHeaders: "content-type;host;x-amz-date",
      signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"
    }
  ]
  const signed = (vector: typeof vectors[number], signature = vector.signature) => ({
    ...vector.request,
    headers: {
      ...vector.request.headers,
      "x-amz-date": "20150830T123600Z",
      authorization: `AWS4-HMAC-SHA256 ${scope}, SignedHeaders=${vector.signedHeaders}, Signature=${signature}`
    }
  })

  for (const vector of vectors) {
    it(`${vector.name}: the published signature verifies; one changed digit does not`, () => {
      expect(SigV4.verify(signed(vector), expected)).toEqual({ _tag: "Valid", accessKeyId: "AKIDEXAMPLE" })
      const flipped = vector.signature.replace(/^./, (c) => (c === "0" ? "1" : "0"))
      expect(SigV4.verify(signed(vector, flipped), expected)).toMatchObject({
        _tag: "Invalid",
        name: "InvalidSignatureException"
      })
    })
  }

  it("checks the service, region, scope date, clock skew, access key and body", () => {
    const vector = vectors[2]!
    const verdict = (overrides: Partial<SigV4.Expected>, request = signed(vector)) =>
      SigV4.verify(request, { ...expected, ...overrides })
    expect(verdict({ service: "sso-oauth" })).toMatchObject({
      name: "InvalidSignatureException",
      message: "Credential should be scoped to correct service: 'sso-oauth'. "
    })
    expect(verdict({ region: "eu-west-1" })).toMatchObject({ name: "InvalidSignatureException" })
    expect(verdict({ now: expected.now + 15 * 60_000 })._tag).toBe("Valid")
    expect(verdict({ now: expected.now + 15 * 60_000 + 1000 })).toMatchObject({
      name: "InvalidSignatureException",
      message:
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"
    })
    expect(verdict({ now: expected.now - 16 * 60_000 })).toMatchObject({
      name: "InvalidSignatureException",
      message: expect.stringMatching(/^Signature not yet current/)
    })
    expect(verdict({ accessKeyId: "AKIDOTHER" })).toMatchObject({ name: "UnrecognizedClientException" })
    expect(verdict({ sessionToken: "token" })).toMatchObject({ name: "UnrecognizedClientException" })
    expect(verdict({}, { ...signed(vector), bodyText: "Param1=value2" })).toMatchObject({
      name: "InvalidSignatureException"
    })
    const request = signed(vector)
    expect(verdict({}, { ...request, headers: { ...request.headers, "x-amz-date": "20150830T123601Z" } }))
      .toMatchObject({ name: "InvalidSignatureException" })
    expect(verdict({}, { ...request, headers: { ...request.headers, "x-amz-date": "20150831T123600Z" } }))
      .toMatchObject({ name: "InvalidSignatureException", message: expect.stringMatching(/^Date in Credential scope/) })
  })

  it("an absent or malformed Authorization header is refused before any signature work", () => {
    const vector = vectors[0]!
    const request = signed(vector)
    const { authorization: _, ...unsigned } = request.headers
    expect(SigV4.verify({ ...request, headers: unsigned }, expected)).toEqual({
      _tag: "Invalid",
      name: "MissingAuthenticationTokenException",
      message: "Missing Authentication Token"
    })
    const malformed = [
      "AWS4-HMAC-SHA1 Credential=a/b/c/d/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
      `AWS4-HMAC-SHA256 ${scope}, SignedHeaders=host;x-amz-date`,
      `AWS4-HMAC-SHA256 ${scope}, SignedHeaders=x-amz-date, Signature=00`,
      `AWS4-HMAC-SHA256 ${scope}, SignedHeaders=host, Signature=00`,
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, SignedHeaders=host;x-amz-date, Signature=00"
    ]
    for (const authorization of malformed) {
      expect(SigV4.verify({ ...request, headers: { ...request.headers, authorization } }, expected))
        .toMatchObject({ name: "IncompleteSignatureException" })
    }
    const { "x-amz-date": __, ...undated } = request.headers
    expect(SigV4.verify({ ...request, headers: undated }, expected)).toMatchObject({
      name: "IncompleteSignatureException"
    })
  })
})

// -----------------------------------------------------------------------------
// the four grants, through our client
// -----------------------------------------------------------------------------

describe("CreateTokenWithIAM grants through our createTokenWithIam (in-process)", () => {
  it.effect("jwt-bearer: any syntactically valid JWT gets the full reply; the id token names its subject", () =>
    Effect.gen(function*() {
      const reply = yield* jwtBearer
      expect(Redacted.value(reply.accessToken!)).toMatch(/^aoa/)
      expect(Redacted.value(reply.refreshToken!)).toMatch(/^aor[A-Za-z0-9_-]+:us-east-1$/)
      expect(reply.tokenType).toBe("Bearer")
      expect(reply.expiresIn).toBe(3600)
      expect(reply.issuedTokenType).toBe(TokenTypeUri.RefreshToken)
      expect(reply.scope).toEqual(["openid", "aws", "sts:identity_context"])
      const identityContext = reply.awsAdditionalDetails!.identityContext!
      expect(identityContext).toMatch(/^[A-Za-z0-9_-]{20,}$/)
      const idToken = decodeJwt(Redacted.value(reply.idToken!))
      expect(idToken.header).toEqual({ alg: "HS256", typ: "JWT" })
      expect(idToken.payload).toMatchObject({
        iss: Emulator.inProcessUrl,
        sub: "alice@example.com",
        aud: applicationArn,
        iat: 0,
        exp: 3600,
        "sts:identity_context": identityContext
      })
      expect(idToken.signature).toMatch(/^[A-Za-z0-9_-]{43}$/)
      const [token] = yield* (yield* Emulator.Emulator).tokens
      expect(token).toMatchObject({ clientId: applicationArn, grantType: GrantType.JwtBearer })
      expect((yield* (yield* Emulator.Emulator).counts).CreateTokenWithIAM).toBe(1)
    }).pipe(Effect.provide(setup())))

  it.effect("jwt-bearer: an assertion that is not a JWT is InvalidGrant; a missing one InvalidRequest", () =>
    Effect.gen(function*() {
      for (const bad of ["not-a-jwt", "a.b", "e30.e30.c2ln.extra", "!!.e30.c2ln", `${base64Url([])}.${base64Url({})}.x`]) {
        const error = yield* Effect.flip(
          withIam({ clientId: applicationArn, grantType: GrantType.JwtBearer, assertion: Redacted.make(bad) })
        )
        expect({ bad, error: plain(error) }).toMatchObject({
          bad,
          error: { _tag: "InvalidGrant", status: 400, error: "invalid_grant" }
        })
      }
      const missing = yield* Effect.flip(withIam({ clientId: applicationArn, grantType: GrantType.JwtBearer }))
      expect(missing._tag).toBe("InvalidRequest")
    }).pipe(Effect.provide(setup())))

  it.effect("refresh_token: rotates, keeps the subject and scopes, may downscope; a used one is InvalidGrant", () =>
    Effect.gen(function*() {
      const first = yield* jwtBearer
      const refreshed = yield* withIam({
        clientId: applicationArn,
        grantType: GrantType.RefreshToken,
        refreshToken: first.refreshToken!,
        scope: ["openid"]
      })
      expect(refreshed.scope).toEqual(["openid"])
      expect(refreshed.refreshToken).toBeDefined()
      expect(Redacted.value(refreshed.refreshToken!)).not.toBe(Redacted.value(first.refreshToken!))
      expect(decodeJwt(Redacted.value(refreshed.idToken!)).payload.sub).toBe("alice@example.com")
      const again = yield* Effect.flip(
        withIam({ clientId: applicationArn, grantType: GrantType.RefreshToken, refreshToken: first.refreshToken! })
      )
      expect(plain(again)).toMatchObject({ _tag: "InvalidGrant", error_description: "Invalid refresh token provided" })
      const widened = yield* Effect.flip(withIam({
        clientId: applicationArn,
        grantType: GrantType.RefreshToken,
        refreshToken: refreshed.refreshToken!,
        scope: ["openid", "aws"]
      }))
      expect(plain(widened)).toMatchObject({ _tag: "InvalidScope", status: 400, error: "invalid_scope" })
    }).pipe(Effect.provide(setup())))

  it.effect("token-exchange: an access token the emulator issued becomes a new access token (a refresh token only on request)", () =>
    Effect.gen(function*() {
      const subject = yield* jwtBearer
      const exchange = (requestedTokenType: string) =>
        withIam({
          clientId: applicationArn,
          grantType: GrantType.TokenExchange,
          subjectToken: subject.accessToken!,
          subjectTokenType: TokenTypeUri.AccessToken,
          requestedTokenType
        })
      const access = yield* exchange(TokenTypeUri.AccessToken)
      expect(access.refreshToken).toBeUndefined()
      expect(access.issuedTokenType).toBe(TokenTypeUri.AccessToken)
      expect(access.idToken).toBeDefined()
      expect(access.awsAdditionalDetails?.identityContext).toBeDefined()
      expect(decodeJwt(Redacted.value(access.idToken!)).payload.sub).toBe("alice@example.com")
      const withRefresh = yield* exchange(TokenTypeUri.RefreshToken)
      expect(withRefresh.refreshToken).toBeDefined()
      expect(withRefresh.issuedTokenType).toBe(TokenTypeUri.RefreshToken)

      const unknown = yield* Effect.flip(withIam({
        clientId: applicationArn,
        grantType: GrantType.TokenExchange,
        subjectToken: Redacted.make("aoa-not-issued"),
        subjectTokenType: TokenTypeUri.AccessToken,
        requestedTokenType: TokenTypeUri.AccessToken
      }))
      expect(plain(unknown)).toMatchObject({ _tag: "InvalidGrant", error_description: "Invalid subject token provided" })
      const wrongType = yield* Effect.flip(withIam({
        clientId: applicationArn,
        grantType: GrantType.TokenExchange,
        subjectToken: subject.accessToken!,
        subjectTokenType: TokenTypeUri.RefreshToken,
        requestedTokenType: TokenTypeUri.AccessToken
      }))
      expect(wrongType._tag).toBe("InvalidRequest")
      const wrongRequested = yield* Effect.flip(exchange("urn:ietf:params:oauth:token-type:id_token"))
      expect(wrongRequested._tag).toBe("InvalidRequest")
      // an access token past its lifetime is no subject
      yield* TestClock.adjust("1 hour")
      const expired = yield* Effect.flip(withIam({
        clientId: applicationArn,
        grantType: GrantType.TokenExchange,
        subjectToken: subject.accessToken!,
        subjectTokenType: TokenTypeUri.AccessToken,
        requestedTokenType: TokenTypeUri.AccessToken
      }))
      expect(expired._tag).toBe("InvalidGrant")
    }).pipe(Effect.provide(setup())))

  it.effect("authorization_code: /authorize for the application ARN, then the code with its verifier", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const http = yield* HttpClient.HttpClient
      const verifier = AuthorizationCodeLogin.makeCodeVerifier()
      const redirectUri = "http://127.0.0.1:40001/oauth/callback"
      const page = yield* http.execute(HttpClientRequest.get(AuthorizationCodeLogin.authorizeUrl({
        endpoint: em.url,
        clientId: applicationArn,
        redirectUri,
        state: "st",
        challenge: AuthorizationCodeLogin.codeChallenge(verifier),
        scopes: ["openid", "aws"]
      })))
      expect(page.status).toBe(200)
      expect(yield* page.text).toContain("Emulator application")
      const [request] = yield* em.authorizationRequests
      const code = new URL(yield* em.approveAuthorizationRequest(request!.id)).searchParams.get("code")!
      const redeem = (codeVerifier: Redacted.Redacted<string>) =>
        withIam({ clientId: applicationArn, grantType: GrantType.AuthorizationCode, code, redirectUri, codeVerifier })
      const wrong = yield* Effect.flip(redeem(AuthorizationCodeLogin.makeCodeVerifier()))
      expect(wrong._tag).toBe("InvalidGrant")
      const reply = yield* redeem(verifier)
      expect(reply.scope).toEqual(["openid", "aws"])
      expect(reply.refreshToken).toBeDefined()
      expect(reply.issuedTokenType).toBe(TokenTypeUri.RefreshToken)
      expect(decodeJwt(Redacted.value(reply.idToken!)).payload.aud).toBe(applicationArn)
      const reused = yield* Effect.flip(redeem(verifier))
      expect(reused._tag).toBe("InvalidGrant")
    }).pipe(Effect.provide(setup())))

  it.effect("a registered client's code cannot be redeemed by the application, nor the other way round", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const client = yield* SsoOidcClient.SsoOidcClient
      const http = yield* HttpClient.HttpClient
      const registered = yield* client.registerClient({
        clientName: "public",
        clientType: "public",
        grantTypes: [GrantType.AuthorizationCode],
        redirectUris: [AuthorizationCodeLogin.registeredRedirectUri]
      })
      const verifier = AuthorizationCodeLogin.makeCodeVerifier()
      const redirectUri = "http://127.0.0.1:40002/oauth/callback"
      yield* http.execute(HttpClientRequest.get(AuthorizationCodeLogin.authorizeUrl({
        endpoint: em.url,
        clientId: registered.clientId!,
        redirectUri,
        state: "st",
        challenge: AuthorizationCodeLogin.codeChallenge(verifier),
        scopes: []
      })))
      const [request] = yield* em.authorizationRequests
      const code = new URL(yield* em.approveAuthorizationRequest(request!.id)).searchParams.get("code")!
      const error = yield* Effect.flip(withIam({
        clientId: applicationArn,
        grantType: GrantType.AuthorizationCode,
        code,
        redirectUri,
        codeVerifier: verifier
      }))
      expect(plain(error)).toMatchObject({
        _tag: "InvalidGrant",
        error_description: "The authorization code was issued to another client"
      })
    }).pipe(Effect.provide(setup())))

  it.effect("an unknown application is InvalidClient (401); an unknown grant UnsupportedGrantType", () =>
    Effect.gen(function*() {
      const unknown = yield* Effect.flip(withIam({
        clientId: "arn:aws:sso::123456789012:application/ssoins-1/apl-unknown",
        grantType: GrantType.JwtBearer,
        assertion: assertion()
      }))
      expect(plain(unknown)).toMatchObject({ _tag: "InvalidClient", status: 401, error: "invalid_client" })
      const device = yield* Effect.flip(withIam({ clientId: applicationArn, grantType: GrantType.DeviceCode }))
      expect(plain(device)).toMatchObject({ _tag: "UnsupportedGrantType", status: 400 })
    }).pipe(Effect.provide(setup())))

  it.effect("configured applications, credentials with a session token, and region", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      expect(em.region).toBe("eu-west-1")
      expect(em.applications.map((app) => app.applicationArn)).toEqual(["arn:aws:sso::111122223333:application/ssoins-x/apl-y"])
      const reply = yield* withIam({
        clientId: "arn:aws:sso::111122223333:application/ssoins-x/apl-y",
        grantType: GrantType.JwtBearer,
        assertion: assertion(),
        scope: ["custom:read"]
      })
      expect(reply.scope).toEqual(["custom:read"])
      expect(Redacted.value(reply.refreshToken!)).toMatch(/:eu-west-1$/)
    }).pipe(
      Effect.provide(setup(
        {
          region: "eu-west-1",
          applications: [{
            applicationArn: "arn:aws:sso::111122223333:application/ssoins-x/apl-y",
            redirectUris: [],
            scopes: ["custom:read", "custom:write"]
          }],
          iamCredentials: {
            accessKeyId: "ASIATEMPORARY",
            secretAccessKey: Redacted.make("temporary-secret"),
            sessionToken: Redacted.make("session-token")
          }
        },
        { region: "eu-west-1" },
        AwsCredentials.layerStatic({
          accessKeyId: "ASIATEMPORARY",
          secretAccessKey: Redacted.make("temporary-secret"),
          sessionToken: Redacted.make("session-token")
        })
      ))
    ))

  it.effect("a refresh token issued by an emulator of another region is InvalidRequestRegion with endpoint and region", () =>
    Effect.gen(function*() {
      const issued = yield* jwtBearer.pipe(Effect.provide(setup()))
      const error = yield* Effect.flip(
        withIam({ clientId: applicationArn, grantType: GrantType.RefreshToken, refreshToken: issued.refreshToken! }).pipe(
          Effect.provide(setup({ region: "eu-west-1" }, { region: "eu-west-1" }))
        )
      )
      expect(plain(error)).toMatchObject({
        _tag: "InvalidRequestRegion",
        status: 400,
        error: "invalid_request",
        endpoint: "https://oidc.us-east-1.amazonaws.com",
        region: "us-east-1"
      })
    }))
})

// -----------------------------------------------------------------------------
// signature failures, end to end, as our client reports them
// -----------------------------------------------------------------------------

const invalidSignature = (error: unknown) =>
  expect(plain(error)).toMatchObject({ _tag: "ServiceError", errorType: "InvalidSignatureException", status: 403 })

/**
 * The error our client reports for a CreateTokenWithIAM sent through
 * `transform`, and the raw reply it read (copied, so the client still reads it).
 */
const rawReply = (transform: (client: HttpClient.HttpClient) => HttpClient.HttpClient) =>
  Effect.gen(function*() {
    let captured: { status: number; headers: Record<string, string>; text: string } | undefined
    const capture = (client: HttpClient.HttpClient) =>
      HttpClient.transformResponse(transform(client), (response) =>
        Effect.flatMap(response, (res) =>
          Effect.map(res.text, (text) => {
            captured = { status: res.status, headers: res.headers, text }
            return HttpClientResponse.fromWeb(res.request, new Response(text, { status: res.status, headers: res.headers }))
          })))
    const error = yield* Effect.flip(jwtBearer.pipe(Effect.provide(setup({}, { transformClient: capture }))))
    return { error, reply: captured! }
  })

/** The same request without its `authorization` header (`setHeaders` only merges, so it is rebuilt). */
const withoutAuthorization = (request: HttpClientRequest.HttpClientRequest) =>
  HttpClientRequest.make(request.method as HttpMethod.HttpMethod)(request.url, {
    urlParams: request.urlParams,
    headers: Headers.remove(request.headers, "authorization"),
    body: request.body
  })

const bodyOf = (request: HttpClientRequest.HttpClientRequest): string =>
  request.body._tag === "Raw" && typeof request.body.body === "string" ? request.body.body : ""

describe("SigV4 failures end to end through our client", () => {
  it.effect("a wrong secret: ServiceError InvalidSignatureException 403, body { message }", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(jwtBearer.pipe(
        Effect.provide(setup({}, {}, AwsCredentials.layerStatic({
          accessKeyId: Emulator.defaultIamCredentials.accessKeyId,
          secretAccessKey: Redacted.make("wrong-secret")
        })))
      ))
      invalidSignature(error)
      const { reply } = yield* rawReply((client) =>
        HttpClient.mapRequest(client, (request) =>
          HttpClientRequest.setHeader(
            request,
            "authorization",
            request.headers["authorization"]!.replace(/Signature=[0-9a-f]+/, `Signature=${"0".repeat(64)}`)
          ))
      )
      expect(reply.status).toBe(403)
      expect(reply.headers["x-amzn-errortype"]).toBe(`InvalidSignatureException${coralService}`)
      expect(reply.headers["content-type"]).toBe("application/json")
      expect(JSON.parse(reply.text)).toEqual({
        message: "The request signature we calculated does not match the signature you provided. " +
          "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
      })
    }))

  it.effect("an unknown access key: ServiceError UnrecognizedClientException 403", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(jwtBearer.pipe(
        Effect.provide(setup({}, {}, AwsCredentials.layerStatic({
          accessKeyId: "AKIAUNKNOWN",
          secretAccessKey: Emulator.defaultIamCredentials.secretAccessKey
        })))
      ))
      expect(plain(error)).toMatchObject({ _tag: "ServiceError", errorType: "UnrecognizedClientException", status: 403 })
    }))

  it.effect("a wrong service (signed for the old name awsssooidc): InvalidSignatureException", () =>
    Effect.gen(function*() {
      const resign = (client: HttpClient.HttpClient) =>
        HttpClient.mapRequestEffect(client, (request) =>
          signRequest(withoutAuthorization(request), bodyOf(request), {
            credentials: Emulator.defaultIamCredentials,
            region: "us-east-1",
            service: "awsssooidc",
            now: 0
          }).pipe(Effect.orDie))
      const { error, reply } = yield* rawReply(resign)
      invalidSignature(error)
      expect(JSON.parse(reply.text).message).toBe("Credential should be scoped to correct service: 'sso-oauth'. ")
    }))

  it.effect("a wrong region (the client's region is not the emulator's): InvalidSignatureException", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(jwtBearer.pipe(Effect.provide(setup({}, { region: "eu-west-1" }))))
      invalidSignature(error)
    }))

  it.effect("a tampered body (signed one body, sent another with an added scope): InvalidSignatureException", () =>
    Effect.gen(function*() {
      const tamper = (client: HttpClient.HttpClient) =>
        HttpClient.mapRequest(client, (request) =>
          HttpClientRequest.setBody(
            request,
            HttpBody.raw(JSON.stringify({ ...JSON.parse(bodyOf(request)), scope: ["openid"] }), {
              contentType: "application/json"
            })
          ))
      const { error, reply } = yield* rawReply(tamper)
      invalidSignature(error)
      expect(reply.headers["x-amzn-errortype"]).toBe(`InvalidSignatureException${coralService}`)
      expect(JSON.parse(reply.text).message).toMatch(/^The request signature we calculated does not match/)
    }))

  it.effect("an x-amz-date older than 15 minutes (the request waited 16 minutes after signing): InvalidSignatureException", () =>
    Effect.gen(function*() {
      // Effect 4's TestClock lists no sleeps: the transform opens a latch right before it sleeps,
      // and the forked call runs on into the sleep before the test fiber resumes.
      const wait = (minutes: number, sleeping: Deferred.Deferred<void>) => (client: HttpClient.HttpClient) =>
        HttpClient.mapRequestEffect(
          client,
          (request) => Effect.andThen(Deferred.succeed(sleeping, undefined), Effect.as(Effect.sleep(`${minutes} minutes`), request))
        )
      /** Lets the forked call run until it sleeps in the transform. */
      const sleepingOn = (sleeping: Deferred.Deferred<void>) => Effect.andThen(Deferred.await(sleeping), Effect.yieldNow)
      const lateSleeping = yield* Deferred.make<void>()
      const late = yield* Effect.forkChild(
        Effect.flip(jwtBearer.pipe(Effect.provide(setup({}, { transformClient: wait(16, lateSleeping), timeout: "1 hour" }))))
      )
      yield* sleepingOn(lateSleeping)
      yield* TestClock.adjust("16 minutes")
      const error = yield* Fiber.join(late)
      invalidSignature(error)
      // 14 minutes is within the allowed skew
      const inTimeSleeping = yield* Deferred.make<void>()
      const inTime = yield* Effect.forkChild(
        jwtBearer.pipe(Effect.provide(setup({}, { transformClient: wait(14, inTimeSleeping), timeout: "1 hour" })))
      )
      yield* sleepingOn(inTimeSleeping)
      yield* TestClock.adjust("14 minutes")
      const reply = yield* Fiber.join(inTime)
      expect(reply.accessToken).toBeDefined()
    }))

  it.effect("an unsigned request (no Authorization): MissingAuthenticationTokenException 403", () =>
    Effect.gen(function*() {
      const strip = (client: HttpClient.HttpClient) =>
        HttpClient.mapRequest(client, withoutAuthorization)
      const { error, reply } = yield* rawReply(strip)
      expect(plain(error)).toMatchObject({
        _tag: "ServiceError",
        errorType: "MissingAuthenticationTokenException",
        status: 403
      })
      expect(JSON.parse(reply.text)).toEqual({ message: "Missing Authentication Token" })
    }))
})

// -----------------------------------------------------------------------------
// on a real port: our client through fetch, and the AWS SDK
// -----------------------------------------------------------------------------

const served = (credentials: AwsCredentials.Credentials = Emulator.defaultIamCredentials) =>
  Layer.unwrap(
    Effect.map(Emulator.Emulator, (emulator) =>
      SsoOidcClient.layer({ endpoint: emulator.url, region: emulator.region, retry: false }))
  ).pipe(
    Layer.provide(FetchHttpClient.layer),
    Layer.provideMerge(NodeEmulator.layer({ port: 0 })),
    Layer.merge(AwsCredentials.layerStatic(credentials))
  )

interface SdkError {
  readonly name: string
  readonly message: string
  readonly $metadata: { readonly httpStatusCode?: number }
}

const sdk = (url: string, config: Partial<SSOOIDCClientConfig> = {}) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      new SSOOIDCClient({
        endpoint: url,
        region: "us-east-1",
        maxAttempts: 1,
        credentials: {
          accessKeyId: Emulator.defaultIamCredentials.accessKeyId,
          secretAccessKey: Redacted.value(Emulator.defaultIamCredentials.secretAccessKey)
        },
        ...config
      })
    ),
    (client) => Effect.sync(() => client.destroy())
  )

const sdkSend = <A>(run: () => Promise<A>) => Effect.tryPromise({ try: run, catch: (error) => error as SdkError })

describe("CreateTokenWithIAM on a real port", () => {
  it.live("our client, through fetch: every grant succeeds; a wrong secret is InvalidSignatureException", () =>
    Effect.gen(function*() {
      const first = yield* jwtBearer
      const refreshed = yield* withIam({
        clientId: applicationArn,
        grantType: GrantType.RefreshToken,
        refreshToken: first.refreshToken!
      })
      const exchanged = yield* withIam({
        clientId: applicationArn,
        grantType: GrantType.TokenExchange,
        subjectToken: refreshed.accessToken!,
        subjectTokenType: TokenTypeUri.AccessToken,
        requestedTokenType: TokenTypeUri.AccessToken
      })
      expect(exchanged.accessToken).toBeDefined()
      const em = yield* Emulator.Emulator
      expect((yield* em.tokens).map((t) => t.grantType)).toEqual([
        GrantType.JwtBearer,
        GrantType.RefreshToken,
        GrantType.TokenExchange
      ])
      const wrong = yield* Effect.flip(jwtBearer.pipe(
        Effect.provide(AwsCredentials.layerStatic({
          accessKeyId: Emulator.defaultIamCredentials.accessKeyId,
          secretAccessKey: Redacted.make("wrong")
        }))
      ))
      invalidSignature(wrong)
    }).pipe(Effect.provide(served())))

  it.live("the AWS SDK's CreateTokenWithIAMCommand is accepted with the emulator's credentials, refused with others", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const client = yield* sdk(em.url)
      const reply = yield* sdkSend(() =>
        client.send(
          new CreateTokenWithIAMCommand({
            clientId: applicationArn,
            grantType: GrantType.JwtBearer,
            assertion: Redacted.value(assertion())
          })
        )
      )
      expect(reply.$metadata.httpStatusCode).toBe(200)
      expect(reply.accessToken).toMatch(/^aoa/)
      expect(reply.tokenType).toBe("Bearer")
      expect(reply.issuedTokenType).toBe(TokenTypeUri.RefreshToken)
      expect(reply.scope).toEqual(["openid", "aws", "sts:identity_context"])
      expect(reply.awsAdditionalDetails?.identityContext).toBeDefined()
      expect(reply.idToken!.split(".")).toHaveLength(3)

      const refreshed = yield* sdkSend(() =>
        client.send(
          new CreateTokenWithIAMCommand({
            clientId: applicationArn,
            grantType: GrantType.RefreshToken,
            refreshToken: reply.refreshToken!
          })
        )
      )
      expect(refreshed.accessToken).toMatch(/^aoa/)

      const wrongSecret = yield* sdk(em.url, { credentials: { accessKeyId: Emulator.defaultIamCredentials.accessKeyId, secretAccessKey: "wrong" } })
      const refused = yield* Effect.flip(sdkSend(() =>
        wrongSecret.send(
          new CreateTokenWithIAMCommand({ clientId: applicationArn, grantType: GrantType.JwtBearer, assertion: Redacted.value(assertion()) })
        )
      ))
      expect(refused.name).toBe("InvalidSignatureException")
      expect(refused.$metadata.httpStatusCode).toBe(403)
      expect(refused.message).toMatch(/^The request signature we calculated does not match/)

      const unknownKey = yield* sdk(em.url, { credentials: { accessKeyId: "AKIAUNKNOWN", secretAccessKey: "x" } })
      const unrecognized = yield* Effect.flip(sdkSend(() =>
        unknownKey.send(
          new CreateTokenWithIAMCommand({ clientId: applicationArn, grantType: GrantType.JwtBearer, assertion: Redacted.value(assertion()) })
        )
      ))
      expect(unrecognized.name).toBe("UnrecognizedClientException")
      expect(unrecognized.$metadata.httpStatusCode).toBe(403)

      const otherRegion = yield* sdk(em.url, { region: "eu-west-1" })
      const wrongRegion = yield* Effect.flip(sdkSend(() =>
        otherRegion.send(
          new CreateTokenWithIAMCommand({ clientId: applicationArn, grantType: GrantType.JwtBearer, assertion: Redacted.value(assertion()) })
        )
      ))
      expect(wrongRegion.name).toBe("InvalidSignatureException")
    }).pipe(Effect.scoped, Effect.provide(served())))
})

describe("AwsCredentials.toSdkCredentialProvider: our credentials in an AWS SDK client", () => {
  it.live("the SDK signs CreateTokenWithIAM with the runtime's credentials; the emulator verifies the signature", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const runtime = ManagedRuntime.make(AwsCredentials.layerStatic(Emulator.defaultIamCredentials))
      const wrong = ManagedRuntime.make(AwsCredentials.layerStatic({
        accessKeyId: Emulator.defaultIamCredentials.accessKeyId,
        secretAccessKey: Redacted.make("not-the-secret")
      }))
      yield* Effect.addFinalizer(() => Effect.promise(() => Promise.all([runtime.dispose(), wrong.dispose()])))
      const send = (credentials: ReturnType<typeof AwsCredentials.toSdkCredentialProvider>) =>
        Effect.flatMap(sdk(em.url, { credentials }), (client) =>
          sdkSend(() =>
            client.send(
              new CreateTokenWithIAMCommand({
                clientId: applicationArn,
                grantType: GrantType.JwtBearer,
                assertion: Redacted.value(assertion())
              })
            )
          ))
      const reply = yield* send(AwsCredentials.toSdkCredentialProvider(runtime))
      expect(reply.$metadata.httpStatusCode).toBe(200)
      const refused = yield* Effect.flip(send(AwsCredentials.toSdkCredentialProvider(wrong)))
      expect(refused.$metadata.httpStatusCode).toBe(403)
    }).pipe(Effect.provide(served())))

  it.effect("a runtime without credentials rejects with the CredentialsError, naming no secret", () =>
    Effect.gen(function*() {
      const runtime = ManagedRuntime.make(AwsCredentials.layerEnv)
      const provider = AwsCredentials.toSdkCredentialProvider(runtime)
      const error = yield* Effect.promise(() => provider().then(() => undefined, (e: unknown) => e))
      yield* Effect.promise(() => runtime.dispose())
      expect(String(error)).toContain("no AWS credentials from environment")
    }).pipe(Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord({}))))
})
