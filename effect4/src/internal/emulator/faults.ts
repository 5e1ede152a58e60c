/**
 * Fault injection: which rules fire for a request, and the replies they make.
 */
import * as Duration from "effect/Duration"
import type { HandlerResponse } from "../../core/emulator/reply.js"
import { jsonHeaders, serviceErrorReply } from "../../core/emulator/wire.js"
import type { Fault, FaultRule } from "../../testing/Emulator.js"
import type { OperationName } from "../../SsoOidcError.js"
import { type Service, ssoPortal, type SsoPortalOperationName } from "../operations.js"

/** An operation a fault rule may target: one of SSO OIDC's or of the portal's. */
type Target = OperationName | SsoPortalOperationName

/** A rule with how many more times it may fire. */
export interface ArmedRule {
  readonly rule: FaultRule
  readonly remaining: number | undefined
}

export const arm = (rules: ReadonlyArray<FaultRule>): ReadonlyArray<ArmedRule> =>
  rules.map((rule) => ({ rule, remaining: rule.count === undefined ? undefined : Math.max(0, Math.floor(rule.count)) }))

/** What the rules decided for one request. */
export interface Selection {
  /** Delays to sleep, in order, before anything else. */
  readonly delays: ReadonlyArray<Duration.Duration>
  /** The fault that replaces the reply, if any. */
  readonly reply: Exclude<Fault, { readonly _tag: "Delay" | "WrongContentType" }> | undefined
  /** A content type that replaces the reply's, if any. */
  readonly contentType: string | undefined
  /** The tags of the faults that fired, for the request log. */
  readonly fired: ReadonlyArray<Fault["_tag"]>
}

const matches = (rule: FaultRule, operation: Target): boolean => {
  const target = rule.operation
  if (target === undefined || target === "*") return true
  return typeof target === "string" ? target === operation : target.includes(operation)
}

/**
 * Goes through the rules in order with one uniform draw in [0, 1) per rule.
 * A rule fires when it targets the operation, has firings left and its draw
 * is below its ratio (always when the ratio is 1). Delays accumulate; the
 * first replacing fault ends the walk. Firing uses up one of the rule's count.
 */
export const select = (
  armed: ReadonlyArray<ArmedRule>,
  operation: Target,
  draws: ReadonlyArray<number>
): readonly [Selection, ReadonlyArray<ArmedRule>] => {
  const delays: Array<Duration.Duration> = []
  const fired: Array<Fault["_tag"]> = []
  let reply: Selection["reply"] = undefined
  let contentType: string | undefined = undefined
  const next = armed.map((entry, index) => {
    if (reply !== undefined) return entry
    const { rule, remaining } = entry
    if (!matches(rule, operation) || remaining === 0) return entry
    const ratio = rule.ratio ?? 1
    const fires = ratio >= 1 || (draws[index] ?? 1) < ratio
    if (!fires) return entry
    const fault = rule.fault
    fired.push(fault._tag)
    switch (fault._tag) {
      case "Delay":
        delays.push(fault.duration)
        break
      case "WrongContentType":
        contentType ??= fault.contentType
        break
      default:
        reply = fault
    }
    return { rule, remaining: remaining === undefined ? undefined : remaining - 1 }
  })
  return [{ delays, reply, contentType, fired }, next]
}

/**
 * A body that is valid JSON but wrong for every operation's output: each
 * member the operations read has the wrong type.
 */
export const wrongShapeBody = JSON.stringify({
  clientId: 42,
  clientSecret: ["not", "a", "string"],
  clientIdIssuedAt: "yesterday",
  deviceCode: true,
  userCode: {},
  verificationUri: 7,
  expiresIn: "soon",
  interval: "never",
  accessToken: 12345,
  tokenType: false,
  refreshToken: { nested: true }
})

/** The same for the portal's outputs. */
export const portalWrongShapeBody = JSON.stringify({
  roleCredentials: "not an object",
  accountList: 42,
  roleList: { nested: true },
  nextToken: 7
})

/**
 * The reply a replacing fault makes, in the wire shape of the operation's
 * service (the portal's errors are `{ message }`). `resetConnection` for `Reset`.
 */
export const faultReply = (
  fault: NonNullable<Selection["reply"]>,
  requestId: string,
  service: Service
): HandlerResponse => {
  switch (fault._tag) {
    case "Reset":
      return { status: 0, headers: {}, bodyText: "", resetConnection: true }
    case "Status":
      if (fault.errorName === undefined) {
        return {
          status: fault.status,
          headers: jsonHeaders(requestId),
          bodyText: JSON.stringify({ message: fault.description ?? `Injected fault: HTTP ${fault.status}` })
        }
      }
      return serviceErrorReply(
        service,
        fault.errorName,
        fault.description ?? `Injected fault: ${fault.errorName}`,
        requestId,
        { status: fault.status, code: fault.error }
      )
    case "UnknownError":
      return serviceErrorReply(service, fault.name, `Injected fault: ${fault.name}`, requestId, {
        status: fault.status,
        code: "unknown_error"
      })
    case "EmptyBody":
      return { status: fault.status, headers: jsonHeaders(requestId), bodyText: "" }
    case "NotJson":
      return {
        status: fault.status,
        headers: jsonHeaders(requestId),
        bodyText: "<html><body><h1>Injected fault</h1><p>This is not JSON.</p></body></html>"
      }
    case "WrongShape":
      return {
        status: fault.status,
        headers: jsonHeaders(requestId),
        bodyText: service === ssoPortal ? portalWrongShapeBody : wrongShapeBody
      }
    case "HugeBody":
      return { status: fault.status, headers: jsonHeaders(requestId), bodyText: "x".repeat(Math.max(0, fault.bytes)) }
    case "Redirect":
      return {
        status: fault.status,
        headers: { ...jsonHeaders(requestId), location: fault.location },
        bodyText: JSON.stringify({ message: `Moved to ${fault.location}` })
      }
  }
}
