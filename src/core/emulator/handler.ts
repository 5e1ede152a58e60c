/**
 * The parts of the emulator's request handler that need no Effect: routing a
 * request to its kind, the same-origin rule of the pages' form posts, and the
 * two pages (the verification page and `/authorize`) as pure transitions of
 * the state. Each edition's `testing/Emulator` reads the clock, draws fresh
 * values and applies these atomically (`Ref.modify`).
 */
import * as Operations from "../operations.js"
import * as Page from "./page.js"
import { normalizeUserCode } from "./random.js"
import { type HandlerRequest, type HandlerResponse, headerOf } from "./reply.js"
import * as State from "./state.js"
import * as Wire from "./wire.js"

/** What a request was: an operation of either service, one of the pages, or anything else. */
export type RequestKind =
  | Operations.SsoOidcOperationName
  | Operations.SsoPortalOperationName
  | "VerificationPage"
  | "AuthorizationPage"
  | "Unknown"

/** Requests received per kind, all zero. */
export const zeroCounts: Readonly<Record<RequestKind, number>> = {
  ...(Object.fromEntries(
    [...Operations.ssoOidcOperations, ...Object.values(Operations.portalOperations)].map((operation) => [
      operation.name,
      0
    ])
  ) as Record<Operations.SsoOidcOperationName | Operations.SsoPortalOperationName, number>),
  VerificationPage: 0,
  AuthorizationPage: 0,
  Unknown: 0
}

/** Whether an operation name is one of the portal's. */
export const isPortalOperation = (name: string): name is Operations.SsoPortalOperationName =>
  Object.hasOwn(Operations.portalOperations, name)

/** The kind of a request: the operation the table routes it to, else one of the pages, else `Unknown`. */
export const requestKind = (request: HandlerRequest): RequestKind => {
  const operation = Operations.findOperation(request)
  if (operation !== undefined) return operation.name
  switch (request.path) {
    case "/device":
      return "VerificationPage"
    case "/authorize":
      return "AuthorizationPage"
    default:
      return "Unknown"
  }
}

/** The reply to a request no operation or page serves. */
export const unknownOperationReply = (request: HandlerRequest, requestId: string): HandlerResponse =>
  Wire.errorReply("UnknownOperationException", `No operation at ${request.method} ${request.path}`, requestId, {
    status: 404,
    code: "not_found"
  })

/**
 * Whether a form POST comes from the emulator's own page. Browsers send
 * `Origin` and `Sec-Fetch-Site` with form posts; a page of another origin —
 * another site, or another port of this host (`same-site`) — must not decide
 * anything. `localhost` stands for `127.0.0.1`. An `Origin` of `null` (sent
 * under some referrer policies) counts only with `Sec-Fetch-Site: same-origin`.
 * Requests with neither header (tests, `curl`) are accepted.
 */
export const sameOrigin = (headers: Readonly<Record<string, string>>, baseUrl: string): boolean => {
  const fetchSite = headerOf(headers, "sec-fetch-site")
  if (fetchSite === "cross-site" || fetchSite === "same-site") return false
  const origin = headerOf(headers, "origin")
  if (origin === undefined) return true
  if (origin === "null") return fetchSite === "same-origin"
  const own = new URL(baseUrl)
  const aliases = own.hostname === "127.0.0.1" ? ["127.0.0.1", "localhost", "[::1]"] : [own.hostname]
  return aliases.some((host) => origin === `${own.protocol}//${host}${own.port === "" ? "" : `:${own.port}`}`)
}

const pageAuthorization = (
  state: State.State,
  userCode: string,
  now: number,
  settings: State.Settings
): Page.PageAuthorization | undefined => {
  const auth = State.lookup(state, userCode)
  if (auth === undefined) return undefined
  return {
    userCode: auth.userCode,
    status: State.statusAt(auth, now, settings),
    clientName: state.clients.get(auth.clientId)?.clientName,
    startUrl: auth.startUrl
  }
}

/**
 * The verification page (`/device`): `GET` shows the entry form or the code's
 * confirmation, a same-origin `POST` approves or denies the code.
 */
export const verificationPage = (
  state: State.State,
  request: HandlerRequest,
  now: number,
  settings: State.Settings,
  requestId: string
): readonly [HandlerResponse, State.State] => {
  if (request.method === "GET" || request.method === "HEAD") {
    const entered = request.query["user_code"]
    if (entered === undefined || entered.trim() === "") return [Page.entryPage(requestId), state]
    const userCode = normalizeUserCode(entered)
    return [Page.confirmPage(entered, pageAuthorization(state, userCode, now, settings), requestId), state]
  }
  if (request.method !== "POST") {
    return [Page.problemPage(405, "Method not allowed", "Use the form below.", undefined, requestId), state]
  }
  if (!sameOrigin(request.headers, settings.baseUrl)) {
    return [
      Page.problemPage(403, "Forbidden", "Decisions are accepted only from the emulator's own page.", undefined, requestId),
      state
    ]
  }
  const form = new URLSearchParams(request.bodyText)
  const entered = form.get("user_code")?.trim() ?? ""
  const action = form.get("action")
  if (entered === "") {
    return [Page.problemPage(400, "Enter a code", "Enter the code the application showed you.", undefined, requestId), state]
  }
  if (action !== "approve" && action !== "deny") {
    return [Page.problemPage(400, "Choose a decision", "Choose Approve or Deny.", entered, requestId), state]
  }
  const userCode = normalizeUserCode(entered)
  const decision = action === "approve" ? "approved" : "denied"
  const [outcome, next] = State.decide(state, userCode, decision, now, settings)
  switch (outcome._tag) {
    case "Done":
      return [Page.resultPage(decision, userCode, requestId), next]
    case "Unknown":
      return [
        Page.problemPage(404, "Unknown code", `The code ${entered} is not known. Check it and try again.`, entered, requestId),
        next
      ]
    case "NotPending":
      return [
        Page.problemPage(
          409,
          "Request already closed",
          Page.notPendingMessage(userCode, outcome.status),
          undefined,
          requestId
        ),
        next
      ]
  }
}

/**
 * The `/authorize` page: `GET` validates the query and shows Approve / Deny,
 * a same-origin `POST` decides and redirects. `fresh.id` names a new request,
 * `fresh.code` is the code an approval issues.
 */
export const authorizationPage = (
  state: State.State,
  request: HandlerRequest,
  now: number,
  fresh: { readonly id: string; readonly code: string },
  settings: State.Settings,
  requestId: string
): readonly [HandlerResponse, State.State] => {
  if (request.method === "GET" || request.method === "HEAD") {
    const [outcome, next] = State.startAuthorizationRequest(state, request.query, now, { id: fresh.id }, settings)
    if (outcome._tag === "Invalid") {
      return [Page.authorizeProblemPage(400, outcome.title, outcome.message, requestId), next]
    }
    return [Page.authorizePage(outcome.request, requestId), next]
  }
  if (request.method !== "POST") {
    return [Page.authorizeProblemPage(405, "Method not allowed", "Use the page's buttons.", requestId), state]
  }
  if (!sameOrigin(request.headers, settings.baseUrl)) {
    return [
      Page.authorizeProblemPage(403, "Forbidden", "Decisions are accepted only from the emulator's own page.", requestId),
      state
    ]
  }
  const form = new URLSearchParams(request.bodyText)
  const id = form.get("request_id") ?? ""
  const action = form.get("action")
  if (id === "" || (action !== "approve" && action !== "deny")) {
    return [Page.authorizeProblemPage(400, "Invalid request", "The form is incomplete.", requestId), state]
  }
  const decision = action === "approve" ? "approved" : "denied"
  const [outcome, next] = State.decideAuthorizationRequest(state, id, decision, now, { code: fresh.code }, settings)
  switch (outcome._tag) {
    case "Redirect":
      return [Page.redirectReply(outcome.location, requestId), next]
    case "Unknown":
      return [Page.authorizeProblemPage(404, "Unknown request", "This sign-in request is not known.", requestId), next]
    case "NotPending":
      return [
        Page.authorizeProblemPage(
          409,
          "Request already closed",
          Page.requestNotPendingMessage(outcome.status === "pending" ? "expired" : outcome.status),
          requestId
        ),
        next
      ]
  }
}
