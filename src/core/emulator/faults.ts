/**
 * Fault injection: which rules fire for a request, and the replies they make.
 * Effect-free: each edition's public `Fault` type (whose `Delay` carries its
 * edition's `Duration`) fits the shapes below, and its glue turns the
 * selected delays into `Effect.sleep`s.
 */
import { type Service, ssoPortal } from "../operations.js"
import type { HandlerResponse } from "./reply.js"
import { jsonHeaders, serviceErrorReply } from "./wire.js"

/**
 * Reply with `status`; with `errorName`, as AWS shapes an error (the name in
 * `x-amzn-ErrorType`, `{ error, error_description }` in the body, or
 * `{ message }` for a portal operation), else with a JSON body that names no
 * error (like a proxy or load balancer).
 */
export interface StatusFault {
  readonly _tag: "Status"
  readonly status: number
  readonly errorName?: string | undefined
  /** The OAuth `error` code; default: the model's code for `errorName`. */
  readonly error?: string | undefined
  readonly description?: string | undefined
}

/**
 * An error whose name the model does not know (default
 * `EmulatorInjectedException`, HTTP 400), shaped like AWS's errors.
 */
export interface UnknownErrorFault {
  readonly _tag: "UnknownError"
  readonly name: string
  readonly status: number
}

/** Drop the connection without a reply. */
export interface ResetFault {
  readonly _tag: "Reset"
}

/** Reply with an empty body (default status 200). */
export interface EmptyBodyFault {
  readonly _tag: "EmptyBody"
  readonly status: number
}

/** Reply with an HTML body labelled `application/json` (default status 200). */
export interface NotJsonFault {
  readonly _tag: "NotJson"
  readonly status: number
}

/** Reply with JSON whose members all have the wrong types (default status 200). */
export interface WrongShapeFault {
  readonly _tag: "WrongShape"
  readonly status: number
}

/** Reply with `bytes` of non-JSON filler (default 10 MiB, status 200). */
export interface HugeBodyFault {
  readonly _tag: "HugeBody"
  readonly status: number
  readonly bytes: number
}

/**
 * Reply with a redirect (default HTTP 307, which a client that follows it
 * would answer by re-sending the request, secrets included, to `location`).
 */
export interface RedirectFault {
  readonly _tag: "Redirect"
  readonly status: number
  readonly location: string
}

/**
 * Handle the request normally but label the reply with another content type
 * (default `text/html; charset=utf-8`).
 */
export interface WrongContentTypeFault {
  readonly _tag: "WrongContentType"
  readonly contentType: string
}

/**
 * The faults that replace the reply (the editions' `Fault` minus `Delay` and
 * `WrongContentType`). The editions' public fault types are these
 * interfaces; only `DelayFault` is their own (it carries their `Duration`).
 */
export type ReplyFault =
  | StatusFault
  | UnknownErrorFault
  | ResetFault
  | EmptyBodyFault
  | NotJsonFault
  | WrongShapeFault
  | HugeBodyFault
  | RedirectFault

/** Any fault: the replacing ones, a relabelling of the content type, or a delay (of any duration type). */
export type AnyFault =
  | ReplyFault
  | WrongContentTypeFault
  | { readonly _tag: "Delay" }

/**
 * The constructors of the editions' `Fault`, all but `delay` (which decodes
 * the edition's `Duration`), with their defaults.
 */
export const faultConstructors = {
  /** Reply `status`, optionally as the AWS error `errorName` (e.g. `InternalServerException`). */
  status: (
    status: number,
    options: { readonly errorName?: string; readonly error?: string; readonly description?: string } = {}
  ): StatusFault => ({ _tag: "Status", status, ...options }),
  /** An error name the model does not know. */
  unknownError: (name = "EmulatorInjectedException", status = 400): UnknownErrorFault => ({
    _tag: "UnknownError",
    name,
    status
  }),
  /** Drop the connection. */
  reset: (): ResetFault => ({ _tag: "Reset" }),
  /** An empty body. */
  emptyBody: (status = 200): EmptyBodyFault => ({ _tag: "EmptyBody", status }),
  /** A body that is not JSON. */
  notJson: (status = 200): NotJsonFault => ({ _tag: "NotJson", status }),
  /** JSON of the wrong shape. */
  wrongShape: (status = 200): WrongShapeFault => ({ _tag: "WrongShape", status }),
  /** A huge non-JSON body (default 10 MiB). */
  hugeBody: (bytes = 10 * 1024 * 1024, status = 200): HugeBodyFault => ({ _tag: "HugeBody", status, bytes }),
  /** A redirect (default 307) to `location` (default another host). */
  redirect: (status = 307, location = "https://attacker.invalid/steal?from=emulator"): RedirectFault => ({
    _tag: "Redirect",
    status,
    location
  }),
  /** The normal reply with another content type. */
  wrongContentType: (contentType = "text/html; charset=utf-8"): WrongContentTypeFault => ({
    _tag: "WrongContentType",
    contentType
  })
} as const

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
