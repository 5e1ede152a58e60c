/**
 * The wire format of the emulator's replies: restJson1 as AWS sends it.
 *
 * Success: 200, `content-type: application/json`, `x-amzn-RequestId`.
 * Error: the model's status, `x-amzn-ErrorType: <Name>:<coral namespace>`
 * and a body with exactly `error` and `error_description`.
 */
import { type Service, ssoOidc, ssoOidcErrors, type SsoOidcWireName as WireName, ssoPortal, ssoPortalErrors } from "../operations.js"
import { type HandlerResponse, headerOf } from "./reply.js"

/** What AWS appends to the error name in `x-amzn-ErrorType`. */
export const coralSuffix = `:${ssoOidc.errorNamespace}`

/** A service error the emulator answers with: the wire name and the text for `error_description`. */
export interface Failure {
  readonly name: WireName
  readonly description: string
  /** Members the error carries besides `error` and `error_description` (InvalidRequestRegion's `endpoint`, `region`). */
  readonly extra?: Readonly<Record<string, string>> | undefined
}

/** The outcome of an operation: the JSON output, or a service error. */
export type Outcome =
  | { readonly _tag: "Ok"; readonly body: Readonly<Record<string, unknown>> }
  | { readonly _tag: "Err"; readonly failure: Failure }

export const ok = (body: Readonly<Record<string, unknown>>): Outcome => ({ _tag: "Ok", body })

export const err = (
  name: WireName,
  description: string,
  extra?: Readonly<Record<string, string>>
): Outcome => ({
  _tag: "Err",
  failure: extra === undefined ? { name, description } : { name, description, extra }
})

export const jsonHeaders = (requestId: string): Record<string, string> => ({
  "content-type": "application/json",
  "x-amzn-RequestId": requestId
})

/** A JSON reply. */
export const jsonReply = (body: unknown, requestId: string, status = 200): HandlerResponse => ({
  status,
  headers: jsonHeaders(requestId),
  bodyText: JSON.stringify(body)
})

/**
 * An error reply exactly as AWS shapes it. A name outside the model (fault
 * injection of an unknown error) is accepted as is.
 */
export const errorReply = (
  name: string,
  description: string,
  requestId: string,
  options: {
    readonly status?: number | undefined
    readonly code?: string | undefined
    readonly extra?: Readonly<Record<string, string>> | undefined
  } = {}
): HandlerResponse => {
  const known = Object.hasOwn(ssoOidcErrors, name) ? ssoOidcErrors[name as WireName] : undefined
  return {
    status: options.status ?? known?.status ?? 400,
    headers: { ...jsonHeaders(requestId), "x-amzn-ErrorType": name + coralSuffix },
    bodyText: JSON.stringify({
      error: options.code ?? known?.code ?? "invalid_request",
      error_description: description,
      ...options.extra
    })
  }
}

/**
 * An authentication (SigV4) failure as AWS's front door answers it: 403,
 * the name in `x-amzn-ErrorType` with the coral *service* namespace, and a
 * body of just `{ "message": … }` (no OAuth `error` members: the request never
 * reached the OIDC service).
 */
export const authFailureReply = (
  name: string,
  message: string,
  requestId: string,
  suffix: string
): HandlerResponse => ({
  status: 403,
  headers: { ...jsonHeaders(requestId), "x-amzn-ErrorType": name + suffix },
  bodyText: JSON.stringify({ message })
})

/**
 * An SSO portal error as the portal sends it: the status of `ssoPortalErrors`
 * (or `status`), `x-amzn-ErrorType` with the portal's (empty) namespace and a
 * body of exactly `{ "message": … }`. A name outside the table (fault
 * injection) is accepted as is.
 */
export const portalErrorReply = (
  name: string,
  message: string,
  requestId: string,
  status?: number | undefined
): HandlerResponse => {
  const known = Object.hasOwn(ssoPortalErrors, name)
    ? ssoPortalErrors[name as keyof typeof ssoPortalErrors]
    : undefined
  return {
    status: status ?? known?.status ?? 400,
    headers: {
      ...jsonHeaders(requestId),
      "x-amzn-ErrorType": ssoPortal.errorNamespace === "" ? name : `${name}:${ssoPortal.errorNamespace}`
    },
    bodyText: JSON.stringify({ message })
  }
}

/** An error reply in the wire shape of `service`. */
export const serviceErrorReply = (
  service: Service,
  name: string,
  description: string,
  requestId: string,
  options: { readonly status?: number | undefined; readonly code?: string | undefined } = {}
): HandlerResponse =>
  service === ssoPortal
    ? portalErrorReply(name, description, requestId, options.status)
    : errorReply(name, description, requestId, options)

/** The reply of an operation's outcome. */
export const outcomeReply = (outcome: Outcome, requestId: string): HandlerResponse =>
  outcome._tag === "Ok"
    ? jsonReply(outcome.body, requestId)
    : errorReply(outcome.failure.name, outcome.failure.description, requestId, { extra: outcome.failure.extra })

/** The sanitized error name of a reply, for the request log. */
export const errorNameOf = (reply: HandlerResponse): string | undefined => {
  const header = headerOf(reply.headers, "x-amzn-ErrorType")
  if (header === undefined) return undefined
  const colon = header.indexOf(":")
  return colon === -1 ? header : header.slice(0, colon)
}

// -----------------------------------------------------------------------------
// reading request bodies
// -----------------------------------------------------------------------------

/** A request body member reader's verdict. */
export type Read<A> = { readonly _tag: "Ok"; readonly value: A } | { readonly _tag: "Err"; readonly failure: Failure }

const invalid = (description: string): { readonly _tag: "Err"; readonly failure: Failure } => ({
  _tag: "Err",
  failure: { name: "InvalidRequestException", description }
})

/**
 * The request body as a JSON object. An empty body reads as `{}` (restJson1
 * clients may send none when no member is set); anything else that is not a
 * JSON object is an InvalidRequest.
 */
export const parseObject = (bodyText: string): Read<Readonly<Record<string, unknown>>> => {
  if (bodyText.trim() === "") return { _tag: "Ok", value: {} }
  let json: unknown
  try {
    json = JSON.parse(bodyText)
  } catch {
    return invalid("The request body is not valid JSON")
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return invalid("The request body must be a JSON object")
  }
  return { _tag: "Ok", value: json as Record<string, unknown> }
}

/** An optional string member; JSON `null` reads as absent. */
export const optionalString = (body: Readonly<Record<string, unknown>>, key: string): Read<string | undefined> => {
  const value = body[key]
  if (value === undefined || value === null) return { _tag: "Ok", value: undefined }
  if (typeof value !== "string") return invalid(`Invalid value for ${key}: expected a string`)
  return { _tag: "Ok", value }
}

/** A required string member: absent, `null` or empty is an InvalidRequest. */
export const requiredString = (body: Readonly<Record<string, unknown>>, key: string): Read<string> => {
  const read = optionalString(body, key)
  if (read._tag === "Err") return read
  if (read.value === undefined || read.value === "") return invalid(`Missing required parameter: ${key}`)
  return { _tag: "Ok", value: read.value }
}

/** An optional list of strings. */
export const optionalStringList = (
  body: Readonly<Record<string, unknown>>,
  key: string
): Read<ReadonlyArray<string> | undefined> => {
  const value = body[key]
  if (value === undefined || value === null) return { _tag: "Ok", value: undefined }
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    return invalid(`Invalid value for ${key}: expected a list of strings`)
  }
  return { _tag: "Ok", value: value as ReadonlyArray<string> }
}
