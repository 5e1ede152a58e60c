/**
 * The four operation commands, with the AWS CLI's flag names and JSON output
 * (`aws sso-oidc register-client | start-device-authorization | create-token |
 * create-token-with-iam`).
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { Effect, Option, Redacted } from "effect"
import * as AwsCredentials from "../AwsCredentials.js"
import * as SsoOidcClient from "../SsoOidcClient.js"
import * as SsoOidcSchema from "../SsoOidcSchema.js"
import { clientLayer, encodeReply, globalOptions, listOption, printReply } from "./shared.js"

const text = (name: string, description: string) => Options.text(name).pipe(Options.withDescription(description))
const optionalText = (name: string, description: string) => text(name, description).pipe(Options.optional)
const list = listOption

/** Adds `key` to an input only when the flag was given. */
const when = <K extends string, A>(key: K, value: Option.Option<A>): { readonly [P in K]?: A } =>
  Option.isSome(value) ? ({ [key]: value.value } as { [P in K]: A }) : {}
const whenList = <K extends string>(key: K, values: ReadonlyArray<string>): { readonly [P in K]?: ReadonlyArray<string> } =>
  values.length > 0 ? ({ [key]: values } as { [P in K]: ReadonlyArray<string> }) : {}
const secret = (value: Option.Option<string>) => Option.map(value, Redacted.make)

const registerClient = Command.make(
  "register-client",
  {
    ...globalOptions,
    clientName: text("client-name", "The friendly name of the client"),
    clientType: text("client-type", "The type of client; the service supports only 'public'"),
    scopes: list("scopes", "Scopes defined by the client"),
    redirectUris: list("redirect-uris", "Redirect URIs defined by the client"),
    grantTypes: list("grant-types", "OAuth 2.0 grant types the client may use"),
    issuerUrl: optionalText("issuer-url", "The IAM Identity Center issuer URL of the instance"),
    entitledApplicationArn: optionalText("entitled-application-arn", "An IAM Identity Center application ARN")
  },
  (flags) =>
    Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const reply = yield* client.registerClient({
        clientName: flags.clientName,
        clientType: flags.clientType,
        ...whenList("scopes", flags.scopes),
        ...whenList("redirectUris", flags.redirectUris),
        ...whenList("grantTypes", flags.grantTypes),
        ...when("issuerUrl", flags.issuerUrl),
        ...when("entitledApplicationArn", flags.entitledApplicationArn)
      })
      const encoded = yield* encodeReply("RegisterClient", SsoOidcSchema.RegisterClientResponse, reply)
      yield* printReply(encoded, flags.output)
    }).pipe(Effect.provide(clientLayer(flags)))
).pipe(Command.withDescription("Register a public client with IAM Identity Center (RegisterClient)"))

const startDeviceAuthorization = Command.make(
  "start-device-authorization",
  {
    ...globalOptions,
    clientId: text("client-id", "The client id from register-client"),
    clientSecret: text("client-secret", "The client secret from register-client"),
    startUrl: text("start-url", "The URL of the AWS access portal")
  },
  (flags) =>
    Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const reply = yield* client.startDeviceAuthorization({
        clientId: flags.clientId,
        clientSecret: Redacted.make(flags.clientSecret),
        startUrl: flags.startUrl
      })
      const encoded = yield* encodeReply("StartDeviceAuthorization", SsoOidcSchema.StartDeviceAuthorizationResponse, reply)
      yield* printReply(encoded, flags.output)
    }).pipe(Effect.provide(clientLayer(flags)))
).pipe(Command.withDescription("Start a device authorization (StartDeviceAuthorization)"))

const createToken = Command.make(
  "create-token",
  {
    ...globalOptions,
    clientId: text("client-id", "The client id from register-client"),
    clientSecret: text("client-secret", "The client secret from register-client"),
    grantType: text("grant-type", "authorization_code, urn:ietf:params:oauth:grant-type:device_code or refresh_token"),
    deviceCode: optionalText("device-code", "The device code (device code grant)"),
    code: optionalText("code", "The authorization code (authorization code grant)"),
    refreshToken: optionalText("refresh-token", "The refresh token (refresh token grant)"),
    scope: list("scope", "Scopes (no effect, as the service documents)"),
    redirectUri: optionalText("redirect-uri", "The redirect URI (authorization code grant)"),
    codeVerifier: optionalText("code-verifier", "The PKCE code verifier (authorization code grant)")
  },
  (flags) =>
    Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const reply = yield* client.createToken({
        clientId: flags.clientId,
        clientSecret: Redacted.make(flags.clientSecret),
        grantType: flags.grantType,
        ...when("deviceCode", secret(flags.deviceCode)),
        ...when("code", flags.code),
        ...when("refreshToken", secret(flags.refreshToken)),
        ...whenList("scope", flags.scope),
        ...when("redirectUri", flags.redirectUri),
        ...when("codeVerifier", secret(flags.codeVerifier))
      })
      const encoded = yield* encodeReply("CreateToken", SsoOidcSchema.CreateTokenResponse, reply)
      yield* printReply(encoded, flags.output)
    }).pipe(Effect.provide(clientLayer(flags)))
).pipe(Command.withDescription("Create an access token (CreateToken)"))

const createTokenWithIam = Command.make(
  "create-token-with-iam",
  {
    ...globalOptions,
    clientId: text("client-id", "The application ARN with OAuth grants configured"),
    grantType: text("grant-type", "authorization_code, refresh_token, jwt-bearer or token-exchange grant URN"),
    code: optionalText("code", "The authorization code"),
    refreshToken: optionalText("refresh-token", "The refresh token"),
    assertion: optionalText("assertion", "The JWT from a trusted token issuer (jwt-bearer grant)"),
    scope: list("scope", "Scopes to downscope the token to"),
    redirectUri: optionalText("redirect-uri", "The redirect URI"),
    subjectToken: optionalText("subject-token", "The subject token (token-exchange grant)"),
    subjectTokenType: optionalText("subject-token-type", "The subject token type URI"),
    requestedTokenType: optionalText("requested-token-type", "The requested token type URI"),
    codeVerifier: optionalText("code-verifier", "The PKCE code verifier")
  },
  (flags) =>
    Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const reply = yield* client.createTokenWithIam({
        clientId: flags.clientId,
        grantType: flags.grantType,
        ...when("code", flags.code),
        ...when("refreshToken", secret(flags.refreshToken)),
        ...when("assertion", secret(flags.assertion)),
        ...whenList("scope", flags.scope),
        ...when("redirectUri", flags.redirectUri),
        ...when("subjectToken", secret(flags.subjectToken)),
        ...when("subjectTokenType", flags.subjectTokenType),
        ...when("requestedTokenType", flags.requestedTokenType),
        ...when("codeVerifier", secret(flags.codeVerifier))
      })
      const encoded = yield* encodeReply("CreateTokenWithIAM", SsoOidcSchema.CreateTokenWithIamResponse, reply)
      yield* printReply(encoded, flags.output)
    }).pipe(Effect.provide(clientLayer(flags)), Effect.provide(AwsCredentials.layerEnv))
).pipe(
  Command.withDescription(
    "Create an access token as an IAM principal (CreateTokenWithIAM; SigV4 with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN)"
  )
)

export const operationCommands = [registerClient, startDeviceAuthorization, createToken, createTokenWithIam] as const
