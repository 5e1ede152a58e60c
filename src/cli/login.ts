/**
 * `sso-oidc login`: the @effect/cli command; what it does is loginRun.ts's.
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { loginProgram } from "./loginRun.js"
import { printable } from "./printable.js"
import { displayOutput, globalOptions, listOption, usageError } from "./shared.js"
import { startUrlProblem } from "./urls.js"

export { displayMode, runLogin, writeStdout } from "./loginRun.js"
export { startUrlProblem }

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

export const loginCommand = Command.make("login", loginOptions, (flags) => loginProgram(flags, usageError)).pipe(
    Command.withDescription(
      "Sign in and write the token to the AWS CLI's cache (~/.aws/sso/cache); the token is never printed"
    )
  )
