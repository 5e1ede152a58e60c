/**
 * `sso-oidc credentials --profile P`: the role credentials of an SSO profile
 * (its `sso_account_id` and `sso_role_name`), from the AWS CLI's role cache
 * or the portal, printed as `aws configure export-credentials` prints them,
 * so it can be a `credential_process` or feed `eval "$(…)"`.
 *
 * @internal
 */
import { Command, Options } from "@effect/cli"
import { Effect, Layer, Option } from "effect"
import * as NodeSso from "../node/NodeSso.js"
import * as SsoConfig from "../SsoConfig.js"
import * as SsoCredentials from "../SsoCredentials.js"
import * as SsoTokenProvider from "../SsoTokenProvider.js"
import * as TokenCache from "../TokenCache.js"
import { credentialFormats, formatCredentials } from "./credentialFormats.js"
import { httpClientLayer } from "./http.js"
import { connectionOptions, globalOptions } from "./shared.js"

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

export const credentialsCommand = Command.make("credentials", credentialsOptions, (flags) =>
  Effect.gen(function*() {
    const service = yield* SsoCredentials.SsoCredentials
    const credentials = yield* service.get(Option.getOrUndefined(flags.profile))
    // The one command that prints secrets without being asked for a reply: they are its output.
    yield* Effect.sync(() => void process.stdout.write(formatCredentials(credentials, flags.format)))
  }).pipe(
    Effect.provide(
      SsoCredentials.layerService({ portal: connectionOptions(flags) }).pipe(
        Layer.provideMerge(SsoTokenProvider.layerConfig({ client: connectionOptions(flags) })),
        Layer.provideMerge(
          Layer.mergeAll(
            TokenCache.layer(),
            SsoConfig.layer(),
            httpClientLayer({ profile: Option.getOrUndefined(flags.profile) })
          )
        ),
        Layer.provideMerge(NodeSso.layer)
      )
    )
  )).pipe(
    Command.withDescription(
      "Print the role credentials of an SSO profile as `aws configure export-credentials` does (credential_process JSON by default)"
    )
  )
