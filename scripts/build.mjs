// Bundles the `sso-oidc` binary into one ESM file: one file to load keeps start-up fast.
import { build } from "esbuild"

await build({
  entryPoints: ["src/bin/sso-oidc.ts"],
  outfile: "dist/sso-oidc.js",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  // Bundled CommonJS dependencies still call require().
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  },
  logLevel: "warning"
})
