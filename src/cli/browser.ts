/**
 * Whether `sso-oidc login` can use a browser on this machine, and how it
 * opens one. The browser (PKCE) flow needs a browser that reaches the
 * loopback listener on 127.0.0.1 here: over SSH, inside a container or
 * without a graphical session the browser is elsewhere, so the device code
 * is the default there.
 *
 * @internal
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { isLoopback } from "./urls.js"

/** What the decision reads, so that tests can state it. */
export interface Surroundings {
  readonly platform: NodeJS.Platform
  readonly env: Readonly<Record<string, string | undefined>>
  readonly exists: (path: string) => boolean
}

export const surroundings = (): Surroundings => ({ platform: process.platform, env: process.env, exists: existsSync })

/** A browser command (the URL is appended as its last argument), or why there is none. */
export type BrowserPlan =
  | { readonly _tag: "Browser"; readonly command: string; readonly args: ReadonlyArray<string> }
  | { readonly _tag: "NoBrowser"; readonly reason: string }

const set = (value: string | undefined) => value !== undefined && value !== ""

export const browserPlan = ({ env, exists, platform }: Surroundings): BrowserPlan => {
  // An explicit BROWSER is the user saying which browser runs where.
  if (set(env.BROWSER)) return { _tag: "Browser", command: env.BROWSER!, args: [] }
  if (set(env.SSH_CONNECTION) || set(env.SSH_TTY) || set(env.SSH_CLIENT)) {
    return { _tag: "NoBrowser", reason: "this is an SSH session" }
  }
  if (exists("/.dockerenv") || exists("/run/.containerenv") || set(env.container)) {
    return { _tag: "NoBrowser", reason: "this runs inside a container" }
  }
  // rundll32 takes the URL as it is: `cmd /c start` would read & | ^ in it as shell syntax.
  if (platform === "win32") return { _tag: "Browser", command: "rundll32", args: ["url.dll,FileProtocolHandler"] }
  if (platform === "darwin") return { _tag: "Browser", command: "open", args: [] }
  // WSL has no xdg-open desktop of its own; wslview (wslu) opens the Windows browser.
  if (set(env.WSL_DISTRO_NAME)) return { _tag: "Browser", command: "wslview", args: [] }
  if (set(env.DISPLAY) || set(env.WAYLAND_DISPLAY)) return { _tag: "Browser", command: "xdg-open", args: [] }
  return { _tag: "NoBrowser", reason: "there is no graphical session (DISPLAY and WAYLAND_DISPLAY are unset)" }
}

export { isLoopback }

/**
 * The URL as a browser may be given it: `https:`, or `http:` to loopback
 * (any `http:` with `allowHttp`); `undefined` for anything else (`file:`,
 * `javascript:`, a string that is not a URL or would read as an option).
 * The returned `href` always starts with the scheme.
 */
export const webUrl = (text: string, allowHttp = false): string | undefined => {
  const url = URL.parse(text)
  if (url === null) return undefined
  if (url.protocol === "https:") return url.href
  if (url.protocol === "http:" && (allowHttp || isLoopback(url))) return url.href
  return undefined
}

/**
 * Opens `url` with the plan's command; `false` when nothing could be
 * started. A command that starts but then fails (exit code not 0) calls
 * `onFailed`, since by then the login is already waiting.
 */
export const openBrowser = (
  plan: Extract<BrowserPlan, { _tag: "Browser" }>,
  url: string,
  onFailed: (code: number) => void
): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    try {
      const child = spawn(plan.command, [...plan.args, url], { stdio: "ignore", detached: true })
      child.once("error", () => resume(Effect.succeed(false)))
      child.once("spawn", () => {
        child.unref()
        resume(Effect.succeed(true))
      })
      child.once("exit", (code) => {
        if (code !== null && code !== 0) onFailed(code)
      })
    } catch {
      resume(Effect.succeed(false))
    }
  })
