/**
 * The SSO OIDC service client: RegisterClient, StartDeviceAuthorization and
 * CreateToken as Effects with typed errors, over an injected `HttpClient`.
 *
 * The library never provides the `HttpClient`: applications pass
 * `FetchHttpClient.layer` (on Node, `NodeSso.layerHttpClient()` from
 * `effect-sso-oidc/node`: keep-alive connections), tests a scripted one.
 *
 * @since 0.1.0
 */
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as AwsCredentials from "./AwsCredentials.js"
import { oidcErrorOf, type OidcErrorFields } from "./core/errorReply.js"
import * as Endpoint from "./Endpoint.js"
import * as Transport from "./internal/client.js"
import { endpointConfigFor, withConfigured } from "./internal/endpointConfig.js"
import * as Operations from "./internal/operations.js"
import * as Signer from "./internal/signer.js"
import { describeIssue, withoutUndefined } from "./internal/wire.js"
import * as SsoOidcError from "./SsoOidcError.js"
import * as SsoOidcSchema from "./SsoOidcSchema.js"

/**
 * The service: one method per unsigned operation. No method needs anything in
 * its context, and none needs AWS credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The region the client was configured with, if any. */
  readonly region: string | undefined
  /** The resolved endpoint URL, or why it cannot be resolved. */
  readonly endpoint: Result.Result<string, Endpoint.EndpointError>
  /** Registers a public client with IAM Identity Center (`POST /client/register`). */
  readonly registerClient: (
    input: SsoOidcSchema.RegisterClientRequest
  ) => Effect.Effect<SsoOidcSchema.RegisterClientResponse, SsoOidcError.RegisterClientError>
  /** Starts a device authorization: the user code and the device code (`POST /device_authorization`). */
  readonly startDeviceAuthorization: (
    input: SsoOidcSchema.StartDeviceAuthorizationRequest
  ) => Effect.Effect<SsoOidcSchema.StartDeviceAuthorizationResponse, SsoOidcError.StartDeviceAuthorizationError>
  /** Creates access and refresh tokens for a registered client (`POST /token`). */
  readonly createToken: (
    input: SsoOidcSchema.CreateTokenRequest
  ) => Effect.Effect<SsoOidcSchema.CreateTokenResponse, SsoOidcError.CreateTokenError>
  /**
   * Creates tokens for an application authenticated with IAM
   * (`POST /token?aws_iam=t`), signed with SigV4 (signing name `sso-oauth`,
   * the client's region). The only operation that needs credentials.
   */
  readonly createTokenWithIam: (
    input: SsoOidcSchema.CreateTokenWithIamRequest
  ) => Effect.Effect<
    SsoOidcSchema.CreateTokenWithIamResponse,
    SsoOidcError.CreateTokenWithIamError | AwsCredentials.CredentialsError,
    AwsCredentials.AwsCredentials
  >
}

/**
 * @since 0.1.0
 * @category tags
 */
export class SsoOidcClient extends Context.Service<SsoOidcClient, Service>()("effect-sso-oidc/SsoOidcClient") {}

/**
 * How transient failures (no reply, timeout, HTTP 429/500/502/503/504) are
 * retried: exponential backoff from `base`, each delay drawn between half and
 * all of its step ("equal jitter") and capped at `cap`, at most `times` retries.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions extends Transport.RetryOptions {
  /** Retries after the first attempt. Default 3. */
  readonly times?: number | undefined
  /** The first step of the backoff. Default 100 ms. */
  readonly base?: Duration.Input | undefined
  /** The largest delay between two attempts. Default 20 s. */
  readonly cap?: Duration.Input | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends Endpoint.EndpointParameters {
  /** Retry policy for transient failures; `false` turns retries off. */
  readonly retry?: RetryOptions | false | undefined
  /** Time allowed for one attempt, reply body included. Default 30 s. */
  readonly timeout?: Duration.Input | undefined
  /** A hook to decorate the HTTP client (tracing, proxies, extra headers). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * Runs `effect` with the client's transient retries turned off, for callers
 * that own their retry policy: the device login's polling, which must keep
 * the interval between polls and backs off by itself.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withoutRetries = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, Transport.retriesDisabled, true)

/**
 * The `User-Agent` the client sends.
 *
 * @since 0.1.0
 * @category constants
 */
export const userAgent = Transport.userAgent

/** An operation of the table (src/internal/operations.ts), typed for the client. */
interface Operation<I, IE, O, OE, E, A extends Operations.Auth = Operations.Auth> {
  readonly name: SsoOidcError.OperationName
  /** The client method, for the span name. */
  readonly method: string
  readonly httpMethod: Operations.Http["method"]
  /** The path and literal query, e.g. `/token?aws_iam=t`. */
  readonly path: string
  readonly auth: A
  readonly input: Schema.Codec<I, IE>
  readonly output: Schema.Codec<O, OE>
  /** The reply's decoder, built once. */
  readonly decode: (json: unknown) => Effect.Effect<O, Schema.SchemaError>
  /** Only a phantom for the error type. */
  readonly _error?: E
}

type Entry<Name extends SsoOidcError.OperationName> = (typeof Operations.operations)[Name]

const operation = <Name extends SsoOidcError.OperationName>(name: Name): Operation<
  Schema.Schema.Type<Entry<Name>["input"]>,
  Schema.Codec.Encoded<Entry<Name>["input"]>,
  Schema.Schema.Type<Entry<Name>["output"]>,
  Schema.Codec.Encoded<Entry<Name>["output"]>,
  SsoOidcError.OperationError<Name>,
  Entry<Name>["auth"]
> => {
  const entry: Operations.Operation = Operations.operations[name]
  // Built on the first reply, not at import: start-up pays for no parser it does not use.
  let decode: ((json: unknown) => Effect.Effect<any, Schema.SchemaError>) | undefined
  return {
    name,
    method: entry.clientMethod,
    httpMethod: entry.http.method,
    path: Operations.requestTarget(entry),
    auth: entry.auth as Entry<Name>["auth"],
    input: entry.input,
    output: entry.output,
    decode: (json) => (decode ??= Schema.decodeUnknownEffect(entry.output))(json)
  }
}

const RegisterClient = operation("RegisterClient")
const StartDeviceAuthorization = operation("StartDeviceAuthorization")
const CreateToken = operation("CreateToken")
const CreateTokenWithIam = operation("CreateTokenWithIAM")

/** What signing adds to an operation's errors and requirements. */
type SignError<A> = A extends Operations.SigV4Auth ? AwsCredentials.CredentialsError | Endpoint.EndpointError : never
type SignRequirement<A> = A extends Operations.SigV4Auth ? AwsCredentials.AwsCredentials : never

type Signer<E, R> = (request: HttpClientRequest.HttpClientRequest, body: string) => Effect.Effect<
  HttpClientRequest.HttpClientRequest,
  E,
  R
>

/**
 * Builds the service from an `HttpClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.fnUntraced(function*(options: Options = {}) {
  const transport = yield* Transport.makeTransport(options)
  const endpoint = Endpoint.resolve(options).pipe(Result.map(Transport.trimEndpoint))
  // The session token of a signed request is a secret; the platform's http.client span records headers.
  const secretHeaders = ["x-amz-security-token"]
  const noSecretHeaders: ReadonlyArray<string> = []

  const attempt = <I, IE, O, OE, E, SE, SR>(
    op: Operation<I, IE, O, OE, E>,
    url: string,
    body: string,
    sign: Signer<SE, SR> | undefined
  ): Effect.Effect<
    O,
    E | SE | SsoOidcError.TransportError | SsoOidcError.ResponseDecodeError | SsoOidcError.UnexpectedRedirect,
    SR
  > =>
    Effect.gen(function*() {
      const unsigned = HttpClientRequest.make(op.httpMethod)(url + op.path).pipe(
        HttpClientRequest.setHeaders({ "user-agent": userAgent, accept: "application/json" }),
        // A string body goes to fetch as it is; a byte body makes undici stream it.
        HttpClientRequest.setBody(HttpBody.raw(body, { contentType: "application/json" }))
      )
      const request = sign === undefined ? unsigned : yield* sign(unsigned, body)
      const { response, text } = yield* transport.exchange(op.name, request, sign === undefined ? noSecretHeaders : secretHeaders)
      return yield* readReply(op, response, text)
    })

  const readReply = <I, IE, O, OE, E>(
    op: Operation<I, IE, O, OE, E>,
    response: HttpClientResponse.HttpClientResponse,
    text: string
  ): Effect.Effect<O, E> => {
    const requestId = response.headers["x-amzn-requestid"]
    if (response.status >= 200 && response.status < 300) {
      const decodeError = (description: string) =>
        new SsoOidcError.ResponseDecodeError({ operation: op.name, status: response.status, requestId, description })
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        return Effect.fail(decodeError(text.length === 0 ? "empty body" : "body is not JSON") as E)
      }
      return Effect.mapError(op.decode(json), (error) => decodeError(describeIssue(error.issue)) as E)
    }
    return Effect.fail(errorFromReply(op.name, response.status, requestId, response.headers["x-amzn-errortype"], text) as E)
  }

  const call = <I, IE, O, OE, E, A extends Operations.Auth>(op: Operation<I, IE, O, OE, E, A>) => {
    const sign = op.auth.type === "sigv4" ? signWith(op.auth) : undefined
    // Built once per operation, not per call: the encoder and the span's name and attributes.
    const encode = Schema.encodeEffect(op.input)
    const spanName = `SsoOidcClient.${op.method}`
    const spanOptions = {
      attributes: { "rpc.system": "aws-api", "rpc.service": Operations.ssoOidc.rpcService, "rpc.method": op.name },
      // A stack trace per call is most of a span's cost; the span's name says where it comes from.
      captureStackTrace: false
    } as const
    return ((input: I) =>
      Effect.withSpan(
        Effect.gen(function*() {
          const url = yield* Effect.fromResult(endpoint)
          const encoded = yield* Effect.mapError(encode(input), (error) =>
            new SsoOidcError.InvalidInput({ operation: op.name, description: describeIssue(error.issue, "encode") }))
          const body = JSON.stringify(withoutUndefined(encoded as Record<string, unknown>))
          return yield* transport.retrying(attempt(op, url, body, sign), SsoOidcError.isTransient)
        }),
        spanName,
        spanOptions
      )) as (input: I) => Effect.Effect<O, E | SignError<A>, SignRequirement<A>>
  }

  const signWith = (
    auth: Operations.SigV4Auth
  ): Signer<AwsCredentials.CredentialsError | Endpoint.EndpointError, AwsCredentials.AwsCredentials> =>
  (request, body) =>
    Effect.gen(function*() {
      if (options.region === undefined) {
        return yield* new Endpoint.EndpointError({ message: "Invalid Configuration: Missing Region" })
      }
      // Through the seam AwsCredentials.ts fills: an app that never provides credentials bundles no signer.
      return yield* Signer.sign(request, body, { region: options.region, service: auth.signingName })
    })

  return SsoOidcClient.of({
    region: options.region,
    endpoint,
    registerClient: call(RegisterClient),
    startDeviceAuthorization: call(StartDeviceAuthorization),
    createToken: call(CreateToken),
    createTokenWithIam: call(CreateTokenWithIam)
  })
})

/**
 * Turns a non-2xx reply into the operation's typed error, or `ServiceError`
 * when the operation does not declare the name (the choice is the core's).
 */
const errorFromReply = (
  operation: SsoOidcError.OperationName,
  status: number,
  requestId: string | undefined,
  errorType: string | undefined,
  body: string
): SsoOidcError.SsoOidcError => {
  const choice = oidcErrorOf(operation, { status, requestId, errorType, body })
  if (choice._tag === "Undeclared") return new SsoOidcError.ServiceError(choice.fields)
  const ErrorClass = SsoOidcError.byWireName[choice.name] as new(
    fields: OidcErrorFields
  ) => SsoOidcError.ServiceException
  return new ErrorClass(choice.fields)
}

/**
 * A layer of the service, given an `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<SsoOidcClient, never, HttpClient.HttpClient> =>
  Layer.effect(SsoOidcClient, make(options))

/**
 * The endpoint settings the AWS CLI and SDKs read from the environment:
 * `AWS_REGION` (else `AWS_DEFAULT_REGION`), `AWS_ENDPOINT_URL_SSO_OIDC` (else
 * `AWS_ENDPOINT_URL`; both ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
 * is true), `AWS_USE_FIPS_ENDPOINT` and `AWS_USE_DUALSTACK_ENDPOINT`.
 *
 * @since 0.1.0
 * @category config
 */
export const endpointConfig: Config.Config<Endpoint.EndpointParameters> =
  /* @__PURE__ */ endpointConfigFor("AWS_ENDPOINT_URL_SSO_OIDC")

/**
 * A layer of the service whose endpoint settings come from `Config` (the
 * environment by default, see {@link endpointConfig}). Settings given in
 * `options` win over the configuration.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Options = {}
): Layer.Layer<SsoOidcClient, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrap(
    Effect.map(endpointConfig, (fromConfig) => layer(withConfigured(options, fromConfig)))
  )
