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
//   the command table, and `--version` itself, and imports one of the two entries below;
// - dist/sso-oidc-main.js, the whole CLI as @effect/cli parses it (src/bin/main.ts);
// - dist/sso-oidc-login.js, `login` without @effect/cli (src/bin/login.ts), when its flags are plain: a bundle of
//   its own, with its chunks in dist/sso-oidc-login-chunks/;
// - the rest in shared chunks, and what is imported dynamically (the emulator's server) in chunks loaded only then;
// - dist/sso-oidc-undici.js, npm undici, which both bundles import only for a proxy or a CA bundle.
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
// npm undici (for a proxy or a CA bundle) once, in dist/sso-oidc-undici.js, for both CLI bundles: each imports it
// on use by the package's own subpath import, `#sso-oidc-undici` (package.json "imports"), which resolves from any
// chunk. Bundled, not required: undici is an optional peer, and may not be installed.
const sharedUndici = {
  name: "shared-undici",
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) =>
      args.kind === "dynamic-import" ? { path: "#sso-oidc-undici", external: true } : undefined)
  }
}
const common = {
  outdir: "dist",
  splitting: true,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  // Bundled CommonJS dependencies still call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  },
  logLevel: "warning"
}
// The launcher's `import("./login.js")` is the login bundle's entry, built on its own below.
const loginBundle = {
  name: "login-bundle",
  setup(build) {
    build.onResolve({ filter: /^\.\/login\.js$/ }, (args) =>
      /src[\\/]bin[\\/]sso-oidc\.ts$/.test(args.importer) ? { path: "./sso-oidc-login.js", external: true } : undefined)
  }
}
await build({
  ...common,
  entryPoints: { "sso-oidc": "src/bin/sso-oidc.ts", "sso-oidc-main": "src/bin/main.ts" },
  chunkNames: "sso-oidc-chunks/[name]-[hash]",
  plugins: [unused, undiciOnUse, sharedUndici, loginBundle]
})
// `login`, on its own: shared chunks with the whole CLI would hold every module both use whole (esbuild splits
// by module), 690 KB where login needs 560 KB. Its copy of Effect is its own; it hands over to the whole CLI as a
// process (src/bin/login.ts).
await build({
  ...common,
  entryPoints: { "sso-oidc-login": "src/bin/login.ts" },
  chunkNames: "sso-oidc-login-chunks/[name]-[hash]",
  plugins: [unused, undiciOnUse, sharedUndici]
})
await build({
  ...common,
  splitting: false,
  stdin: { contents: "import undici from \"undici\"\nexport default undici\n", resolveDir: ".", loader: "js" },
  outdir: undefined,
  outfile: "dist/sso-oidc-undici.js"
})
chmodSync("dist/sso-oidc.js", 0o755)
