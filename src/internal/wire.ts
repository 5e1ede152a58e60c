/**
 * What both clients share on the wire: the pure readers of `src/core/errorReply.ts`,
 * and the description of a parse issue (Schema issues differ per edition).
 */
import * as Arr from "effect/Array"
import type * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"

export { type ErrorReply, readErrorReply, sanitizeErrorName, withoutUndefined } from "../core/errorReply.js"

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
