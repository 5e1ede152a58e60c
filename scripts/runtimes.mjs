// The JavaScript runtimes the consumer tests run the packed package on, taken from the npm
// registry as plain tarballs: `npm pack` of each runtime's platform package, then untar. No
// install scripts run (bun's and deno's wrapper packages need a postinstall; their platform
// packages hold the binary itself).
//
// Cached under node_modules/.cache/runtimes/<package>-<version>/ (node_modules is gitignored;
// `npm ci` clears it and the next call fetches again, from npm's cache when it can).
// Idempotent and safe to call from several processes at once: each runtime is unpacked into a
// private directory, checked with `--version`, then renamed into place.
//
//   import { ensureRuntimes, ensureRuntime } from "./scripts/runtimes.mjs"
//   const { node22, node24, bun, deno } = await ensureRuntimes()   // absolute paths of the binaries
//
//   node scripts/runtimes.mjs            # install all, print their paths as JSON
//   node scripts/runtimes.mjs bun deno   # only these
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const run = promisify(execFile)

export const repoRoot = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
export const cacheDir = Path.join(repoRoot, "node_modules", ".cache", "runtimes")

/** Environment for the runtimes: Deno must not phone home for updates. */
export const runtimeEnv = { DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" }

const hasAvx2 = async () => {
  try {
    const { readFile } = await import("node:fs/promises")
    return /\bavx2\b/.test(await readFile("/proc/cpuinfo", "utf8"))
  } catch {
    return true
  }
}

/** The platform package (npm name), version, the binary inside it and the `--version` it must print. */
const specs = {
  node22: () => nodeSpec("22.23.5"),
  node24: () => nodeSpec("24.22.3"),
  bun: async () => {
    const arch = { x64: "x64", arm64: "aarch64" }[process.arch]
    // Bun's x64 build needs AVX2; the "baseline" build runs on any x86-64.
    const flavour = process.arch === "x64" && !(await hasAvx2()) ? "-baseline" : ""
    return {
      name: `@oven/bun-${platformName()}-${requireArch(arch)}${flavour}`,
      version: "1.4.5",
      bin: "bin/bun",
      expect: /^1\.4\.5\b/
    }
  },
  deno: async () => {
    const arch = { x64: "x64", arm64: "arm64" }[process.arch]
    const name = process.platform === "linux" ? `@deno/linux-${requireArch(arch)}-glibc` : `@deno/${platformName()}-${requireArch(arch)}`
    return { name, version: "2.9.6", bin: "deno", expect: /^deno 2\.9\.6\b/ }
  }
}

const platformName = () => {
  if (process.platform === "linux" || process.platform === "darwin") return process.platform
  throw new Error(`runtimes.mjs: no runtime packages for platform ${process.platform}`)
}
const requireArch = (arch) => {
  if (arch === undefined) throw new Error(`runtimes.mjs: no runtime packages for arch ${process.arch}`)
  return arch
}
const nodeSpec = async (version) => ({
  name: `node-${platformName()}-${requireArch({ x64: "x64", arm64: "arm64" }[process.arch])}`,
  version,
  bin: "bin/node",
  expect: new RegExp(`^v${version.replaceAll(".", "\\.")}$`)
})

export const runtimeNames = Object.keys(specs)

const versionOf = async (binary) => {
  const { stdout } = await run(binary, ["--version"], { env: { ...process.env, ...runtimeEnv }, timeout: 30_000 })
  return stdout.trim()
}

/** Installs one runtime (if needed) and returns the absolute path of its binary. */
export const ensureRuntime = async (runtime) => {
  const make = specs[runtime]
  if (make === undefined) throw new Error(`runtimes.mjs: unknown runtime ${runtime} (known: ${runtimeNames.join(", ")})`)
  const spec = await make()
  const dir = Path.join(cacheDir, `${spec.name.replace("@", "").replace("/", "-")}-${spec.version}`)
  const binary = Path.join(dir, spec.bin)
  if (existsSync(binary)) return binary

  await mkdir(cacheDir, { recursive: true })
  const work = await mkdtemp(Path.join(cacheDir, ".tmp-"))
  try {
    const { stdout } = await run(
      "npm",
      ["pack", "--silent", "--ignore-scripts", "--pack-destination", work, `${spec.name}@${spec.version}`],
      { cwd: work, timeout: 300_000, maxBuffer: 1 << 20 }
    )
    const tarball = stdout.trim().split("\n").at(-1)
    const unpacked = Path.join(work, "package")
    await mkdir(unpacked)
    await run("tar", ["xzf", Path.join(work, tarball), "-C", unpacked, "--strip-components=1"], { timeout: 300_000 })
    const version = await versionOf(Path.join(unpacked, spec.bin))
    if (!spec.expect.test(version)) {
      throw new Error(`runtimes.mjs: ${spec.name}@${spec.version} reports version ${JSON.stringify(version)}`)
    }
    try {
      await rename(unpacked, dir)
    } catch (error) {
      // Another process got there first: keep its copy.
      if (!existsSync(binary)) throw error
    }
    return binary
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** Installs every runtime (in parallel) and returns `{ node22, node24, bun, deno }`: absolute paths of the binaries. */
export const ensureRuntimes = async (names = runtimeNames) => {
  const paths = await Promise.all(names.map((name) => ensureRuntime(name)))
  return Object.fromEntries(names.map((name, i) => [name, paths[i]]))
}

/** Removes half-finished installs left by a killed process. */
export const cleanRuntimeCache = async () => {
  if (!existsSync(cacheDir)) return
  for (const entry of await readdir(cacheDir)) {
    if (entry.startsWith(".tmp-")) await rm(Path.join(cacheDir, entry), { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : runtimeNames
  const started = Date.now()
  const paths = await ensureRuntimes(names)
  const versions = Object.fromEntries(
    await Promise.all(Object.entries(paths).map(async ([name, path]) => [name, await versionOf(path)]))
  )
  console.log(JSON.stringify({ paths, versions, seconds: (Date.now() - started) / 1000 }, null, 2))
}
