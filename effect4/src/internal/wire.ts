import * as Arr from "effect/Array"
import * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"
import { byOAuthCode } from "./operations.js"

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
// parse issues without values
// -----------------------------------------------------------------------------

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0 ? "the top level" : path.map((key) => (typeof key === "number" ? `[${key}]` : String(key))).join(".")

const expected = (ast: AST.AST): string => {
  if (AST.isTypeLiteral(ast)) return "an object"
  if (AST.isTupleType(ast)) return "an array"
  return String(ast)
}

/**
 * Describes a parse issue by path and expected type only. Effect's own
 * formatters quote the actual value, which may be a secret.
 */
export const describeIssue = (issue: ParseResult.ParseIssue): string => {
  const leaves: Array<string> = []
  const walk = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>): void => {
    if (leaves.length >= 3) return
    switch (issue._tag) {
      case "Pointer":
        return walk(issue.issue, [...path, ...Arr.ensure(issue.path)])
      case "Composite":
        for (const inner of Arr.ensure(issue.issues)) walk(inner, path)
        return
      case "Refinement":
      case "Transformation":
        return walk(issue.issue, path)
      case "Missing":
        leaves.push(`${formatPath(path)} is missing`)
        return
      case "Unexpected":
        leaves.push(`${formatPath(path)} is not expected`)
        return
      case "Type":
      case "Forbidden":
        leaves.push(`${formatPath(path)}: expected ${expected(issue.ast)}`)
        return
    }
  }
  walk(issue, [])
  return leaves.length === 0 ? "invalid value" : leaves.join("; ")
}
