/**
 * Fault injection: which rules fire for a request, and the replies they make.
 * Effect-free: each edition's public `Fault` type (whose `Delay` carries its
 * edition's `Duration`) fits the shapes below, and its glue turns the
 * selected delays into `Effect.sleep`s.
 */
import { type Service, ssoPortal } from "../operations.js"
import type { HandlerResponse } from "./reply.js"
import { jsonHeaders, serviceErrorReply } from "./wire.js"

/** The faults that replace the reply (the editions' `Fault` minus `Delay` and `WrongContentType`). */
export type ReplyFault =
  | {
    readonly _tag: "Status"
    readonly status: number
    readonly errorName?: string | undefined
    readonly error?: string | undefined
    readonly description?: string | undefined
  }
  | { readonly _tag: "UnknownError"; readonly name: string; readonly status: number }
  | { readonly _tag: "Reset" }
  | { readonly _tag: "EmptyBody"; readonly status: number }
  | { readonly _tag: "NotJson"; readonly status: number }
  | { readonly _tag: "WrongShape"; readonly status: number }
  | { readonly _tag: "HugeBody"; readonly status: number; readonly bytes: number }
  | { readonly _tag: "Redirect"; readonly status: number; readonly location: string }

/** Any fault: the replacing ones, a relabelling of the content type, or a delay (of any duration type). */
export type AnyFault =
  | ReplyFault
  | { readonly _tag: "WrongContentType"; readonly contentType: string }
  | { readonly _tag: "Delay" }

/** A fault rule, as the editions' `FaultRule` spells it. */
export interface Rule<F extends AnyFault> {
  readonly fault: F
  readonly operation?: string | ReadonlyArray<string> | undefined
  readonly ratio?: number | undefined
  readonly count?: number | undefined
}

/** A rule with how many more times it may fire. */
export interface ArmedRule<R> {
  readonly rule: R
  readonly remaining: number | undefined
}

export const arm = <R extends Rule<AnyFault>>(rules: ReadonlyArray<R>): ReadonlyArray<ArmedRule<R>> =>
  rules.map((rule) => ({ rule, remaining: rule.count === undefined ? undefined : Math.max(0, Math.floor(rule.count)) }))

/** What the rules decided for one request. */
export interface Selection<F extends AnyFault> {
  /** The delays to sleep, in order, before anything else. */
  readonly delays: ReadonlyArray<Extract<F, { readonly _tag: "Delay" }>>
  /** The fault that replaces the reply, if any. */
  readonly reply: Extract<F, ReplyFault> | undefined
  /** A content type that replaces the reply's, if any. */
  readonly contentType: string | undefined
  /** The tags of the faults that fired, for the request log. */
  readonly fired: ReadonlyArray<F["_tag"]>
}

const matches = (rule: Rule<AnyFault>, operation: string): boolean => {
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
export const select = <F extends AnyFault, R extends Rule<F>>(
  armed: ReadonlyArray<ArmedRule<R>>,
  operation: string,
  draws: ReadonlyArray<number>
): readonly [Selection<F>, ReadonlyArray<ArmedRule<R>>] => {
  const delays: Array<Extract<F, { readonly _tag: "Delay" }>> = []
  const fired: Array<F["_tag"]> = []
  let reply: Selection<F>["reply"] = undefined
  let contentType: string | undefined = undefined
  const next = armed.map((entry, index) => {
    if (reply !== undefined) return entry
    const { rule, remaining } = entry
    if (!matches(rule, operation) || remaining === 0) return entry
    const ratio = rule.ratio ?? 1
    const fires = ratio >= 1 || (draws[index] ?? 1) < ratio
    if (!fires) return entry
    const fault: AnyFault = rule.fault
    fired.push(fault._tag)
    switch (fault._tag) {
      case "Delay":
        delays.push(fault as Extract<F, { readonly _tag: "Delay" }>)
        break
      case "WrongContentType":
        contentType ??= fault.contentType
        break
      default:
        reply = fault as Extract<F, ReplyFault>
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
  fault: ReplyFault,
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
