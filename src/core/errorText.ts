/**
 * The `message` texts of the typed errors, written once for both editions:
 * each edition's `SsoOidcError` / `SsoPortalError` class is Effect glue (a
 * tagged error with a schema) whose `message` getter calls one of these.
 * Nothing here ever sees a request or response body: the texts are built
 * from the errors' own fields only.
 *
 * Effect-free: no import of `effect` (it is compiled into both editions).
 *
 * @internal
 */

/** The fields of an SSO OIDC service error that its text shows. */
export interface OidcServiceErrorText {
  readonly error?: string | undefined
  readonly error_description?: string | undefined
  readonly status?: number | undefined
  readonly requestId?: string | undefined
}

/** `(HTTP status, request id …)`, or nothing when neither is known. */
const whereText = (self: { readonly status?: number | undefined; readonly requestId?: string | undefined }): string => {
  const where = [
    self.status === undefined ? undefined : `HTTP ${self.status}`,
    self.requestId === undefined ? undefined : `request id ${self.requestId}`
  ].filter((part) => part !== undefined)
  return where.length === 0 ? "" : ` (${where.join(", ")})`
}

/** `error: error_description (HTTP status, request id …)`, after an optional prefix. */
export const oidcServiceErrorText = (self: OidcServiceErrorText, prefix?: string): string => {
  const said = [prefix, self.error, self.error_description].filter((part) => part !== undefined && part !== "")
  return (said.length === 0 ? "no error text" : said.join(": ")) + whereText(self)
}

/** InvalidRequestRegion's: the service error's text, then the region the token may be used in. */
export const invalidRequestRegionText = (self: OidcServiceErrorText & { readonly region?: string | undefined }): string =>
  oidcServiceErrorText(self) + (self.region === undefined ? "" : ` [use region ${self.region}]`)

/** TransportError's. */
export const transportErrorText = (
  self: { readonly operation: string; readonly reason: string; readonly description: string }
): string => `${self.operation}: ${self.reason} error: ${self.description}`

/** ResponseDecodeError's. */
export const responseDecodeErrorText = (
  self: {
    readonly operation: string
    readonly status: number
    readonly requestId?: string | undefined
    readonly description: string
  }
): string => {
  const id = self.requestId === undefined ? "" : `, request id ${self.requestId}`
  return `${self.operation}: unreadable reply (HTTP ${self.status}${id}): ${self.description}`
}

/** UnexpectedRedirect's: the target's origin only, never its path or query. */
export const unexpectedRedirectText = (
  self: { readonly operation: string; readonly status: number; readonly locationOrigin?: string | undefined }
): string => {
  const to = self.locationOrigin === undefined ? "" : ` to ${self.locationOrigin}`
  const status = self.status === 0 ? "an opaque redirect" : `HTTP ${self.status}`
  return `${self.operation}: the endpoint answered with a redirect${to} (${status}); ` +
    "the service never redirects, so nothing was sent there: check the endpoint"
}

/** InvalidInput's. */
export const invalidInputText = (self: { readonly operation: string; readonly description: string }): string =>
  `${self.operation}: invalid input: ${self.description}`

/** The HTTP statuses of a transient service error: throttling and the server's 5xx that may pass. */
export const isTransientStatus = (status: number | undefined): boolean =>
  status === 429 || status === 500 || status === 502 || status === 503 || status === 504

/** The fields of an SSO portal service error that its text shows (the service's `message` is `description`). */
export interface PortalServiceErrorText {
  readonly description?: string | undefined
  readonly status?: number | undefined
  readonly requestId?: string | undefined
}

/** What each portal service error means, before the service's own text. */
export const portalErrorWhat = {
  InvalidRequest: "invalid request",
  Unauthorized: "the SSO access token is not valid (expired or signed out); sign in again",
  TooManyRequests: "too many requests",
  ResourceNotFound: "no such account or role for this user",
  Forbidden: "no access to this account and role for this user"
} as const

/** `what: description (HTTP status, request id …)`. */
export const portalServiceErrorText = (self: PortalServiceErrorText, what: string): string =>
  (self.description === undefined || self.description === "" ? what : `${what}: ${self.description}`) + whereText(self)
