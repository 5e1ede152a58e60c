/**
 * The Effect-free half of the emulator's member reader (each edition's
 * `internal/emulator/input.ts`): reading raw members from where the
 * operations table binds them (JSON body, query string, header), and the
 * texts of a member problem. The editions list the members and the numeric
 * ones from their input schemas, and decode with them.
 *
 * Failure texts name the member as it travels (`max_result`,
 * `x-amz-sso_bearer_token`) and never echo a header or body value, which may
 * be a secret.
 */
import { locationOf, type Location, type Operation } from "../operations.js"
import { headerOf } from "./reply.js"
import type { InputRead, MemberProblem, RequestParts } from "./portal.js"

const parseBody = (bodyText: string): InputRead<Readonly<Record<string, unknown>>> => {
  if (bodyText.trim() === "") return { _tag: "Ok", value: {} }
  let json: unknown
  try {
    json = JSON.parse(bodyText)
  } catch {
    return { _tag: "Err", problem: { member: undefined, reason: "invalid", message: "The request body is not valid JSON" } }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return {
      _tag: "Err",
      problem: { member: undefined, reason: "invalid", message: "The request body must be a JSON object" }
    }
  }
  return { _tag: "Ok", value: json as Record<string, unknown> }
}

/**
 * The raw input members, by schema name, each from where the table binds it.
 * An absent member is left out; the body is parsed only when a member lives
 * there (a portal `POST /logout` may carry any body or none). A query or
 * header value of digits for a `numeric` member becomes a number.
 */
export const readRawMembers = (
  members: ReadonlyArray<{ readonly name: string; readonly location: Location }>,
  numeric: ReadonlySet<string>,
  request: RequestParts
): InputRead<Readonly<Record<string, unknown>>> => {
  let body: Readonly<Record<string, unknown>> | undefined = undefined
  const out: Record<string, unknown> = {}
  for (const member of members) {
    const location = member.location
    let value: unknown
    switch (location.in) {
      case "body": {
        if (body === undefined) {
          const parsed = parseBody(request.bodyText)
          if (parsed._tag === "Err") return parsed
          body = parsed.value
        }
        value = body[location.name] ?? undefined
        break
      }
      case "query":
        value = Object.hasOwn(request.query, location.name) ? request.query[location.name] : undefined
        break
      case "header":
        value = headerOf(request.headers, location.name)
        break
    }
    if (value === undefined) continue
    // Query and header values are text; a number member of digits becomes a number, anything else stays text and fails decoding.
    if (location.in !== "body" && typeof value === "string" && numeric.has(member.name) && /^-?\d{1,16}$/.test(value)) {
      value = Number(value)
    }
    out[member.name] = value
  }
  return { _tag: "Ok", value: out }
}

/**
 * The problem of the first failed member, as the schema decoding found it:
 * `member` (a schema name; `undefined` when the failure has no path),
 * whether it is missing, and the schema's text, which is kept for query
 * members only (header and body values may be secrets).
 */
export const memberProblem = (
  operation: Operation,
  issue: { readonly member: string | undefined; readonly missing: boolean; readonly message: string }
): MemberProblem => {
  const { member } = issue
  if (member === undefined) return { member, reason: "invalid", message: "The request is not valid" }
  const location = locationOf(operation, member)
  if (issue.missing) return { member, reason: "missing", message: `Missing required parameter: ${location.name}` }
  const detail = location.in === "query" ? `: ${issue.message}` : ""
  return { member, reason: "invalid", message: `Invalid value for ${location.name}${detail}` }
}
