/**
 * `sso-oidc credentials --profile P`: the role credentials of an SSO profile
 * (its `sso_account_id` and `sso_role_name`), from the AWS CLI's role cache
 * or the portal, printed as `aws configure export-credentials` prints them,
 * so it can be a `credential_process` or feed `eval "$(…)"`. The
 * @effect/cli command; what it does is credentialsRun.ts's.
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { credentialFormats } from "./credentialFormats.js"
import { credentialsProgram } from "./credentialsRun.js"
import { globalOptions } from "./shared.js"

const credentialsOptions = {
  profile: Options.text("profile").pipe(
    Options.withDescription("The SSO profile whose role to use (default: AWS_PROFILE, else default)"),
    Options.optional
  ),
  format: Options.choice("format", credentialFormats).pipe(
    Options.withDescription(
      "process: credential_process JSON; env, env-no-export, powershell, windows-cmd, fish: lines to evaluate"
    ),
    Options.withDefault("process" as const)
  ),
  allowInsecureEndpoint: globalOptions.allowInsecureEndpoint,
  cliReadTimeout: globalOptions.cliReadTimeout
}

export const credentialsCommand = Command.make("credentials", credentialsOptions, credentialsProgram).pipe(
  Command.withDescription(
    "Print the role credentials of an SSO profile as `aws configure export-credentials` does (credential_process JSON by default)"
  )
)
