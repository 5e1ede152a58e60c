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
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"
import * as CoreInput from "../../core/emulator/input.js"
import * as Operations from "../operations.js"

import type { InputRead, RequestParts } from "../../core/emulator/portal.js"

export type { InputRead, MemberProblem, RequestParts } from "../../core/emulator/portal.js"

/** The member's own type: without `| undefined` (Effect 4 keeps refinements as `checks` on the node). */
const bare = (ast: AST.AST): AST.AST => {
  if (!AST.isUnion(ast)) return ast
  const rest = ast.types.filter((type) => !AST.isUndefined(type))
  return rest.length === 1 ? bare(rest[0]!) : ast
}

/** Members whose encoded type is a number: a query or header value of digits is read as one. */
const numericMembers = (operation: Operations.Operation): ReadonlySet<string> => {
  const encoded = AST.toEncoded(operation.input.ast)
  if (!AST.isObjects(encoded)) return new Set()
  return new Set(
    encoded.propertySignatures.filter((signature) => AST.isNumber(bare(signature.type))).map((signature) =>
      String(signature.name)
    )
  )
}

/**
 * The raw input members, by schema name, each from where the table binds it
 * (see `readRawMembers` of the core).
 */
export const readMembers = (
  operation: Operations.Operation,
  request: RequestParts
): InputRead<Readonly<Record<string, unknown>>> =>
  CoreInput.readRawMembers(Operations.inputMembers(operation), numericMembers(operation), request)

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * The first problem of an issue tree: its path, whether a key is missing, and
 * its message (the schema's own text for a failed check, e.g. "an AWS account
 * id is 12 digits").
 */
const firstIssue = (
  root: SchemaIssue.Issue
): { readonly path: ReadonlyArray<PropertyKey>; readonly missing: boolean; readonly message: string } => {
  const path: Array<PropertyKey> = []
  let issue = root
  for (;;) {
    if (issue._tag === "Pointer") {
      path.push(...issue.path)
      issue = issue.issue
    } else if (issue._tag === "Encoding") {
      issue = issue.issue
    } else if ((issue._tag === "Composite" || issue._tag === "AnyOf") && issue.issues.length > 0) {
      issue = issue.issues[0]!
    } else break
  }
  const message = formatter(issue).issues[0]?.message ?? "invalid"
  return { path, missing: issue._tag === "MissingKey", message }
}

/**
 * Decodes raw members with the operation's input schema. The first problem
 * wins; the schema's own text (e.g. "an AWS account id is 12 digits") is
 * kept for query members only: header and body values may be secrets.
 */
export const decodeMembers = <O extends Operations.Operation>(
  operation: O,
  members: Readonly<Record<string, unknown>>
): InputRead<Schema.Schema.Type<O["input"]>> => {
  const decoded = Schema.decodeUnknownResult(operation.input, { onExcessProperty: "ignore" })(members)
  if (Result.isSuccess(decoded)) return { _tag: "Ok", value: decoded.success }
  const issue = firstIssue(decoded.failure.issue)
  const member = issue.path.length === 0 ? undefined : String(issue.path[0])
  return {
    _tag: "Err",
    problem: CoreInput.memberProblem(operation, { member, missing: issue.missing, message: issue.message })
  }
}

/** {@link readMembers} then {@link decodeMembers}. */
export const readInput = <O extends Operations.Operation>(
  operation: O,
  request: RequestParts
): InputRead<Schema.Schema.Type<O["input"]>> => {
  const members = readMembers(operation, request)
  return members._tag === "Err" ? members : decodeMembers(operation, members.value)
}
