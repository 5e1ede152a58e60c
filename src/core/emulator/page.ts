/**
 * The verification page: plain, accessible HTML with no script. Everything
 * echoed back (user codes, client names, start URLs) is escaped.
 */
import type { HandlerResponse } from "./reply.js"
import type { AuthorizationStatus } from "./state.js"

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "\"": "&quot;",
  "'": "&#39;"
}

/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => entities[char]!)

const style = [
  "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;",
  "line-height:1.5;color:#1b1b1b;background:#fff}",
  "h1{font-size:1.5rem}",
  "label{display:block;font-weight:600;margin-bottom:.25rem}",
  "input{font:inherit;font-family:ui-monospace,monospace;font-size:1.25rem;letter-spacing:.1em;padding:.4rem;",
  "width:12ch;text-transform:uppercase}",
  ".actions{margin-top:1rem;display:flex;gap:.75rem}",
  "button{font:inherit;padding:.5rem 1.25rem;border-radius:.25rem;border:1px solid #555;cursor:pointer}",
  "button[value=approve]{background:#0b5394;color:#fff;border-color:#0b5394}",
  "button:focus-visible,input:focus-visible{outline:3px solid #f9a825;outline-offset:2px}",
  ".code{font-family:ui-monospace,monospace;font-size:1.5rem;letter-spacing:.1em}",
  "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;word-break:break-all}",
  "[role=alert]{border-left:4px solid #b00020;padding:.25rem .75rem;background:#fdecea}",
  "[role=status]{border-left:4px solid #0b5394;padding:.25rem .75rem;background:#e8f0fe}",
  "footer{margin-top:2rem;font-size:.875rem;color:#555}"
].join("")

const layout = (title: string, main: string): string =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · SSO OIDC emulator</title>
<style>${style}</style>
</head>
<body>
<main>
${main}
</main>
<footer>Local emulator of AWS IAM Identity Center OIDC (effect-sso-oidc). Not an AWS service.</footer>
</body>
</html>
`

/**
 * Security headers for every page: no framing, no script, forms only to this
 * origin (and, on the `/authorize` page, to the validated redirect URI's
 * origin: browsers apply `form-action` to the redirect that follows a form
 * post), no referrer to other origins, never cached.
 */
const pageHeaders = (requestId: string, formActionOrigin?: string): Record<string, string> => ({
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  // Not `no-referrer`: under it browsers send `Origin: null` with the page's own form posts.
  "referrer-policy": "same-origin",
  "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'${
    formActionOrigin === undefined ? "" : ` ${formActionOrigin}`
  }; frame-ancestors 'none'; base-uri 'none'`,
  "x-amzn-RequestId": requestId
})

const page = (
  status: number,
  title: string,
  main: string,
  requestId: string,
  formActionOrigin?: string
): HandlerResponse => ({
  status,
  headers: pageHeaders(requestId, formActionOrigin),
  bodyText: layout(title, main)
})

/** The form: the code (prefilled when known) and the two decisions. */
const form = (userCode: string | undefined): string =>
  `<form method="post" action="/device">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" required autocomplete="off" autocapitalize="characters" spellcheck="false" aria-describedby="code-hint" value="${
    escapeHtml(userCode ?? "")
  }">
<p id="code-hint">The code looks like <span class="code">ABCD-EFGH</span>.</p>
<div class="actions">
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny">Deny</button>
</div>
</form>`

/** What the page knows about an authorization. */
export interface PageAuthorization {
  readonly userCode: string
  readonly status: AuthorizationStatus
  readonly clientName: string | undefined
  readonly startUrl: string
}

const statusText: Record<AuthorizationStatus, string> = {
  pending: "waiting for your decision",
  approved: "approved",
  denied: "denied",
  consumed: "approved, and the application has already received its token",
  expired: "expired"
}

/** `GET /device` with no code: a form to enter one. */
export const entryPage = (requestId: string): HandlerResponse =>
  page(
    200,
    "Authorize a device",
    `<h1>Authorize a device</h1>
<p>Enter the code shown by the application that asked to sign in.</p>
${form(undefined)}`,
    requestId
  )

/** `GET /device?user_code=…`: confirm a known code, or say it is unknown. */
export const confirmPage = (
  entered: string,
  authorization: PageAuthorization | undefined,
  requestId: string
): HandlerResponse => {
  if (authorization === undefined) {
    return page(
      404,
      "Unknown code",
      `<h1>Authorize a device</h1>
<p role="alert">The code <span class="code">${escapeHtml(entered)}</span> is not known. Check it and try again.</p>
${form(entered)}`,
      requestId
    )
  }
  const details = `<dl>
<dt>Code</dt><dd class="code">${escapeHtml(authorization.userCode)}</dd>
<dt>Application</dt><dd>${escapeHtml(authorization.clientName ?? "unknown")}</dd>
<dt>Start URL</dt><dd>${escapeHtml(authorization.startUrl)}</dd>
</dl>`
  if (authorization.status !== "pending") {
    return page(
      200,
      "Authorization request",
      `<h1>Authorization request</h1>
${details}
<p role="status">This request is ${statusText[authorization.status]}.</p>`,
      requestId
    )
  }
  return page(
    200,
    "Authorize a device",
    `<h1>Authorize a device</h1>
<p>Check that this code matches the one shown by the application, then approve or deny its request.</p>
${details}
${form(authorization.userCode)}`,
    requestId
  )
}

/** The page after a decision. */
export const resultPage = (decision: "approved" | "denied", userCode: string, requestId: string): HandlerResponse =>
  page(
    200,
    decision === "approved" ? "Request approved" : "Request denied",
    `<h1>${decision === "approved" ? "Request approved" : "Request denied"}</h1>
<p role="status">The request for code <span class="code">${escapeHtml(userCode)}</span> was ${decision}.</p>
<p>You can close this window and return to the application.</p>`,
    requestId
  )

/** A page for a decision that could not be made. */
export const problemPage = (
  status: number,
  title: string,
  message: string,
  userCode: string | undefined,
  requestId: string
): HandlerResponse =>
  page(
    status,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(message)}</p>
${form(userCode)}`,
    requestId
  )

/** Why an authorization can no longer be decided. */
export const notPendingMessage = (userCode: string, status: AuthorizationStatus): string =>
  `The request for code ${userCode} is ${statusText[status]}; it can no longer be changed.`

// -----------------------------------------------------------------------------
// /authorize
// -----------------------------------------------------------------------------

/** What the `/authorize` page shows about a request. */
export interface PageAuthorizationRequest {
  readonly id: string
  readonly clientName: string
  readonly scopes: ReadonlyArray<string>
  readonly redirectUri: string
}

/** `GET /authorize` of a valid request: who asks, for what, and where the browser goes next; Approve / Deny. */
export const authorizePage = (request: PageAuthorizationRequest, requestId: string): HandlerResponse => {
  const target = new URL(request.redirectUri)
  return page(
    200,
    "Authorize an application",
    `<h1>Authorize an application</h1>
<p>An application asks to sign in with your identity. Approve only if you started this sign-in.</p>
<dl>
<dt>Application</dt><dd>${escapeHtml(request.clientName)}</dd>
<dt>Scopes</dt><dd>${request.scopes.length === 0 ? "none" : escapeHtml(request.scopes.join(" "))}</dd>
<dt>Returns to</dt><dd>${escapeHtml(target.origin + target.pathname)}</dd>
</dl>
<form method="post" action="/authorize">
<input type="hidden" name="request_id" value="${escapeHtml(request.id)}">
<div class="actions">
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny">Deny</button>
</div>
</form>`,
    requestId,
    target.origin
  )
}

/** An `/authorize` request that cannot go on: it never redirects anywhere. */
export const authorizeProblemPage = (
  status: number,
  title: string,
  message: string,
  requestId: string
): HandlerResponse =>
  page(
    status,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p role="alert">${escapeHtml(message)}</p>
<p>Return to the application and start the sign-in again.</p>`,
    requestId
  )

/** The 302 that sends the browser back to the application with the code or the error. */
export const redirectReply = (location: string, requestId: string): HandlerResponse => ({
  status: 302,
  headers: {
    location,
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-amzn-RequestId": requestId
  },
  bodyText: layout(
    "Returning to the application",
    `<h1>Returning to the application</h1>
<p><a href="${escapeHtml(location)}">Continue</a></p>`
  )
})

const requestStatusText: Record<"approved" | "denied" | "consumed" | "expired", string> = {
  approved: "already approved",
  denied: "already denied",
  consumed: "already approved, and the application has used its code",
  expired: "expired"
}

/** Why an `/authorize` request can no longer be decided. */
export const requestNotPendingMessage = (status: "approved" | "denied" | "consumed" | "expired"): string =>
  `This sign-in request is ${requestStatusText[status]}; it can no longer be changed. Start the sign-in again.`
