/**
 * Bundle cost, minified and gzipped (esbuild): what deviceLogin adds to an
 * Effect app, and a standalone browser bundle of deviceLogin vs the AWS SDK.
 */
import { build } from "esbuild"
import { gzipSync } from "node:zlib"
import { fileURLToPath } from "node:url"

const entry = (name: string) => fileURLToPath(new URL(`./bundle/${name}.ts`, import.meta.url))

export interface BundleSize {
  readonly bytes: number
  readonly gzip: number
}

const measure = async (name: string, platform: "browser" | "node"): Promise<BundleSize> => {
  const result = await build({
    entryPoints: [entry(name)],
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    write: false,
    treeShaking: true,
    legalComments: "none",
    logLevel: "silent"
  })
  const code = result.outputFiles[0]!.contents
  return { bytes: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength }
}

export interface BundleResult {
  readonly baseline: BundleSize
  readonly withDeviceLogin: BundleSize
  readonly deviceLoginOnly: BundleSize
  readonly rootEntry: BundleSize
  readonly awsSdk: BundleSize
}

export const runBundle = async (): Promise<BundleResult> => ({
  baseline: await measure("baseline", "browser"),
  withDeviceLogin: await measure("with-device-login", "browser"),
  deviceLoginOnly: await measure("device-login-only", "browser"),
  rootEntry: await measure("root-entry", "browser"),
  awsSdk: await measure("aws-sdk", "browser")
})

if (import.meta.url === `file://${process.argv[1]}`) {
  runBundle().then((result) => console.log(JSON.stringify(result, null, 2)))
}
