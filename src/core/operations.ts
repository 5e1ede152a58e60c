/**
 * The operations table as plain data: each operation's name, HTTP binding,
 * auth and declared errors, and each service error's wire name, HTTP status
 * and OAuth `error` code — written once, read by both editions' clients, the
 * emulator, the error modules and the CLI. Each edition's
 * `internal/operations.ts` attaches its own input and output schemas to these
 * rows; `test/Operations.spec.test.ts` checks all of it against the Smithy model.
 *
 * The shape leaves room for services whose members travel outside the JSON
 * body (the SSO portal: `GET` with query and header members): a member is in
 * the body unless the operation's `bindings` place it in the query or a header.
 *
 * Effect-free: no import of `effect` (it is compiled into both editions).
 *
 * @internal
 */

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/** How a request is authenticated. */
export type Auth = NoAuth | SigV4Auth

/** Unsigned: the operation carries its own credentials (client secret, token) in its input. */
export interface NoAuth {
  readonly type: "none"
}

/** Signed with AWS Signature Version 4 under `signingName`, in the client's region. */
export interface SigV4Auth {
  readonly type: "sigv4"
  readonly signingName: string
}

/** Where an input member travels when it is not in the JSON body. */
export type Binding =
  | { readonly in: "query"; readonly name: string }
  | { readonly in: "header"; readonly name: string }

/** Where an input member travels. */
export type Location = { readonly in: "body"; readonly name: string } | Binding

/** The HTTP binding of an operation: method, path, and the literal query the path carries. */
export interface Http {
  readonly method: "GET" | "POST"
  /** The path without the query, e.g. `/token`. */
  readonly path: string
  /** Query parameters that are part of the operation's URI, e.g. `aws_iam=t`. */
  readonly query: Readonly<Record<string, string>>
}

/** A service: what its operations and errors share. */
export interface Service {
  /** The SDK id of the model (`aws.api#service`). */
  readonly sdkId: string
  /** The `rpc.service` span attribute. */
  readonly rpcService: string
  /** The SigV4 signing name (`aws.auth#sigv4`). */
  readonly signingName: string
  /** What AWS appends to an error name in `x-amzn-ErrorType`. */
  readonly errorNamespace: string
}

/** A service error: its HTTP status, OAuth `error` code and body members, in model order. */
export interface ErrorDefinition {
  readonly status: number
  readonly code: string
  readonly members: ReadonlyArray<string>
}

/** One operation. */
export interface Operation {
  /** The model's operation name, e.g. `CreateTokenWithIAM`. */
  readonly name: string
  /** The service the operation belongs to. */
  readonly service: Service
  /** The client method, e.g. `createTokenWithIam`. */
  readonly clientMethod: string
  /** The first sentence of the model's documentation, as plain text. */
  readonly documentation: string
  readonly http: Http
  readonly auth: Auth
  /** The wire names of the errors the model declares, in model order. */
  readonly errors: ReadonlyArray<string>
  /** Input members that travel outside the JSON body; all others are body members under their own name. */
  readonly bindings: Readonly<Record<string, Binding>>
}

// -----------------------------------------------------------------------------
// SSO OIDC
// -----------------------------------------------------------------------------

/** The SSO OIDC service (`com.amazonaws.ssooidc#AWSSSOOIDCService`, API 2019-06-10). */
export const ssoOidc = {
  sdkId: "SSO OIDC",
  rpcService: "SSOOIDC",
  signingName: "sso-oauth",
  errorNamespace: "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
} as const satisfies Service

const oauthError = ["error", "error_description"] as const

/** The 14 service errors of SSO OIDC, by wire name. */
export const ssoOidcErrors = {
  AccessDeniedException: { status: 400, code: "access_denied", members: ["error", "reason", "error_description"] },
  AuthorizationPendingException: { status: 400, code: "authorization_pending", members: oauthError },
  ExpiredTokenException: { status: 400, code: "expired_token", members: oauthError },
  InternalServerException: { status: 500, code: "server_error", members: oauthError },
  InvalidClientException: { status: 401, code: "invalid_client", members: oauthError },
  InvalidClientMetadataException: { status: 400, code: "invalid_client_metadata", members: oauthError },
  InvalidGrantException: { status: 400, code: "invalid_grant", members: oauthError },
  InvalidRedirectUriException: { status: 400, code: "invalid_redirect_uri", members: oauthError },
  InvalidRequestException: { status: 400, code: "invalid_request", members: ["error", "reason", "error_description"] },
  InvalidRequestRegionException: {
    status: 400,
    code: "invalid_request",
    members: ["error", "error_description", "endpoint", "region"]
  },
  InvalidScopeException: { status: 400, code: "invalid_scope", members: oauthError },
  SlowDownException: { status: 400, code: "slow_down", members: oauthError },
  UnauthorizedClientException: { status: 400, code: "unauthorized_client", members: oauthError },
  UnsupportedGrantTypeException: { status: 400, code: "unsupported_grant_type", members: oauthError }
} as const satisfies Record<string, ErrorDefinition>

/** The wire name of an SSO OIDC service error, e.g. `SlowDownException`. */
export type SsoOidcWireName = keyof typeof ssoOidcErrors

const unsigned = { type: "none" } as const satisfies Auth
const sigv4 = { type: "sigv4", signingName: ssoOidc.signingName } as const satisfies Auth

/** Every operation, by model name. */
export const operations = {
  RegisterClient: {
    name: "RegisterClient",
    service: ssoOidc,
    clientMethod: "registerClient",
    documentation: "Registers a public client with IAM Identity Center.",
    http: { method: "POST", path: "/client/register", query: {} },
    auth: unsigned,
    errors: [
      "InternalServerException",
      "InvalidClientMetadataException",
      "InvalidRedirectUriException",
      "InvalidRequestException",
      "InvalidScopeException",
      "SlowDownException",
      "UnsupportedGrantTypeException"
    ],
    bindings: {}
  },
  StartDeviceAuthorization: {
    name: "StartDeviceAuthorization",
    service: ssoOidc,
    clientMethod: "startDeviceAuthorization",
    documentation:
      "Initiates device authorization by requesting a pair of verification codes from the authorization service.",
    http: { method: "POST", path: "/device_authorization", query: {} },
    auth: unsigned,
    errors: [
      "InternalServerException",
      "InvalidClientException",
      "InvalidRequestException",
      "SlowDownException",
      "UnauthorizedClientException"
    ],
    bindings: {}
  },
  CreateToken: {
    name: "CreateToken",
    service: ssoOidc,
    clientMethod: "createToken",
    documentation:
      "Creates and returns access and refresh tokens for clients that are authenticated using client secrets.",
    http: { method: "POST", path: "/token", query: {} },
    auth: unsigned,
    errors: [
      "AccessDeniedException",
      "AuthorizationPendingException",
      "ExpiredTokenException",
      "InternalServerException",
      "InvalidClientException",
      "InvalidGrantException",
      "InvalidRequestException",
      "InvalidScopeException",
      "SlowDownException",
      "UnauthorizedClientException",
      "UnsupportedGrantTypeException"
    ],
    bindings: {}
  },
  CreateTokenWithIAM: {
    name: "CreateTokenWithIAM",
    service: ssoOidc,
    clientMethod: "createTokenWithIam",
    documentation:
      "Creates and returns access and refresh tokens for authorized client applications that are authenticated using any IAM entity, such as a service role or user.",
    http: { method: "POST", path: "/token", query: { aws_iam: "t" } },
    auth: sigv4,
    errors: [
      "AccessDeniedException",
      "AuthorizationPendingException",
      "ExpiredTokenException",
      "InternalServerException",
      "InvalidClientException",
      "InvalidGrantException",
      "InvalidRequestException",
      "InvalidRequestRegionException",
      "InvalidScopeException",
      "SlowDownException",
      "UnauthorizedClientException",
      "UnsupportedGrantTypeException"
    ],
    bindings: {}
  }
} as const satisfies Record<string, Operation & { readonly errors: ReadonlyArray<SsoOidcWireName> }>

// -----------------------------------------------------------------------------
// SSO portal
// -----------------------------------------------------------------------------

/**
 * The SSO portal service (`portal.sso`, botocore's `sso` 2019-06-10). Its
 * requests are unsigned: the access token is a header member. AWS's error
 * namespace for it is not documented, so the emulator sends bare names
 * (every client keeps only what is before the first `:`).
 */
export const ssoPortal = {
  sdkId: "SSO",
  rpcService: "SWBPortalService",
  signingName: "awsssoportal",
  errorNamespace: ""
} as const satisfies Service

/**
 * The portal's service errors, by wire name: the four of the model, and
 * `ForbiddenException`, which the real service sends (403, "No access") for a
 * role assignment it no longer honours although the model does not declare it.
 * The portal's errors carry `message`; `code` is unused (no OAuth code).
 */
export const ssoPortalErrors = {
  InvalidRequestException: { status: 400, code: "", members: ["message"] },
  UnauthorizedException: { status: 401, code: "", members: ["message"] },
  TooManyRequestsException: { status: 429, code: "", members: ["message"] },
  ResourceNotFoundException: { status: 404, code: "", members: ["message"] },
  ForbiddenException: { status: 403, code: "", members: ["message"] }
} as const satisfies Record<string, ErrorDefinition>

/** The wire name of a portal service error. */
export type SsoPortalWireName = keyof typeof ssoPortalErrors

const bearerToken = { in: "header", name: "x-amz-sso_bearer_token" } as const satisfies Binding
const portalReadErrors = [
  "InvalidRequestException",
  "UnauthorizedException",
  "TooManyRequestsException",
  "ResourceNotFoundException"
] as const

/** The portal's operations, by model name. */
export const portalOperations = {
  GetRoleCredentials: {
    name: "GetRoleCredentials",
    service: ssoPortal,
    clientMethod: "getRoleCredentials",
    documentation: "Returns the STS short-term credentials for a given role name that is assigned to the user.",
    http: { method: "GET", path: "/federation/credentials", query: {} },
    auth: unsigned,
    errors: portalReadErrors,
    bindings: {
      roleName: { in: "query", name: "role_name" },
      accountId: { in: "query", name: "account_id" },
      accessToken: bearerToken
    }
  },
  ListAccountRoles: {
    name: "ListAccountRoles",
    service: ssoPortal,
    clientMethod: "listAccountRoles",
    documentation: "Lists all roles that are assigned to the user for a given AWS account.",
    http: { method: "GET", path: "/assignment/roles", query: {} },
    auth: unsigned,
    errors: portalReadErrors,
    bindings: {
      nextToken: { in: "query", name: "next_token" },
      maxResults: { in: "query", name: "max_result" },
      accessToken: bearerToken,
      accountId: { in: "query", name: "account_id" }
    }
  },
  ListAccounts: {
    name: "ListAccounts",
    service: ssoPortal,
    clientMethod: "listAccounts",
    documentation: "Lists all AWS accounts assigned to the user.",
    http: { method: "GET", path: "/assignment/accounts", query: {} },
    auth: unsigned,
    errors: portalReadErrors,
    bindings: {
      nextToken: { in: "query", name: "next_token" },
      maxResults: { in: "query", name: "max_result" },
      accessToken: bearerToken
    }
  },
  Logout: {
    name: "Logout",
    service: ssoPortal,
    clientMethod: "logout",
    documentation: "Removes the locally stored SSO tokens from the client-side cache and sends an API call to the IAM Identity Center service to invalidate the corresponding server-side IAM Identity Center sign in session.",
    http: { method: "POST", path: "/logout", query: {} },
    auth: unsigned,
    errors: ["InvalidRequestException", "UnauthorizedException", "TooManyRequestsException"],
    bindings: { accessToken: bearerToken }
  }
} as const satisfies Record<string, Operation & { readonly errors: ReadonlyArray<SsoPortalWireName> }>

/** The names of the portal's operations. */
export type SsoPortalOperationName = keyof typeof portalOperations

/** Every operation's name. */
export type AnyOperationName = keyof typeof operations

/** The names of the SSO OIDC operations. */
export type SsoOidcOperationName = {
  readonly [Name in AnyOperationName]: (typeof operations)[Name]["service"] extends typeof ssoOidc ? Name : never
}[AnyOperationName]

/** The SSO OIDC operations, in table order. */
// Top-level tables built by calls are marked pure, so a bundle that never reads them drops them.
export const ssoOidcOperations: ReadonlyArray<(typeof operations)[SsoOidcOperationName]> = /* @__PURE__ */ (() =>
  Object.values(operations).filter((operation) => operation.service === ssoOidc))()

/** The wire names each SSO OIDC operation declares, in model order (each edition's `SsoOidcError.operationErrors`). */
export const ssoOidcOperationErrors: { readonly [Name in SsoOidcOperationName]: (typeof operations)[Name]["errors"] } =
  // `Object.fromEntries` forgets which key holds which list; the table has them.
  /* @__PURE__ */ (() => Object.fromEntries(ssoOidcOperations.map((operation) => [operation.name, operation.errors])))() as any

// -----------------------------------------------------------------------------
// reading the table
// -----------------------------------------------------------------------------

/** The request target of an operation: its path and literal query, e.g. `/token?aws_iam=t`. */
export const requestTarget = (operation: Operation): string => {
  const query = new URLSearchParams(operation.http.query).toString()
  return query === "" ? operation.http.path : `${operation.http.path}?${query}`
}

/** Where an input member travels. */
export const locationOf = (operation: Operation, member: string): Location =>
  Object.hasOwn(operation.bindings, member) ? operation.bindings[member]! : { in: "body", name: member }

/** The request a server routes: method, path without the query, and the query. */
export interface RoutedRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
}

/**
 * The operation of `candidates` a request is for: same method and path, and
 * every literal query parameter of the operation present (whatever its value,
 * as the service routes `/token?aws_iam=…`). The operation with the most
 * literal query parameters wins, so `/token?aws_iam=t` is CreateTokenWithIAM.
 */
export const findIn = <O extends Operation>(candidates: Iterable<O>, request: RoutedRequest): O | undefined => {
  let found: O | undefined = undefined
  let specificity = -1
  for (const operation of candidates) {
    if (operation.http.method !== request.method || operation.http.path !== request.path) continue
    const literals = Object.keys(operation.http.query)
    if (!literals.every((key) => Object.hasOwn(request.query, key))) continue
    if (literals.length > specificity) {
      found = operation
      specificity = literals.length
    }
  }
  return found
}

/** Every operation of both services, SSO OIDC first, in table order. */
export const allOperations: ReadonlyArray<
  (typeof operations)[AnyOperationName] | (typeof portalOperations)[SsoPortalOperationName]
> = /* @__PURE__ */ (() => [...Object.values(operations), ...Object.values(portalOperations)])()

/** The operation of either service a request is for (see {@link findIn}). */
export const findOperation = (
  request: RoutedRequest
): (typeof operations)[AnyOperationName] | (typeof portalOperations)[SsoPortalOperationName] | undefined =>
  findIn(allOperations, request)

/**
 * The service error an OAuth `error` code names, for replies that carry no
 * error name. A code shared by two errors (`invalid_request`) names the first
 * in the table, the general one.
 */
export const byOAuthCode: Readonly<Record<string, SsoOidcWireName>> = /* @__PURE__ */ (() => {
  const out: Record<string, SsoOidcWireName> = Object.create(null)
  for (const [name, definition] of Object.entries(ssoOidcErrors)) {
    out[definition.code] ??= name as SsoOidcWireName
  }
  return out
})()
