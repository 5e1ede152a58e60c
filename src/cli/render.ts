/**
 * How `sso-oidc login` shows a device login: a live display on a terminal
 * (code, URL, countdown), plain lines when not a terminal, JSON lines with
 * `--output json`. Never the token itself. What the service sent (client
 * id, user code, URLs) is escaped before it reaches the terminal.
 *
 * @internal
 */
import { Clock, Duration, Effect, Fiber, Ref, Schedule } from "effect"
import type { AuthorizationCodeLoginEvent } from "../AuthorizationCodeLogin.js"
import type { DeviceLoginEvent } from "../DeviceLogin.js"
import { printable, safeJson } from "./printable.js"

export type DisplayMode = "live" | "plain" | "json"

export interface Display {
  readonly onEvent: (event: DeviceLoginEvent) => Effect.Effect<void>
  /** Ends the live line (after success or failure). */
  readonly close: Effect.Effect<void>
}

const seconds = (duration: Duration.Duration) => Math.round(Duration.toSeconds(duration))

const clockTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z")

/** `m:ss` until `deadline`. */
const countdown = (deadline: number, now: number) => {
  const left = Math.max(0, Math.ceil((deadline - now) / 1000))
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`
}

/** One JSON object per event, without secrets. */
export const jsonLine = (event: DeviceLoginEvent): Record<string, unknown> => {
  switch (event._tag) {
    case "Registered":
      return {
        event: "Registered",
        clientId: event.registration.clientId,
        // Epoch seconds, as RegisterClient gives it.
        clientSecretExpiresAt: Math.floor(event.registration.clientSecretExpiresAt.getTime() / 1000),
        reused: event.reused
      }
    case "AwaitingUser":
      return {
        event: "AwaitingUser",
        userCode: event.userCode,
        verificationUri: event.verificationUri,
        ...(event.verificationUriComplete === undefined ? {} : { verificationUriComplete: event.verificationUriComplete }),
        expiresAt: clockTime(event.expiresAt)
      }
    case "Pending":
      return { event: "Pending", attempt: event.attempt, nextPollInSeconds: seconds(event.nextPollIn), reason: event.reason }
    case "SlowedDown":
      return { event: "SlowedDown", attempt: event.attempt, intervalSeconds: seconds(event.interval) }
    case "Authorized":
      return {
        event: "Authorized",
        expiresAt: clockTime(event.token.expiresAt),
        ...(event.token.tokenType === undefined ? {} : { tokenType: event.token.tokenType }),
        refreshable: event.token.refreshToken !== undefined
      }
  }
}

/** The URL to show and open: the one with the code filled in, when the service sent it. */
export const verificationUrl = (event: Extract<DeviceLoginEvent, { _tag: "AwaitingUser" }>): string =>
  event.verificationUriComplete ?? event.verificationUri

/** One human line per event. */
export const plainLine = (event: DeviceLoginEvent): string => {
  switch (event._tag) {
    case "Registered":
      return event.reused
        ? `Reusing client registration ${printable(event.registration.clientId)}`
        : `Registered client ${printable(event.registration.clientId)}`
    case "AwaitingUser":
      return [
        `To sign in, open ${printable(verificationUrl(event))}`,
        `and confirm the code ${printable(event.userCode)} (it expires at ${clockTime(event.expiresAt)}).`
      ].join("\n")
    case "Pending":
      return event.reason === "transient_error"
        ? `The service did not answer; trying again in ${seconds(event.nextPollIn)} s (poll ${event.attempt})`
        : `Waiting for approval (poll ${event.attempt}, next in ${seconds(event.nextPollIn)} s)`
    case "SlowedDown":
      return `The service asked to slow down: polling every ${seconds(event.interval)} s`
    case "Authorized":
      return `Signed in. The access token expires at ${clockTime(event.token.expiresAt)}.`
  }
}

/**
 * A display writing with `write`. The live mode redraws its status line every
 * second with a countdown to the code's expiry, reading `Clock`.
 */
export const makeDisplay = (mode: DisplayMode, write: (text: string) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    if (mode === "json") {
      return {
        onEvent: (event) => write(safeJson(jsonLine(event)) + "\n"),
        close: Effect.void
      } satisfies Display
    }
    if (mode === "plain") {
      return { onEvent: (event) => write(plainLine(event) + "\n"), close: Effect.void } satisfies Display
    }
    const status = yield* Ref.make<{ text: string; deadline: number | undefined }>({ text: "", deadline: undefined })
    const redraw = Effect.gen(function*() {
      const { deadline, text } = yield* Ref.get(status)
      if (text === "") return
      const now = yield* Clock.currentTimeMillis
      const left = deadline === undefined ? "" : ` — code expires in ${countdown(deadline, now)}`
      yield* write(`\r\x1b[K${text}${left}`)
    })
    const ticker = yield* Effect.forkDaemon(Effect.repeat(redraw, Schedule.spaced("1 second")))
    const clearLine = write("\r\x1b[K")
    const onEvent = (event: DeviceLoginEvent) =>
      Effect.gen(function*() {
        switch (event._tag) {
          case "AwaitingUser":
            yield* clearLine
            yield* write(
              `\nTo sign in, open:\n\n    ${printable(verificationUrl(event))}\n\n` +
                `and confirm the code:\n\n    ${printable(event.userCode)}\n\n`
            )
            yield* Ref.set(status, { text: "Waiting for approval", deadline: event.expiresAt.getTime() })
            break
          case "Authorized":
            yield* Ref.update(status, (s) => ({ ...s, text: "" }))
            yield* clearLine
            yield* write(plainLine(event) + "\n")
            return
          case "Registered":
            yield* clearLine
            yield* write(plainLine(event) + "\n")
            break
          default:
            yield* Ref.update(status, (s) => ({ ...s, text: plainLine(event) }))
        }
        yield* redraw
      })
    return {
      onEvent,
      close: Effect.zipRight(Fiber.interrupt(ticker), Effect.flatMap(Ref.get(status), (s) => (s.text === "" ? Effect.void : write("\n"))))
    } satisfies Display
  })

/** A browser-login event as a JSON object (no secrets) or a plain line. */
export const browserEvent = (event: AuthorizationCodeLoginEvent): { json: Record<string, unknown>; line: string } => {
  switch (event._tag) {
    case "Registered":
      return {
        json: { event: "Registered", clientId: event.registration.clientId, reused: event.reused },
        line: event.reused
          ? `Reusing client registration ${printable(event.registration.clientId)}`
          : `Registered client ${printable(event.registration.clientId)}`
      }
    case "AwaitingBrowser":
      return {
        json: { event: "AwaitingBrowser", authorizeUrl: event.authorizeUrl },
        line: `To sign in, open this URL in a browser on this machine:\n\n    ${printable(event.authorizeUrl)}\n`
      }
    case "CodeReceived":
      return { json: { event: "CodeReceived" }, line: "Authorization received; getting the token." }
    case "Authorized":
      return {
        json: { event: "Authorized", expiresAt: clockTime(event.token.expiresAt) },
        line: `Signed in. The access token expires at ${clockTime(event.token.expiresAt)}.`
      }
  }
}
