/**
 * CLI start-up (issue 14): wall time from spawning a command to its first
 * prompt (the user code) or to its exit (help), ours and the AWS CLI v2's,
 * measured interleaved in one run against the same local emulator, with
 * `node -e ''` as the floor.
 *
 * Debian's awscli 2.9 (/usr/bin/aws) has no endpoint setting for `aws sso
 * login`; its botocore resolves SSO OIDC's URL from the service's endpoint
 * rule set, which its loader looks up in AWS_DATA_PATH before its own data
 * (`sso-oidc/2019-06-10/endpoint-rule-set-1.json`). A rule set whose one rule
 * is the emulator's URL points it there; nothing else changes.
 *
 * Run alone: `npx tsx bench/startup.ts` (after `npm run build`).
 */
import { execFileSync, spawn } from "node:child_process"
import { once } from "node:events"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { fmtSummary, type Goal, type Section, summarize, type Summary } from "./lib.js"
import { node24 } from "./runtimes.js"

const bin = fileURLToPath(new URL("../dist/sso-oidc.js", import.meta.url))
/** Debian's awscli 2.9; BENCH_AWS names another AWS CLI v2 binary. */
const aws = process.env.BENCH_AWS ?? "/usr/bin/aws"
const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 10)
/** Where Debian's awscli keeps botocore's data; the rule set's parameters are copied from it. */
const botocoreRuleSet = "/usr/lib/python3/dist-packages/awscli/botocore/data/sso-oidc/2019-06-10/endpoint-rule-set-1.json"

/**
 * Milliseconds from spawning `command` until its stdout matches `until`
 * (then it is killed), or until it exits 0 when `until` is undefined.
 */
const wall = async (
  command: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  until?: RegExp
): Promise<number> => {
  const start = process.hrtime.bigint()
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env })
  let output = ""
  let errors = ""
  child.stderr!.on("data", (chunk: Buffer) => void (errors += chunk.toString()))
  const exited = once(child, "exit") as Promise<[number | null]>
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000)
  try {
    if (until !== undefined) {
      const found = new Promise<number>((resolve) => {
        child.stdout!.on("data", (chunk: Buffer) => {
          output += chunk.toString()
          if (until.test(output)) resolve(Number(process.hrtime.bigint() - start) / 1e6)
        })
      })
      const ms = await Promise.race([found, exited.then(([code]) => {
        throw new Error(`${command} ${args.join(" ")} exited (${code}) before its prompt: ${errors.trim().split("\n").at(-1)}`)
      })])
      child.kill()
      await exited
      return ms
    }
    child.stdout!.resume()
    const [code] = await exited
    if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}: ${errors.trim().split("\n").at(-1)}`)
    return Number(process.hrtime.bigint() - start) / 1e6
  } finally {
    clearTimeout(timer)
  }
}

/** Starts `sso-oidc emulator` and reads its URL from the first line. */
const startEmulator = async (env: NodeJS.ProcessEnv) => {
  const child = spawn(process.execPath, [bin, "emulator", "--port", "0", "--interval", "1", "--auto-approve-after", "1"], { stdio: ["ignore", "pipe", "inherit"], env })
  let output = ""
  while (!/http:\/\/127\.0\.0\.1:\d+/.test(output)) {
    const [chunk] = (await once(child.stdout!, "data")) as [Buffer]
    output += chunk.toString()
  }
  const exited = once(child, "exit")
  return {
    url: output.match(/http:\/\/127\.0\.0\.1:\d+/)![0],
    // Waited for: at exit the CLI writes its code cache into the home the caller then removes.
    stop: async () => {
      child.kill()
      await exited
    }
  }
}

/** An AWS_DATA_PATH directory whose SSO OIDC and SSO portal endpoint rule sets always answer `url`. */
const awsDataPath = (dir: string, url: string) => {
  // The parameters botocore passes (its builtIns); Debian's copy of the rule set has them, this is the fallback.
  const parameters = existsSync(botocoreRuleSet)
    ? (JSON.parse(readFileSync(botocoreRuleSet, "utf8")) as { readonly parameters: unknown }).parameters
    : {
      Region: { builtIn: "AWS::Region", required: false, type: "String" },
      UseDualStack: { builtIn: "AWS::UseDualStack", required: true, default: false, type: "Boolean" },
      UseFIPS: { builtIn: "AWS::UseFIPS", required: true, default: false, type: "Boolean" },
      Endpoint: { builtIn: "SDK::Endpoint", required: false, type: "String" }
    }
  const ruleSet = {
    version: "1.0",
    parameters,
    rules: [{ conditions: [], endpoint: { url, properties: {}, headers: {} }, type: "endpoint" }]
  }
  const data = join(dir, "aws-data")
  for (const service of ["sso-oidc", "sso"]) {
    mkdirSync(join(data, service, "2019-06-10"), { recursive: true })
    writeFileSync(join(data, service, "2019-06-10", "endpoint-rule-set-1.json"), JSON.stringify(ruleSet))
  }
  return data
}

/** `aws-cli/2.9.19 Python/3.11.2 …`, the first word of `aws --version`. */
const awsVersionOf = (): string => {
  try {
    return execFileSync(aws, ["--version"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } }).trim().split(" ")[0] ?? "?"
  } catch {
    return "version unknown"
  }
}

interface Row {
  readonly label: string
  readonly run: () => Promise<number>
  /** Skip the unmeasured first round (`aws help` caches nothing it needs, and is the slowest row). */
  readonly cold?: true
}

const ms = (s: Summary) => fmtSummary(s, "ms", 0)

export const run = async (): Promise<Section> => {
  const home = mkdtempSync(join(tmpdir(), "bench-startup-"))
  // One clean environment for every command: no proxy or CA bundle variables (they make both CLIs load more).
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: home, LANG: "C.UTF-8", NO_COLOR: "1" }
  const emulator = await startEmulator(env)
  try {
    const { url } = emulator
    let awsMissing = existsSync(aws) ? undefined : `${aws} is not installed (apt-get install awscli)`
    const awsEnv: NodeJS.ProcessEnv = { ...env, AWS_PAGER: "", PAGER: "cat", MANPAGER: "cat" }
    // A legacy SSO profile (as Debian's awscli 2.9 reads it too) with a role, for `credentials`.
    mkdirSync(join(home, ".aws"), { recursive: true })
    writeFileSync(
      join(home, ".aws", "config"),
      `[profile bench]\nsso_start_url = ${url}/start\nsso_region = us-east-1\nsso_account_id = 111111111111\nsso_role_name = ReadOnlyAccess\n`
    )
    if (awsMissing === undefined) awsEnv.AWS_DATA_PATH = awsDataPath(home, url)
    // `credentials` reads the token a login cached, and the role credentials it cached the first time (both CLIs
    // share both caches): a sign-in first, approved by the emulator.
    const portalEnv: NodeJS.ProcessEnv = { ...env, AWS_ENDPOINT_URL: url }
    await wall(process.execPath, [bin, "login", "--profile", "bench", "--use-device-code", "--no-browser"], portalEnv)
    // Node 24 too (its own code cache, primed by the first round).
    const node24Bin = await node24().catch(() => undefined)
    const loginArgs = [bin, "login", "--use-device-code", "--no-browser", "--start-url", `${url}/start`, "--region", "us-east-1", "--endpoint-url", url]
    let rows: Array<Row> = [
      { label: "`node -e ''` (the floor)", run: () => wall(process.execPath, ["-e", ""], env) },
      { label: "`sso-oidc --help` (rendered by the CLI)", run: () => wall(process.execPath, [bin, "--help"], env) },
      {
        label: "`sso-oidc login --use-device-code` to the user code",
        run: () => wall(process.execPath, loginArgs, env, /confirm the code \S+/)
      },
      {
        label: "`sso-oidc credentials --profile bench` (cached role credentials: what `credential_process` runs)",
        run: () => wall(process.execPath, [bin, "credentials", "--profile", "bench"], portalEnv)
      },
      {
        label: "a first run (no code cache yet: `NODE_DISABLE_COMPILE_CACHE=1`): `sso-oidc login --use-device-code` to the user code",
        run: () => wall(process.execPath, loginArgs, { ...env, NODE_DISABLE_COMPILE_CACHE: "1" }, /confirm the code \S+/)
      },
      ...(node24Bin === undefined ? [] : [
        { label: "Node 24: `node -e ''`", run: () => wall(node24Bin, ["-e", ""], env) },
        { label: "Node 24: `sso-oidc --help`", run: () => wall(node24Bin, [bin, "--help"], env) },
        {
          label: "Node 24: `sso-oidc login --use-device-code` to the user code",
          run: () => wall(node24Bin, loginArgs, env, /confirm the code \S+/)
        }
      ]),
      ...(awsMissing === undefined
        ? [
          {
            label: "AWS CLI v2 `aws sso login --no-browser` to the user code",
            run: () => wall(aws, ["sso", "login", "--profile", "bench", "--no-browser"], awsEnv, /Then enter the code:\s+\S+\n/)
          },
          { label: "AWS CLI v2 `aws help`", run: () => wall(aws, ["help"], awsEnv), cold: true as const },
          {
            label: "AWS CLI v2 `aws configure export-credentials --profile bench` (cached role credentials)",
            run: () => wall(aws, ["configure", "export-credentials", "--profile", "bench"], awsEnv)
          }
        ]
        : [])
    ]
    // A first round unmeasured: the file cache, and both CLIs' client registrations (reused by every later login).
    for (const row of rows) {
      if (row.cold !== undefined) continue
      try {
        await row.run()
      } catch (error) {
        // An AWS CLI that cannot reach its prompt (another version, another layout) is reported, not fatal.
        if (!row.label.startsWith("AWS CLI")) throw error
        awsMissing = `${aws} failed: ${(error as Error).message}`
      }
    }
    if (awsMissing !== undefined) rows = rows.filter((row) => !row.label.startsWith("AWS CLI"))
    const times = rows.map(() => [] as Array<number>)
    for (let round = 0; round < runs; round++) {
      for (const [i, row] of rows.entries()) times[i]!.push(await row.run())
    }
    const stats = times.map(summarize)
    const stat = (label: string) => stats[rows.findIndex((row) => row.label.startsWith(label))]
    const [floor, help, login] = stats as [Summary, Summary, Summary]
    const awsLogin = stat("AWS CLI v2 `aws sso login")
    const awsHelp = stat("AWS CLI v2 `aws help`")
    const vs = (theirs: Summary | undefined) =>
      theirs === undefined ? `AWS CLI v2 not measured: ${awsMissing}` : `AWS CLI v2: ${ms(theirs)}`
    const awsLine = awsMissing === undefined
      ? `AWS CLI: ${aws} (${awsVersionOf()}), pointed at the emulator by AWS_DATA_PATH endpoint rule sets for sso-oidc and sso. `
      : `AWS CLI: not measured (${awsMissing}). `
    const body = [
      `Wall time from spawn to the user code (login, killed there) or to the exit (help), medians (min–max) of ${runs} ` +
      `interleaved rounds after one unmeasured round, all against one local emulator (\`sso-oidc emulator\`), in a clean ` +
      `environment (no proxy or CA bundle variables), both CLIs reusing their cached client registration. ` +
      `The unmeasured round also writes each command's code cache (docs/cli.md), as any first run does; the first-run ` +
      `row goes without it. \`credentials\` prints role credentials both CLIs cached (one sign-in, then one GetRoleCredentials ` +
      `before the rounds). ` +
      awsLine +
      `Node ${process.version} (\`node\`), and Node 24 where the suite's runtime cache has it. The machine is shared: compare within a run (× the floor).`,
      "",
      "| command | wall time | × `node -e ''` |",
      "|---|---|---|",
      ...rows.map((row, i) => {
        // Node 24's rows against Node 24's floor.
        const base = row.label.startsWith("Node 24") ? stat("Node 24: ")! : floor
        return `| ${row.label} | ${ms(stats[i]!)} | ${(stats[i]!.median / base.median).toFixed(2)}× |`
      }),
      ...(awsMissing !== undefined ? [`| AWS CLI v2 | not measured: ${awsMissing} | |`] : [])
    ].join("\n")
    const goals: Array<Goal> = [
      {
        goal: "`sso-oidc login --use-device-code` to its first prompt ≤ 150 ms (vs AWS CLI v2 `aws sso login`)",
        figure: `${ms(login)}; ${vs(awsLogin)}; node -e '': ${ms(floor)}`,
        met: login.median <= 150
      },
      {
        goal: "the real `sso-oidc --help` ≤ 120 ms, not canned (vs AWS CLI v2 `aws help`)",
        figure: `${ms(help)}; ${vs(awsHelp)}; node -e '': ${ms(floor)}`,
        met: help.median <= 120
      }
    ]
    return { title: "CLI start-up", body, goals }
  } finally {
    await emulator.stop()
    rmSync(home, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((section) => console.log(`## ${section.title}\n\n${section.body}\n\n${JSON.stringify(section.goals, null, 2)}`))
}
