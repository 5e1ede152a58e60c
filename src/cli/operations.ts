/**
 * The four operation commands, with the AWS CLI's flag names and JSON output
 * (`aws sso-oidc register-client | start-device-authorization | create-token |
 * create-token-with-iam`). Command names, flags and their kinds come from the
 * operations table (src/internal/operations.ts); only the flags' help text is
 * written here.
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { Effect, Option, Schema } from "effect"
import * as AwsCredentials from "../AwsCredentials.js"
import * as Operations from "../internal/operations.js"
import { describeIssue } from "../internal/wire.js"
import * as SsoOidcClient from "../SsoOidcClient.js"
import * as SsoOidcError from "../SsoOidcError.js"
import { clientLayer, encodeReply, flagName, globalOptions, listOption, printReply } from "./shared.js"

type Operation = (typeof Operations.operations)[SsoOidcError.OperationName]

type Member<Name extends SsoOidcError.OperationName> =
  & keyof Schema.Schema.Encoded<(typeof Operations.operations)[Name]["input"]>
  & string

/** The help text of each input member's flag; the compiler holds it to the schemas' members. */
const flagHelp: { readonly [Name in SsoOidcError.OperationName]: { readonly [M in Member<Name>]-?: string } } = {
  RegisterClient: {
    clientName: "The friendly name of the client",
    clientType: "The type of client; the service supports only 'public'",
    scopes: "Scopes defined by the client",
    redirectUris: "Redirect URIs defined by the client",
    grantTypes: "OAuth 2.0 grant types the client may use",
    issuerUrl: "The IAM Identity Center issuer URL of the instance",
    entitledApplicationArn: "An IAM Identity Center application ARN"
  },
  StartDeviceAuthorization: {
    clientId: "The client id from register-client",
    clientSecret: "The client secret from register-client",
    startUrl: "The URL of the AWS access portal"
  },
  CreateToken: {
    clientId: "The client id from register-client",
    clientSecret: "The client secret from register-client",
    grantType: "authorization_code, urn:ietf:params:oauth:grant-type:device_code or refresh_token",
    deviceCode: "The device code (device code grant)",
    code: "The authorization code (authorization code grant)",
    refreshToken: "The refresh token (refresh token grant)",
    scope: "Scopes (no effect, as the service documents)",
    redirectUri: "The redirect URI (authorization code grant)",
    codeVerifier: "The PKCE code verifier (authorization code grant)"
  },
  CreateTokenWithIAM: {
    clientId: "The application ARN with OAuth grants configured",
    grantType: "authorization_code, refresh_token, jwt-bearer or token-exchange grant URN",
    code: "The authorization code",
    refreshToken: "The refresh token",
    assertion: "The JWT from a trusted token issuer (jwt-bearer grant)",
    scope: "Scopes to downscope the token to",
    redirectUri: "The redirect URI",
    subjectToken: "The subject token (token-exchange grant)",
    subjectTokenType: "The subject token type URI",
    requestedTokenType: "The requested token type URI",
    codeVerifier: "The PKCE code verifier"
  }
}

/** A member's flag: text, optional unless required; a list takes repeated and comma/space-separated values. */
const memberOption = (operation: Operation, member: Operations.InputMember): Options.Options<unknown> => {
  const help: Readonly<Record<string, string>> = flagHelp[operation.name]
  const text = Options.text(flagName(member.name)).pipe(Options.withDescription(help[member.name] ?? member.name))
  switch (member.kind) {
    case "strings":
      // With a default, so help shows it as optional: [--scopes text...].
      return listOption(flagName(member.name), help[member.name] ?? member.name)
    case "string":
      return member.required ? text : Options.optional(text)
    case "other":
      // test/Operations.spec.test.ts holds every SSO OIDC input member to the two kinds above.
      throw new Error(`${operation.name}.${member.name}: no command-line form for this member`)
  }
}

/** The flags' values as the operation's encoded input: flags not given and empty lists are left out. */
const encodedInput = (
  members: ReadonlyArray<Operations.InputMember>,
  values: Readonly<Record<string, unknown>>
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const member of members) {
    const value = values[member.name]
    if (Option.isOption(value)) {
      if (Option.isSome(value)) out[member.name] = value.value
    } else if (Array.isArray(value)) {
      if (value.length > 0) out[member.name] = value
    } else {
      out[member.name] = value
    }
  }
  return out
}

const description = (operation: Operation): string =>
  operation.auth.type === "sigv4"
    ? `${operation.documentation} (${operation.name}; SigV4 with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN)`
    : `${operation.documentation} (${operation.name})`

type Invoke = (
  input: unknown
) => Effect.Effect<unknown, SsoOidcError.SsoOidcError | AwsCredentials.CredentialsError, AwsCredentials.AwsCredentials>

const operationCommand = (operation: Operation) => {
  // The schemas as the table's common type: a union of four struct schemas accepts no value.
  const { input: inputSchema, output: outputSchema }: Operations.Operation = operation
  const members = Operations.inputMembers(operation)
  const flags = Object.fromEntries(members.map((member) => [member.name, memberOption(operation, member)]))
  return Command.make(flagName(operation.name), { ...globalOptions, input: flags }, (parsed) => {
    const run = Effect.gen(function*() {
      // Decoding wraps the secrets in `Redacted`, as the schema says, and checks what the schema checks.
      const input = yield* Schema.decodeUnknown(inputSchema)(encodedInput(members, parsed.input)).pipe(
        Effect.mapError((error) =>
          new SsoOidcError.InvalidInput({ operation: operation.name, description: describeIssue(error.issue) })
        )
      )
      const client = yield* SsoOidcClient.SsoOidcClient
      const reply = yield* (client[operation.clientMethod] as Invoke)(input)
      const encoded = yield* encodeReply(operation.name, outputSchema, reply)
      yield* printReply(encoded, parsed.output)
    }).pipe(Effect.provide(clientLayer(parsed)))
    // Only a signed operation needs AWS credentials, read from the environment as the AWS CLI does.
    return operation.auth.type === "sigv4"
      ? Effect.provide(run, AwsCredentials.layerEnv)
      : (run as Effect.Effect<void, Effect.Effect.Error<typeof run>>)
  }).pipe(Command.withDescription(description(operation)))
}

const [first, ...rest] = Operations.ssoOidcOperations.map(operationCommand)

export const operationCommands = [first!, ...rest] as const
