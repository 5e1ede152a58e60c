import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url))

export default defineConfig({
  resolve: {
    // The suite imports the entry points as an application does, from the sources.
    alias: [
      { find: /^effect-sso-oidc$/, replacement: src("index.ts") },
      { find: /^effect-sso-oidc\/(.*)$/, replacement: src("$1.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"],
    // The run's temporary files in a directory of its own, removed at the end.
    globalSetup: ["./scripts/test-tmpdir.mjs"],
    testTimeout: 30_000
  }
})
