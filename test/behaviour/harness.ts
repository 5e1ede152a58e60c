/**
 * The test side of the behaviour suite: starts an edition's harness program
 * (test/behaviour/harness/effect3.mjs on this Node, or
 * effect4/test/behaviour/harness/effect4.mjs on Node 24) as a child process
 * and speaks its JSON-lines protocol (harness/protocol.mjs), plus what every
 * behaviour file needs: temporary homes, the AWS CLI and botocore, and the
 * CI rule that a missing peer fails under CI instead of skipping.
 *
 * The suite imports nothing of either edition: each edition is reached only
 * through its BUILT package (root dist/, effect4/dist/), inside its harness.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { ensureRuntime } from "../../scripts/runtimes.mjs"

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

/** The editions every behaviour test runs against. */
export const editions = ["effect3", "effect4"] as const
export type Edition = (typeof editions)[number]

/** Each edition's build (what the harness imports) and harness program. */
export const builds: Record<Edition, { readonly dist: string; readonly harness: string }> = {
  effect3: {
    dist: Path.join(repoRoot, "dist", "index.js"),
    harness: Path.join(repoRoot, "test", "behaviour", "harness", "effect3.mjs")
  },
  effect4: {
    dist: Path.join(repoRoot, "effect4", "dist", "index.js"),
    harness: Path.join(repoRoot, "effect4", "test", "behaviour", "harness", "effect4.mjs")
  }
}

/** The Node that runs an edition: this one for Effect 3; Node 24 for Effect 4 (@effect/platform-node 4 needs >= 22.19). */
export const nodeFor = async (edition: Edition): Promise<string> =>
  edition === "effect3" ? process.execPath : await ensureRuntime("node24")

/** A failure the harness reported: the library's typed error (or defect) as the harness described it. */
export interface Failure {
  readonly _tag: string
  readonly message: string
  readonly string: string
  readonly json: string
  readonly [field: string]: unknown
}

export type Answer<A> = { readonly ok: true; readonly result: A } | { readonly ok: false; readonly error: Failure }

export class HarnessFailed extends Error {
  constructor(readonly op: string, readonly failure: Failure) {
    super(`${op} failed: ${failure._tag}: ${failure.message}`)
  }
}

/** A fingerprint as the harness makes it: `{ $redacted: sha256 }`. */
export const redacted = (secret: string) => ({ $redacted: sha256(secret) })
export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

/**
 * One running harness of an edition. `call` resolves with the op's result or
 * rejects with `HarnessFailed`; `attempt` resolves with either.
 */
export interface Harness {
  readonly edition: Edition
  readonly call: <A = any>(op: string, args?: Record<string, unknown>) => Promise<A>
  readonly attempt: <A = any>(op: string, args?: Record<string, unknown>) => Promise<Answer<A>>
  /** Everything the harness wrote to stdout and stderr so far (for the leak checks). */
  readonly transcript: () => string
  readonly close: () => Promise<void>
}

export const startHarness = async (edition: Edition): Promise<Harness> => {
  const build = builds[edition]
  if (!existsSync(build.dist)) {
    throw new Error(`${edition} is not built: ${build.dist} is missing (npm run build builds both editions)`)
  }
  const node = await nodeFor(edition)
  const child: ChildProcess = spawn(node, [build.harness, "serve"], {
    cwd: Path.dirname(build.harness),
    env: childEnv({}),
    stdio: ["pipe", "pipe", "pipe"]
  })
  const waiting = new Map<number, (answer: Answer<unknown>) => void>()
  let transcript = ""
  let stderr = ""
  let nextId = 1
  let exited: string | undefined
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity })
    lines.on("line", (line) => {
      transcript += `${line}\n`
      let message: { id: number | null; ok: boolean; result?: unknown; error?: Failure }
      try {
        message = JSON.parse(line)
      } catch {
        return
      }
      if (message.id === null) {
        if (message.ok) resolve()
        return
      }
      const resume = waiting.get(message.id)
      waiting.delete(message.id)
      resume?.(message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error! })
    })
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
      transcript += chunk.toString("utf8")
    })
    child.once("exit", (code, signal) => {
      exited = `the ${edition} harness exited (${code ?? signal}): ${stderr.slice(-2000)}`
      reject(new Error(exited))
      for (const resume of waiting.values()) {
        resume({ ok: false, error: { _tag: "HarnessExited", message: exited, string: exited, json: "" } })
      }
      waiting.clear()
    })
    child.once("error", reject)
  })
  await ready

  const attempt = <A>(op: string, args: Record<string, unknown> = {}) =>
    new Promise<Answer<A>>((resolve) => {
      if (exited !== undefined) {
        resolve({ ok: false, error: { _tag: "HarnessExited", message: exited, string: exited, json: "" } })
        return
      }
      const id = nextId++
      waiting.set(id, resolve as (answer: Answer<unknown>) => void)
      child.stdin!.write(`${JSON.stringify({ id, op, args })}\n`)
    })

  return {
    edition,
    attempt,
    call: async <A>(op: string, args: Record<string, unknown> = {}) => {
      const answer = await attempt<A>(op, args)
      if (!answer.ok) throw new HarnessFailed(op, answer.error)
      return answer.result
    },
    transcript: () => transcript,
    close: () =>
      new Promise<void>((resolve) => {
        if (exited !== undefined) return resolve()
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
      })
  }
}

/** The harness of `edition` run once for `op` (a process of its own): stdout's JSON and the exit code. */
export const runOnce = async (edition: Edition, op: string, args: Record<string, unknown>) => {
  const node = await nodeFor(edition)
  const run = await execFileAsync(node, [builds[edition].harness, op, JSON.stringify(args)], childEnv({}))
  return { ...run, json: run.stdout.trim() === "" ? undefined : JSON.parse(run.stdout.trim().split("\n").at(-1)!) }
}

/** The command line that runs `op` of an edition's harness once (for a credential_process line). */
export const onceCommand = async (edition: Edition, op: string, args: Record<string, unknown>) =>
  [await nodeFor(edition), builds[edition].harness, op, JSON.stringify(args)]

// -----------------------------------------------------------------------------
// child processes
// -----------------------------------------------------------------------------

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** The caller's environment minus every AWS setting (so nothing redirects or signs a call), plus `extra`. */
export const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("AWS_")) env[key] = value
  }
  return { ...env, ...extra }
}

export const execFileAsync = (file: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, timeout = 60_000) =>
  new Promise<Run>((resolve) => {
    execFile(file, [...args], { env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })

// -----------------------------------------------------------------------------
// homes in the AWS CLI's layout
// -----------------------------------------------------------------------------

export interface Home {
  readonly home: string
  readonly configFile: string
  readonly cacheDir: string
  /** The environment the AWS CLI, botocore and the SDK read this home with. */
  readonly env: (extra?: Record<string, string>) => NodeJS.ProcessEnv
  readonly remove: () => void
}

/** A HOME of its own with `.aws/config` = `config` and an empty `.aws/sso/cache`. */
export const makeHome = (config: string): Home => {
  const home = mkdtempSync(Path.join(Os.tmpdir(), "effect-sso-oidc-behaviour-"))
  const cacheDir = Path.join(home, ".aws", "sso", "cache")
  mkdirSync(cacheDir, { recursive: true })
  const configFile = Path.join(home, ".aws", "config")
  writeFileSync(configFile, config)
  return {
    home,
    configFile,
    cacheDir,
    env: (extra = {}) =>
      childEnv({
        HOME: home,
        AWS_CONFIG_FILE: configFile,
        AWS_SHARED_CREDENTIALS_FILE: Path.join(home, ".aws", "no-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_MAX_ATTEMPTS: "1",
        AWS_PAGER: "",
        ...extra
      }),
    remove: () => rmSync(home, { recursive: true, force: true })
  }
}

// -----------------------------------------------------------------------------
// the real peers, and the CI rule
// -----------------------------------------------------------------------------

export const inCi = process.env["CI"] !== undefined && process.env["CI"] !== "" && process.env["CI"] !== "false"

/** The first `aws` executable on PATH. */
export const aws = (process.env["PATH"] ?? "").split(Path.delimiter).filter((dir) => dir !== "").map((dir) =>
  Path.join(dir, "aws")
).find((candidate) => {
  try {
    accessSync(candidate, constants.X_OK)
    return true
  } catch {
    return false
  }
})

/** botocore's version when python3 can import it. */
export const botocore = (() => {
  try {
    return execFileSync("python3", ["-c", "import botocore; print(botocore.__version__)"], { encoding: "utf8" }).trim()
  } catch {
    return undefined
  }
})()

/**
 * Whether a describe block of a peer runs: when the peer is there, or under
 * CI (where its first test then fails, saying the peer is missing).
 */
export const peerRuns = (present: boolean) => present || inCi

export const peerTitle = (name: string, present: boolean, missing: string) =>
  present ? name : inCi ? `${name} (CI is set: ${missing})` : `${name} (skipped: ${missing}; set CI to make this a failure)`

// -----------------------------------------------------------------------------
// fixtures of the portal tests
// -----------------------------------------------------------------------------

export const startUrl = "https://my-sso-portal.awsapps.com/start"
export const deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"
export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A config with the sso-session `corp` and the profile `portal` that uses it (the emulator's first account). */
export const portalConfig = (accountId: string, roleName = "ReadOnlyAccess") =>
  [
    "[profile portal]",
    "sso_session = corp",
    `sso_account_id = ${accountId}`,
    `sso_role_name = ${roleName}`,
    "region = us-east-1",
    "",
    "[sso-session corp]",
    `sso_start_url = ${startUrl}`,
    "sso_region = us-east-1",
    "sso_registration_scopes = sso:account:access",
    ""
  ].join("\n")
