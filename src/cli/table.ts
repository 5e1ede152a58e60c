/**
 * The `sso-oidc` commands as plain data: names, descriptions and flags.
 * The launcher (src/bin/sso-oidc.ts) renders `--help` from it and parses
 * `login` with it without loading Effect or @effect/cli, which keeps the
 * start-up short (issue 14). The @effect/cli commands (main.ts and the
 * command modules) define the same flags; test/Cli.test.ts holds the two
 * to the same help text, byte for byte, for every command.
 *
 * Effect-free: nothing here may import `effect` or `@effect/*`.
 *
 * @internal
 */

/** A flag's value: free text, an integer, none (a switch), or one of a few words. */
export type OptionKind = "text" | "integer" | "boolean" | ReadonlyArray<string>

export interface OptionSpec {
  /** Without the leading `--`. */
  readonly name: string
  readonly kind: OptionKind
  /** Without it the flag may be left out (it is optional, or has a default). */
  readonly required?: true
  /** A list flag: `--scopes a b`, repeated, or comma-separated. */
  readonly repeated?: true
  readonly description: string
}

export interface CommandSpec {
  readonly name: string
  readonly description: string
  readonly options: ReadonlyArray<OptionSpec>
}

export const rootDescription = "AWS IAM Identity Center OIDC from the command line"

export const region: OptionSpec = { name: "region", kind: "text", description: "The region of the IAM Identity Center instance (default: AWS_REGION / AWS_DEFAULT_REGION)" }
export const endpointUrl: OptionSpec = { name: "endpoint-url", kind: "text", description: "Override the service URL (default: AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL)" }
export const output: OptionSpec = { name: "output", kind: ["json", "text"], description: "Output format" }
export const allowInsecureEndpoint: OptionSpec = { name: "allow-insecure-endpoint", kind: "boolean", description: "Allow an http:// --endpoint-url that is not on this machine (tokens then cross the network in clear)" }
export const cliReadTimeout: OptionSpec = { name: "cli-read-timeout", kind: "integer", description: "Seconds one request may take before it is retried or fails (default 30; 0: no limit)" }
export const clientId: OptionSpec = { name: "client-id", kind: "text", required: true, description: "The client id from register-client" }
export const clientSecret: OptionSpec = { name: "client-secret", kind: "text", required: true, description: "The client secret from register-client" }
export const displayOutput: OptionSpec = { name: "output", kind: ["text", "json"], description: "text: a live display on a terminal, plain lines otherwise; json: one JSON object per event" }
export const ssoSession: OptionSpec = { name: "sso-session", kind: "text", description: "Use the token of this [sso-session NAME] of the AWS config file" }
export const profile: OptionSpec = { name: "profile", kind: "text", description: "Use the SSO session of this profile (default: AWS_PROFILE, else default)" }
export const portalEndpointUrl: OptionSpec = { name: "endpoint-url", kind: "text", description: "Override the SSO portal URL (default: AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL)" }
export const listOutput: OptionSpec = { name: "output", kind: ["json", "table", "text"], description: "json: the AWS CLI's JSON; table: a table for people; text: the AWS CLI's text" }

/** The flags every operation command starts with, in this order. */
const connection: ReadonlyArray<OptionSpec> = [region, endpointUrl, output, allowInsecureEndpoint, cliReadTimeout]

export const commands: ReadonlyArray<CommandSpec> = [
  {
    name: "register-client",
    description: "Registers a public client with IAM Identity Center. (RegisterClient)",
    options: [
      ...connection,
      { name: "client-name", kind: "text", required: true, description: "The friendly name of the client" },
      { name: "client-type", kind: "text", required: true, description: "The type of client; the service supports only 'public'" },
      { name: "scopes", kind: "text", repeated: true, description: "Scopes defined by the client" },
      { name: "redirect-uris", kind: "text", repeated: true, description: "Redirect URIs defined by the client" },
      { name: "grant-types", kind: "text", repeated: true, description: "OAuth 2.0 grant types the client may use" },
      { name: "issuer-url", kind: "text", description: "The IAM Identity Center issuer URL of the instance" },
      { name: "entitled-application-arn", kind: "text", description: "An IAM Identity Center application ARN" }
    ]
  },
  {
    name: "start-device-authorization",
    description: "Initiates device authorization by requesting a pair of verification codes from the authorization service. (StartDeviceAuthorization)",
    options: [
      ...connection,
      clientId,
      clientSecret,
      { name: "start-url", kind: "text", required: true, description: "The URL of the AWS access portal" }
    ]
  },
  {
    name: "create-token",
    description: "Creates and returns access and refresh tokens for clients that are authenticated using client secrets. (CreateToken)",
    options: [
      ...connection,
      clientId,
      clientSecret,
      { name: "grant-type", kind: "text", required: true, description: "authorization_code, urn:ietf:params:oauth:grant-type:device_code or refresh_token" },
      { name: "device-code", kind: "text", description: "The device code (device code grant)" },
      { name: "code", kind: "text", description: "The authorization code (authorization code grant)" },
      { name: "refresh-token", kind: "text", description: "The refresh token (refresh token grant)" },
      { name: "scope", kind: "text", repeated: true, description: "Scopes (no effect, as the service documents)" },
      { name: "redirect-uri", kind: "text", description: "The redirect URI (authorization code grant)" },
      { name: "code-verifier", kind: "text", description: "The PKCE code verifier (authorization code grant)" }
    ]
  },
  {
    name: "create-token-with-iam",
    description: "Creates and returns access and refresh tokens for authorized client applications that are authenticated using any IAM entity, such as a service role or user. (CreateTokenWithIAM; SigV4 with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN)",
    options: [
      ...connection,
      { name: "client-id", kind: "text", required: true, description: "The application ARN with OAuth grants configured" },
      { name: "grant-type", kind: "text", required: true, description: "authorization_code, refresh_token, jwt-bearer or token-exchange grant URN" },
      { name: "code", kind: "text", description: "The authorization code" },
      { name: "refresh-token", kind: "text", description: "The refresh token" },
      { name: "assertion", kind: "text", description: "The JWT from a trusted token issuer (jwt-bearer grant)" },
      { name: "scope", kind: "text", repeated: true, description: "Scopes to downscope the token to" },
      { name: "redirect-uri", kind: "text", description: "The redirect URI" },
      { name: "subject-token", kind: "text", description: "The subject token (token-exchange grant)" },
      { name: "subject-token-type", kind: "text", description: "The subject token type URI" },
      { name: "requested-token-type", kind: "text", description: "The requested token type URI" },
      { name: "code-verifier", kind: "text", description: "The PKCE code verifier" }
    ]
  },
  {
    name: "login",
    description: "Sign in and write the token to the AWS CLI's cache (~/.aws/sso/cache); the token is never printed",
    options: [
      region,
      endpointUrl,
      allowInsecureEndpoint,
      cliReadTimeout,
      displayOutput,
      { name: "sso-session", kind: "text", description: "Sign in to this [sso-session NAME] of the AWS config file" },
      { name: "profile", kind: "text", description: "Sign in to the SSO session of this profile (default: AWS_PROFILE, else default)" },
      { name: "start-url", kind: "text", description: "Sign in to this AWS access portal directly (a legacy session; needs --region)" },
      { name: "no-browser", kind: "boolean", description: "Do not open a browser: sign in with a device code, on this or another device" },
      { name: "use-device-code", kind: "boolean", description: "Use the device code flow (the default over SSH, in a container, without a desktop, or with sso_use_device_code = true)" },
      { name: "client-name", kind: "text", description: "The client name to register" },
      { name: "scopes", kind: "text", repeated: true, description: "Scopes to register (with --start-url), e.g. sso:account:access" }
    ]
  },
  {
    name: "accounts",
    description: "List every AWS account the SSO session can reach (all pages), as `aws sso list-accounts`",
    options: [
      ssoSession,
      profile,
      portalEndpointUrl,
      allowInsecureEndpoint,
      cliReadTimeout,
      listOutput
    ]
  },
  {
    name: "roles",
    description: "List the roles the SSO session may take in an account, as `aws sso list-account-roles`",
    options: [
      { name: "account-id", kind: "text", required: true, description: "The 12-digit AWS account ID" },
      ssoSession,
      profile,
      portalEndpointUrl,
      allowInsecureEndpoint,
      cliReadTimeout,
      listOutput
    ]
  },
  {
    name: "logout",
    description: "Sign out at the SSO portal and remove the session's token, client registration and role credentials from the caches",
    options: [
      { name: "sso-session", kind: "text", description: "Sign out of this [sso-session NAME] of the AWS config file" },
      { name: "all", kind: "boolean", description: "Sign out of every session of the config, and remove every token file of the cache" },
      portalEndpointUrl,
      allowInsecureEndpoint,
      cliReadTimeout
    ]
  },
  {
    name: "status",
    description: "Show each SSO session of the config: token expiry, whether it can be refreshed, and what to fix (exit 1 if anything)",
    options: [
      { name: "output", kind: ["text", "json"], description: "text: a line per session and per problem; json: every session's status" }
    ]
  },
  {
    name: "credentials",
    description: "Print the role credentials of an SSO profile as `aws configure export-credentials` does (credential_process JSON by default)",
    options: [
      { name: "profile", kind: "text", description: "The SSO profile whose role to use (default: AWS_PROFILE, else default)" },
      { name: "format", kind: ["process", "env", "env-no-export", "powershell", "windows-cmd", "fish"], description: "process: credential_process JSON; env, env-no-export, powershell, windows-cmd, fish: lines to evaluate" },
      allowInsecureEndpoint,
      cliReadTimeout
    ]
  },
  {
    name: "emulator",
    description: "Run a local SSO OIDC emulator on 127.0.0.1 in the foreground",
    options: [
      { name: "port", kind: "integer", description: "TCP port on 127.0.0.1 (default: an ephemeral port)" },
      { name: "auto-approve-after", kind: "integer", description: "Approve every device code this many seconds after it is issued" },
      { name: "interval", kind: "integer", description: "The polling interval the emulator asks for, in seconds (default 1)" },
      { name: "region", kind: "text", description: "The region the emulator plays (default us-east-1)" }
    ]
  },
  {
    name: "demo",
    description: "Sign in against a local emulator that approves by itself: the whole flow, no AWS account",
    options: [
      displayOutput,
      { name: "approve-after", kind: "integer", description: "Seconds before the emulator approves the code, as a person would" }
    ]
  }
]

