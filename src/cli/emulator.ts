/**
 * `sso-oidc emulator` (the local service in the foreground) and
 * `sso-oidc demo` (a device login against it).
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { FetchHttpClient } from "@effect/platform"
import { Console, Duration, Effect, Layer, Option, Redacted } from "effect"
import type * as NodeEmulator from "../node/NodeEmulator.js"
import * as Emulator from "../testing/Emulator.js"
import * as SsoOidcClient from "../SsoOidcClient.js"
import { displayMode, runLogin } from "./login.js"
import { CliError, displayOutput, usageError } from "./shared.js"

const seconds = (name: string, description: string) =>
  Options.integer(name).pipe(
    Options.withDescription(description),
    Options.mapEffect((value) =>
      value >= 0 ? Effect.succeed(value) : Effect.fail(usageError(`--${name} must be 0 or more seconds`))
    ),
    Options.optional
  )

const emulatorOptions = {
  port: Options.integer("port").pipe(
    Options.withDescription("TCP port on 127.0.0.1 (default: an ephemeral port)"),
    Options.mapEffect((port) =>
      port >= 0 && port <= 65535
        ? Effect.succeed(port)
        : Effect.fail(usageError(`--port ${port} is not a TCP port: give 1 to 65535, or 0 for any free port`))
    ),
    Options.withDefault(0)
  ),
  autoApproveAfter: seconds("auto-approve-after", "Approve every device code this many seconds after it is issued"),
  interval: seconds("interval", "The polling interval the emulator asks for, in seconds (default 1)"),
  region: Options.text("region").pipe(
    Options.withDescription("The region the emulator plays (default us-east-1)"),
    Options.optional
  )
}

/** The port could not be listened on: say which, why, and what to do. */
const listenError = (port: number, cause: unknown) => {
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined
  const why = code === "EADDRINUSE"
    ? "the port is in use (stop what holds it, or pick another --port; 0 picks a free one)"
    : code === "EACCES"
    ? "permission denied (ports below 1024 need privileges: pick another --port)"
    : cause instanceof Error
    ? cause.message
    : String(cause)
  return new CliError({ message: `cannot listen on 127.0.0.1:${port}: ${why}` })
}

/**
 * NodeEmulator.layer, imported when a command needs it: the HTTP server
 * modules pull in undici, which the other commands need not load (a chunk
 * of its own in the bundle).
 */
const emulatorLayer = (options: NodeEmulator.LayerOptions) =>
  Layer.unwrapEffect(Effect.promise(() => import("../node/NodeEmulator.js")).pipe(Effect.map((m) => m.layer(options))))

const toLayerOptions = (flags: {
  readonly port: number
  readonly autoApproveAfter: Option.Option<number>
  readonly interval: Option.Option<number>
  readonly region: Option.Option<string>
}): NodeEmulator.LayerOptions => ({
  port: flags.port,
  ...(Option.isSome(flags.region) ? { region: flags.region.value } : {}),
  ...(Option.isSome(flags.autoApproveAfter) ? { autoApproveAfter: Duration.seconds(flags.autoApproveAfter.value) } : {}),
  ...(Option.isSome(flags.interval) ? { interval: Duration.seconds(flags.interval.value) } : {})
})

export const emulatorCommand = Command.make("emulator", emulatorOptions, (flags) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    yield* Console.log(`SSO OIDC emulator listening on ${emulator.url} (Ctrl-C stops it)`)
    yield* Console.log(`Verification page: ${emulator.url}/device`)
    yield* Console.log(
      `Try: sso-oidc login --region ${emulator.region} --endpoint-url ${emulator.url} --start-url ${emulator.url}/start --use-device-code`
    )
    // Test credentials of a local emulator, printed so create-token-with-iam can be tried against it.
    yield* Console.log(
      `CreateTokenWithIAM: AWS_ACCESS_KEY_ID=${emulator.iamCredentials.accessKeyId} ` +
        `AWS_SECRET_ACCESS_KEY=${Redacted.value(emulator.iamCredentials.secretAccessKey)}, ` +
        `--client-id ${emulator.applications[0]?.applicationArn ?? "(no application)"}`
    )
    return yield* Effect.never
  }).pipe(
    Effect.provide(emulatorLayer(toLayerOptions(flags))),
    Effect.catchTag("ServeError", (error) => Effect.fail(listenError(flags.port, error.cause)))
  )).pipe(
    Command.withDescription("Run a local SSO OIDC emulator on 127.0.0.1 in the foreground")
  )

const demoOptions = {
  output: displayOutput,
  approveAfter: Options.integer("approve-after").pipe(
    Options.withDescription("Seconds before the emulator approves the code, as a person would"),
    Options.withDefault(3)
  )
}

export const demoCommand = Command.make("demo", demoOptions, (flags) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    if (flags.output === "text") {
      yield* Console.log(`Demo: a device login against the local emulator at ${emulator.url}.`)
      yield* Console.log(`Nobody needs to open the page: the emulator approves the code after ${flags.approveAfter} s.\n`)
    }
    yield* runLogin({
      startUrl: `${emulator.url}/start`,
      noBrowser: true,
      mode: displayMode(flags.output),
      clientName: Option.some("sso-oidc-demo"),
      scopes: ["sso:account:access"]
    }).pipe(
      Effect.provide(
        SsoOidcClient.layer({ region: "us-east-1", endpoint: emulator.url }).pipe(Layer.provide(FetchHttpClient.layer))
      )
    )
  }).pipe(
    Effect.provide(emulatorLayer({ port: 0, autoApproveAfter: Duration.seconds(flags.approveAfter) }))
  )).pipe(
    Command.withDescription("Sign in against a local emulator that approves by itself: the whole flow, no AWS account")
  )
