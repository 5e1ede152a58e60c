/**
 * What `sso-oidc login` does once its flags are parsed (login.ts has the
 * @effect/cli command): the browser (PKCE) flow by default and the device
 * flow on request, for an sso-session with `sso_use_device_code = true`,
 * or when no browser here could reach the loopback listener. No
 * @effect/cli here: the launcher runs it directly (src/bin/quick.ts).
 *
 * @internal
 */
import { Effect, Layer, Option } from "effect"
import type { AuthorizationCodeLoginEvent } from "../AuthorizationCodeLogin.js"
import * as DeviceLogin from "../DeviceLogin.js"
import * as NodeSso from "../node/NodeSso.js"
import type * as SsoOidcClient from "../SsoOidcClient.js"
import * as SsoConfig from "../SsoConfig.js"
import * as SsoTokenProvider from "../SsoTokenProvider.js"
import * as TokenCache from "../TokenCache.js"
import { type BrowserPlan, browserPlan, openBrowser, surroundings, webUrl } from "./browser.js"
import { CliError, connectionOptions } from "./common.js"
import { httpClientLayer } from "./http.js"
import { printable, safeJson } from "./printable.js"
import { browserEvent, type DisplayMode, makeDisplay, verificationUrl } from "./render.js"
import { startUrlProblem } from "./urls.js"

export const writeStdout = (text: string) => Effect.sync(() => void process.stdout.write(text))

/** A note for the person, on stdout with the display; JSON output stays JSON lines only. */
const note = (mode: DisplayMode, text: string) => (mode === "json" ? Effect.void : writeStdout(text + "\n"))

/**
 * Opens `url` when the plan has a browser and the URL is one a browser may
 * be handed (https, or http to loopback); otherwise says why not.
 */
const open = (plan: BrowserPlan, url: string, mode: DisplayMode, allowHttp: boolean) =>
  Effect.gen(function*() {
    if (plan._tag === "NoBrowser") return
    const safe = webUrl(url, allowHttp)
    if (safe === undefined) {
      return yield* note(mode, "(Not opening a browser: that is not an https URL. Check it before you open it yourself.)")
    }
    const opened = yield* openBrowser(plan, safe, (code) => {
      process.stderr.write(`sso-oidc: the browser command ${printable(plan.command)} exited with code ${code}: open the URL yourself.\n`)
    })
    if (!opened) yield* note(mode, "(No browser could be opened: open the URL yourself.)")
  })

export interface LoginFlags {
  readonly startUrl: string
  readonly noBrowser: boolean
  readonly mode: DisplayMode
  readonly clientName: Option.Option<string>
  readonly scopes: ReadonlyArray<string>
}

/** The device login's events on a display; the code is shown, then the browser opened (with a plan that has one). */
const deviceEvents = (mode: DisplayMode, plan: BrowserPlan, allowHttp: boolean) =>
  Effect.map(makeDisplay(mode, writeStdout), (display) => ({
    close: display.close,
    onEvent: (event: DeviceLogin.DeviceLoginEvent) =>
      Effect.gen(function*() {
        yield* display.onEvent(event)
        if (event._tag === "AwaitingUser") yield* open(plan, verificationUrl(event), mode, allowHttp)
      })
  }))

const noBrowser: BrowserPlan = { _tag: "NoBrowser", reason: "--no-browser" }

/** Runs the device login with a display, without a cache (the demo); returns the token (never printed). */
export const runLogin = (flags: LoginFlags) =>
  Effect.gen(function*() {
    const plan = flags.noBrowser ? noBrowser : browserPlan(surroundings())
    const display = yield* deviceEvents(flags.mode, plan, false)
    return yield* DeviceLogin.login({
      startUrl: flags.startUrl,
      clientName: Option.getOrElse(flags.clientName, () => "effect-sso-oidc-cli"),
      ...(flags.scopes.length === 0 ? {} : { scopes: flags.scopes }),
      onEvent: display.onEvent
    }).pipe(Effect.ensuring(display.close))
  }) satisfies Effect.Effect<DeviceLogin.Token, DeviceLogin.DeviceLoginError, SsoOidcClient.SsoOidcClient>

export const displayMode = (output: "text" | "json"): DisplayMode =>
  output === "json" ? "json" : process.stdout.isTTY ? "live" : "plain"

/** `login`'s flags, parsed (by @effect/cli, or by the launcher's fast path). */
export interface Flags {
  readonly region: Option.Option<string>
  readonly endpointUrl: Option.Option<string>
  readonly allowInsecureEndpoint: boolean
  readonly cliReadTimeout: Option.Option<number>
  readonly output: "text" | "json"
  readonly ssoSession: Option.Option<string>
  readonly profile: Option.Option<string>
  readonly startUrl: Option.Option<string>
  readonly noBrowser: boolean
  readonly useDeviceCode: boolean
  readonly clientName: Option.Option<string>
  readonly scopes: ReadonlyArray<string>
}

/** How a usage error found after parsing is raised: @effect/cli's ValidationError, or the fast path's own. */
export type UsageError<E> = (message: string) => E

/** A session of `--start-url` and `--region` alone, as the AWS CLI's legacy profiles. */
const legacySession = <E>(flags: Flags, startUrl: string, usageError: UsageError<E>) =>
  Effect.gen(function*() {
    const region = Option.orElse(
      flags.region,
      () => Option.fromNullable(process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined)
    )
    if (Option.isNone(region)) return yield* Effect.fail(usageError("--start-url needs --region (or AWS_REGION)"))
    return {
      sessionName: undefined,
      startUrl,
      region: region.value,
      registrationScopes: flags.scopes.length === 0 ? undefined : flags.scopes
    } satisfies SsoConfig.SsoSession
  })

/** The session to sign in to: an sso-session, a profile's, or a start URL; naming two is a usage error. */
const sessionOf = <E>(flags: Flags, usageError: UsageError<E>) =>
  Effect.gen(function*() {
    const named = [
      Option.isSome(flags.ssoSession) ? "--sso-session" : undefined,
      Option.isSome(flags.profile) ? "--profile" : undefined,
      Option.isSome(flags.startUrl) ? "--start-url" : undefined
    ].filter((flag) => flag !== undefined)
    if (named.length > 1) return yield* Effect.fail(usageError(`${named.join(" and ")} each name a session: give one`))
    if (flags.scopes.length > 0 && Option.isNone(flags.startUrl)) {
      return yield* Effect.fail(
        usageError("--scopes applies to --start-url; a configured session registers its sso_registration_scopes")
      )
    }
    const session: SsoConfig.SsoSession = yield* (Option.isSome(flags.ssoSession)
      ? SsoConfig.session(flags.ssoSession.value)
      : Option.isSome(flags.startUrl)
      ? legacySession(flags, flags.startUrl.value, usageError)
      : SsoConfig.profile(Option.getOrUndefined(flags.profile)))
    const problem = startUrlProblem(session.startUrl)
    if (problem !== undefined) {
      const config = yield* SsoConfig.SsoConfig
      return yield* Effect.fail(
        new CliError({ message: `sso_start_url ${session.startUrl} in ${config.path} ${problem}` })
      )
    }
    return session
  })


/**
 * `sso-oidc login` once its flags are parsed: usage errors found here (two
 * sessions named, `--scopes` without `--start-url`) are raised with
 * `usageError`.
 */
export const loginProgram = <E>(flags: Flags, usageError: UsageError<E>) =>
  Effect.gen(function*() {
    const session = yield* sessionOf(flags, usageError)
    const mode = displayMode(flags.output)
    const found = browserPlan(surroundings())
    const plan = flags.noBrowser ? noBrowser : found
    const clientName = Option.getOrUndefined(flags.clientName)
    const allowHttp = flags.allowInsecureEndpoint
    const device = flags.useDeviceCode || flags.noBrowser || session.useDeviceCode === true || plan._tag === "NoBrowser"
    if (!device) {
      const onBrowserEvent = (event: AuthorizationCodeLoginEvent) =>
        Effect.gen(function*() {
          const shown = browserEvent(event)
          yield* writeStdout((mode === "json" ? safeJson(shown.json) : shown.line) + "\n")
          if (event._tag === "AwaitingBrowser") yield* open(plan, event.authorizeUrl, mode, allowHttp)
        })
      yield* SsoTokenProvider.loginToCache(session, { flow: "browser", clientName, onBrowserEvent })
    } else {
      if (found._tag === "NoBrowser" && !flags.useDeviceCode && !flags.noBrowser && session.useDeviceCode !== true) {
        yield* note(mode, `Signing in with a device code: ${found.reason}, so a browser could not reach this machine.`)
      }
      const display = yield* deviceEvents(mode, plan, allowHttp)
      yield* SsoTokenProvider.loginToCache(session, { flow: "device", clientName, onEvent: display.onEvent }).pipe(
        Effect.ensuring(display.close)
      )
    }
  }).pipe(
    Effect.provide(
      SsoTokenProvider.layerConfig({
        client: {
          ...(Option.isSome(flags.endpointUrl) ? { endpoint: flags.endpointUrl.value } : {}),
          ...connectionOptions(flags)
        }
      }).pipe(
        Layer.provideMerge(Layer.mergeAll(TokenCache.layer(), SsoConfig.layer(), httpClientLayer({
          profile: Option.getOrUndefined(flags.profile)
        }))),
        Layer.provideMerge(NodeSso.layer)
      )
    )
  )
