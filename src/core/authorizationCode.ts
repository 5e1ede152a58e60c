/**
 * The authorization code grant with PKCE (RFC 7636) without Effect: the code
 * verifier's text, the `/authorize` URL as the AWS CLI builds it, and what
 * the loopback listener answers to each request, with the callback it
 * accepts. Both editions' `AuthorizationCodeLogin` wrap these (the verifier
 * in `Redacted`, the callback in a `Deferred`).
 *
 * @internal
 */
import { constantTimeEqual, randomBytes } from "./crypto.js"

const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

/**
 * A PKCE code verifier's text: 64 characters from the unreserved set of RFC
 * 7636 §4.1, from `random` (cryptographic bytes by default); rejection
 * sampling keeps every character equally likely.
 */
export const codeVerifierText = (random: (length: number) => Uint8Array = randomBytes): string => {
  const out: Array<string> = []
  const limit = 256 - (256 % unreserved.length)
  while (out.length < 64) {
    for (const byte of random(96)) {
      if (byte < limit && out.length < 64) out.push(unreserved[byte % unreserved.length]!)
    }
  }
  return out.join("")
}

/** The redirect URI registered with the client; the port is added per login, as RFC 8252 §7.3 allows. */
export const registeredRedirectUri = "http://127.0.0.1/oauth/callback"

/** The path of the loopback callback. */
export const callbackPath = "/oauth/callback"

/** The redirect URI of one login, on the listener's port. */
export const redirectUriOf = (port: number): string => `http://127.0.0.1:${port}${callbackPath}`

/**
 * The `/authorize` URL as the AWS CLI builds it: on the OIDC endpoint, with
 * `response_type`, `client_id`, `redirect_uri`, `state`,
 * `code_challenge_method`, `scopes` (space-separated; the name is `scopes`)
 * and `code_challenge`, in that order.
 */
export const authorizeUrl = (options: {
  readonly endpoint: string
  readonly clientId: string
  readonly redirectUri: string
  readonly state: string
  readonly challenge: string
  readonly scopes: ReadonlyArray<string>
}): string => {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    state: options.state,
    code_challenge_method: "S256",
    scopes: options.scopes.join(" "),
    code_challenge: options.challenge
  })
  return `${options.endpoint}/authorize?${query.toString()}`
}

// -----------------------------------------------------------------------------
// the loopback callback
// -----------------------------------------------------------------------------

/** What the listener answers to one request. */
export interface CallbackReply {
  readonly status: number
  readonly html: string
}

/** What a callback carries: the code, or the authorization server's error. */
export type CallbackResult =
  | { readonly code: string; readonly error?: undefined }
  | { readonly code?: undefined; readonly error: string; readonly errorDescription: string | undefined }

const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body><main><h1>${title}</h1><p>${text}</p></main></body></html>`

const notFound: CallbackReply = { status: 404, html: page("Not found", "Nothing is served here.") }

const notThisLogin: CallbackReply = {
  status: 400,
  html: page("Not a sign-in callback", "This address only receives the sign-in redirect of the application.")
}

const alreadyDone: CallbackReply = {
  status: 200,
  html: page("Already done", "This sign-in has already finished. You can close this tab.")
}

const signedIn: CallbackReply = {
  status: 200,
  html: page("Signed in", "You can close this tab and return to the application.")
}

const signInFailed: CallbackReply = {
  status: 400,
  html: page("Sign-in failed", "The sign-in did not complete. You can close this tab and try again.")
}

/**
 * The listener's answer to one request, and the callback it accepts, if any.
 * Only a GET of the callback path whose `state` matches (compared in
 * constant time), with a `code` or an `error`, is accepted; anything else
 * gets a 404 (another path) or a 400 and changes nothing, so a stray or
 * forged request cannot end the login. Once `answered`, a matching callback
 * (a reload of the page) gets a 200 and is not accepted again: the first
 * answer stands.
 */
export const judgeCallback = (
  request: { readonly method: string; readonly path: string; readonly query: URLSearchParams },
  expectedState: string,
  answered: boolean
): { readonly reply: CallbackReply; readonly accepted?: CallbackResult | undefined } => {
  const { method, path, query } = request
  if (path !== callbackPath) return { reply: notFound }
  if (method !== "GET") return { reply: notThisLogin }
  const state = query.get("state")
  const code = query.get("code") ?? undefined
  const error = query.get("error") ?? undefined
  if (state === null || !constantTimeEqual(state, expectedState)) return { reply: notThisLogin }
  const callback: CallbackResult | undefined = error !== undefined
    ? { error, errorDescription: query.get("error_description") ?? undefined }
    : code !== undefined
    ? { code }
    : undefined
  if (callback === undefined) return { reply: notThisLogin }
  if (answered) return { reply: alreadyDone }
  return { reply: error === undefined ? signedIn : signInFailed, accepted: callback }
}
