/**
 * Reads an operation's input from a request the way the operations table
 * binds it: each member from the JSON body, the query string or a header
 * (`Operations.inputMembers` / `locationOf`), then decodes it with the
 * operation's input schema. One reader for every operation whose members
 * travel outside the body (the SSO portal's `GET`s with query members and
 * the bearer-token header).
 *
 * Failure texts name the member as it travels (`max_result`,
 * `x-amz-sso_bearer_token`) and never echo a header or body value, which may
 * be a secret.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as Operations from "../operations.js"

import type { InputRead, RequestParts } from "../../core/emulator/portal.js"

export type { InputRead, MemberProblem, RequestParts } from "../../core/emulator/portal.js"

const header = (headers: Readonly<Record<string, string>>, name: string): string | undefined => {
  const lower = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value
  return undefined
}

/** The member's own type: without `| undefined` and refinements. */
const bare = (ast: AST.AST): AST.AST => {
  if (AST.isRefinement(ast)) return bare(ast.from)
  if (!AST.isUnion(ast)) return ast
  const rest = ast.types.filter((type) => !AST.isUndefinedKeyword(type))
  return rest.length === 1 ? bare(rest[0]!) : ast
}

/** Members whose encoded type is a number: a query or header value of digits is read as one. */
const numericMembers = (operation: Operations.Operation): ReadonlySet<string> => {
  const encoded = AST.encodedAST(operation.input.ast)
  if (!AST.isTypeLiteral(encoded)) return new Set()
  return new Set(
    encoded.propertySignatures.filter((signature) => AST.isNumberKeyword(bare(signature.type))).map((signature) =>
      String(signature.name)
    )
  )
}

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
 * there (a portal `POST /logout` may carry any body or none).
 */
export const readMembers = (
  operation: Operations.Operation,
  request: RequestParts
): InputRead<Readonly<Record<string, unknown>>> => {
  const members = Operations.inputMembers(operation)
  const numeric = numericMembers(operation)
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
        value = header(request.headers, location.name)
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

/** How a member travels, for messages: its query or header name, or its body name. */
const wireName = (operation: Operations.Operation, member: string): string => Operations.locationOf(operation, member).name

/**
 * Decodes raw members with the operation's input schema. The first problem
 * wins; the schema's own text (e.g. "an AWS account id is 12 digits") is
 * kept for query members only: header and body values may be secrets.
 */
export const decodeMembers = <O extends Operations.Operation>(
  operation: O,
  members: Readonly<Record<string, unknown>>
): InputRead<Schema.Schema.Type<O["input"]>> => {
  const decoded = Schema.decodeUnknownEither(operation.input, { onExcessProperty: "ignore" })(members)
  if (Either.isRight(decoded)) return { _tag: "Ok", value: decoded.right }
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
  const member = issue === undefined || issue.path.length === 0 ? undefined : String(issue.path[0])
  if (member === undefined) {
    return { _tag: "Err", problem: { member, reason: "invalid", message: "The request is not valid" } }
  }
  const name = wireName(operation, member)
  if (issue!._tag === "Missing") {
    return { _tag: "Err", problem: { member, reason: "missing", message: `Missing required parameter: ${name}` } }
  }
  const location = Operations.locationOf(operation, member)
  const detail = location.in === "query" ? `: ${issue!.message}` : ""
  return { _tag: "Err", problem: { member, reason: "invalid", message: `Invalid value for ${name}${detail}` } }
}

/** {@link readMembers} then {@link decodeMembers}. */
export const readInput = <O extends Operations.Operation>(
  operation: O,
  request: RequestParts
): InputRead<Schema.Schema.Type<O["input"]>> => {
  const members = readMembers(operation, request)
  return members._tag === "Err" ? members : decodeMembers(operation, members.value)
}
