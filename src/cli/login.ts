/**
 * `sso-oidc login`: sign in and write the AWS CLI's token cache, with the
 * browser (PKCE) flow by default and the device flow on request, for an
 * sso-session with `sso_use_device_code = true`, or when no browser here
 * could reach the loopback listener (SSH, a container, no desktop).
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { Effect, Layer, Option } from "effect"
import type { AuthorizationCodeLoginEvent } from "../AuthorizationCodeLogin.js"
import * as DeviceLogin from "../DeviceLogin.js"
import * as NodeSso from "../node/NodeSso.js"
import type * as SsoOidcClient from "../SsoOidcClient.js"
import * as SsoConfig from "../SsoConfig.js"
import * as SsoTokenProvider from "../SsoTokenProvider.js"
import * as TokenCache from "../TokenCache.js"
import { type BrowserPlan, browserPlan, isLoopback, openBrowser, surroundings, webUrl } from "./browser.js"
import { httpClientLayer } from "./http.js"
import { printable, safeJson } from "./printable.js"
import { browserEvent, type DisplayMode, makeDisplay, verificationUrl } from "./render.js"
import { CliError, connectionOptions, displayOutput, globalOptions, listOption, usageError } from "./shared.js"

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

/** Why a start URL cannot be signed in to, or `undefined` when it can: https, or http on this machine. */
export const startUrlProblem = (text: string): string | undefined => {
  const url = URL.parse(text)
  if (url === null) return "is not a URL"
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url))) return undefined
  return url.protocol === "http:" ? "must be https (http only on this machine: 127.0.0.1, localhost)" : "must be an https URL"
}

export const loginOptions = {
  region: globalOptions.region,
  endpointUrl: globalOptions.endpointUrl,
  allowInsecureEndpoint: globalOptions.allowInsecureEndpoint,
  cliReadTimeout: globalOptions.cliReadTimeout,
  output: displayOutput,
  ssoSession: Options.text("sso-session").pipe(
    Options.withDescription("Sign in to this [sso-session NAME] of the AWS config file"),
    Options.optional
  ),
  profile: Options.text("profile").pipe(
    Options.withDescription("Sign in to the SSO session of this profile (default: AWS_PROFILE, else default)"),
    Options.optional
  ),
  startUrl: Options.text("start-url").pipe(
    Options.withDescription("Sign in to this AWS access portal directly (a legacy session; needs --region)"),
    Options.mapEffect((url) => {
      const problem = startUrlProblem(url)
      return problem === undefined ? Effect.succeed(url) : Effect.fail(usageError(`--start-url ${printable(url)} ${problem}`))
    }),
    Options.optional
  ),
  noBrowser: Options.boolean("no-browser").pipe(
    Options.withDescription("Do not open a browser: sign in with a device code, on this or another device")
  ),
  useDeviceCode: Options.boolean("use-device-code").pipe(
    Options.withDescription(
      "Use the device code flow (the default over SSH, in a container, without a desktop, or with sso_use_device_code = true)"
    )
  ),
  clientName: Options.text("client-name").pipe(Options.withDescription("The client name to register"), Options.optional),
  scopes: listOption("scopes", "Scopes to register (with --start-url), e.g. sso:account:access")
}

type Flags = Command.Command.ParseConfig<typeof loginOptions>

/** A session of `--start-url` and `--region` alone, as the AWS CLI's legacy profiles. */
const legacySession = (flags: Flags, startUrl: string) =>
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
const sessionOf = (flags: Flags) =>
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
      ? legacySession(flags, flags.startUrl.value)
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

export const loginCommand = Command.make("login", loginOptions, (flags) =>
  Effect.gen(function*() {
    const session = yield* sessionOf(flags)
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
  )).pipe(
    Command.withDescription(
      "Sign in and write the token to the AWS CLI's cache (~/.aws/sso/cache); the token is never printed"
    )
  )
