/**
 * SigV4 verification for the emulator's CreateTokenWithIAM, written from the
 * AWS Signature Version 4 specification over plain SHA-256/HMAC. It shares
 * no code with the client's signer (aws4fetch), so a signing bug cannot
 * verify itself.
 *
 * What is checked, in order: an `Authorization` header is present; it is an
 * `AWS4-HMAC-SHA256` header with `Credential`, `SignedHeaders` and
 * `Signature`; `x-amz-date` is present, well formed and signed, and `host` is
 * signed; the credential scope ends in `aws4_request`, names the service
 * `sso-oauth`, the emulator's region and the date of `x-amz-date`; that date
 * is within 15 minutes of the `Clock` time; the access key (and session
 * token) are the emulator's; finally the signature recomputed over the
 * canonical request equals the one sent (compared in constant time).
 */
import { constantTimeEqual, hex as hexOf, hmacSha256, sha256Hex } from "../crypto.js"

/** The signing algorithm, the only one SigV4 over HMAC defines. */
export const algorithm = "AWS4-HMAC-SHA256"

/** How far `x-amz-date` may be from the server's clock, either way (AWS: 15 minutes). */
export const maxSkewMillis = 15 * 60 * 1000

/** The `x-amzn-ErrorType` namespace AWS appends to its authentication errors. */
export const coralServiceSuffix = ":http://internal.amazon.com/coral/com.amazon.coral.service/"

/** The names AWS answers authentication failures with (all HTTP 403 here). */
export type SigV4ErrorName =
  | "MissingAuthenticationTokenException"
  | "IncompleteSignatureException"
  | "InvalidSignatureException"
  | "UnrecognizedClientException"

/** The request as the verifier needs it. */
export interface SignedRequest {
  readonly method: string
  /** The path as received (still percent-encoded), without the query. */
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** Header names in any case. */
  readonly headers: Readonly<Record<string, string>>
  readonly bodyText: string
}

/** What the verifier accepts. */
export interface Expected {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string | undefined
  readonly region: string
  readonly service: string
  /** The server's `Clock` time, epoch milliseconds. */
  readonly now: number
}

/** The verdict. */
export type Verdict =
  | { readonly _tag: "Valid"; readonly accessKeyId: string }
  | { readonly _tag: "Invalid"; readonly name: SigV4ErrorName; readonly message: string }

const invalid = (name: SigV4ErrorName, message: string): Verdict => ({ _tag: "Invalid", name, message })

const header = (headers: Readonly<Record<string, string>>, name: string): string | undefined => {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value
  }
  return undefined
}

/** RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 requires. */
export const encodeRfc3986 = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * The canonical URI of a service other than S3: each segment of the
 * (already encoded) path encoded once more, so `%` becomes `%25`.
 */
export const canonicalUri = (path: string): string =>
  path === "" ? "/" : path.split("/").map(encodeRfc3986).join("/")

/** The canonical query string: encoded names and values, sorted by name then value. */
export const canonicalQuery = (query: Readonly<Record<string, string>>): string =>
  Object.entries(query)
    .map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&")

const hex = sha256Hex

const hmac = hmacSha256

/**
 * The canonical request: method, canonical URI, canonical query, the signed
 * headers with their received values (trimmed, inner runs of spaces
 * collapsed), the signed header list and the hex SHA-256 of the body.
 * `undefined` when a signed header was not received.
 */
export const canonicalRequest = (
  request: SignedRequest,
  signedHeaders: ReadonlyArray<string>
): string | undefined => {
  const lines: Array<string> = []
  for (const name of signedHeaders) {
    const value = header(request.headers, name)
    if (value === undefined) return undefined
    lines.push(`${name}:${value.trim().replace(/\s+/g, " ")}\n`)
  }
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    lines.join(""),
    signedHeaders.join(";"),
    hex(request.bodyText)
  ].join("\n")
}

/** The string to sign of a canonical request. */
export const stringToSign = (amzDate: string, scope: string, canonical: string): string =>
  [algorithm, amzDate, scope, hex(canonical)].join("\n")

/** The hex signature of a string to sign. */
export const signature = (
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
  toSign: string
): string => {
  const kDate = hmac(`AWS4${secretAccessKey}`, date)
  const kRegion = hmac(kDate, region)
  const kService = hmac(kRegion, service)
  const kSigning = hmac(kService, "aws4_request")
  return hexOf(hmac(kSigning, toSign))
}

/** `YYYYMMDDTHHMMSSZ` → epoch milliseconds, or `undefined`. */
export const parseAmzDate = (value: string): number | undefined => {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (match === null) return undefined
  const [, y, mo, d, h, mi, s] = match.map(Number) as unknown as [number, number, number, number, number, number, number]
  const millis = Date.UTC(y, mo - 1, d, h, mi, s)
  return Number.isNaN(millis) ? undefined : millis
}

/** Epoch milliseconds → `YYYYMMDDTHHMMSSZ`. */
export const formatAmzDate = (millis: number): string => new Date(millis).toISOString().replace(/[:-]|\.\d{3}/g, "")

interface AuthorizationHeader {
  readonly credential: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
}

const parseAuthorization = (value: string): AuthorizationHeader | Verdict => {
  const trimmed = value.trim()
  const space = trimmed.indexOf(" ")
  const scheme = space === -1 ? trimmed : trimmed.slice(0, space)
  if (scheme !== algorithm) {
    return invalid("IncompleteSignatureException", `Unsupported AWS 'algorithm': '${scheme}'.`)
  }
  const params = new Map<string, string>()
  for (const part of trimmed.slice(space + 1).split(",")) {
    const eq = part.indexOf("=")
    if (eq === -1) continue
    params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  const missing = ["Credential", "SignedHeaders", "Signature"].filter((name) => !params.get(name))
  if (missing.length > 0) {
    return invalid(
      "IncompleteSignatureException",
      missing.map((name) => `Authorization header requires '${name}' parameter.`).join(" ") +
        ` Authorization=${scheme}`
    )
  }
  return {
    credential: params.get("Credential")!,
    signedHeaders: params.get("SignedHeaders")!.split(";"),
    signature: params.get("Signature")!
  }
}

const mismatch = "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

const unrecognized = "The security token included in the request is invalid."

/** Verifies a request's SigV4 `Authorization` header. */
export const verify = (request: SignedRequest, expected: Expected): Verdict => {
  const authorization = header(request.headers, "authorization")
  if (authorization === undefined || authorization.trim() === "") {
    return invalid("MissingAuthenticationTokenException", "Missing Authentication Token")
  }
  const parsed = parseAuthorization(authorization)
  if ("_tag" in parsed) return parsed

  const amzDate = header(request.headers, "x-amz-date")
  if (amzDate === undefined) {
    return invalid(
      "IncompleteSignatureException",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
    )
  }
  const signedAt = parseAmzDate(amzDate.trim())
  if (signedAt === undefined) {
    return invalid("IncompleteSignatureException", `Date must be in ISO-8601 'basic format'. Got '${amzDate}'.`)
  }
  const signed = parsed.signedHeaders
  if (signed.some((name) => name !== name.toLowerCase() || name === "")) {
    return invalid("IncompleteSignatureException", "SignedHeaders must be lower-case names separated by ';'.")
  }
  if (!signed.includes("host")) {
    return invalid("IncompleteSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
  }
  if (!signed.includes("x-amz-date")) {
    return invalid("IncompleteSignatureException", "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
  }

  const scope = parsed.credential.split("/")
  if (scope.length !== 5 || scope[4] !== "aws4_request") {
    return invalid(
      "IncompleteSignatureException",
      `Credential should be of the form <access key>/<date>/<region>/<service>/aws4_request. Got '${parsed.credential}'.`
    )
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string, string]
  if (service !== expected.service) {
    return invalid("InvalidSignatureException", `Credential should be scoped to correct service: '${expected.service}'. `)
  }
  if (region !== expected.region) {
    return invalid("InvalidSignatureException", "Credential should be scoped to a valid region. ")
  }
  const dateOfAmzDate = amzDate.trim().slice(0, 8)
  if (date !== dateOfAmzDate) {
    return invalid(
      "InvalidSignatureException",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${dateOfAmzDate}', from '${amzDate.trim()}'.`
    )
  }
  if (signedAt < expected.now - maxSkewMillis) {
    return invalid(
      "InvalidSignatureException",
      `Signature expired: ${amzDate.trim()} is now earlier than ${formatAmzDate(expected.now - maxSkewMillis)} (${
        formatAmzDate(expected.now)
      } - 15 min.)`
    )
  }
  if (signedAt > expected.now + maxSkewMillis) {
    return invalid(
      "InvalidSignatureException",
      `Signature not yet current: ${amzDate.trim()} is still later than ${
        formatAmzDate(expected.now + maxSkewMillis)
      } (${formatAmzDate(expected.now)} + 15 min.)`
    )
  }

  if (accessKeyId !== expected.accessKeyId) return invalid("UnrecognizedClientException", unrecognized)
  const sessionToken = header(request.headers, "x-amz-security-token")
  if (sessionToken !== expected.sessionToken) return invalid("UnrecognizedClientException", unrecognized)

  const canonical = canonicalRequest(request, signed)
  if (canonical === undefined) return invalid("InvalidSignatureException", mismatch)
  const computed = signature(
    expected.secretAccessKey,
    date,
    region,
    service,
    stringToSign(amzDate.trim(), `${date}/${region}/${service}/aws4_request`, canonical)
  )
  if (!constantTimeEqual(parsed.signature, computed)) {
    return invalid("InvalidSignatureException", mismatch)
  }
  return { _tag: "Valid", accessKeyId }
}
