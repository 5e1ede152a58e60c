/**
 * AWS credentials for the one signed operation, CreateTokenWithIAM: static,
 * from the environment, or adapted from any AWS SDK credential provider
 * (`fromNodeProviderChain()`, `fromIni()`, …). Secrets are `Redacted`.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SynchronizedRef from "effect/SynchronizedRef"
import { sdkCredentialsFresh } from "./core/provider.js"
import * as Signer from "./internal/signer.js"
import { signRequest } from "./internal/sigv4.js"
import { TaggedError } from "./internal/taggedError.js"

/**
 * A set of AWS credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
  /** When temporary credentials expire. */
  readonly expiration?: Date | undefined
}

/**
 * No credentials could be had: none configured, or the provider failed. The
 * message names the source, never a secret.
 *
 * @since 0.1.0
 * @category errors
 */
export class CredentialsError extends TaggedError<CredentialsError>("effect-sso-oidc/CredentialsError")(
  "CredentialsError",
  {
    /** Where the credentials were looked for: `environment`, `provider`, … */
    source: Schema.String,
    /** What went wrong. */
    description: Schema.String
  }
) {
  override get message() {
    return `no AWS credentials from ${this.source}: ${this.description}`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The current credentials (cached until shortly before they expire). */
  readonly get: Effect.Effect<Credentials, CredentialsError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class AwsCredentials extends Context.Service<AwsCredentials, Service>()("effect-sso-oidc/AwsCredentials") {}

// CreateTokenWithIAM's SigV4 signer is installed from here, where the tag its credentials
// come from lives, so a bundle that never provides credentials never carries aws4fetch
// (internal/signer.ts). A closure: internal/sigv4.ts imports this module back.
Signer.install((request, body, options) =>
  Effect.flatMap(AwsCredentials, (service) => service.get).pipe(
    Effect.flatMap((credentials) =>
      Effect.flatMap(
        Effect.clockWith((clock) => clock.currentTimeMillis),
        (now) => signRequest(request, body, { credentials, region: options.region, service: options.service, now })
      )
    )
  )
)

/**
 * Static credentials.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (credentials: Credentials): Layer.Layer<AwsCredentials> =>
  Layer.succeed(AwsCredentials, { get: Effect.succeed(credentials) })

/**
 * Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
 * `AWS_SESSION_TOKEN`, read through Effect `Config` each time they are asked
 * for. Missing variables fail with `CredentialsError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerEnv: Layer.Layer<AwsCredentials> = Layer.succeed(AwsCredentials, {
  get: Config.all({
    accessKeyId: Config.String("AWS_ACCESS_KEY_ID"),
    secretAccessKey: Config.Redacted("AWS_SECRET_ACCESS_KEY"),
    sessionToken: Config.option(Config.Redacted("AWS_SESSION_TOKEN"))
  }).pipe(
    Effect.map(({ accessKeyId, secretAccessKey, sessionToken }): Credentials => ({
      accessKeyId,
      secretAccessKey,
      sessionToken: Option.getOrUndefined(sessionToken)
    })),
    Effect.mapError(() =>
      new CredentialsError({
        source: "environment",
        description: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set"
      })
    )
  )
})

/**
 * The shape of an AWS SDK credential provider: a function returning a
 * promise of `{ accessKeyId, secretAccessKey, sessionToken?, expiration? }`.
 *
 * @since 0.1.0
 * @category models
 */
export type SdkCredentialProvider = () => PromiseLike<{
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
  readonly expiration?: Date | undefined
}>

/**
 * Credentials from an AWS SDK provider, e.g. `fromNodeProviderChain()` from
 * `@aws-sdk/credential-providers`. The result is cached until five minutes
 * before its `expiration`; concurrent callers share one call.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromProvider = (provider: SdkCredentialProvider): Layer.Layer<AwsCredentials> =>
  Layer.effect(
    AwsCredentials,
    Effect.gen(function*() {
      const cached = yield* SynchronizedRef.make<Option.Option<Credentials>>(Option.none())
      const fetch = Effect.tryPromise({
        try: () => Promise.resolve(provider()),
        catch: (cause) =>
          new CredentialsError({
            source: "provider",
            description: cause instanceof Error ? `${cause.name}: ${cause.message}` : "the provider failed"
          })
      }).pipe(
        Effect.map((raw): Credentials => ({
          accessKeyId: raw.accessKeyId,
          secretAccessKey: Redacted.make(raw.secretAccessKey),
          sessionToken: raw.sessionToken === undefined ? undefined : Redacted.make(raw.sessionToken),
          expiration: raw.expiration
        }))
      )
      const get = SynchronizedRef.modifyEffect(cached, (current) =>
        Effect.gen(function*() {
          const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
          // Temporary credentials are fetched again five minutes before they expire, as the SDKs do.
          if (Option.isSome(current) && sdkCredentialsFresh(current.value.expiration, now)) {
            return [current.value, current] as const
          }
          const fresh = yield* fetch
          return [fresh, Option.some(fresh)] as const
        }))
      return { get }
    })
  )

/**
 * The other direction: the `AwsCredentials` of an Effect runtime as an AWS
 * SDK v3 credential provider (the `AwsCredentialIdentityProvider` shape), for
 * `new S3Client({ credentials: toSdkCredentialProvider(runtime) })`. The SDK
 * calls it when it needs credentials and again before they expire; a failure
 * rejects with the `CredentialsError` (its message names no secret).
 *
 * @example
 * ```ts
 * import { AwsCredentials } from "effect-sso-oidc"
 * import { ManagedRuntime } from "effect"
 *
 * const runtime = ManagedRuntime.make(AwsCredentials.layerEnv)
 * const credentials = AwsCredentials.toSdkCredentialProvider(runtime)
 * // new S3Client({ region: "eu-west-1", credentials })
 * ```
 *
 * @since 0.2.0
 * @category conversions
 */
export const toSdkCredentialProvider = <E>(
  runtime: ManagedRuntime.ManagedRuntime<AwsCredentials, E>
): () => Promise<{
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
}> =>
() =>
  runtime.runPromise(
    Effect.map(Effect.flatMap(AwsCredentials, (service) => service.get), (credentials) => ({
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: Redacted.value(credentials.secretAccessKey),
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: Redacted.value(credentials.sessionToken) }),
      ...(credentials.expiration === undefined ? {} : { expiration: credentials.expiration })
    }))
  )
