/**
 * A local emulator of the SSO OIDC service (AWS IAM Identity Center OIDC) for
 * tests and demos: RegisterClient, StartDeviceAuthorization, CreateToken and
 * CreateTokenWithIAM with the service's wire format, a verification page
 * where a person (or a test) approves or denies a user code, the `/authorize`
 * page of the authorization code grant with PKCE, SigV4 verification of
 * CreateTokenWithIAM, the device-flow rules (interval, slow_down, expiry,
 * one-time device codes, rotating refresh tokens) and fault injection. It
 * also serves the SSO portal (GetRoleCredentials, ListAccounts,
 * ListAccountRoles, Logout) for the access tokens it issued.
 *
 * One pure request handler over in-memory state serves two front ends:
 * - `NodeEmulator.layer` (from `effect-sso-oidc/node`): a real HTTP server on 127.0.0.1;
 * - {@link layerInProcess}: an `HttpClient` that calls the handler in the
 *   caller's fiber, with no socket, so under `TestClock` a whole login runs
 *   in virtual time.
 *
 * @since 0.1.0
 */
import * as ByteSize from "effect/ByteSize"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Credentials } from "../AwsCredentials.js"
import type {
  EmptyBodyFault,
  HugeBodyFault,
  NotJsonFault,
  RedirectFault,
  ResetFault,
  StatusFault,
  UnknownErrorFault,
  WrongContentTypeFault,
  WrongShapeFault
} from "../core/emulator/faults.js"
import * as Faults from "../core/emulator/faults.js"
import * as Model from "../core/emulator/model.js"
import type { Account, Application } from "../core/emulator/model.js"
import * as Handler from "../core/emulator/handler.js"
import * as Iam from "../core/emulator/iam.js"
import { type HandlerRequest, type HandlerResponse, headerOf } from "../core/emulator/reply.js"
import * as Portal from "../internal/emulator/portal.js"
import * as Random_ from "../internal/emulator/random.js"
import * as SigV4 from "../core/emulator/sigv4.js"
import * as State from "../core/emulator/state.js"
import * as Wire from "../core/emulator/wire.js"
import * as Operations from "../internal/operations.js"
import { TaggedError } from "../internal/taggedError.js"
import type { OperationName } from "../SsoOidcError.js"

// -----------------------------------------------------------------------------
// the handler's request and reply
// -----------------------------------------------------------------------------

/**
 * An HTTP request as the handler sees it, whichever front end received it.
 *
 * @since 0.1.0
 * @category models
 */
export type { HandlerRequest } from "../core/emulator/reply.js"

/**
 * The handler's reply. When `resetConnection` is true the front end drops the
 * connection instead of replying (the real server destroys the socket; the
 * in-process client fails with an `HttpClientError` whose reason is a `TransportError`), and
 * the other members are meaningless.
 *
 * @since 0.1.0
 * @category models
 */
export type { HandlerResponse } from "../core/emulator/reply.js"

// -----------------------------------------------------------------------------
// state views
// -----------------------------------------------------------------------------

/**
 * The status of a device authorization: `pending` until the user decides
 * (or auto-approval fires), `approved`/`denied`, `consumed` once its token was
 * issued, `expired` once `expiresIn` passed without a token.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthorizationStatus = State.AuthorizationStatus

/**
 * A device authorization as the emulator holds it. The device code is `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationView {
  readonly userCode: string
  readonly deviceCode: Redacted.Redacted<string>
  readonly clientId: string
  readonly startUrl: string
  readonly status: AuthorizationStatus
  /** The interval now in force: the configured one plus 5 s per slow_down. */
  readonly interval: Duration.Duration
  readonly issuedAt: Date
  readonly expiresAt: Date
  /** CreateToken calls made with this device code. */
  readonly polls: number
  /** How many of them were answered with slow_down. */
  readonly slowDowns: number
  readonly lastPollAt: Date | undefined
}

/**
 * A client registration. The client secret is `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegistrationView {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly clientName: string
  readonly clientType: string
  readonly scopes: ReadonlyArray<string>
  /** The grants the client may use: the registered ones, or device code and refresh token by default. */
  readonly grantTypes: ReadonlyArray<string>
  readonly redirectUris: ReadonlyArray<string>
  readonly issuerUrl: string | undefined
  /** Epoch seconds, as on the wire. */
  readonly clientIdIssuedAt: number
  /** Epoch seconds, as on the wire. */
  readonly clientSecretExpiresAt: number
}

/**
 * An issued token. Both tokens are `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenView {
  readonly accessToken: Redacted.Redacted<string>
  readonly refreshToken: Redacted.Redacted<string> | undefined
  /** False once the refresh token was used (they rotate) or when there is none. */
  readonly refreshTokenActive: boolean
  readonly clientId: string
  /** The grant that issued it. */
  readonly grantType: string
  readonly scopes: ReadonlyArray<string>
  readonly issuedAt: Date
  readonly expiresAt: Date
  /** When the portal's Logout revoked the access token (and its refresh token); `undefined` while it was not. */
  readonly revokedAt: Date | undefined
}

/**
 * An AWS account the emulator's portal assigns to the user (every token
 * sees the same accounts), with the roles the user may take in it.
 *
 * @since 0.2.0
 * @category models
 */
export type { Account }

/**
 * Role credentials the portal issued (GetRoleCredentials). The secret key
 * and session token are `Redacted`.
 *
 * @since 0.2.0
 * @category models
 */
export interface RoleCredentialsView {
  readonly accountId: string
  readonly roleName: string
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken: Redacted.Redacted<string>
  readonly issuedAt: Date
  /** The wire's `expiration` (epoch milliseconds there). */
  readonly expiresAt: Date
}

/**
 * The SSO portal's operations, which the emulator serves too.
 *
 * @since 0.2.0
 * @category models
 */
export type PortalOperationName = Operations.SsoPortalOperationName

/**
 * The status of an `/authorize` request: `pending` until the person decides,
 * `approved` once a code was issued, `consumed` once the code was exchanged
 * for a token, `denied`, or `expired` (undecided, or its code unused, past
 * `authorizationCodeExpiresIn`).
 *
 * @since 0.1.0
 * @category models
 */
export type AuthorizationRequestStatus = State.AuthorizationRequestStatus

/**
 * An `/authorize` request (the authorization code grant with PKCE). The code
 * is `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationRequestView {
  /** The request's id: what {@link Service.approveAuthorizationRequest} takes. */
  readonly id: string
  /** A RegisterClient client id, or an application ARN. */
  readonly clientId: string
  readonly clientName: string
  /** The redirect URI as the request sent it (port included). */
  readonly redirectUri: string
  readonly state: string | undefined
  readonly codeChallenge: string
  readonly scopes: ReadonlyArray<string>
  readonly status: AuthorizationRequestStatus
  readonly createdAt: Date
  /** Until when it may be decided. */
  readonly expiresAt: Date
  /** The authorization code, once approved. */
  readonly code: Redacted.Redacted<string> | undefined
  readonly codeExpiresAt: Date | undefined
}

/**
 * An IAM Identity Center application, the `clientId` of CreateTokenWithIAM
 * (and of `/authorize` for its authorization code grant).
 *
 * @since 0.1.0
 * @category models
 */
export type { Application }

/**
 * What a request was: one of the four SSO OIDC operations, one of the four
 * portal operations, the verification page, the `/authorize` page, or
 * anything else.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestKind =
  | OperationName
  | PortalOperationName
  | "VerificationPage"
  | "AuthorizationPage"
  | "Unknown"

/**
 * One request the emulator received (never its body or secrets).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestRecord {
  readonly kind: RequestKind
  readonly method: string
  readonly path: string
  /** When it arrived, in `Clock` time. */
  readonly at: Date
  /** The reply's status; `undefined` when the connection was reset. */
  readonly status: number | undefined
  /** The error name of an error reply, e.g. `SlowDownException`. */
  readonly errorName: string | undefined
  /** The tags of the injected faults that fired for it. */
  readonly faults: ReadonlyArray<Fault["_tag"]>
}

/**
 * Requests received per kind.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestCounts = Readonly<Record<RequestKind, number>>

// -----------------------------------------------------------------------------
// faults
// -----------------------------------------------------------------------------

/**
 * Reply with `status`; with `errorName`, as AWS shapes an error (the name in
 * `x-amzn-ErrorType`, `{ error, error_description }` in the body, or
 * `{ message }` for a portal operation), else with a JSON body that names no
 * error (like a proxy or load balancer).
 *
 * @since 0.1.0
 * @category faults
 */
export type { StatusFault }

/**
 * An error whose name the model does not know (default
 * `EmulatorInjectedException`, HTTP 400), shaped like AWS's errors.
 *
 * @since 0.1.0
 * @category faults
 */
export type { UnknownErrorFault }

/**
 * Wait (a `Clock` sleep: virtual under `TestClock`) before handling the
 * request; later rules still apply.
 *
 * @since 0.1.0
 * @category faults
 */
export interface DelayFault {
  readonly _tag: "Delay"
  readonly duration: Duration.Duration
}

/**
 * Drop the connection without a reply.
 *
 * @since 0.1.0
 * @category faults
 */
export type { ResetFault }

/**
 * Reply with an empty body (default status 200).
 *
 * @since 0.1.0
 * @category faults
 */
export type { EmptyBodyFault }

/**
 * Reply with an HTML body labelled `application/json` (default status 200).
 *
 * @since 0.1.0
 * @category faults
 */
export type { NotJsonFault }

/**
 * Reply with JSON whose members all have the wrong types (default status 200).
 *
 * @since 0.1.0
 * @category faults
 */
export type { WrongShapeFault }

/**
 * Reply with `bytes` of non-JSON filler (default 10 MiB, status 200).
 *
 * @since 0.1.0
 * @category faults
 */
export type { HugeBodyFault }

/**
 * Reply with a redirect (default HTTP 307, which a client that follows it
 * would answer by re-sending the request, secrets included, to `location`).
 *
 * @since 0.2.0
 * @category faults
 */
export type { RedirectFault }

/**
 * Handle the request normally but label the reply with another content type
 * (default `text/html; charset=utf-8`).
 *
 * @since 0.1.0
 * @category faults
 */
export type { WrongContentTypeFault }

/**
 * A fault the emulator can inject.
 *
 * @since 0.1.0
 * @category faults
 */
export type Fault = Faults.ReplyFault | DelayFault | WrongContentTypeFault

/**
 * Constructors of {@link Fault}.
 *
 * @since 0.1.0
 * @category faults
 */
export const Fault = {
  ...Faults.faultConstructors,
  /** Wait before handling (in `Clock` time). */
  delay: (duration: Duration.Input): DelayFault => ({ _tag: "Delay", duration: Duration.fromInputUnsafe(duration) }),
} as const

/**
 * When to inject a fault. Rules are tried in order for each request to one of
 * the operations, the portal's included (never the pages): a rule fires when it
 * targets the operation (`operation` absent or `"*"` means all), has firings
 * left (`count`, default unlimited) and a uniform draw from Effect's `Random`
 * is below `ratio` (default 1: always, with no draw involved). Delays add up;
 * the first other fault that fires decides the reply, and the request is then
 * not processed at all (except for `WrongContentType`, which relabels the
 * normal reply).
 *
 * @since 0.1.0
 * @category faults
 */
export interface FaultRule {
  readonly fault: Fault
  readonly operation?:
    | OperationName
    | PortalOperationName
    | ReadonlyArray<OperationName | PortalOperationName>
    | "*"
    | undefined
  /** Probability in [0, 1] that the rule fires for a matching request. Default 1. */
  readonly ratio?: number | undefined
  /** How many times the rule may fire. Default: no limit. */
  readonly count?: number | undefined
}

// -----------------------------------------------------------------------------
// errors of the controls
// -----------------------------------------------------------------------------

/**
 * No device authorization has this user code.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownUserCode extends TaggedError<UnknownUserCode>("effect-sso-oidc/Emulator/UnknownUserCode")(
  "UnknownUserCode",
  { userCode: Schema.String }
) {
  override get message() {
    return Model.unknownUserCodeText(this.userCode)
  }
}

/**
 * The device authorization was already decided the other way, used or expired.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthorizationNotPending extends TaggedError<AuthorizationNotPending>(
  "effect-sso-oidc/Emulator/AuthorizationNotPending"
)("AuthorizationNotPending", {
  userCode: Schema.String,
  status: Schema.Literals(Model.requestStatuses)
}) {
  override get message() {
    return Model.authorizationNotPendingText(this.userCode, this.status)
  }
}

/**
 * No `/authorize` request has this id.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownAuthorizationRequest extends TaggedError<UnknownAuthorizationRequest>(
  "effect-sso-oidc/Emulator/UnknownAuthorizationRequest"
)("UnknownAuthorizationRequest", { id: Schema.String }) {
  override get message() {
    return Model.unknownAuthorizationRequestText(this.id)
  }
}

/**
 * The `/authorize` request was already decided, or expired.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthorizationRequestNotPending extends TaggedError<AuthorizationRequestNotPending>(
  "effect-sso-oidc/Emulator/AuthorizationRequestNotPending"
)("AuthorizationRequestNotPending", {
  id: Schema.String,
  status: Schema.Literals(Model.requestStatuses)
}) {
  override get message() {
    return Model.authorizationRequestNotPendingText(this.id, this.status)
  }
}

// -----------------------------------------------------------------------------
// the service
// -----------------------------------------------------------------------------

/**
 * The region an emulator stands for unless told otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRegion: typeof Model.defaultRegion = Model.defaultRegion

/**
 * The AWS credentials an emulator accepts on CreateTokenWithIAM unless told
 * otherwise. They are test values (in AWS's documentation style) that no AWS
 * account knows.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultIamCredentials: Credentials = {
  accessKeyId: Model.defaultIamKeys.accessKeyId,
  secretAccessKey: Redacted.make(Model.defaultIamKeys.secretAccessKey)
}

/**
 * The application an emulator serves on CreateTokenWithIAM unless told
 * otherwise: the ARN of the model's examples, the loopback redirect URI of
 * the AWS CLI and the default scopes of an application.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultApplication: Application = Model.defaultApplication

/**
 * The accounts an emulator's portal assigns unless told otherwise: two
 * accounts (test ids no AWS account has) with a few roles each.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultAccounts: ReadonlyArray<Account> = Model.defaultAccounts

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The emulator's base URL, used in `verificationUri`. Default
   * `https://emulator.invalid` ({@link inProcessUrl}); `NodeEmulator.layer` sets the real one.
   */
  readonly url?: string | undefined
  /**
   * The polling interval StartDeviceAuthorization returns and CreateToken
   * enforces. Default 1 second, as the model's example and the real service
   * answer. Sent in whole seconds (rounded up); 0 turns slow_down off.
   */
  readonly interval?: Duration.Input | undefined
  /** How long a device code lives (`expiresIn`). Default 600 seconds. Whole seconds (rounded down). */
  readonly deviceCodeExpiresIn?: Duration.Input | undefined
  /** Access token lifetime (CreateToken `expiresIn`). Default 3600 seconds. Whole seconds (rounded down). */
  readonly tokenExpiresIn?: Duration.Input | undefined
  /** How long a registration lives (`clientSecretExpiresAt`). Default 90 days. */
  readonly registrationLifetime?: Duration.Input | undefined
  /**
   * Approve every device authorization this long after StartDeviceAuthorization,
   * in `Clock` time. Default: never (approve through the page or {@link Service.approve}).
   * Device codes only: `/authorize` requests always wait for a decision (the
   * page, or {@link Service.approveAuthorizationRequest}).
   */
  readonly autoApproveAfter?: Duration.Input | undefined
  /**
   * How long an `/authorize` request waits for a decision, and how long the
   * code issued on approval lives. Default 600 seconds. Whole seconds.
   */
  readonly authorizationCodeExpiresIn?: Duration.Input | undefined
  /**
   * The region the emulator stands for: CreateTokenWithIAM must be signed for
   * it, and a refresh token issued for another region is answered with
   * InvalidRequestRegion. Default {@link defaultRegion}.
   */
  readonly region?: string | undefined
  /**
   * The only AWS credentials CreateTokenWithIAM accepts (its SigV4 signature
   * is verified with them). A session token, when given, must be sent too.
   * Default {@link defaultIamCredentials}.
   */
  readonly iamCredentials?: Credentials | undefined
  /** The applications CreateTokenWithIAM serves. Default `[defaultApplication]`. */
  readonly applications?: ReadonlyArray<Application> | undefined
  /** Faults in force from the start (see {@link Service.setFaults}). */
  readonly faults?: ReadonlyArray<FaultRule> | undefined
  /** The accounts and roles the portal assigns to the user (see {@link Service.setAccounts}). Default {@link defaultAccounts}. */
  readonly accounts?: ReadonlyArray<Account> | undefined
  /** How long GetRoleCredentials' credentials live (`expiration` = now + this). Default 1 hour. */
  readonly roleCredentialsExpiresIn?: Duration.Input | undefined
  /** The page size of ListAccounts and ListAccountRoles when `max_result` is absent: 1 to 100, default 20. */
  readonly pageSize?: number | undefined
  /**
   * The most records of each kind (registrations, device authorizations,
   * access tokens, refresh tokens, `/authorize` requests) the emulator keeps;
   * beyond it the oldest are forgotten. Default 10,000. Besides, each record
   * is forgotten an hour after its own lifetime ends (swept at most once a
   * minute of `Clock` time, when a request arrives), so a long-running
   * emulator stays bounded.
   *
   * @since 0.2.0
   */
  readonly maxRecords?: number | undefined
}

/**
 * The emulator: its handler and the controls tests use.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The base URL clients use as their endpoint, without a trailing slash. */
  readonly url: string
  /** The request handler both front ends use. Reads time only from `Clock`. */
  readonly handle: (request: HandlerRequest) => Effect.Effect<HandlerResponse>
  /** Approves the device authorization with this user code (any case, dash optional). */
  readonly approve: (userCode: string) => Effect.Effect<void, UnknownUserCode | AuthorizationNotPending>
  /** Denies the device authorization with this user code. */
  readonly deny: (userCode: string) => Effect.Effect<void, UnknownUserCode | AuthorizationNotPending>
  /** Makes the device authorization with this user code expire now. */
  readonly expireAuthorization: (userCode: string) => Effect.Effect<void, UnknownUserCode>
  /**
   * Approves a pending `/authorize` request, as its page's Approve button
   * does, and returns where the browser is sent: `redirect_uri?code=…&state=…`.
   */
  readonly approveAuthorizationRequest: (
    id: string
  ) => Effect.Effect<string, UnknownAuthorizationRequest | AuthorizationRequestNotPending>
  /**
   * Denies a pending `/authorize` request and returns where the browser is
   * sent: `redirect_uri?error=access_denied&error_description=…&state=…`.
   */
  readonly denyAuthorizationRequest: (
    id: string
  ) => Effect.Effect<string, UnknownAuthorizationRequest | AuthorizationRequestNotPending>
  /** The `/authorize` requests, oldest first, with their status now. */
  readonly authorizationRequests: Effect.Effect<ReadonlyArray<AuthorizationRequestView>>
  /** The region the emulator stands for. */
  readonly region: string
  /** The AWS credentials CreateTokenWithIAM accepts. */
  readonly iamCredentials: Credentials
  /** The applications CreateTokenWithIAM serves. */
  readonly applications: ReadonlyArray<Application>
  /** The device authorizations, oldest first, with their status now. */
  readonly authorizations: Effect.Effect<ReadonlyArray<AuthorizationView>>
  /** The client registrations, oldest first. */
  readonly registrations: Effect.Effect<ReadonlyArray<RegistrationView>>
  /** The tokens issued, oldest first. */
  readonly tokens: Effect.Effect<ReadonlyArray<TokenView>>
  /** The requests received, oldest first (the last 1000). */
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
  /** How many requests of each kind were received. */
  readonly counts: Effect.Effect<RequestCounts>
  /** The accounts the portal assigns now. */
  readonly accounts: Effect.Effect<ReadonlyArray<Account>>
  /** Replaces the portal's accounts; page tokens already handed out continue at the same offset. */
  readonly setAccounts: (accounts: ReadonlyArray<Account>) => Effect.Effect<void>
  /** The role credentials the portal issued, oldest first. */
  readonly roleCredentials: Effect.Effect<ReadonlyArray<RoleCredentialsView>>
  /** Replaces the fault rules (their counts start afresh). */
  readonly setFaults: (faults: ReadonlyArray<FaultRule>) => Effect.Effect<void>
  /** Removes every fault rule. */
  readonly clearFaults: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Service<Emulator, Emulator.Service>()("effect-sso-oidc/Emulator") {}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace Emulator {
  /**
   * @since 0.1.0
   * @category models
   */
  export type Service = EmulatorService
}

type EmulatorService = Service

/**
 * The URL of the in-process emulator (`.invalid` can never resolve, so a
 * request that escapes to the network fails at once). `https`, as the client
 * accepts plain http only to loopback addresses; no TLS is involved in-process.
 *
 * @since 0.1.0
 * @category constants
 */
export const inProcessUrl = "https://emulator.invalid"

const maxLoggedRequests = 1000

/** The largest request body the HTTP server reads (the service's requests are a few KiB). */
const maxRequestBody = 1024 * 1024

const secondsOf = (input: Duration.Input | undefined, fallback: number, round: (n: number) => number) =>
  input === undefined ? fallback : Math.max(0, round(Duration.toMillis(Duration.fromInputUnsafe(input)) / 1000))

/**
 * Builds an emulator: its state, handler and controls. Nothing is served;
 * see `NodeEmulator.layer`, {@link layerInProcess}, {@link toHttpApp} and
 * {@link toHttpClient}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service> =>
  Effect.gen(function*() {
    const settings: State.Settings = {
      baseUrl: (options.url ?? inProcessUrl).replace(/\/+$/, ""),
      intervalSeconds: secondsOf(options.interval, 1, Math.ceil),
      deviceCodeExpiresInSeconds: secondsOf(options.deviceCodeExpiresIn, 600, Math.floor),
      tokenExpiresInSeconds: secondsOf(options.tokenExpiresIn, 3600, Math.floor),
      registrationLifetimeSeconds: secondsOf(options.registrationLifetime, 90 * 24 * 60 * 60, Math.floor),
      autoApproveAfterMillis: options.autoApproveAfter === undefined
        ? undefined
        : Duration.toMillis(Duration.fromInputUnsafe(options.autoApproveAfter)),
      region: options.region ?? defaultRegion,
      authorizationCodeExpiresInSeconds: secondsOf(options.authorizationCodeExpiresIn, 600, Math.floor),
      applications: (options.applications ?? [defaultApplication]).map((app) => ({
        applicationArn: app.applicationArn,
        name: app.name ?? app.applicationArn,
        redirectUris: app.redirectUris,
        scopes: app.scopes
      })),
      idTokenKey: globalThis.crypto.getRandomValues(new Uint8Array(32)),
      maxRecords: options.maxRecords ?? State.defaultMaxRecords
    }
    const iamCredentials = options.iamCredentials ?? defaultIamCredentials
    const state = yield* Ref.make<State.State>(State.empty)
    const faults = yield* Ref.make(Faults.arm(options.faults ?? []))
    const log = yield* Ref.make<ReadonlyArray<RequestRecord>>([])
    const counts = yield* Ref.make<RequestCounts>(Handler.zeroCounts)
    const accounts = yield* Ref.make<ReadonlyArray<Account>>(options.accounts ?? defaultAccounts)
    const portalSettings: Portal.PortalSettings = {
      roleCredentialsExpiresInMillis: options.roleCredentialsExpiresIn === undefined
        ? 60 * 60 * 1000
        : Math.max(0, Math.floor(Duration.toMillis(Duration.fromInputUnsafe(options.roleCredentialsExpiresIn)))),
      pageSize: Math.min(100, Math.max(1, Math.floor(options.pageSize ?? 20))),
      pageTokenKey: globalThis.crypto.getRandomValues(new Uint8Array(32))
    }

    const now = Clock.currentTimeMillis

    // --- operations -----------------------------------------------------------

    /** SigV4 first: an unsigned or badly signed CreateTokenWithIAM never reaches the service. */
    const authenticateSigV4 = (request: HandlerRequest, requestId: string, auth: Operations.SigV4Auth) =>
      Effect.map(now, (at): HandlerResponse | undefined => {
        const verdict = SigV4.verify(request, {
          accessKeyId: iamCredentials.accessKeyId,
          secretAccessKey: Redacted.value(iamCredentials.secretAccessKey),
          sessionToken: iamCredentials.sessionToken === undefined
            ? undefined
            : Redacted.value(iamCredentials.sessionToken),
          region: settings.region,
          service: auth.signingName,
          now: at
        })
        return verdict._tag === "Valid"
          ? undefined
          : Wire.authFailureReply(verdict.name, verdict.message, requestId, SigV4.coralServiceSuffix)
      })

    const operation = (kind: OperationName, bodyText: string): Effect.Effect<Wire.Outcome> =>
      Effect.gen(function*() {
        const body = Wire.parseObject(bodyText)
        if (body._tag === "Err") return body
        switch (kind) {
          case "RegisterClient": {
            const fresh = { clientId: yield* Random_.token(24), clientSecret: yield* Random_.token(96) }
            const at = yield* now
            return yield* Ref.modify(state, (s) => State.registerClient(s, body.value, at, fresh, settings))
          }
          case "StartDeviceAuthorization": {
            for (;;) {
              const fresh = { deviceCode: yield* Random_.token(48), userCode: yield* Random_.userCode }
              const at = yield* now
              const outcome = yield* Ref.modify(
                state,
                (s) => State.startDeviceAuthorization(s, body.value, at, fresh, settings)
              )
              if (outcome !== "collision") return outcome
            }
          }
          case "CreateToken": {
            const fresh = { accessToken: yield* Random_.token(64, "aoa"), refreshToken: yield* Random_.token(64, "aor") }
            const at = yield* now
            return yield* Ref.modify(state, (s) => State.createToken(s, body.value, at, fresh, settings))
          }
          case "CreateTokenWithIAM": {
            const fresh = {
              accessToken: yield* Random_.token(64, "aoa"),
              refreshToken: yield* Random_.token(64, "aor"),
              identityContext: yield* Random_.token(48)
            }
            const at = yield* now
            return yield* Ref.modify(state, (s) => Iam.createTokenWithIam(s, body.value, at, fresh, settings))
          }
        }
      })

    const portal = (kind: PortalOperationName, request: HandlerRequest, requestId: string) =>
      Effect.gen(function*() {
        const fresh = yield* Random_.roleCredentials
        const at = yield* now
        const assigned = yield* Ref.get(accounts)
        const outcome = yield* Ref.modify(
          state,
          (s) => Portal.handle(s, kind, request, at, assigned, fresh, portalSettings)
        )
        if (outcome._tag === "Err") return Wire.portalErrorReply(outcome.name, outcome.message, requestId)
        return outcome.body === undefined
          ? { status: 200, headers: Wire.jsonHeaders(requestId), bodyText: "" }
          : Wire.jsonReply(outcome.body, requestId)
      })

    const api = (kind: OperationName | PortalOperationName, request: HandlerRequest, requestId: string) =>
      Effect.gen(function*() {
        const armed = yield* Ref.get(faults)
        const draws: Array<number> = []
        for (const entry of armed) {
          const ratio = entry.rule.ratio ?? 1
          draws.push(ratio >= 1 ? 0 : yield* Random.next)
        }
        const selection = yield* Ref.modify(faults, (current) =>
          // The draws were made for `armed`; if the rules changed meanwhile, draw-less rules still decide.
          Faults.select<Fault, FaultRule>(current, kind, current === armed ? draws : []))
        for (const delay of selection.delays) yield* Effect.sleep(delay.duration)
        const service = Handler.isPortalOperation(kind) ? Operations.ssoPortal : Operations.ssoOidc
        if (selection.reply !== undefined) {
          return { reply: Faults.faultReply(selection.reply, requestId, service), fired: selection.fired }
        }
        let reply: HandlerResponse
        if (Handler.isPortalOperation(kind)) {
          reply = yield* portal(kind, request, requestId)
        } else {
          const auth: Operations.Auth = Operations.operations[kind].auth
          const refused = auth.type === "sigv4" ? yield* authenticateSigV4(request, requestId, auth) : undefined
          reply = refused ?? Wire.outcomeReply(yield* operation(kind, request.bodyText), requestId)
        }
        return {
          reply: selection.contentType === undefined
            ? reply
            : { ...reply, headers: { ...reply.headers, "content-type": selection.contentType } },
          fired: selection.fired
        }
      })

    // --- the pages (the verification page and /authorize) --------------------

    const decideRequest = (decision: State.Decision, id: string) =>
      Effect.gen(function*() {
        const code = yield* Random_.token(48)
        const at = yield* now
        return yield* Ref.modify(
          state,
          (s) => State.decideAuthorizationRequest(s, id, decision, at, { code }, settings)
        )
      })

    const verificationPage = (request: HandlerRequest, requestId: string): Effect.Effect<HandlerResponse> =>
      Effect.flatMap(now, (at) => Ref.modify(state, (s) => Handler.verificationPage(s, request, at, settings, requestId)))

    const authorizationPage = (request: HandlerRequest, requestId: string): Effect.Effect<HandlerResponse> =>
      Effect.gen(function*() {
        const fresh = { id: yield* Random_.token(24), code: yield* Random_.token(48) }
        const at = yield* now
        return yield* Ref.modify(state, (s) => Handler.authorizationPage(s, request, at, fresh, settings, requestId))
      })

    // --- the handler ------------------------------------------------------------

    const record = (entry: RequestRecord) =>
      Ref.update(log, (all) => [...(all.length >= maxLoggedRequests ? all.slice(1) : all), entry])

    const respond = (
      kind: RequestKind,
      request: HandlerRequest,
      requestId: string
    ): Effect.Effect<{ readonly reply: HandlerResponse; readonly fired: ReadonlyArray<Fault["_tag"]> }> => {
      switch (kind) {
        case "VerificationPage":
          return Effect.map(verificationPage(request, requestId), (reply) => ({ reply, fired: [] }))
        case "AuthorizationPage":
          return Effect.map(authorizationPage(request, requestId), (reply) => ({ reply, fired: [] }))
        case "Unknown":
          return Effect.succeed({ reply: Handler.unknownOperationReply(request, requestId), fired: [] })
        default:
          return api(kind, request, requestId)
      }
    }

    const handle = Effect.fn("Emulator.handle")(function*(request: HandlerRequest) {
      const arrivedAt = yield* now
      const requestId = yield* Random_.requestId
      const kind = Handler.requestKind(request)
      yield* Effect.annotateCurrentSpan({ "emulator.request.kind": kind, "http.request.method": request.method })
      yield* Ref.update(counts, (all) => ({ ...all, [kind]: all[kind] + 1 }))
      const entry = (reply: HandlerResponse | undefined, fired: ReadonlyArray<Fault["_tag"]>): RequestRecord => ({
        kind,
        method: request.method,
        path: request.path,
        at: new Date(arrivedAt),
        status: reply === undefined || reply.resetConnection === true ? undefined : reply.status,
        errorName: reply === undefined ? undefined : Wire.errorNameOf(reply),
        faults: fired
      })
      const { fired, reply } = yield* respond(kind, request, requestId).pipe(
        // A caller that gives up (a timeout during an injected delay) still leaves a trace.
        Effect.onInterrupt(() => record(entry(undefined, [])))
      )
      yield* record(entry(reply, fired))
      // Expiry and caps: the state stays bounded however long the emulator runs.
      const after = yield* now
      yield* Ref.update(state, (s) => State.housekeep(s, after, settings))
      return request.method === "HEAD" ? { ...reply, bodyText: "" } : reply
    })

    // --- controls ---------------------------------------------------------------

    const decideControl = (decision: State.Decision, userCode: string) =>
      Effect.gen(function*() {
        const at = yield* now
        const code = Random_.normalizeUserCode(userCode)
        const outcome = yield* Ref.modify(state, (s) => State.decide(s, code, decision, at, settings))
        switch (outcome._tag) {
          case "Done":
            return
          case "Unknown":
            return yield* new UnknownUserCode({ userCode })
          case "NotPending":
            return yield* new AuthorizationNotPending({ userCode: code, status: outcome.status })
        }
      })

    const approve = Effect.fn("Emulator.approve")(function*(userCode: string) {
      return yield* decideControl("approved", userCode)
    })
    const deny = Effect.fn("Emulator.deny")(function*(userCode: string) {
      return yield* decideControl("denied", userCode)
    })

    const expireAuthorization = Effect.fn("Emulator.expireAuthorization")(function*(userCode: string) {
      const at = yield* now
      const outcome = yield* Ref.modify(state, (s) => State.expire(s, Random_.normalizeUserCode(userCode), at))
      if (outcome._tag === "Unknown") return yield* new UnknownUserCode({ userCode })
    })

    const decideRequestControl = (
      decision: State.Decision,
      id: string
    ): Effect.Effect<string, UnknownAuthorizationRequest | AuthorizationRequestNotPending> =>
      Effect.gen(function*() {
        const outcome = yield* decideRequest(decision, id)
        switch (outcome._tag) {
          case "Redirect":
            return outcome.location
          case "Unknown":
            return yield* new UnknownAuthorizationRequest({ id })
          case "NotPending":
            return yield* new AuthorizationRequestNotPending({ id, status: outcome.status })
        }
      })

    const approveAuthorizationRequest = Effect.fn("Emulator.approveAuthorizationRequest")(function*(id: string) {
      return yield* decideRequestControl("approved", id)
    })
    const denyAuthorizationRequest = Effect.fn("Emulator.denyAuthorizationRequest")(function*(id: string) {
      return yield* decideRequestControl("denied", id)
    })

    const authorizationRequests = Effect.gen(function*() {
      const at = yield* now
      const s = yield* Ref.get(state)
      return Array.from(s.authorizationRequests.values(), (request): AuthorizationRequestView => ({
        id: request.id,
        clientId: request.clientId,
        clientName: request.clientName,
        redirectUri: request.redirectUri,
        state: request.state,
        codeChallenge: request.codeChallenge,
        scopes: request.scopes,
        status: State.requestStatusAt(request, at),
        createdAt: new Date(request.createdAt),
        expiresAt: new Date(request.expiresAt),
        code: request.code === undefined ? undefined : Redacted.make(request.code),
        codeExpiresAt: request.codeExpiresAt === undefined ? undefined : new Date(request.codeExpiresAt)
      }))
    })

    const authorizations = Effect.gen(function*() {
      const at = yield* now
      const s = yield* Ref.get(state)
      return Array.from(s.authorizations.values(), (auth): AuthorizationView => ({
        userCode: auth.userCode,
        deviceCode: Redacted.make(auth.deviceCode),
        clientId: auth.clientId,
        startUrl: auth.startUrl,
        status: State.statusAt(auth, at, settings),
        interval: Duration.seconds(auth.intervalSeconds),
        issuedAt: new Date(auth.issuedAt),
        expiresAt: new Date(auth.expiresAt),
        polls: auth.polls,
        slowDowns: auth.slowDowns,
        lastPollAt: auth.lastPollAt === undefined ? undefined : new Date(auth.lastPollAt)
      }))
    })

    const registrations = Effect.map(Ref.get(state), (s) =>
      Array.from(s.clients.values(), (client): RegistrationView => ({
        clientId: client.clientId,
        clientSecret: Redacted.make(client.clientSecret),
        clientName: client.clientName,
        clientType: client.clientType,
        scopes: client.scopes,
        grantTypes: client.grantTypes,
        redirectUris: client.redirectUris,
        issuerUrl: client.issuerUrl,
        clientIdIssuedAt: client.clientIdIssuedAt,
        clientSecretExpiresAt: client.clientSecretExpiresAt
      })))

    const dateOf = (millis: number | undefined) => millis === undefined ? undefined : new Date(millis)

    const tokens = Effect.map(Ref.get(state), (s) =>
      Array.from(s.tokens.values(), (token): TokenView => ({
        accessToken: Redacted.make(token.accessToken),
        refreshToken: token.refreshToken === undefined ? undefined : Redacted.make(token.refreshToken),
        refreshTokenActive: token.refreshToken !== undefined &&
          s.refreshTokens.get(token.refreshToken)?.active === true,
        clientId: token.clientId,
        grantType: token.grantType,
        scopes: token.scopes,
        issuedAt: new Date(token.issuedAt),
        expiresAt: new Date(token.expiresAt),
        revokedAt: dateOf(s.revokedAccessTokens.get(token.accessToken))
      })))

    const roleCredentials = Effect.map(Ref.get(state), (s) =>
      s.roleCredentials.map((record): RoleCredentialsView => ({
        accountId: record.accountId,
        roleName: record.roleName,
        accessKeyId: record.accessKeyId,
        secretAccessKey: Redacted.make(record.secretAccessKey),
        sessionToken: Redacted.make(record.sessionToken),
        issuedAt: new Date(record.issuedAt),
        expiresAt: new Date(record.expiresAt)
      })))

    return Emulator.of({
      url: settings.baseUrl,
      handle,
      approve,
      deny,
      expireAuthorization,
      approveAuthorizationRequest,
      denyAuthorizationRequest,
      authorizationRequests,
      region: settings.region,
      iamCredentials,
      applications: settings.applications,
      authorizations,
      registrations,
      tokens,
      requests: Ref.get(log),
      counts: Ref.get(counts),
      accounts: Ref.get(accounts),
      setAccounts: (next) => Ref.set(accounts, next),
      roleCredentials,
      setFaults: (rules) => Ref.set(faults, Faults.arm(rules)),
      clearFaults: Ref.set(faults, [])
    })
  })

// -----------------------------------------------------------------------------
// front ends
// -----------------------------------------------------------------------------

const decoder = new TextDecoder()

/** An `HttpClientError` whose reason is an `EncodeError` (the request body could not be read). */
const encodeError = (request: HttpClientRequest.HttpClientRequest, description: string, cause?: unknown) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.EncodeError({ request, description, ...(cause === undefined ? {} : { cause }) })
  })

/** An `HttpClientError` whose reason is a `TransportError` (as a failed connection is). */
const transportError = (request: HttpClientRequest.HttpClientRequest, description: string, cause: unknown) =>
  new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, description, cause }) })

const requestBodyText = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<string, HttpClientError.HttpClientError> => {
  const body = request.body
  const unsupported = (what: string) =>
    Effect.fail(encodeError(request, `the in-process emulator cannot read a ${what} body`))
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      if (typeof body.body === "string") return Effect.succeed(body.body)
      if (body.body instanceof Uint8Array) return Effect.succeed(decoder.decode(body.body))
      return unsupported("raw")
    case "FormData":
      return unsupported("FormData")
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((parts) => {
          const all = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
          let offset = 0
          for (const part of parts) {
            all.set(part, offset)
            offset += part.length
          }
          return decoder.decode(all)
        }),
        Effect.mapError((cause) => encodeError(request, "the in-process emulator could not read the body stream", cause))
      )
  }
}

/**
 * An `HttpClient` that hands every request to the emulator's handler in the
 * caller's fiber: no socket, and the handler reads the caller's `Clock`, so a
 * login runs in virtual time under `TestClock`. Requests to any other origin
 * than the emulator's `url` fail with an `HttpClientError` (reason `TransportError`),
 * so a misconfigured endpoint cannot reach the network. A `Reset` fault fails
 * with an `HttpClientError` of reason `TransportError` too.
 *
 * @since 0.1.0
 * @category front ends
 */
export const toHttpClient = (emulator: Service): HttpClient.HttpClient => {
  const origin = new URL(emulator.url).origin
  return HttpClient.make((request, url) =>
    Effect.gen(function*() {
      if (url.origin !== origin) {
        return yield* transportError(
          request,
          `the in-process emulator serves only ${origin}`,
          Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: "ENOTFOUND" })
        )
      }
      const bodyText = yield* requestBodyText(request)
      const reply = yield* emulator.handle({
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        // A transport sends `host`; SigV4 signs it.
        headers: request.headers["host"] === undefined ? { ...request.headers, host: url.host } : request.headers,
        bodyText
      })
      if (reply.resetConnection === true) {
        return yield* transportError(
          request,
          "connection reset by the emulator (injected fault)",
          Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })
        )
      }
      const nullBody = reply.bodyText === "" || request.method === "HEAD" || [204, 205, 304].includes(reply.status)
      return HttpClientResponse.fromWeb(
        request,
        new Response(nullBody ? null : reply.bodyText, { status: reply.status, headers: reply.headers })
      )
    })
  )
}

/**
 * Drops the connection of a Node request (an RST where the platform allows).
 * Returns false on other platforms.
 */
const resetNodeConnection = (request: HttpServerRequest.HttpServerRequest): boolean => {
  // Duck-typed so that this module imports nothing of Node's.
  const socket = (request.source as { readonly socket?: NodeSocketLike } | undefined)?.socket
  if (socket === undefined || typeof socket.destroy !== "function") return false
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
  else socket.destroy()
  return true
}

interface NodeSocketLike {
  readonly destroy: () => void
  readonly resetAndDestroy?: () => void
}

/**
 * An HTTP app: an effect that answers the `HttpServerRequest` in its context
 * (what `HttpServer.serve` takes; Effect 4 has no `HttpApp` module).
 *
 * @since 1.0.0
 * @category models
 */
export type HttpApp = Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>

/**
 * The emulator as an {@link HttpApp}, to serve with any `HttpServer`. A `Reset`
 * fault destroys the socket on Node and interrupts the reply elsewhere.
 *
 * @since 0.1.0
 * @category front ends
 */
export const toHttpApp = (emulator: Service): HttpApp =>
  // Effect 4's server runs a handler uninterruptibly; the emulator's must stop when its client goes
  // away or its server stops, even in the middle of a Delay fault.
  Effect.interruptible(
    Effect.provideService(handleServerRequest(emulator), HttpIncomingMessage.MaxBodySize, ByteSize.bytes(maxRequestBody))
  )

const handleServerRequest = (emulator: Service): HttpApp =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const url = new URL(request.url, emulator.url)
    const bodyText = yield* Effect.result(request.text)
    if (bodyText._tag === "Failure") {
      const requestId = yield* Random_.requestId
      const reply = Wire.errorReply("InvalidRequestException", "The request body could not be read", requestId)
      return HttpServerResponse.text(reply.bodyText, {
        status: reply.status,
        headers: reply.headers,
        contentType: "application/json"
      })
    }
    const reply = yield* emulator.handle({
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      bodyText: bodyText.success
    })
    if (reply.resetConnection === true) {
      // The socket is gone (on Node); the reply is abandoned. Effect 4's Node server does not always
      // interrupt a fiber whose socket was destroyed before the reply started, so end it here.
      resetNodeConnection(request)
      return yield* Effect.interrupt
    }
    const contentType = headerOf(reply.headers, "content-type")
    return HttpServerResponse.text(reply.bodyText, {
      status: reply.status,
      headers: reply.headers,
      ...(contentType === undefined ? {} : { contentType })
    })
  })

/**
 * The emulator with no server: the `Emulator` and an `HttpClient` that calls
 * it in-process (see {@link toHttpClient}). Point the client at `url`
 * (default {@link inProcessUrl}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerInProcess = (options: Options = {}): Layer.Layer<Emulator | HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(make(options), (emulator) =>
      Context.make(Emulator, emulator).pipe(Context.add(HttpClient.HttpClient, toHttpClient(emulator))))
  )
