/**
 * The authorization code grant with PKCE (RFC 7636), as `aws sso login` runs
 * it since AWS CLI 2.22: register a client for `authorization_code`, listen
 * on a loopback port, send the person's browser to `/authorize`, receive the
 * code on the loopback callback, and exchange it for a token.
 *
 * The loopback listener is a service, {@link LoopbackListener}, so this
 * module runs on any platform: `NodeSso.layer` (from `effect-sso-oidc/node`)
 * provides Node's, bound to 127.0.0.1 only on an ephemeral port. It listens
 * before the browser is sent anywhere. Requests that are not this login's
 * callback (another path, another `state`, no `code` or `error`) get a 400
 * and are ignored; only the callback whose `state` matches ends the login.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
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
import type * as Endpoint from "./Endpoint.js"
import * as Pkce from "./core/authorizationCode.js"
import { base64Url, randomBytes, sha256Base64Url } from "./core/crypto.js"
import { registerOrReuse, tokenOf } from "./internal/login.js"
import * as SsoOidcClient from "./SsoOidcClient.js"
import * as SsoOidcError from "./SsoOidcError.js"
import { GrantType } from "./SsoOidcSchema.js"
import type { Registration, Token } from "./SsoToken.js"

// -----------------------------------------------------------------------------
// PKCE
// -----------------------------------------------------------------------------

/**
 * A PKCE code verifier: 64 characters from the unreserved set of RFC 7636
 * §4.1, from a cryptographic random source (rejection sampling keeps every
 * character equally likely).
 *
 * @since 0.1.0
 * @category pkce
 */
export const makeCodeVerifier = (): Redacted.Redacted<string> => Redacted.make(Pkce.codeVerifierText())

/**
 * The S256 code challenge of a verifier: base64url(SHA-256(verifier)) without
 * padding (RFC 7636 §4.2).
 *
 * @since 0.1.0
 * @category pkce
 */
export const codeChallenge = (verifier: Redacted.Redacted<string>): string =>
  sha256Base64Url(Redacted.value(verifier))

/**
 * A fresh `state` for one login: 32 random bytes, base64url (256 bits; RFC
 * 6749 §10.12 asks for a value an attacker cannot guess).
 *
 * @since 0.2.0
 * @category pkce
 */
export const makeState = (): string => base64Url(randomBytes(32))

// -----------------------------------------------------------------------------
// errors and events
// -----------------------------------------------------------------------------

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
 * The loopback callback server could not start.
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
export const registeredRedirectUri = Pkce.registeredRedirectUri

// -----------------------------------------------------------------------------
// loopback listener
// -----------------------------------------------------------------------------

/**
 * What the listener answers to one request.
 *
 * @since 0.2.0
 * @category loopback
 */
export interface CallbackReply {
  readonly status: number
  readonly html: string
}

/**
 * A loopback HTTP listener for the redirect of RFC 8252 §7.3. `listen` binds
 * 127.0.0.1 on an ephemeral port and calls `onRequest` with the method,
 * path and query of every request it receives (a request whose target cannot
 * be parsed is answered 400 by the listener itself, never passed on); the
 * listener closes, with every connection, when the scope closes.
 *
 * @since 0.2.0
 * @category loopback
 */
export class LoopbackListener extends Context.Tag("effect-sso-oidc/AuthorizationCodeLogin/LoopbackListener")<
  LoopbackListener,
  {
    readonly listen: (
      onRequest: (request: {
        readonly method: string
        readonly path: string
        readonly query: URLSearchParams
      }) => CallbackReply
    ) => Effect.Effect<{ readonly port: number }, CallbackError, Scope.Scope>
  }
>() {}

/**
 * Listens for this login's callback. Only a GET of the callback path whose
 * `state` matches, with a `code` or an `error`, completes `result`; anything
 * else gets a 400 and changes nothing, so a stray or forged request cannot
 * end the login (the real redirect can still arrive).
 */
const awaitCallback = (
  expectedState: string
): Effect.Effect<
  { readonly port: number; readonly result: Deferred.Deferred<Pkce.CallbackResult> },
  CallbackError,
  Scope.Scope | LoopbackListener
> =>
  Effect.gen(function*() {
    const listener = yield* LoopbackListener
    const result = yield* Deferred.make<Pkce.CallbackResult>()
    let answered = false
    const { port } = yield* listener.listen((request) => {
      const { accepted, reply } = Pkce.judgeCallback(request, expectedState, answered)
      if (accepted !== undefined) {
        answered = true
        Deferred.unsafeDone(result, Effect.succeed(accepted))
      }
      return reply
    })
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
export const authorizeUrl: typeof Pkce.authorizeUrl = Pkce.authorizeUrl

/**
 * The browser login as a stream: `Registered`, `AwaitingBrowser` (open its
 * `authorizeUrl`), `CodeReceived`, `Authorized`. Requests to the listener
 * that are not this login's callback are answered 400 and ignored; a denial
 * fails with `AccessDenied`, no callback within the timeout with
 * `CallbackTimeout`. Needs a {@link LoopbackListener}. Stopping the stream
 * closes the listener.
 *
 * @since 0.1.0
 * @category login
 */
export const authorizationCodeLogin = (
  options: AuthorizationCodeLoginOptions
): Stream.Stream<AuthorizationCodeLoginEvent, AuthorizationCodeLoginError, SsoOidcClient.SsoOidcClient | LoopbackListener> =>
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
    const state = makeState()
    const verifier = makeCodeVerifier()
    // Listen before anything is shown to the person.
    const server = yield* awaitCallback(state)
    const redirectUri = Pkce.redirectUriOf(server.port)

    const { registration, reused } = yield* registerOrReuse(client, {
      registration: options.registration,
      request: {
        clientName: options.clientName ?? "effect-sso-oidc",
        clientType: "public",
        scopes,
        grantTypes: [GrantType.AuthorizationCode, GrantType.RefreshToken],
        redirectUris: [registeredRedirectUri],
        issuerUrl: options.startUrl
      }
    })
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
    if (callback.code === undefined) {
      return yield* new SsoOidcError.AccessDenied({
        error: callback.error,
        ...(callback.errorDescription === undefined ? {} : { error_description: callback.errorDescription })
      })
    }
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
    const token = yield* tokenOf(reply, {
      receivedAt,
      registration,
      clientRegion: client.region,
      startUrl: options.startUrl
    })
    yield* emit(AuthorizationCodeLoginEvent.Authorized({ token }))
  })

/**
 * Runs {@link authorizationCodeLogin} to its end and returns the token,
 * calling `onEvent` for each event on the way (open the browser on
 * `AwaitingBrowser`).
 *
 * @since 0.1.0
 * @category login
 */
export const login = <E = never>(
  options: AuthorizationCodeLoginOptions & {
    /** Called with each event, in order; a failure of it ends the login with that error. */
    readonly onEvent?: ((event: AuthorizationCodeLoginEvent) => Effect.Effect<void, E>) | undefined
  }
): Effect.Effect<Token, AuthorizationCodeLoginError | E, SsoOidcClient.SsoOidcClient | LoopbackListener> =>
  authorizationCodeLogin(options).pipe(
    Stream.tap((event) => (options.onEvent ? options.onEvent(event) : Effect.void)),
    Stream.runFold(undefined as Token | undefined, (found, event) => event._tag === "Authorized" ? event.token : found),
    Effect.flatMap((token) =>
      token === undefined
        ? Effect.fail(new CallbackError({ description: "the login ended without a token" }))
        : Effect.succeed(token)
    )
  )
