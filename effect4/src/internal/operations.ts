/**
 * The operations table of this edition: the plain table of
 * `src/core/operations.ts` (names, HTTP bindings, auth, errors), with each
 * operation's input and output schemas attached, and what needs the schemas
 * (`inputMembers`). `test/Operations.spec.test.ts` checks all of it against
 * the Smithy model.
 */
import * as AST from "effect/SchemaAST"
import type * as Schema from "effect/Schema"
import * as Core from "../core/operations.js"
import * as SsoOidcSchema from "../SsoOidcSchema.js"
import * as SsoPortalSchema from "../SsoPortalSchema.js"

export {
  type Auth,
  type Binding,
  byOAuthCode,
  type ErrorDefinition,
  type Http,
  type Location,
  locationOf,
  type NoAuth,
  requestTarget,
  type RoutedRequest,
  type Service,
  type SigV4Auth,
  ssoOidc,
  ssoOidcErrors,
  type SsoOidcOperationName,
  type SsoOidcWireName,
  ssoPortal,
  ssoPortalErrors,
  type SsoPortalOperationName,
  type SsoPortalWireName,
  type AnyOperationName
} from "../core/operations.js"

/** One operation, with its input and output schemas. */
export interface Operation extends Core.Operation {
  readonly input: Schema.Codec<any, any, never, never>
  readonly output: Schema.Codec<any, any, never, never>
}

/** Every SSO OIDC operation, by model name. */
export const operations = {
  RegisterClient: {
    ...Core.operations.RegisterClient,
    input: SsoOidcSchema.RegisterClientRequest,
    output: SsoOidcSchema.RegisterClientResponse
  },
  StartDeviceAuthorization: {
    ...Core.operations.StartDeviceAuthorization,
    input: SsoOidcSchema.StartDeviceAuthorizationRequest,
    output: SsoOidcSchema.StartDeviceAuthorizationResponse
  },
  CreateToken: {
    ...Core.operations.CreateToken,
    input: SsoOidcSchema.CreateTokenRequest,
    output: SsoOidcSchema.CreateTokenResponse
  },
  CreateTokenWithIAM: {
    ...Core.operations.CreateTokenWithIAM,
    input: SsoOidcSchema.CreateTokenWithIamRequest,
    output: SsoOidcSchema.CreateTokenWithIamResponse
  }
} as const satisfies { readonly [Name in Core.AnyOperationName]: Operation }

// Spreads count as side effects to a bundler: marked pure, so SSO OIDC bundles leave the portal out.
/** The portal's operations, by model name. */
export const portalOperations = /* @__PURE__ */ (() => (
  {
    GetRoleCredentials: {
      ...Core.portalOperations.GetRoleCredentials,
      input: SsoPortalSchema.GetRoleCredentialsRequest,
      output: SsoPortalSchema.GetRoleCredentialsResponse
    },
    ListAccountRoles: {
      ...Core.portalOperations.ListAccountRoles,
      input: SsoPortalSchema.ListAccountRolesRequest,
      output: SsoPortalSchema.ListAccountRolesResponse
    },
    ListAccounts: {
      ...Core.portalOperations.ListAccounts,
      input: SsoPortalSchema.ListAccountsRequest,
      output: SsoPortalSchema.ListAccountsResponse
    },
    Logout: {
      ...Core.portalOperations.Logout,
      input: SsoPortalSchema.LogoutRequest,
      // Logout's reply has no body; an empty struct reads `{}` and nothing else.
      output: SsoPortalSchema.LogoutResponse
    }
  } as const satisfies { readonly [Name in Core.SsoPortalOperationName]: Operation }
))()

/** The SSO OIDC operations, in table order. */
// Built by calls, so marked pure: a bundle that never reads these tables (or the portal's) drops them.
export const ssoOidcOperations: ReadonlyArray<(typeof operations)[Core.SsoOidcOperationName]> = /* @__PURE__ */ (() =>
  Object.values(operations).filter((operation) => operation.service === Core.ssoOidc))()

const allOperations: ReadonlyArray<
  (typeof operations)[Core.AnyOperationName] | (typeof portalOperations)[Core.SsoPortalOperationName]
> = /* @__PURE__ */ (() => [...Object.values(operations), ...Object.values(portalOperations)])()

/** The operation of either service a request is for, with its schemas (see `Core.findIn`). */
export const findOperation = (
  request: Core.RoutedRequest
): (typeof operations)[Core.AnyOperationName] | (typeof portalOperations)[Core.SsoPortalOperationName] | undefined =>
  Core.findIn(allOperations, request)

/** The kind of an input member's value, as a command line reads it. */
export type MemberKind = "string" | "strings" | "other"

/** An input member as the schema declares it, on the wire side. */
export interface InputMember {
  readonly name: string
  readonly required: boolean
  readonly kind: MemberKind
  readonly location: Core.Location
}

/** The value's own type: without `| undefined` (an optional member). Bounds are checks on the node itself. */
const bare = (ast: AST.AST): AST.AST => {
  if (!AST.isUnion(ast)) return ast
  const rest = ast.types.filter((type) => !AST.isUndefined(type))
  return rest.length === 1 ? bare(rest[0]!) : ast
}

const kindOf = (ast: AST.AST): MemberKind => {
  const type = bare(ast)
  if (AST.isString(type)) return "string"
  if (AST.isArrays(type) && type.elements.length === 0 && type.rest.length === 1) {
    return AST.isString(bare(type.rest[0]!)) ? "strings" : "other"
  }
  return "other"
}

/** The input members of an operation, in schema order, with their wire kind and location. */
export const inputMembers = (operation: Operation): ReadonlyArray<InputMember> => {
  const encoded = AST.toEncoded(operation.input.ast)
  if (!AST.isObjects(encoded)) return []
  return encoded.propertySignatures.map((signature) => {
    const name = String(signature.name)
    return {
      name,
      required: !AST.isOptional(signature.type),
      kind: kindOf(signature.type),
      location: Core.locationOf(operation, name)
    }
  })
}
