/**
 * The operations table of the Effect 4 edition (effect4/src/internal/operations.ts,
 * over the shared src/core/operations.ts), the schemas it names and the error
 * classes, against the official Smithy model vendored in the root's
 * test/fixtures/spec/sso-oidc.smithy.json — itself checked byte for byte
 * against the project's spec folder.
 *
 * The schemas are read through their AST: members and their order, which are
 * required on the wire, which are `Redacted` in memory, and the wire type of
 * each. Nothing here reuses the table's own readers to describe a schema.
 */
import { describe, expect, it } from "@effect/vitest"
import * as AST from "effect/SchemaAST"
import { existsSync, readFileSync } from "node:fs"
// The command line is the Effect 3 edition's only (this edition has none); its list flags are plain data.
import { flagName, listFlags } from "../../src/cli/shared.js"
import * as Wire from "../src/core/emulator/wire.js"
import * as Operations from "../src/internal/operations.js"
import { readErrorReply } from "../src/internal/wire.js"
import * as SsoOidcError from "../src/SsoOidcError.js"
import * as SsoOidcSchema from "../src/SsoOidcSchema.js"

// -----------------------------------------------------------------------------
// the model
// -----------------------------------------------------------------------------

interface Member {
  readonly target: string
  readonly traits?: Readonly<Record<string, unknown>>
}

interface Shape {
  readonly type: string
  readonly members?: Readonly<Record<string, Member>>
  readonly member?: Member
  readonly input?: { readonly target: string }
  readonly output?: { readonly target: string }
  readonly errors?: ReadonlyArray<{ readonly target: string }>
  readonly operations?: ReadonlyArray<{ readonly target: string }>
  readonly traits?: Readonly<Record<string, any>>
}

// The fixtures are Effect-free: this edition reads the root's.
const fixtures = new URL("../../test/fixtures/spec/", import.meta.url)
const vendored = new URL("sso-oidc.smithy.json", fixtures)
const repoRoot = new URL("../../", import.meta.url)
const shared = new URL("../shared/spec/sso-oidc.smithy.json", repoRoot)

const model = JSON.parse(readFileSync(vendored, "utf8")) as { readonly shapes: Readonly<Record<string, Shape>> }
const NS = "com.amazonaws.ssooidc"
const shapeId = (name: string) => `${NS}#${name}`

const shape = (id: string): Shape => {
  const found = model.shapes[id]
  if (found !== undefined) return found
  // Prelude shapes (`smithy.api#String`, …) are not listed in the model.
  const prelude = /^smithy\.api#(.+)$/.exec(id)?.[1]
  if (prelude !== undefined) return { type: prelude.toLowerCase() }
  throw new Error(`no shape ${id} in the model`)
}

const service = shape(shapeId("AWSSSOOIDCService"))

/** Model documentation as plain text: no tags, single spaces. */
const plain = (html: string): string =>
  html.replace(/<[^>]+>/g, " ").replace(/[\s\u00a0]+/g, " ").trim()

/** Members the model does not mark `@sensitive` but that are secrets here (DESIGN.md §1). */
const alsoSecret = new Set(["deviceCode"])

/** A member as the comparison sees it, from either side. */
interface Row {
  readonly member: string
  readonly required: boolean
  readonly sensitive: boolean
  /** Whether the member is always present once decoded (a model `@default`). */
  readonly defaulted: boolean
  readonly type: string
}

const modelType = (target: string): string => {
  const s = shape(target)
  switch (s.type) {
    case "string":
    case "enum":
      return "string"
    case "integer":
    case "long":
    case "float":
    case "double":
      return "number"
    case "boolean":
      return "boolean"
    case "list":
      return `list<${modelType(s.member!.target)}>`
    case "structure":
      return `structure{${modelRows(target).map(describeRow).join(", ")}}`
    default:
      return s.type
  }
}

const describeRow = (row: Row) =>
  `${row.member}${row.required ? "" : "?"}${row.sensitive ? " (sensitive)" : ""}: ${row.type}`

const modelRows = (structureId: string): ReadonlyArray<Row> =>
  Object.entries(shape(structureId).members ?? {}).map(([member, m]) => ({
    member,
    required: m.traits?.["smithy.api#required"] !== undefined,
    sensitive: shape(m.target).traits?.["smithy.api#sensitive"] !== undefined ||
      m.traits?.["smithy.api#sensitive"] !== undefined || alsoSecret.has(member),
    defaulted: m.traits?.["smithy.api#default"] !== undefined,
    type: modelType(m.target)
  }))

// -----------------------------------------------------------------------------
// the schemas, through their AST
// -----------------------------------------------------------------------------

/**
 * The value's own type: no `undefined`/`null` of an optional or nullable member.
 * (Bounds are checks on the node itself in Effect 4, not refinement nodes.)
 */
const bare = (ast: AST.AST): AST.AST => {
  if (!AST.isUnion(ast)) return ast
  const rest = ast.types.filter((t) => !AST.isUndefined(t) && !AST.isNull(t))
  return rest.length === 1 ? bare(rest[0]!) : ast
}

const isRedacted = (ast: AST.AST): boolean => {
  const type = bare(ast)
  return AST.isDeclaration(type) &&
    (type.annotations?.["representation"] as { readonly id?: unknown } | undefined)?.id === "effect/schema/Redacted"
}

const signatures = (ast: AST.AST): ReadonlyArray<AST.PropertySignature> => {
  const type = bare(ast)
  if (!AST.isObjects(type)) throw new Error(`expected a struct, got ${String(ast)}`)
  return type.propertySignatures
}

/** The wire type of an encoded AST, spelled as {@link modelType} spells the model's. */
const schemaType = (encoded: AST.AST, decoded: AST.AST): string => {
  const type = bare(encoded)
  if (AST.isString(type)) return "string"
  if (AST.isNumber(type)) return "number"
  if (AST.isBoolean(type)) return "boolean"
  if (AST.isArrays(type) && type.elements.length === 0 && type.rest.length === 1) {
    const decodedType = bare(decoded)
    const decodedElement = AST.isArrays(decodedType) ? decodedType.rest[0]! : decodedType
    return `list<${schemaType(type.rest[0]!, decodedElement)}>`
  }
  if (AST.isObjects(type)) return `structure{${schemaRows(type, decoded).map(describeRow).join(", ")}}`
  return `unsupported ${String(type)}`
}

const schemaRows = (encoded: AST.AST, decoded: AST.AST): ReadonlyArray<Row> => {
  const decodedByName = new Map(signatures(decoded).map((s) => [s.name, s]))
  return signatures(encoded).map((signature) => {
    const onDecode = decodedByName.get(signature.name)
    if (onDecode === undefined) throw new Error(`${String(signature.name)} is lost when decoding`)
    return {
      member: String(signature.name),
      required: !AST.isOptional(signature.type),
      sensitive: isRedacted(onDecode.type),
      defaulted: AST.isOptional(signature.type) && !AST.isOptional(onDecode.type),
      type: schemaType(signature.type, onDecode.type)
    }
  })
}

const rowsOf = (schema: { readonly ast: AST.AST }) =>
  schemaRows(AST.toEncoded(schema.ast), AST.toType(schema.ast))

// -----------------------------------------------------------------------------
// the vendored file
// -----------------------------------------------------------------------------

describe("the vendored models", () => {
  // CI always has shared/ beside the clone; a newcomer's clone may not, and then says why.
  const sharedPresent = existsSync(shared)
  const reason = "../shared/spec is not next to this clone (CI always has it)"
  for (const file of [
    "sso-oidc.smithy.json",
    "botocore-sso-portal-service-2.json",
    "botocore-sso-portal-endpoint-rule-set-1.json",
    "botocore-sso-portal-paginators-1.json"
  ]) {
    const name = `test/fixtures/spec/${file} is byte-identical to ../shared/spec/${file} next to the repository`
    it.skipIf(!sharedPresent && process.env.CI !== "true")(sharedPresent ? name : `${name} (${reason})`, () => {
      const ours = readFileSync(new URL(file, fixtures))
      const theirs = readFileSync(new URL(`../shared/spec/${file}`, repoRoot))
      expect(ours.length).toBe(theirs.length)
      expect(ours.equals(theirs)).toBe(true)
    })
  }
})

// -----------------------------------------------------------------------------
// operations
// -----------------------------------------------------------------------------

const table = Object.entries(Operations.operations) as ReadonlyArray<
  readonly [string, (typeof Operations.operations)[Operations.AnyOperationName]]
>

describe("the operations table", () => {
  it("lists exactly the service's operations, each under its own name", () => {
    const inModel = (service.operations ?? []).map((o) => o.target.replace(`${NS}#`, "")).sort()
    expect(Operations.ssoOidcOperations.map((o) => o.name).sort()).toStrictEqual(inModel)
    for (const [key, operation] of table) expect(operation.name).toBe(key)
  })

  it("names the service's SDK id and SigV4 signing name as the model does", () => {
    expect(Operations.ssoOidc.sdkId).toBe(service.traits?.["aws.api#service"].sdkId)
    expect(Operations.ssoOidc.signingName).toBe(service.traits?.["aws.auth#sigv4"].name)
  })

  for (const operation of Operations.ssoOidcOperations) {
    const op = shape(shapeId(operation.name))
    const traits = op.traits ?? {}

    describe(operation.name, () => {
      it("has the model's HTTP method, path and query, and a 200 reply", () => {
        const http = traits["smithy.api#http"]
        expect(operation.http.method).toBe(http.method)
        expect(Operations.requestTarget(operation)).toBe(http.uri)
        expect(http.code).toBe(200)
      })

      it("has the model's auth: none where the model says `@auth([])`, else SigV4 under the service's signing name", () => {
        const unsigned = Array.isArray(traits["smithy.api#auth"]) && traits["smithy.api#auth"].length === 0
        expect(operation.auth).toStrictEqual(
          unsigned ? { type: "none" } : { type: "sigv4", signingName: service.traits?.["aws.auth#sigv4"].name }
        )
      })

      it("declares the model's errors, in model order", () => {
        expect(operation.errors).toStrictEqual((op.errors ?? []).map((e) => e.target.replace(`${NS}#`, "")))
      })

      it("uses the schemas named after the model's input and output shapes", () => {
        const schemaName = (id: string) => id.replace(`${NS}#`, "").replace("IAM", "Iam")
        const schemas = SsoOidcSchema as unknown as Record<string, unknown>
        expect(operation.input).toBe(schemas[schemaName(op.input!.target)])
        expect(operation.output).toBe(schemas[schemaName(op.output!.target)])
      })

      it("documents itself with a sentence of the model's documentation", () => {
        const documentation = traits["smithy.api#documentation"]
        expect(typeof documentation).toBe("string")
        expect(operation.documentation.length).toBeGreaterThan(0)
        expect(plain(documentation)).toContain(operation.documentation)
      })

      it("sends each input member where the model binds it (all in the JSON body here)", () => {
        const members = Object.entries(shape(op.input!.target).members ?? {})
        for (const [member, m] of members) {
          const query = m.traits?.["smithy.api#httpQuery"]
          const header = m.traits?.["smithy.api#httpHeader"]
          const expected = query !== undefined
            ? { in: "query", name: query }
            : header !== undefined
            ? { in: "header", name: header }
            : { in: "body", name: member }
          expect(Operations.locationOf(operation, member), member).toStrictEqual(expected)
        }
        // A binding for a member the input does not have would be silently ignored.
        for (const member of Object.keys(operation.bindings)) expect(members.map(([name]) => name)).toContain(member)
      })
    })
  }

  it("routes each operation's method, path and query to that operation, and nothing else", () => {
    for (const operation of Operations.ssoOidcOperations) {
      expect(
        Operations.findOperation({ method: operation.http.method, path: operation.http.path, query: operation.http.query })
          ?.name
      ).toBe(operation.name)
      expect(Operations.findOperation({ method: "GET", path: operation.http.path, query: operation.http.query }))
        .toBeUndefined()
    }
    expect(Operations.findOperation({ method: "POST", path: "/tokens", query: {} })).toBeUndefined()
  })
})

// -----------------------------------------------------------------------------
// schemas
// -----------------------------------------------------------------------------

describe("the schemas", () => {
  for (const operation of Operations.ssoOidcOperations) {
    const op = shape(shapeId(operation.name))
    for (const [side, target, schema] of [
      ["input", op.input!.target, operation.input],
      ["output", op.output!.target, operation.output]
    ] as const) {
      it(`${operation.name} ${side}: the model's members in its order, required, sensitive (Redacted), defaulted and typed as the model says`, () => {
        expect(rowsOf(schema).map(describeRow)).toStrictEqual(modelRows(target).map(describeRow))
        expect(rowsOf(schema)).toStrictEqual(modelRows(target))
      })
    }

    it(`${operation.name}: the command line reads every input member as the model types it`, () => {
      const rows = modelRows(op.input!.target)
      expect(Operations.inputMembers(operation)).toStrictEqual(rows.map((row) => ({
        name: row.member,
        required: row.required,
        kind: row.type === "string" ? "string" : row.type === "list<string>" ? "strings" : "other",
        location: { in: "body", name: row.member }
      })))
      expect(Operations.inputMembers(operation).map((m) => m.kind)).not.toContain("other")
      for (const row of rows.filter((r) => r.type.startsWith("list<"))) {
        expect(listFlags.has(`--${flagName(row.member)}`), row.member).toBe(true)
      }
    })
  }

  it("every sensitive member of the model is Redacted in some schema, and no other member is", () => {
    const sensitiveInModel = new Set<string>()
    const redactedInSchemas = new Set<string>()
    for (const operation of Operations.ssoOidcOperations) {
      const op = shape(shapeId(operation.name))
      for (const [target, schema] of [[op.input!.target, operation.input], [op.output!.target, operation.output]] as const) {
        for (const row of modelRows(target)) if (row.sensitive) sensitiveInModel.add(row.member)
        for (const row of rowsOf(schema)) if (row.sensitive) redactedInSchemas.add(row.member)
      }
    }
    expect([...redactedInSchemas].sort()).toStrictEqual([...sensitiveInModel].sort())
    expect([...sensitiveInModel].sort()).toStrictEqual([
      "accessToken",
      "assertion",
      "clientSecret",
      "codeVerifier",
      "deviceCode",
      "idToken",
      "refreshToken",
      "subjectToken"
    ])
  })
})

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

const modelErrors = Object.entries(model.shapes)
  .filter(([, s]) => s.traits?.["smithy.api#error"] !== undefined)
  .map(([id, s]) => [id.replace(`${NS}#`, ""), s] as const)

describe("the error table", () => {
  it("has exactly the model's 14 error shapes", () => {
    expect(modelErrors).toHaveLength(14)
    expect(Object.keys(Operations.ssoOidcErrors).sort()).toStrictEqual(modelErrors.map(([name]) => name).sort())
    expect(Object.keys(SsoOidcError.byWireName).sort()).toStrictEqual(modelErrors.map(([name]) => name).sort())
  })

  for (const [name, s] of modelErrors) {
    const definition = Operations.ssoOidcErrors[name as Operations.SsoOidcWireName]

    describe(name, () => {
      it(`has the model's HTTP status (${s.traits?.["smithy.api#httpError"]}) and members`, () => {
        expect(definition.status).toBe(s.traits?.["smithy.api#httpError"])
        expect(definition.members).toStrictEqual(Object.keys(s.members ?? {}))
        for (const member of Object.values(s.members ?? {})) expect(modelType(member.target)).toBe("string")
      })

      it("has the OAuth error code the model documents for its `error` member", () => {
        const documented = /the value will be\s*<code>([^<]+)<\/code>/.exec(
          String(s.members?.["error"]?.traits?.["smithy.api#documentation"] ?? "")
        )?.[1]
        expect(documented).toBeDefined()
        expect(definition.code).toBe(documented)
      })

      it("is a tagged error without the Exception suffix, with the model's members besides status and request id", () => {
        const ErrorClass = SsoOidcError.byWireName[name as SsoOidcError.WireName]
        expect(new ErrorClass({})._tag).toBe(name.replace(/Exception$/, ""))
        expect(Object.keys(ErrorClass.fields).filter((field) => field !== "_tag").sort()).toStrictEqual(
          [...Object.keys(s.members ?? {}), "status", "requestId"].sort()
        )
      })

      it("is what the emulator replies with: the model's status and the error's OAuth code", () => {
        const reply = Wire.errorReply(name, "description", "rid")
        expect(reply.status).toBe(s.traits?.["smithy.api#httpError"])
        expect(JSON.parse(reply.bodyText).error).toBe(definition.code)
        expect(reply.headers["x-amzn-ErrorType"]).toBe(`${name}:${Operations.ssoOidc.errorNamespace}`)
      })
    })
  }

  it("an OAuth code with no error name falls back to an error of that code (the general one when two share it)", () => {
    for (const [name, definition] of Object.entries(Operations.ssoOidcErrors)) {
      const fallback = readErrorReply(undefined, JSON.stringify({ error: definition.code })).name
      expect(Operations.ssoOidcErrors[fallback as Operations.SsoOidcWireName].code).toBe(definition.code)
      if (name !== "InvalidRequestRegionException") expect(fallback).toBe(name)
    }
    expect(readErrorReply(undefined, JSON.stringify({ error: "invalid_request" })).name).toBe("InvalidRequestException")
  })

  it("each operation's errors are the error module's per-operation list", () => {
    for (const operation of Operations.ssoOidcOperations) {
      expect(SsoOidcError.operationErrors[operation.name]).toStrictEqual(operation.errors)
    }
  })
})
