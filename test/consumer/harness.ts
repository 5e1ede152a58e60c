/**
 * The consumer tests' harness: pack the built package once, install the tarball into fresh
 * projects under the OS temp directory (as a user would, next to the peers), and run
 * processes there.
 *
 * `CONSUMER_PACKAGE_DIR` points the harness at another package directory than this repo's (to
 * try the harness on a scratch build); `CONSUMER_KEEP=1` keeps the temp projects for a look.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../..")
export const packageDir = process.env["CONSUMER_PACKAGE_DIR"] ?? repoRoot
export const fixturesDir = Path.join(repoRoot, "test/consumer/fixtures")
export const outDir = Path.join(repoRoot, "test/consumer/.out")
export const keepTemp = process.env["CONSUMER_KEEP"] === "1"

// -----------------------------------------------------------------------------
// processes
// -----------------------------------------------------------------------------

export interface RunResult {
  readonly command: string
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
}

/**
 * The environment of a child process: this one's, without what `npm test` and vitest add
 * (npm's package and lifecycle variables, its local prefix, NODE_OPTIONS), so a child behaves
 * as it would in a user's shell.
 */
export const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "NODE_OPTIONS" || key === "INIT_CWD" || key.startsWith("VITEST")) continue
    if (key.startsWith("npm_") && !key.startsWith("npm_config_")) continue
    if (["npm_config_local_prefix", "npm_config_prefix", "npm_config_global_prefix", "npm_config_yes"].includes(key)) continue
    env[key] = value
  }
  return { ...env, ...extra }
}

/** Runs a command to its end; never rejects (a failure to start is exit code null with the error in stderr). */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeout?: number }
): Promise<RunResult> =>
  new Promise((resolve) => {
    const started = Date.now()
    const label = [command, ...args].join(" ")
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeout ?? 60_000,
      killSignal: "SIGKILL"
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", (error) => (stderr += `\n[spawn error] ${error.message}`))
    child.on("close", (code, signal) =>
      resolve({ command: label, code, signal, stdout, stderr, millis: Date.now() - started })
    )
  })

/** A result as text for a failed assertion's message. */
export const show = (result: RunResult): string =>
  `$ ${result.command}\nexit ${result.code}${result.signal ? ` (signal ${result.signal})` : ""} after ${result.millis} ms\n` +
  `--- stdout\n${result.stdout.slice(-8000)}\n--- stderr\n${result.stderr.slice(-8000)}`

/** Runs a command and throws (with its output) unless it exits 0. */
export const runOk = async (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeout?: number }
): Promise<RunResult> => {
  const result = await run(command, args, options)
  if (result.code !== 0) throw new Error(`command failed\n${show(result)}`)
  return result
}

/** A long-running child (the emulator server): its first stdout line, then a way to stop it. */
export interface Server {
  readonly firstLine: string
  readonly output: () => string
  readonly stop: () => Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

export const startServer = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly timeout?: number }
): Promise<Server> =>
  new Promise((resolve, reject) => {
    // stdin stays open while this process lives: server.mjs stops when it ends, so a test process
    // that dies (or a run that never reaches its afterAll) leaves no server behind.
    const child = spawn(command, args, { cwd: options.cwd, env: cleanEnv(), stdio: ["pipe", "pipe", "pipe"] })
    const killOnExit = () => child.kill("SIGKILL")
    process.once("exit", killOnExit)
    child.once("exit", () => process.removeListener("exit", killOnExit))
    let stdout = ""
    let stderr = ""
    let settled = false
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on("exit", (code, signal) => done({ code, signal }))
    )
    const output = () => `--- stdout\n${stdout}\n--- stderr\n${stderr}`
    const fail = (why: string) => {
      if (settled) return
      settled = true
      child.kill("SIGKILL")
      reject(new Error(`${[command, ...args].join(" ")}: ${why}\n${output()}`))
    }
    const timer = setTimeout(() => fail(`no output line after ${options.timeout ?? 30_000} ms`), options.timeout ?? 30_000)
    child.on("error", (error) => fail(`could not start: ${error.message}`))
    child.on("exit", (code, signal) => fail(`exited (code ${code}, signal ${signal}) before printing a line`))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      const newline = stdout.indexOf("\n")
      if (newline < 0 || settled) return
      settled = true
      clearTimeout(timer)
      resolve({
        firstLine: stdout.slice(0, newline),
        output,
        stop: async () => {
          child.kill("SIGTERM")
          const kill = setTimeout(() => child.kill("SIGKILL"), 5_000)
          const result = await exited
          clearTimeout(kill)
          return result
        }
      })
    })
  })

// -----------------------------------------------------------------------------
// npm
// -----------------------------------------------------------------------------

const npmFlags = ["--no-audit", "--no-fund", "--loglevel=error"]

export interface Packed {
  /** Absolute path of the tarball. */
  readonly tarball: string
  /** The directory it is in (a fresh temp directory). */
  readonly dir: string
  /** package.json as packed. */
  readonly manifest: PackageJson
  /** The files in the tarball, relative to its root. */
  readonly files: ReadonlyArray<string>
}

export interface PackageJson {
  readonly name: string
  readonly version: string
  readonly exports?: Record<string, unknown>
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>
  readonly [key: string]: unknown
}

/**
 * `npm pack` of the package, once, into a fresh temp directory. Lifecycle scripts are skipped:
 * `npm test` has just built dist/, and `prepare` would build it again.
 */
export const pack = async (from: string = packageDir): Promise<Packed> => {
  const dir = await mkdtemp(Path.join(Os.tmpdir(), "effect-sso-oidc-pack-"))
  const result = await runOk("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir, ...npmFlags], {
    cwd: from,
    timeout: 120_000
  })
  const [info] = JSON.parse(result.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
  const tarball = Path.join(dir, info!.filename)
  const manifest = await readJson<PackageJson>(
    (await runOk("tar", ["-xzOf", tarball, "package/package.json"], { cwd: dir })).stdout
  )
  return { tarball, dir, manifest, files: info!.files.map((file) => file.path) }
}

const readJson = async <A>(text: string): Promise<A> => JSON.parse(text) as A

const compareVersions = (a: string, b: string): number => {
  const pa = a.split(".").map(Number)
  const pb = b.split(".").map(Number)
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0)
  return 0
}

/**
 * The newest version of `name` the registry serves that satisfies `range` (npm resolves the
 * range) and lies on `line` (e.g. "3." or "0.97."), with no prerelease.
 */
export const newestVersion = async (name: string, range: string, line: string): Promise<string> => {
  const result = await runOk("npm", ["view", `${name}@${range}`, "version", "--json", ...npmFlags], {
    cwd: Os.tmpdir(),
    timeout: 60_000
  })
  const parsed = JSON.parse(result.stdout) as string | Array<string>
  const versions = (Array.isArray(parsed) ? parsed : [parsed]).filter((v) => /^\d+\.\d+\.\d+$/.test(v) && v.startsWith(line))
  const newest = versions.sort(compareVersions).at(-1)
  if (newest === undefined) throw new Error(`no version of ${name} satisfies ${range} on the ${line}x line`)
  return newest
}

export interface Project {
  readonly dir: string
  readonly install: RunResult
}

/**
 * A fresh project under the OS temp directory (`"type": "module"`), with `npm install` of
 * the given specs (the tarball's path among them). Fixture files are copied in.
 */
export const makeProject = async (
  kind: string,
  specs: ReadonlyArray<string>,
  fixtures: ReadonlyArray<string | readonly [from: string, to: string]> = []
): Promise<Project> => {
  const dir = await mkdtemp(Path.join(Os.tmpdir(), `effect-sso-oidc-consumer-${kind}-`))
  await writeFile(
    Path.join(dir, "package.json"),
    JSON.stringify({ name: `consumer-${kind}`, private: true, version: "0.0.0", type: "module" }, null, 2)
  )
  for (const fixture of fixtures) {
    const [from, to] = typeof fixture === "string" ? [fixture, fixture] : fixture
    await copyFile(Path.join(fixturesDir, from), Path.join(dir, to))
  }
  const install = await runOk("npm", ["install", "--save-exact", "--prefer-offline", ...npmFlags, ...specs], {
    cwd: dir,
    timeout: 240_000
  })
  return { dir, install }
}

export const removeDir = async (dir: string | undefined) => {
  if (dir !== undefined && !keepTemp) await rm(dir, { recursive: true, force: true })
}

/** Every installed copy of a package in a project's node_modules tree (directories holding its package.json). */
export const installedCopies = async (projectDir: string, name: string): Promise<Array<string>> => {
  const found: Array<string> = []
  const walk = async (nodeModules: string): Promise<void> => {
    if (!existsSync(nodeModules)) return
    for (const entry of await readdir(nodeModules)) {
      if (entry.startsWith(".")) continue
      const names = entry.startsWith("@")
        ? (await readdir(Path.join(nodeModules, entry))).map((sub) => `${entry}/${sub}`)
        : [entry]
      for (const pkg of names) {
        const pkgDir = Path.join(nodeModules, pkg)
        if (pkg === name && existsSync(Path.join(pkgDir, "package.json"))) found.push(pkgDir)
        await walk(Path.join(pkgDir, "node_modules"))
      }
    }
  }
  await walk(Path.join(projectDir, "node_modules"))
  return found
}

export const readText = (path: string) => readFile(path, "utf8")

export const writeOut = async (name: string, value: unknown) => {
  await mkdir(outDir, { recursive: true })
  const path = Path.join(outDir, name)
  await writeFile(path, JSON.stringify(value, null, 2) + "\n")
  return path
}
