/**
 * Reading a non-2xx reply of either service, and the choice of the typed
 * error it becomes: the name (from `x-amzn-ErrorType`, `__type`, `code`, or
 * the OAuth `error` code), whether the operation declares it, and the members
 * the error keeps. Each edition's client constructs its own error class from
 * the choice.
 *
 * Effect-free: no import of `effect` (it is compiled into both editions).
 *
 * @internal
 */
import {
  byOAuthCode,
  operations,
  ssoOidcErrors,
  type SsoOidcOperationName,
  type SsoOidcWireName,
  ssoPortalErrors,
  type SsoPortalWireName
} from "./operations.js"

/**
 * Sanitizes an error name as restJson1 says: keep what is before the first
 * `:`, then what is after the first `#`
 * (`ns#SlowDownException:http://…` → `SlowDownException`).
 */
export const sanitizeErrorName = (raw: string): string => {
  const colon = raw.indexOf(":")
  const beforeColon = colon === -1 ? raw : raw.slice(0, colon)
  const hash = beforeColon.indexOf("#")
  return (hash === -1 ? beforeColon : beforeColon.slice(hash + 1)).trim()
}

const stringMember = (body: unknown, key: string): string | undefined => {
  if (typeof body !== "object" || body === null) return undefined
  const value = (body as Record<string, unknown>)[key]
  return typeof value === "string" ? value : undefined
}

/** The members of an error reply that the typed errors keep. */
export interface ErrorReply {
  readonly name: string | undefined
  readonly error: string | undefined
  readonly error_description: string | undefined
  readonly reason: string | undefined
  readonly endpoint: string | undefined
  readonly region: string | undefined
}

/**
 * Reads an error reply. The name comes from the `x-amzn-ErrorType` header,
 * else a body `__type`, else a body `code`; when none is present (a proxy that
 * drops headers), the OAuth `error` code stands in for it. Members that are
 * not strings are ignored rather than failing: the status already says it
 * is an error.
 */
export const readErrorReply = (errorTypeHeader: string | undefined, bodyText: string): ErrorReply => {
  let body: unknown = undefined
  try {
    body = bodyText.length === 0 ? undefined : JSON.parse(bodyText)
  } catch {
    body = undefined
  }
  const rawName = nonEmpty(errorTypeHeader) ?? nonEmpty(stringMember(body, "__type")) ??
    nonEmpty(stringMember(body, "code"))
  const error = stringMember(body, "error")
  const name = rawName !== undefined
    ? sanitizeErrorName(rawName)
    : error !== undefined
    ? byOAuthCode[error] // undefined for an unknown code (never a prototype member: the map has none)
    : undefined
  return {
    name: name === "" ? undefined : name,
    error,
    // SigV4 failures carry `message` (or `Message`) instead.
    error_description: stringMember(body, "error_description") ?? stringMember(body, "message") ??
      stringMember(body, "Message"),
    reason: stringMember(body, "reason"),
    endpoint: stringMember(body, "endpoint"),
    region: stringMember(body, "region")
  }
}

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s.trim() === "" ? undefined : s)

/** Drops keys whose value is `undefined`, so the JSON body never carries them. */
export const withoutUndefined = (record: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(record)) {
    if (record[key] !== undefined) out[key] = record[key]
  }
  return out
}

// -----------------------------------------------------------------------------
// which error a reply becomes
// -----------------------------------------------------------------------------

/** A non-2xx reply: its status, `x-amzn-RequestId`, `x-amzn-ErrorType` and body text. */
export interface ErrorResponse {
  readonly status: number
  readonly requestId: string | undefined
  readonly errorType: string | undefined
  readonly body: string
}

/** The fields of `SsoOidcError.ServiceError` (a name the operation does not declare, or none). */
export interface UndeclaredErrorFields {
  readonly status: number
  readonly requestId?: string
  readonly errorType?: string
  readonly error?: string
  readonly error_description?: string
}

/** The fields of an SSO OIDC service error: the common ones, and those of its table row. */
export interface OidcErrorFields {
  readonly status: number
  readonly requestId?: string
  readonly error?: string
  readonly error_description?: string
  readonly reason?: string
  readonly endpoint?: string
  readonly region?: string
}

/** The error an SSO OIDC reply becomes: a declared service error by wire name, or `ServiceError`. */
export type OidcErrorChoice =
  | { readonly _tag: "Declared"; readonly name: SsoOidcWireName; readonly fields: OidcErrorFields }
  | { readonly _tag: "Undeclared"; readonly fields: UndeclaredErrorFields }

type ExtraMember = Exclude<(typeof ssoOidcErrors)[SsoOidcWireName]["members"][number], "error" | "error_description">

/**
 * The typed error of an SSO OIDC operation's non-2xx reply: the declared
 * error the name says, with the members its table row lists; or
 * `ServiceError`, keeping the name, when the operation does not declare it.
 */
export const oidcErrorOf = (operation: SsoOidcOperationName, response: ErrorResponse): OidcErrorChoice => {
  const reply = readErrorReply(response.errorType, response.body)
  const common = {
    status: response.status,
    ...(response.requestId === undefined ? {} : { requestId: response.requestId }),
    ...(reply.error === undefined ? {} : { error: reply.error }),
    ...(reply.error_description === undefined ? {} : { error_description: reply.error_description })
  }
  const declared: ReadonlyArray<string> = operations[operation].errors
  if (reply.name === undefined || !declared.includes(reply.name)) {
    return { _tag: "Undeclared", fields: { ...common, ...(reply.name === undefined ? {} : { errorType: reply.name }) } }
  }
  const name = reply.name as SsoOidcWireName
  // The members an error carries besides `error` and `error_description` are the table's.
  const carried: { readonly [Member in ExtraMember]: string | undefined } = {
    reason: reply.reason,
    endpoint: reply.endpoint,
    region: reply.region
  }
  const extra: { -readonly [Member in ExtraMember]?: string } = {}
  for (const member of ssoOidcErrors[name].members) {
    if (member !== "error" && member !== "error_description" && carried[member] !== undefined) {
      extra[member] = carried[member]
    }
  }
  return { _tag: "Declared", name, fields: { ...common, ...extra } }
}

/** The fields of a portal service error (the model's `message` is `description`). */
export interface PortalErrorFields {
  readonly status: number
  readonly requestId?: string
  readonly description?: string
}

/** The error a portal reply becomes: one of the portal's service errors by wire name, or `ServiceError`. */
export type PortalErrorChoice =
  | { readonly _tag: "Declared"; readonly name: SsoPortalWireName; readonly fields: PortalErrorFields }
  | { readonly _tag: "Undeclared"; readonly fields: UndeclaredErrorFields }

/**
 * The typed error of a portal operation's non-2xx reply: one of the
 * operation's declared errors or `ForbiddenException` (which the service
 * sends undeclared); any other name is `ServiceError`, keeping the name.
 */
export const portalErrorOf = (
  operation: { readonly errors: ReadonlyArray<string> },
  response: ErrorResponse
): PortalErrorChoice => {
  const reply = readErrorReply(response.errorType, response.body)
  const requestId = response.requestId === undefined ? {} : { requestId: response.requestId }
  const description = reply.error_description
  const declared = [...operation.errors, "ForbiddenException"]
  if (reply.name !== undefined && declared.includes(reply.name) && Object.hasOwn(ssoPortalErrors, reply.name)) {
    return {
      _tag: "Declared",
      name: reply.name as SsoPortalWireName,
      fields: { status: response.status, ...requestId, ...(description === undefined ? {} : { description }) }
    }
  }
  return {
    _tag: "Undeclared",
    fields: {
      status: response.status,
      ...requestId,
      ...(reply.name === undefined ? {} : { errorType: reply.name }),
      ...(description === undefined ? {} : { error_description: description })
    }
  }
}
