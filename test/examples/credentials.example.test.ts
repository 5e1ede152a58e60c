// The example of docs/credentials.md: from a signed-in session to an AWS SDK
// client's credentials, against the in-process emulator (in real time: the SDK's
// runtime reads the real clock).
// The guide quotes the block between the markers verbatim; keep the two in sync.
// --- example start
import { HttpClient } from "@effect/platform"
import { NodeFileSystem, NodePath } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { AwsCredentials, SsoConfig, SsoCredentials, SsoTokenProvider, TokenCache } from "effect-sso-oidc"
import { Emulator } from "effect-sso-oidc/testing"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// ~/.aws/config as your users have it: a session and a profile naming a role.
const config = `
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnlyAccess
`

// Your app's credentials layer. In production: the real ~/.aws files and Node's keep-alive client, e.g.
//   SsoCredentials.layer({ profile: "dev" }).pipe(
//     Layer.provideMerge(SsoTokenProvider.layerConfig()),
//     Layer.provide([TokenCache.layer(), SsoConfig.layer(), NodeSso.layerHttpClient()]),
//     Layer.provide(NodeSso.layer))
// Here: the emulator in-process, a memory token cache, a temporary role-credential cache.
const CredentialsLive = (emulator: Emulator.Emulator.Service) =>
  SsoCredentials.layer({
    profile: "dev",
    portal: { endpoint: emulator.url },
    cacheDirectory: mkdtempSync(join(tmpdir(), "role-cache-"))
  }).pipe(
    Layer.provideMerge(SsoTokenProvider.layer({ client: { endpoint: emulator.url } })),
    Layer.provideMerge(Layer.mergeAll(TokenCache.layerMemory(), SsoConfig.layerMemory(config))),
    Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, Emulator.toHttpClient(emulator))),
    Layer.provide([NodeFileSystem.layer, NodePath.layer])
  )

describe("credentials", () => {
  it.live("a signed-in session gives the profile's role credentials, in Effect and to an AWS SDK client", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.make({ autoApproveAfter: "1 millis", interval: "1 second" })
      const layer = CredentialsLive(emulator)

      // 1. Sign in once (what `sso-oidc login --sso-session corp` does); the emulator approves at once.
      yield* SsoTokenProvider.loginToCache("corp").pipe(Effect.provide(layer))

      // 2. In Effect: AwsCredentials, fetched on first use and again before they expire.
      const credentials = yield* Effect.flatMap(AwsCredentials.AwsCredentials, (c) => c.get).pipe(
        Effect.provide(layer)
      )
      expect(credentials.accessKeyId).toMatch(/^ASIA/)
      expect(String(credentials.secretAccessKey)).toBe("<redacted>")

      // 3. For an AWS SDK client: new S3Client({ region, credentials: provider }).
      const runtime = ManagedRuntime.make(layer)
      const provider = AwsCredentials.toSdkCredentialProvider(runtime)
      const forTheSdk = yield* Effect.promise(() => provider())
      expect(forTheSdk.accessKeyId).toBe(credentials.accessKeyId)
      expect(forTheSdk.sessionToken).toBe(Redacted.value(credentials.sessionToken!))
      yield* Effect.promise(() => runtime.dispose())
    }))
})
// --- example end
