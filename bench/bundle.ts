/**
 * Bundle cost, minified and gzipped (esbuild for the browser, gzip -9), of
 * each edition's built package (dist/ and effect4/dist/, which
 * `node scripts/build.mjs` writes): what `DeviceLogin.login` and the
 * `deviceLogin` stream add to an Effect app, whether the SigV4 signer is
 * bundled by an app that never calls CreateTokenWithIAM, the standalone
 * browser bundle from the package root, and the AWS SDK doing the same calls.
 *
 * The fixtures are bench/bundle/*.ts (Effect 3) and effect4/bench/bundle/*.ts
 * (Effect 4): esbuild resolves `effect` and the package's own name from the
 * fixture's directory, so the Effect 4 ones get effect 4 and effect4/dist.
 * Sizes are deterministic (same inputs, same bytes), so each is one build.
 */
import { build, type Metafile } from "esbuild"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { fmt, type Goal, type Section } from "./lib.js"

type Edition = "effect3" | "effect4"

const editions: ReadonlyArray<{ readonly edition: Edition; readonly label: string; readonly dir: string; readonly dist: string }> = [
  { edition: "effect3", label: "Effect 3", dir: "../bench/bundle", dist: "../dist/index.js" },
  { edition: "effect4", label: "Effect 4", dir: "../effect4/bench/bundle", dist: "../effect4/dist/index.js" }
]

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))

export interface BundleSize {
  readonly bytes: number
  readonly gzip: number
  /** Minified bytes of the SigV4 signer in the bundle: aws4fetch and the package's signing glue. */
  readonly signerBytes: number
}

const isSigner = (input: string) =>
  input.includes("node_modules/aws4fetch/") ||
  /(?:^|\/)(?:internal\/sigv4|core\/signing|core\/emulator\/sigv4)\.js$/.test(input)

const signerBytesOf = (metafile: Metafile): number => {
  let total = 0
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (isSigner(input)) total += bytesInOutput
    }
  }
  return total
}

export const measure = async (entry: string): Promise<BundleSize> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    treeShaking: true,
    legalComments: "none",
    logLevel: "silent",
    metafile: true,
    // No tsconfig: its \`paths\` would map the package to src/; a consumer gets dist/ through \`exports\`.
    tsconfigRaw: "{}"
  })
  const code = result.outputFiles[0]!.contents
  return { bytes: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, signerBytes: signerBytesOf(result.metafile) }
}

const fixtures = ["baseline", "baseline-layer", "login", "login-effect-provide", "stream", "device-login", "stream-device-login", "iam", "root-entry"] as const
type Fixture = (typeof fixtures)[number]

export type EditionResult = { readonly [F in Fixture]: BundleSize }

export interface BundleResult {
  readonly effect3: EditionResult
  readonly effect4: EditionResult
  readonly awsSdk: BundleSize
}

export const measureAll = async (): Promise<BundleResult> => {
  for (const { dist } of editions) {
    if (!existsSync(path(dist))) throw new Error(`bench/bundle: ${path(dist)} is missing; run node scripts/build.mjs first`)
  }
  const measureEdition = async (dir: string): Promise<EditionResult> => {
    const sizes = await Promise.all(fixtures.map((name) => measure(path(`${dir}/${name}.ts`))))
    return Object.fromEntries(fixtures.map((name, i) => [name, sizes[i]!])) as unknown as EditionResult
  }
  const [effect3, effect4, awsSdk] = await Promise.all([
    measureEdition(editions[0]!.dir),
    measureEdition(editions[1]!.dir),
    measure(path("../bench/bundle/aws-sdk.ts"))
  ])
  return { effect3: effect3!, effect4: effect4!, awsSdk: awsSdk! }
}

const KB = 1024
const kb = (bytes: number) => `${fmt(bytes / KB, 1)} KB`
const delta = (a: BundleSize, b: BundleSize) => ({ bytes: b.bytes - a.bytes, gzip: b.gzip - a.gzip })

/** Goals of issue 14 (bundle), per edition. */
const limits = { login: 10 * KB, stream: 12 * KB }

export const run = async (): Promise<Section> => {
  const result = await measureAll()
  const goals: Array<Goal> = []
  const tables: Array<string> = []
  for (const { edition, label } of editions) {
    const r = result[edition]
    // The goal's figure: over an app that composes its services with Layer, as apps do.
    const login = delta(r["baseline-layer"], r.login)
    const loginOverMinimal = delta(r.baseline, r.login)
    const loginLibrary = delta(r.baseline, r["login-effect-provide"])
    const streamItself = delta(r.baseline, r.stream)
    const streamOverStream = delta(r.stream, r["stream-device-login"])
    const streamOverBaseline = delta(r.baseline, r["device-login"])
    const iam = delta(r.baseline, r.iam)
    const unsignedBundles = [r.login, r["login-effect-provide"], r["device-login"], r["stream-device-login"], r["root-entry"]]
    const signerLeaks = unsignedBundles.reduce((sum, size) => sum + size.signerBytes, 0)
    const row = (name: string, size: { bytes: number; gzip: number }, bold = false) =>
      `| ${name} | ${kb(size.bytes)} | ${bold ? `**${kb(size.gzip)}**` : kb(size.gzip)} |`
    tables.push(`### ${label}

| bundle | minified | gzipped |
|---|---|---|
${row("Effect app baseline (effect + HttpClient + Schema, one request)", r.baseline)}
${row("the baseline composing its services as a Layer (`Layer.mergeAll`), as apps of some size do", r["baseline-layer"])}
${row("+ `DeviceLogin.login`, wired as the docs show (`Layer.provide`)", r.login)}
${row("**marginal cost of `login`** (over the Layer baseline)", login, true)}
${row("marginal cost of `login` over the minimal baseline, Effect's `Layer` module included", loginOverMinimal)}
${row("… the same login wired with two `Effect.provide`s, no `Layer`, over the minimal baseline", loginLibrary)}
${row("Stream app baseline (the baseline + `Stream.fromIterable`/`map`/`mapEffect`/`take`/`runForEach`)", r.stream)}
${row("`Stream` itself (Stream app − baseline)", streamItself)}
${row("Stream app + `deviceLogin` stream", r["stream-device-login"])}
${row("**marginal cost of the stream over the Stream app**", streamOverStream, true)}
${row("marginal cost of the stream over the non-Stream baseline (Stream included)", streamOverBaseline)}
${row("baseline + one `createTokenWithIam` (`AwsCredentials.layerStatic`): marginal", iam)}
${row("standalone browser bundle from the package root (`import { DeviceLogin, SsoOidcClient } from \"effect-sso-oidc\"`, `Stream.runDrain`, `FetchHttpClient`)", r["root-entry"])}

SigV4 signer (aws4fetch + the signing glue, minified bytes inside the bundle): ${signerLeaks} B in the
login, stream and root-entry bundles together; ${r.iam.signerBytes} B in the CreateTokenWithIAM bundle.`)
    goals.push(
      {
        goal: `marginal \`DeviceLogin.login\` ≤ 10 KB gz (${label})`,
        figure: `${kb(login.gzip)} gz over an app using Layer (${kb(loginOverMinimal.gzip)} over one that does not; deterministic)`,
        met: login.gzip <= limits.login
      },
      {
        goal: `marginal \`deviceLogin\` stream ≤ 12 KB gz over an app that uses Stream (${label})`,
        figure: `${kb(streamOverStream.gzip)} gz (${kb(streamOverBaseline.gzip)} over a non-Stream app, ${
          kb(streamItself.gzip)
        } of it Stream; deterministic)`,
        met: streamOverStream.gzip <= limits.stream
      },
      {
        goal: `the SigV4 signer only in bundles that call CreateTokenWithIAM (${label})`,
        figure: `${signerLeaks} B in login/stream bundles, ${kb(r.iam.signerBytes)} in the IAM bundle`,
        met: signerLeaks === 0 && r.iam.signerBytes > 0
      }
    )
  }
  const body = `esbuild (minified, tree-shaken, \`platform: "browser"\`, ESM) over each edition's built
package, then gzip -9; fixtures in bench/bundle/ (Effect 3) and effect4/bench/bundle/ (Effect 4).
A marginal cost is the difference of two bundles' sizes. Sizes are deterministic (the same inputs
give the same bytes), so each figure is one build and has no spread. The baseline's
\`import { Effect, Schema } from "effect"\` bundles those whole namespaces, so what the library adds is
its own code and the other Effect modules it reaches (Schedule, Data, Duration, …).

${tables.join("\n\n")}

| comparison | minified | gzipped |
|---|---|---|
| \`@aws-sdk/client-sso-oidc\` doing the same three calls (RegisterClient, StartDeviceAuthorization, CreateToken; no polling loop) | ${
    kb(result.awsSdk.bytes)
  } | ${kb(result.awsSdk.gzip)} |`
  return { title: "Bundle cost (esbuild, minified, gzip -9)", body, goals }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((section) => {
    console.log(section.body)
    for (const goal of section.goals) console.log(`${goal.met ? "met   " : "MISSED"} ${goal.goal}: ${goal.figure}`)
  })
}
