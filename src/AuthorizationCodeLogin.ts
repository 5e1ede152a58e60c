/**
 * The authorization code grant with PKCE (RFC 7636), as `aws sso login` runs
 * it since AWS CLI 2.22: register a client for `authorization_code`, listen
 * on a loopback port, send the person's browser to `/authorize`, receive the
 * code on the loopback callback, and exchange it for a token.
 *
 * The loopback server is Node's `http` module bound to 127.0.0.1 only, on an
 * ephemeral port, and it listens before the browser is sent anywhere.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Mailbox from "effect/Mailbox"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { createHash, getRandomValues, randomUUID } from "node:crypto"
import * as Http from "node:http"
import type { Registration, Token } from "./DeviceLogin.js"
import type * as Endpoint from "./Endpoint.js"
import { isReusable, missing, tokenOf } from "./internal/login.js"
import * as SsoOidcClient from "./SsoOidcClient.js"
import * as SsoOidcError from "./SsoOidcError.js"
import { GrantType } from "./SsoOidcSchema.js"

// -----------------------------------------------------------------------------
// PKCE
// -----------------------------------------------------------------------------

const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

/**
 * A PKCE code verifier: 64 characters from the unreserved set of RFC 7636
 * §4.1, from a cryptographic random source (rejection sampling keeps every
 * character equally likely).
 *
 * @since 0.1.0
 * @category pkce
 */
export const makeCodeVerifier = (): Redacted.Redacted<string> => {
  const out: Array<string> = []
  const limit = 256 - (256 % unreserved.length)
  while (out.length < 64) {
    for (const byte of getRandomValues(new Uint8Array(96))) {
      if (byte < limit && out.length < 64) out.push(unreserved[byte % unreserved.length]!)
    }
  }
  return Redacted.make(out.join(""))
}

/**
 * The S256 code challenge of a verifier: base64url(SHA-256(verifier)) without
 * padding (RFC 7636 §4.2).
 *
 * @since 0.1.0
 * @category pkce
 */
export const codeChallenge = (verifier: Redacted.Redacted<string>): string =>
  createHash("sha256").update(Redacted.value(verifier), "ascii").digest("base64url")

// -----------------------------------------------------------------------------
// errors and events
// -----------------------------------------------------------------------------

/**
 * The callback's `state` is not the one sent: the redirect did not come from
 * this login. No token was requested.
 *
 * @since 0.1.0
 * @category errors
 */
export class StateMismatch extends Schema.TaggedError<StateMismatch>("effect-sso-oidc/StateMismatch")(
  "StateMismatch",
  {}
) {
  override get message() {
    return "the authorization callback's state does not match this login; no token was requested"
  }
}

/**
 * No callback arrived in time.
 *
 * @since 0.1.0
 * @category errors
 */
export class CallbackTimeout extends Schema.TaggedError<CallbackTimeout>("effect-sso-oidc/CallbackTimeout")(
  "CallbackTimeout",
  { timeout: Schema.String }
) {
  override get message() {
    return `no authorization callback within ${this.timeout}`
  }
}

/**
 * The loopback callback server could not start, or the callback was malformed.
 *
 * @since 0.1.0
 * @category errors
 */
export class CallbackError extends Schema.TaggedError<CallbackError>("effect-sso-oidc/CallbackError")(
  "CallbackError",
  { description: Schema.String }
) {
  override get message() {
    return `authorization callback: ${this.description}`
  }
}

/**
 * The progress of a browser login.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthorizationCodeLoginEvent = Data.TaggedEnum<{
  /** A client registration for the authorization code grant is ready. */
  Registered: { readonly registration: Registration; readonly reused: boolean }
  /** Open `authorizeUrl` in the person's browser; the callback server is already listening. */
  AwaitingBrowser: { readonly authorizeUrl: string; readonly redirectUri: string }
  /** The code arrived; it is being exchanged for a token. */
  CodeReceived: {}
  /** The token. The stream ends after this event. */
  Authorized: { readonly token: Token }
}>

/**
 * @since 0.1.0
 * @category constructors
 */
export const AuthorizationCodeLoginEvent = Data.taggedEnum<AuthorizationCodeLoginEvent>()

/**
 * The errors of a browser login.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthorizationCodeLoginError =
  | SsoOidcError.RegisterClientError
  | SsoOidcError.CreateTokenError
  | SsoOidcError.AccessDenied
  | StateMismatch
  | CallbackTimeout
  | CallbackError
  | Endpoint.EndpointError

/**
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationCodeLoginOptions {
  /** The AWS access portal URL; also sent as `issuerUrl`. */
  readonly startUrl: string
  /** Default `effect-sso-oidc`. */
  readonly clientName?: string | undefined
  /** Default `["sso:account:access"]`, as the AWS CLI. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** A registration to reuse while valid for at least 15 more minutes (same scopes, same region). */
  readonly registration?: Registration | undefined
  /** How long to wait for the browser. Default 10 minutes. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * The redirect URI registered with the client; the port is added per login,
 * as RFC 8252 §7.3 allows.
 *
 * @since 0.1.0
 * @category constants
 */
export const registeredRedirectUri = "http://127.0.0.1/oauth/callback"

const callbackPath = "/oauth/callback"

// -----------------------------------------------------------------------------
// loopback server
// -----------------------------------------------------------------------------

interface CallbackResult {
  readonly code?: string | undefined
  readonly state?: string | undefined
  readonly error?: string | undefined
  readonly errorDescription?: string | undefined
}

const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><main><h1>${title}</h1><p>${text}</p></main></body></html>`

/** Starts the loopback server on 127.0.0.1 and an ephemeral port; stops it with the scope. */
const loopback = (
  expectedState: string
): Effect.Effect<
  { readonly port: number; readonly result: Deferred.Deferred<CallbackResult> },
  CallbackError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const result = yield* Deferred.make<CallbackResult>()
    const server = yield* Effect.acquireRelease(
      Effect.async<Http.Server, CallbackError>((resume) => {
        const server = Http.createServer((req, res) => {
          const url = new URL(req.url ?? "/", "http://127.0.0.1")
          if (req.method !== "GET" || url.pathname !== callbackPath) {
            res.writeHead(404, { "content-type": "text/plain" }).end("not found")
            return
          }
          const params = url.searchParams
          const callback: CallbackResult = {
            code: params.get("code") ?? undefined,
            state: params.get("state") ?? undefined,
            error: params.get("error") ?? undefined,
            errorDescription: params.get("error_description") ?? undefined
          }
          const fine = callback.error === undefined && callback.state === expectedState && callback.code !== undefined
          res.writeHead(fine ? 200 : 400, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
          res.end(
            fine
              ? page("Signed in", "You can close this tab and return to the application.")
              : page("Sign-in failed", "The sign-in did not complete. You can close this tab and try again.")
          )
          Deferred.unsafeDone(result, Effect.succeed(callback))
        })
        server.once("error", (error) => resume(Effect.fail(new CallbackError({ description: error.message }))))
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) => Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
    )
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    return { port, result }
  })

// -----------------------------------------------------------------------------
// the flow
// -----------------------------------------------------------------------------

/**
 * Builds the `/authorize` URL as the AWS CLI does: on the OIDC endpoint, with
 * `response_type`, `client_id`, `redirect_uri`, `state`,
 * `code_challenge_method`, `scopes` (space-separated; the name is `scopes`)
 * and `code_challenge`.
 *
 * @since 0.1.0
 * @category pkce
 */
export const authorizeUrl = (options: {
  readonly endpoint: string
  readonly clientId: string
  readonly redirectUri: string
  readonly state: string
  readonly challenge: string
  readonly scopes: ReadonlyArray<string>
}): string => {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    state: options.state,
    code_challenge_method: "S256",
    scopes: options.scopes.join(" "),
    code_challenge: options.challenge
  })
  return `${options.endpoint}/authorize?${query.toString()}`
}

/**
 * The browser login as a stream: `Registered`, `AwaitingBrowser` (open its
 * `authorizeUrl`), `CodeReceived`, `Authorized`. A mismatched `state` fails
 * with `StateMismatch` before any token request; a denial with `AccessDenied`;
 * no callback within the timeout with `CallbackTimeout`. Stopping the stream
 * closes the loopback server.
 *
 * @since 0.1.0
 * @category login
 */
export const authorizationCodeLogin = (
  options: AuthorizationCodeLoginOptions
): Stream.Stream<AuthorizationCodeLoginEvent, AuthorizationCodeLoginError, SsoOidcClient.SsoOidcClient> =>
  Stream.unwrapScoped(
    Effect.gen(function*() {
      const mailbox = yield* Mailbox.make<AuthorizationCodeLoginEvent, AuthorizationCodeLoginError>()
      yield* run(options, (event) => Effect.asVoid(mailbox.offer(event))).pipe(
        Effect.scoped,
        Mailbox.into(mailbox),
        Effect.forkScoped
      )
      return Mailbox.toStream(mailbox)
    })
  )

const run = (
  options: AuthorizationCodeLoginOptions,
  emit: (event: AuthorizationCodeLoginEvent) => Effect.Effect<void>
) =>
  Effect.gen(function*() {
    const client = yield* SsoOidcClient.SsoOidcClient
    const endpoint = yield* Either.match(client.endpoint, { onLeft: Effect.fail, onRight: Effect.succeed })
    const scopes = options.scopes ?? ["sso:account:access"]
    const state = randomUUID()
    const verifier = makeCodeVerifier()
    // Listen before anything is shown to the person.
    const server = yield* loopback(state)
    const redirectUri = `http://127.0.0.1:${server.port}${callbackPath}`

    const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
    let registration: Registration
    let reused = false
    if (options.registration !== undefined && isReusable(options.registration, now, scopes, client.region)) {
      registration = options.registration
      reused = true
    } else {
      const reply = yield* client.registerClient({
        clientName: options.clientName ?? "effect-sso-oidc",
        clientType: "public",
        scopes,
        grantTypes: [GrantType.AuthorizationCode, GrantType.RefreshToken],
        redirectUris: [registeredRedirectUri],
        issuerUrl: options.startUrl
      })
      if (reply.clientId === undefined) return yield* missing("RegisterClient", "clientId")
      if (reply.clientSecret === undefined) return yield* missing("RegisterClient", "clientSecret")
      registration = {
        clientId: reply.clientId,
        clientSecret: reply.clientSecret,
        clientIdIssuedAt: reply.clientIdIssuedAt,
        clientSecretExpiresAt: reply.clientSecretExpiresAt,
        scopes,
        region: client.region
      }
    }
    yield* emit(AuthorizationCodeLoginEvent.Registered({ registration, reused }))
    yield* emit(AuthorizationCodeLoginEvent.AwaitingBrowser({
      authorizeUrl: authorizeUrl({
        endpoint,
        clientId: registration.clientId,
        redirectUri,
        state,
        challenge: codeChallenge(verifier),
        scopes
      }),
      redirectUri
    }))

    const timeout = options.timeout ?? Duration.minutes(10)
    const callback = yield* Deferred.await(server.result).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => new CallbackTimeout({ timeout: Duration.format(Duration.decode(timeout)) })
      })
    )
    // The state first: a callback that is not ours ends nothing but this check,
    // whatever it says (not even a "denied" from some other local page).
    if (callback.state !== state) return yield* new StateMismatch()
    if (callback.error !== undefined) {
      return yield* new SsoOidcError.AccessDenied({
        error: callback.error,
        ...(callback.errorDescription === undefined ? {} : { error_description: callback.errorDescription })
      })
    }
    if (callback.code === undefined) return yield* new CallbackError({ description: "the callback has no code" })
    yield* emit(AuthorizationCodeLoginEvent.CodeReceived())

    const reply = yield* client.createToken({
      clientId: registration.clientId,
      clientSecret: registration.clientSecret,
      grantType: GrantType.AuthorizationCode,
      code: callback.code,
      redirectUri,
      codeVerifier: verifier
    })
    const receivedAt = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
    if (reply.accessToken === undefined) return yield* missing("CreateToken", "accessToken")
    yield* emit(AuthorizationCodeLoginEvent.Authorized({
      token: tokenOf({ ...reply, accessToken: reply.accessToken }, {
        receivedAt,
        registration,
        clientRegion: client.region,
        startUrl: options.startUrl
      })
    }))
  })

/**
 * Runs {@link authorizationCodeLogin} to its end and returns the token,
 * calling `onEvent` for each event on the way (open the browser on
 * `AwaitingBrowser`).
 *
 * @since 0.1.0
 * @category login
 */
export const login = (
  options: AuthorizationCodeLoginOptions & {
    readonly onEvent?: ((event: AuthorizationCodeLoginEvent) => Effect.Effect<void>) | undefined
  }
): Effect.Effect<Token, AuthorizationCodeLoginError, SsoOidcClient.SsoOidcClient> =>
  authorizationCodeLogin(options).pipe(
    Stream.tap((event) => (options.onEvent ? options.onEvent(event) : Effect.void)),
    Stream.runFold(undefined as Token | undefined, (found, event) => event._tag === "Authorized" ? event.token : found),
    Effect.flatMap((token) =>
      token === undefined
        ? Effect.fail(new CallbackError({ description: "the login ended without a token" }))
        : Effect.succeed(token)
    )
  )
