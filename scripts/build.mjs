// Builds both editions:
// - dist/**/*.js, .d.ts and their maps: the Effect 3 edition (the root package), compiled by tsc
//   (tsconfig.build.json) from src/ without src/cli and src/bin;
// - effect4/dist/**: the Effect 4 edition (effect4/tsconfig.build.json), its glue and the same src/core;
// the `sso-oidc` binary, built from the Effect 3 edition (one binary serves users of both): see below.
import { execFileSync } from "node:child_process"
import { chmodSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { build } from "esbuild"

rmSync("dist", { recursive: true, force: true })
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" })
rmSync("effect4/dist", { recursive: true, force: true })
execFileSync(process.execPath, [tsc, "-p", "effect4/tsconfig.build.json"], { stdio: "inherit" })

// The CLI, split so that each path loads only what it needs (issue 14: start-up):
// - dist/sso-oidc.js, the launcher (src/bin/sso-oidc.ts): a few KB, no Effect; it prints `--help`, rendered from
//   the command table, and `--version` itself, and loads one of the two bundles below with V8's code cache
//   (src/bin/codeCache.ts, a chunk of its own in dist/sso-oidc-chunks/, loaded only then);
// - dist/sso-oidc-main.cjs, the whole CLI as @effect/cli parses it (src/bin/main.ts); `node dist/sso-oidc-main.cjs`
//   runs it without the launcher;
// - dist/sso-oidc-quick.cjs, `login` and `credentials` without @effect/cli (src/bin/quick.ts), when their flags are
//   plain;
// - dist/sso-oidc-undici.cjs, npm undici, which both bundles load only for a proxy or a CA bundle.
// The two bundles are CommonJS, each one file, for node:vm (the code cache): what they import dynamically (the
// emulator's server, NodeSso's NodeHttpClient) is inlined, and evaluated only on use.
// Left out, as code the CLI would otherwise compile and evaluate on every start for nothing (200 KB):
// - yaml, toml and ini, what @effect/cli parses option *files* with (Options.fileParse): no command has one;
// - fast-check, which effect's Schema imports for its Arbitrary annotations (Arbitrary.make): the CLI makes none.
// The platform's NodeHttpClient module imports undici (through its Undici.js, `export * from "undici"`, which no
// bundler can shake) for makeDispatcher and dispatcherLayerGlobal alone. The CLI never builds either: its node:http
// client needs no undici, and its proxy path (NodeSso.layerHttpClient) imports undici itself, on use. Without this,
// every login would compile and evaluate undici's 530 KB before its first request.
const undiciOnUse = {
  name: "undici-on-use",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/Undici\.js$/ }, (args) =>
      /platform-node[\\/]dist[\\/]esm[\\/]internal[\\/]httpClientUndici\.js$/.test(args.importer)
        ? { path: "platform-node-undici", namespace: "undici-on-use" }
        : undefined)
    build.onLoad({ filter: /.*/, namespace: "undici-on-use" }, () => ({
      contents: [
        "const unused = () => { throw new Error(\"sso-oidc: the platform's own undici dispatcher is not in this build\") }",
        "export class Agent { constructor() { unused() } }",
        "export const getGlobalDispatcher = unused"
      ].join("\n"),
      loader: "js"
    }))
  }
}
const unused = {
  name: "unused-by-the-cli",
  setup(build) {
    build.onResolve({ filter: /^(yaml|toml|ini|fast-check)$/ }, (args) => ({ path: args.path, namespace: "unused-by-the-cli" }))
    build.onLoad({ filter: /.*/, namespace: "unused-by-the-cli" }, (args) => ({
      contents: args.path === "fast-check"
        ? "export {}"
        : `export const parse = () => { throw new Error("sso-oidc: ${args.path} files are not supported") }`,
      loader: "js"
    }))
  }
}
// npm undici (for a proxy or a CA bundle) once, in dist/sso-oidc-undici.cjs, for both CLI bundles: each requires it
// on use (NodeSso's `import("undici")` becomes a `require` inside the same promise: a script run by node:vm has no
// loader for `import()`) by the package's own subpath import, `#sso-oidc-undici` (package.json "imports"), which
// resolves from any file of the package. Bundled, not required: undici is an optional peer, and may not be installed.
const sharedUndici = {
  name: "shared-undici",
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) =>
      args.kind === "dynamic-import" ? { path: "undici", namespace: "shared-undici" } : undefined)
    build.onResolve({ filter: /^#sso-oidc-undici$/ }, () => ({ path: "#sso-oidc-undici", external: true }))
    build.onLoad({ filter: /.*/, namespace: "shared-undici" }, () => ({
      contents: "module.exports = require(\"#sso-oidc-undici\")",
      loader: "js"
    }))
  }
}
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning"
}
await build({
  ...common,
  entryPoints: { "sso-oidc": "src/bin/sso-oidc.ts" },
  outdir: "dist",
  splitting: true,
  format: "esm",
  chunkNames: "sso-oidc-chunks/[name]-[hash]"
})
// `login` and `credentials` on their own: the whole CLI holds @effect/cli and every command (1 MB, where they need
// 600 KB). Its copy of Effect is its own; it hands over to the whole CLI as a process (src/bin/quick.ts).
for (const [entry, name] of [["src/bin/main.ts", "sso-oidc-main"], ["src/bin/quick.ts", "sso-oidc-quick"]]) {
  await build({ ...common, format: "cjs", entryPoints: [entry], outfile: `dist/${name}.cjs`, plugins: [unused, undiciOnUse, sharedUndici] })
}
await build({
  ...common,
  format: "cjs",
  stdin: { contents: "module.exports = require(\"undici\")\n", resolveDir: ".", loader: "js" },
  outfile: "dist/sso-oidc-undici.cjs"
})
chmodSync("dist/sso-oidc.js", 0o755)
