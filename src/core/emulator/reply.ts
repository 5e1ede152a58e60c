/**
 * The emulator handler's request and reply, whichever front end (an HTTP
 * server, an in-process HttpClient) carries them. Plain data, so the state
 * machine, the wire format and the pages build replies without Effect; both
 * editions' `testing/Emulator` modules re-export these types.
 */

/**
 * An HTTP request as the handler sees it, whichever front end received it.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandlerRequest {
  /** `GET`, `POST`, … */
  readonly method: string
  /** The path without the query, e.g. `/token`. */
  readonly path: string
  /** The query parameters (the last value of a repeated name). */
  readonly query: Readonly<Record<string, string>>
  /** The request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** The request body as text (empty when there is none). */
  readonly bodyText: string
}

/**
 * The handler's reply. When `resetConnection` is true the front end drops the
 * connection instead of replying (the real server destroys the socket; the
 * in-process client fails with a transport error), and the other members are
 * meaningless.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandlerResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly bodyText: string
  readonly resetConnection?: boolean | undefined
}

/** A header's value, the name matched in any case. */
export const headerOf = (headers: Readonly<Record<string, string>>, name: string): string | undefined => {
  const lower = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value
  return undefined
}
