/**
 * What both clients share on the wire: the pure readers of `src/core/errorReply.ts`,
 * and the description of a schema issue (Schema issues differ per edition).
 */
import * as AST from "effect/SchemaAST"
import type * as SchemaIssue from "effect/SchemaIssue"

export { type ErrorReply, readErrorReply, sanitizeErrorName, withoutUndefined } from "../core/errorReply.js"

// -----------------------------------------------------------------------------
// schema issues without values
// -----------------------------------------------------------------------------

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0 ? "the top level" : path.map((key) => (typeof key === "number" ? `[${key}]` : String(key))).join(".")

/** What a type is, in the words of Effect 3's AST printer (`string`, `an object`, …), never a value. */
const expectedType = (ast: AST.AST): string => {
  if (AST.isObjects(ast)) return "an object"
  if (AST.isArrays(ast)) return "an array"
  if (AST.isString(ast)) return "string"
  if (AST.isNumber(ast)) return "number"
  if (AST.isBoolean(ast)) return "boolean"
  if (AST.isNull(ast)) return "null"
  if (AST.isLiteral(ast)) return typeof ast.literal === "string" ? JSON.stringify(ast.literal) : String(ast.literal)
  if (AST.isUnion(ast)) return ast.types.map(expectedType).join(" | ")
  const named = AST.resolveTitle(ast) ?? AST.resolveIdentifier(ast) ?? ast.annotations?.["expected"]
  return typeof named === "string" ? named : ast._tag
}

/** A failed check by its title (`seconds (an integer from 0 to …)`), else what it expects. */
const expectedOf = (filter: AST.Filter<unknown>): string => {
  const annotations = filter.annotations
  const text = annotations?.title ?? annotations?.expected
  return typeof text === "string" ? text : "a valid value"
}

/**
 * Describes a schema issue by path and expected type only. Effect's own
 * formatters may quote the actual value, which may be a secret. A decoding
 * issue names the wire type (`string | null`), an encoding one the type in
 * memory (`Redacted`).
 */
export const describeIssue = (issue: SchemaIssue.Issue, direction: "decode" | "encode" = "decode"): string => {
  const expected = (ast: AST.AST): string => expectedType(direction === "decode" ? AST.toEncoded(ast) : ast)
  const leaves: Array<string> = []
  const walk = (issue: SchemaIssue.Issue, path: ReadonlyArray<PropertyKey>): void => {
    if (leaves.length >= 3) return
    switch (issue._tag) {
      case "Pointer":
        return walk(issue.issue, [...path, ...issue.path])
      case "Composite":
        for (const inner of issue.issues) walk(inner, path)
        return
      case "AnyOf":
        if (issue.issues.length === 0) leaves.push(`${formatPath(path)}: expected ${expected(issue.ast)}`)
        for (const inner of issue.issues) walk(inner, path)
        return
      case "Encoding":
        return walk(issue.issue, path)
      case "Filter":
        leaves.push(`${formatPath(path)}: expected ${expectedOf(issue.filter)}`)
        return
      case "MissingKey":
        leaves.push(`${formatPath(path)} is missing`)
        return
      case "UnexpectedKey":
        leaves.push(`${formatPath(path)} is not expected`)
        return
      case "InvalidType":
        leaves.push(`${formatPath(path)}: expected ${expected(issue.ast)}`)
        return
      case "OneOf":
        leaves.push(`${formatPath(path)}: matches more than one of ${expected(issue.ast)}`)
        return
      case "InvalidValue":
      case "Forbidden":
        leaves.push(`${formatPath(path)}: invalid value`)
        return
    }
  }
  walk(issue, [])
  return leaves.length === 0 ? "invalid value" : leaves.join("; ")
}
