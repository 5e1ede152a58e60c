/**
 * The SSO portal client (`portal.sso`): GetRoleCredentials, ListAccounts,
 * ListAccountRoles and Logout as Effects with typed errors, and the two list
 * operations as `Stream`s over every page. The portal is what turns a
 * signed-in session (an SSO OIDC access token) into AWS credentials.
 *
 * Requests are unsigned: the access token travels in the
 * `x-amz-sso_bearer_token` header, `Redacted` until then and redacted in the
 * platform's spans; the other members travel in the query string, as the
 * operations table places them. Replies go through the same guards as the
 * SSO OIDC client's (no redirect is followed, a size cap on decoded bytes,
 * a per-attempt timeout), and transient failures — no reply, 429
 * TooManyRequests, 500/502/503/504 — are retried with exponential backoff and
 * jitter.
 *
 * @since 0.2.0
 */
import type * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { portalErrorOf } from "./core/errorReply.js"
import * as Endpoint from "./Endpoint.js"
import * as Transport from "./internal/client.js"
import { endpointConfigFor, withConfigured } from "./internal/endpointConfig.js"
import * as Operations from "./internal/operations.js"
import { describeIssue } from "./internal/wire.js"
import type * as SsoOidcClient from "./SsoOidcClient.js"
import * as SsoOidcError from "./SsoOidcError.js"
import * as SsoPortalError from "./SsoPortalError.js"
import type * as SsoPortalSchema from "./SsoPortalSchema.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** The region the client was configured with, if any. */
  readonly region: string | undefined
  /** The resolved endpoint URL, or why it cannot be resolved. */
  readonly endpoint: Result.Result<string, Endpoint.EndpointError>
  /** The role's short-term AWS credentials (`GET /federation/credentials`). */
  readonly getRoleCredentials: (
    input: SsoPortalSchema.GetRoleCredentialsRequest
  ) => Effect.Effect<SsoPortalSchema.GetRoleCredentialsResponse, SsoPortalError.PortalReadError>
  /** One page of the accounts assigned to the user (`GET /assignment/accounts`). */
  readonly listAccounts: (
    input: SsoPortalSchema.ListAccountsRequest
  ) => Effect.Effect<SsoPortalSchema.ListAccountsResponse, SsoPortalError.PortalReadError>
  /** One page of the roles assigned to the user in an account (`GET /assignment/roles`). */
  readonly listAccountRoles: (
    input: SsoPortalSchema.ListAccountRolesRequest
  ) => Effect.Effect<SsoPortalSchema.ListAccountRolesResponse, SsoPortalError.PortalReadError>
  /** Ends the portal session and revokes the access token (`POST /logout`). */
  readonly logout: (input: SsoPortalSchema.LogoutRequest) => Effect.Effect<void, SsoPortalError.LogoutError>
  /** Every account assigned to the user, page after page as the stream is read. */
  readonly accounts: (
    accessToken: Redacted.Redacted<string>,
    options?: { readonly pageSize?: number | undefined }
  ) => Stream.Stream<SsoPortalSchema.AccountInfo, SsoPortalError.PortalReadError>
  /** Every role of `accountId` assigned to the user, page after page. */
  readonly accountRoles: (
    accessToken: Redacted.Redacted<string>,
    accountId: string,
    options?: { readonly pageSize?: number | undefined }
  ) => Stream.Stream<SsoPortalSchema.RoleInfo, SsoPortalError.PortalReadError>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class SsoPortalClient extends Context.Service<SsoPortalClient, Service>()("effect-sso-oidc/SsoPortalClient") {}

/**
 * The options of {@link layer}: the endpoint parameters of the portal's rule
 * set (`region` is the IAM Identity Center region, a profile's `sso_region`)
 * and the transport settings of `SsoOidcClient.Options`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options extends Endpoint.EndpointParameters {
  readonly retry?: SsoOidcClient.RetryOptions | false | undefined
  readonly timeout?: SsoOidcClient.Options["timeout"]
  readonly transformClient?: SsoOidcClient.Options["transformClient"]
}

/** The header that carries the access token, a secret. */
const secretHeaders = [Operations.portalOperations.GetRoleCredentials.bindings.accessToken.name]

/**
 * A query component as the AWS SDKs encode it (RFC 3986: a space is `%20`,
 * never the form encoding's `+`, which a service may read as a literal `+`).
 */
const encodeQuery = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** What an HTTP header value may hold: tab, visible ASCII and space, obs-text (no CR, LF or other controls). */
const validHeaderValue = /^[\t\x20-\x7e\x80-\xff]*$/

/** A portal error is transient when the service is busy or down, or nothing came back. */
const isTransient = (error: unknown): boolean =>
  (SsoPortalError.isSsoPortalError(error) && error._tag === "SsoPortalTooManyRequests") ||
  SsoOidcError.isTransient(error)

/**
 * Builds the service from an `HttpClient` in context.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options = {}) {
  const transport = yield* Transport.makeTransport(options)
  const endpoint = Endpoint.resolvePortal(options).pipe(Result.map(Transport.trimEndpoint))

  /** The request of an operation: each member where the table puts it. */
  const requestOf = (operation: Operations.Operation, encoded: Readonly<Record<string, unknown>>, url: string) => {
    const target = url + Operations.requestTarget(operation)
    const query: Array<string> = []
    const headers: Record<string, string> = { "user-agent": Transport.userAgent, accept: "application/json" }
    for (const [member, value] of Object.entries(encoded)) {
      if (value === undefined) continue
      const location = Operations.locationOf(operation, member)
      if (location.in === "query") query.push(`${encodeQuery(location.name)}=${encodeQuery(String(value))}`)
      else if (location.in === "header") headers[location.name] = String(value)
    }
    const separator = target.includes("?") ? "&" : "?"
    return HttpClientRequest.make(operation.http.method)(
      query.length === 0 ? target : `${target}${separator}${query.join("&")}`
    ).pipe(HttpClientRequest.setHeaders(headers))
  }

  /** A non-2xx reply as the portal's typed error, else `ServiceError` naming what came. */
  const errorOf = (
    operation: Operations.Operation,
    status: number,
    requestId: string | undefined,
    errorType: string | undefined,
    text: string
  ) => {
    const choice = portalErrorOf(operation, { status, requestId, errorType, body: text })
    return choice._tag === "Declared"
      ? new SsoPortalError.byWireName[choice.name](choice.fields)
      : new SsoOidcError.ServiceError(choice.fields)
  }

  const call = <I, IE, O, OE>(
    operation: Operations.Operation & { readonly input: Schema.Codec<I, IE>; readonly output: Schema.Codec<O, OE> }
  ) => {
    // Built once per operation, not per call: the coders and the span's name and attributes.
    const encode = Schema.encodeEffect(operation.input)
    const decode = Schema.decodeUnknownEffect(operation.output)
    const spanName = `SsoPortalClient.${operation.clientMethod}`
    const spanOptions = {
      attributes: { "rpc.system": "aws-api", "rpc.service": Operations.ssoPortal.rpcService, "rpc.method": operation.name },
      // A stack trace per call is most of a span's cost; the span's name says where it comes from.
      captureStackTrace: false
    } as const
    return (input: I) => Effect.withSpan(Effect.gen(function*() {
      const url = yield* Effect.fromResult(endpoint)
      const encoded = yield* encode(input).pipe(
        Effect.mapError((error) =>
          new SsoOidcError.InvalidInput({
            operation: operation.name,
            description: describeIssue(error.issue, "encode")
          })
        )
      )
      // A header value the HTTP stack refuses would fail with the value in its message (a
      // token from a damaged cache file, say) and be retried: refuse it here, unsent, unnamed.
      for (const [member, value] of Object.entries(encoded as Record<string, unknown>)) {
        if (Operations.locationOf(operation, member).in === "header" && !validHeaderValue.test(String(value))) {
          return yield* new SsoOidcError.InvalidInput({
            operation: operation.name,
            description: `${member} holds characters that cannot be sent in an HTTP header`
          })
        }
      }
      const request = requestOf(operation, encoded as Record<string, unknown>, url)
      const once = Effect.flatMap(
        transport.exchange(operation.name, request, secretHeaders),
        ({ response, text }): Effect.Effect<O, SsoPortalError.PortalReadError> => {
          const requestId = response.headers["x-amzn-requestid"]
          if (response.status < 200 || response.status > 299) {
            return Effect.fail(errorOf(operation, response.status, requestId, response.headers["x-amzn-errortype"], text))
          }
          const decodeError = (description: string) =>
            new SsoOidcError.ResponseDecodeError({
              operation: operation.name,
              status: response.status,
              requestId,
              description
            })
          // Logout answers with no body at all; for the others an empty 200 is a broken reply
          // (a proxy's), not a success without credentials or accounts.
          if (text.trim() === "" && operation.name !== Operations.portalOperations.Logout.name) {
            return Effect.fail(decodeError("empty body"))
          }
          let json: unknown
          try {
            json = text.trim() === "" ? {} : JSON.parse(text)
          } catch {
            return Effect.fail(decodeError("body is not JSON"))
          }
          return decode(json).pipe(
            Effect.mapError((error) => decodeError(describeIssue(error.issue)))
          )
        }
      )
      return yield* transport.retrying(once, isTransient)
    }), spanName, spanOptions)
  }

  const getRoleCredentials = call(Operations.portalOperations.GetRoleCredentials)
  const listAccounts = call(Operations.portalOperations.ListAccounts)
  const listAccountRoles = call(Operations.portalOperations.ListAccountRoles)
  const logoutCall = call(Operations.portalOperations.Logout)

  /** Every page, requested only as the stream is read; a repeated `nextToken` ends the walk. */
  const pages = <A>(
    page: (
      nextToken: string | undefined
    ) => Effect.Effect<
      { readonly items: ReadonlyArray<A>; readonly nextToken: string | undefined },
      SsoPortalError.PortalReadError
    >
  ): Stream.Stream<A, SsoPortalError.PortalReadError> =>
    Stream.paginate(
      { token: undefined as string | undefined, seen: new Set<string>() as ReadonlySet<string> },
      ({ seen, token }) =>
        Effect.map(page(token), ({ items, nextToken }) => {
          // A server that hands back a token it already gave would loop forever. The set is
          // copied, never changed: the initial state is shared by every run of the stream.
          const next = nextToken === undefined || nextToken === "" || seen.has(nextToken)
            ? Option.none()
            : Option.some({ token: nextToken, seen: new Set(seen).add(nextToken) as ReadonlySet<string> })
          return [items, next] as const
        })
    )

  return SsoPortalClient.of({
    region: options.region,
    endpoint,
    getRoleCredentials,
    listAccounts,
    listAccountRoles,
    // Logout declares no ResourceNotFound, so errorOf never builds one for it.
    logout: (input) => Effect.asVoid(logoutCall(input)) as Effect.Effect<void, SsoPortalError.LogoutError>,
    accounts: (accessToken, pageOptions) =>
      pages((nextToken) =>
        Effect.map(
          listAccounts({ accessToken, nextToken, maxResults: pageOptions?.pageSize }),
          (reply) => ({ items: reply.accountList ?? [], nextToken: reply.nextToken })
        )
      ),
    accountRoles: (accessToken, accountId, pageOptions) =>
      pages((nextToken) =>
        Effect.map(
          listAccountRoles({ accessToken, accountId, nextToken, maxResults: pageOptions?.pageSize }),
          (reply) => ({ items: reply.roleList ?? [], nextToken: reply.nextToken })
        )
      )
  })
})

/**
 * A layer of the service, given an `HttpClient`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<SsoPortalClient, never, HttpClient.HttpClient> =>
  Layer.effect(SsoPortalClient, make(options))

/**
 * The portal's endpoint settings from the environment, as the AWS CLI and
 * SDKs read them: `AWS_ENDPOINT_URL_SSO` (else `AWS_ENDPOINT_URL`; both
 * ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true), and the
 * region, FIPS and dual-stack settings of `SsoOidcClient.endpointConfig`.
 *
 * @since 0.2.0
 * @category config
 */
export const endpointConfig: Config.Config<Endpoint.EndpointParameters> =
  /* @__PURE__ */ endpointConfigFor("AWS_ENDPOINT_URL_SSO")

/**
 * A layer whose endpoint settings come from `Config` (see
 * {@link endpointConfig}); settings given in `options` win.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options: Options = {}
): Layer.Layer<SsoPortalClient, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrap(
    Effect.map(endpointConfig, (fromConfig) => layer(withConfigured(options, fromConfig)))
  )
