/**
 * What `sso-oidc credentials` does once its flags are parsed (credentials.ts
 * has the @effect/cli command): no @effect/cli here, so that the launcher
 * can run it directly (src/bin/quick.ts). It is what `credential_process`
 * runs, before every AWS SDK client that reads the profile: its start-up
 * counts (issue 14).
 *
 * @internal
 */
import { Effect, Layer, Option } from "effect"
import * as NodeSso from "../node/NodeSso.js"
import * as SsoConfig from "../SsoConfig.js"
import * as SsoCredentials from "../SsoCredentials.js"
import * as SsoTokenProvider from "../SsoTokenProvider.js"
import * as TokenCache from "../TokenCache.js"
import { connectionOptions } from "./common.js"
import { type CredentialFormat, formatCredentials } from "./credentialFormats.js"
import { httpClientLayer } from "./http.js"

/** `credentials`' flags, parsed (by @effect/cli, or by the launcher's fast path). */
export interface Flags {
  readonly profile: Option.Option<string>
  readonly format: CredentialFormat
  readonly allowInsecureEndpoint: boolean
  readonly cliReadTimeout: Option.Option<number>
}

/** Prints the role credentials of the profile in `flags.format`. */
export const credentialsProgram = (flags: Flags) =>
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
  )
