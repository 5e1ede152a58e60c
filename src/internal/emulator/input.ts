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
import * as CoreInput from "../../core/emulator/input.js"
import * as Operations from "../operations.js"

import type { InputRead, RequestParts } from "../../core/emulator/portal.js"

export type { InputRead, MemberProblem, RequestParts } from "../../core/emulator/portal.js"

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

/**
 * The raw input members, by schema name, each from where the table binds it
 * (see `readRawMembers` of the core).
 */
export const readMembers = (
  operation: Operations.Operation,
  request: RequestParts
): InputRead<Readonly<Record<string, unknown>>> =>
  CoreInput.readRawMembers(Operations.inputMembers(operation), numericMembers(operation), request)

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
  return {
    _tag: "Err",
    problem: CoreInput.memberProblem(operation, {
      member,
      missing: issue?._tag === "Missing",
      message: issue?.message ?? "invalid"
    })
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
