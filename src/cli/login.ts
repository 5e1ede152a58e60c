/**
 * `sso-oidc login`: the device login with a live display.
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { spawn } from "node:child_process"
import * as DeviceLogin from "../DeviceLogin.js"
import type * as SsoOidcClient from "../SsoOidcClient.js"
import { makeDisplay, type DisplayMode } from "./render.js"
import { clientLayer, globalOptions, splitList } from "./shared.js"

/** Opens `url` in the user's browser; a failure only means the user opens it. */
export const openBrowser = (url: string): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const [command, args] = process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
      ? ["cmd", ["/c", "start", "", url]]
      : ["xdg-open", [url]]
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

export const writeStdout = (text: string) => Effect.sync(() => void process.stdout.write(text))

export interface LoginFlags {
  readonly startUrl: string
  readonly noBrowser: boolean
  readonly mode: DisplayMode
  readonly clientName: Option.Option<string>
  readonly scopes: ReadonlyArray<string>
}

/** Runs the device login with a display; returns the token (never printed). */
export const runLogin = (flags: LoginFlags) =>
  Effect.gen(function*() {
    const display = yield* makeDisplay(flags.mode, writeStdout)
    const onEvent = (event: DeviceLogin.DeviceLoginEvent) =>
      Effect.gen(function*() {
        yield* display.onEvent(event)
        if (event._tag === "AwaitingUser" && !flags.noBrowser) {
          const opened = yield* openBrowser(event.verificationUriComplete ?? event.verificationUri)
          if (!opened && flags.mode !== "json") yield* writeStdout("(No browser could be opened: open the URL yourself.)\n")
        }
      })
    return yield* DeviceLogin.login({
      startUrl: flags.startUrl,
      clientName: Option.getOrElse(flags.clientName, () => "effect-sso-oidc-cli"),
      ...(flags.scopes.length === 0 ? {} : { scopes: flags.scopes }),
      onEvent
    }).pipe(Effect.ensuring(display.close))
  }) satisfies Effect.Effect<DeviceLogin.Token, DeviceLogin.DeviceLoginError, SsoOidcClient.SsoOidcClient>

export const loginOptions = {
  region: globalOptions.region,
  endpointUrl: globalOptions.endpointUrl,
  output: Options.choice("output", ["text", "json"]).pipe(
    Options.withDescription("text: a live display on a terminal, plain lines otherwise; json: one JSON object per event"),
    Options.withDefault("text" as const)
  ),
  startUrl: Options.text("start-url").pipe(Options.withDescription("The URL of the AWS access portal")),
  noBrowser: Options.boolean("no-browser").pipe(Options.withDescription("Do not open a browser; print the URL only")),
  useDeviceCode: Options.boolean("use-device-code").pipe(
    Options.withDescription("Use the device code flow (the only flow in this release)")
  ),
  clientName: Options.text("client-name").pipe(Options.withDescription("The client name to register"), Options.optional),
  scopes: Options.text("scopes").pipe(
    Options.withDescription("Scopes to register, e.g. sso:account:access"),
    Options.repeated,
    Options.map(splitList)
  )
}

export const displayMode = (output: "text" | "json"): DisplayMode =>
  output === "json" ? "json" : process.stdout.isTTY ? "live" : "plain"

export const loginCommand = Command.make("login", loginOptions, (flags) =>
  runLogin({
    startUrl: flags.startUrl,
    noBrowser: flags.noBrowser,
    mode: displayMode(flags.output),
    clientName: flags.clientName,
    scopes: flags.scopes
  }).pipe(Effect.asVoid, Effect.provide(clientLayer(flags)))).pipe(
    Command.withDescription("Sign in with the device login and show its progress (the token is never printed)")
  )
