/**
 * `sso-oidc login`: sign in and write the AWS CLI's token cache, with the
 * browser (PKCE) flow by default and the device flow on request.
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { FetchHttpClient } from "@effect/platform"
import { Console, Effect, Layer, Option } from "effect"
import { spawn } from "node:child_process"
import type { AuthorizationCodeLoginEvent } from "../AuthorizationCodeLogin.js"
import * as DeviceLogin from "../DeviceLogin.js"
import * as NodeSso from "../node/NodeSso.js"
import type * as SsoOidcClient from "../SsoOidcClient.js"
import * as SsoConfig from "../SsoConfig.js"
import * as SsoTokenProvider from "../SsoTokenProvider.js"
import * as TokenCache from "../TokenCache.js"
import { browserEvent, type DisplayMode, makeDisplay } from "./render.js"
import { displayOutput, globalOptions, splitList } from "./shared.js"

/** Opens `url` in the user's browser; a failure only means the user opens it. */
export const openBrowser = (url: string): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const [command, args] = process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
      ? ["cmd", ["/c", "start", "", url]]
      : [process.env.BROWSER ?? "xdg-open", [url]]
    try {
      const child = spawn(command, args as Array<string>, { stdio: "ignore", detached: true })
      child.once("error", () => resume(Effect.succeed(false)))
      child.once("spawn", () => {
        child.unref()
        resume(Effect.succeed(true))
      })
    } catch {
      resume(Effect.succeed(false))
    }
  })

/** Whether a browser can be opened here at all (a desktop session, or `BROWSER`). */
export const canOpenBrowser = (): boolean =>
  process.platform === "darwin" || process.platform === "win32" ||
  Boolean(process.env.BROWSER || process.env.DISPLAY || process.env.WAYLAND_DISPLAY)

export const writeStdout = (text: string) => Effect.sync(() => void process.stdout.write(text))

export interface LoginFlags {
  readonly startUrl: string
  readonly noBrowser: boolean
  readonly mode: DisplayMode
  readonly clientName: Option.Option<string>
  readonly scopes: ReadonlyArray<string>
}

/** The device login's events on a display, opening the browser on `AwaitingUser` unless told not to. */
const deviceEvents = (mode: DisplayMode, noBrowser: boolean) =>
  Effect.map(makeDisplay(mode, writeStdout), (display) => ({
    close: display.close,
    onEvent: (event: DeviceLogin.DeviceLoginEvent) =>
      Effect.gen(function*() {
        yield* display.onEvent(event)
        if (event._tag === "AwaitingUser" && !noBrowser) {
          const opened = yield* openBrowser(event.verificationUriComplete ?? event.verificationUri)
          if (!opened && mode !== "json") yield* writeStdout("(No browser could be opened: open the URL yourself.)\n")
        }
      })
  }))

/** Runs the device login with a display, without a cache (the demo); returns the token (never printed). */
export const runLogin = (flags: LoginFlags) =>
  Effect.gen(function*() {
    const display = yield* deviceEvents(flags.mode, flags.noBrowser)
    return yield* DeviceLogin.login({
      startUrl: flags.startUrl,
      clientName: Option.getOrElse(flags.clientName, () => "effect-sso-oidc-cli"),
      ...(flags.scopes.length === 0 ? {} : { scopes: flags.scopes }),
      onEvent: display.onEvent
    }).pipe(Effect.ensuring(display.close))
  }) satisfies Effect.Effect<DeviceLogin.Token, DeviceLogin.DeviceLoginError, SsoOidcClient.SsoOidcClient>

export const displayMode = (output: "text" | "json"): DisplayMode =>
  output === "json" ? "json" : process.stdout.isTTY ? "live" : "plain"

export const loginOptions = {
  region: globalOptions.region,
  endpointUrl: globalOptions.endpointUrl,
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
    Options.optional
  ),
  noBrowser: Options.boolean("no-browser").pipe(
    Options.withDescription("Do not open a browser; with the browser flow, print the URL to open")
  ),
  useDeviceCode: Options.boolean("use-device-code").pipe(
    Options.withDescription("Use the device code flow (the default when no browser can be opened)")
  ),
  clientName: Options.text("client-name").pipe(Options.withDescription("The client name to register"), Options.optional),
  scopes: Options.text("scopes").pipe(
    Options.withDescription("Scopes to register (legacy sessions), e.g. sso:account:access"),
    Options.repeated,
    Options.map(splitList)
  )
}

type Flags = Command.Command.ParseConfig<typeof loginOptions>

/** The session to sign in to: an sso-session, a profile's, or a start URL. */
const sessionOf = (flags: Flags) =>
  Effect.gen(function*() {
    if (Option.isSome(flags.ssoSession)) return yield* SsoConfig.session(flags.ssoSession.value)
    if (Option.isSome(flags.startUrl)) {
      const region = Option.orElse(flags.region, () => Option.fromNullable(process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION))
      if (Option.isNone(region)) return yield* Effect.fail(new MissingRegion())
      return {
        sessionName: undefined,
        startUrl: flags.startUrl.value,
        region: region.value,
        registrationScopes: flags.scopes.length === 0 ? undefined : flags.scopes
      } satisfies SsoConfig.SsoSession
    }
    return yield* SsoConfig.profile(Option.getOrUndefined(flags.profile))
  })

/** `--start-url` needs a region. */
export class MissingRegion extends Error {
  readonly _tag = "MissingRegion"
  override readonly message = "--start-url needs --region (or AWS_REGION)"
}

export const loginCommand = Command.make("login", loginOptions, (flags) =>
  Effect.gen(function*() {
    const session = yield* sessionOf(flags)
    const mode = displayMode(flags.output)
    const browser = !flags.useDeviceCode && !flags.noBrowser && canOpenBrowser()
    const clientName = Option.getOrUndefined(flags.clientName)
    if (browser) {
      const onBrowserEvent = (event: AuthorizationCodeLoginEvent) =>
        Effect.gen(function*() {
          const shown = browserEvent(event)
          yield* (mode === "json" ? Console.log(JSON.stringify(shown.json)) : Console.log(shown.line))
          if (event._tag === "AwaitingBrowser") yield* openBrowser(event.authorizeUrl)
        })
      yield* SsoTokenProvider.loginToCache(session, { flow: "browser", clientName, onBrowserEvent })
    } else {
      const display = yield* deviceEvents(mode, flags.noBrowser)
      yield* SsoTokenProvider.loginToCache(session, { flow: "device", clientName, onEvent: display.onEvent }).pipe(
        Effect.ensuring(display.close)
      )
    }
  }).pipe(
    Effect.provide(
      SsoTokenProvider.layerConfig({
        client: Option.isSome(flags.endpointUrl) ? { endpoint: flags.endpointUrl.value } : {}
      }).pipe(
        Layer.provideMerge(Layer.mergeAll(TokenCache.layer(), SsoConfig.layer(), FetchHttpClient.layer)),
        Layer.provideMerge(NodeSso.layer)
      )
    )
  )).pipe(
    Command.withDescription(
      "Sign in and write the token to the AWS CLI's cache (~/.aws/sso/cache); the token is never printed"
    )
  )
