// vitest's globalSetup for both editions' suites: the run's temporary files go to one directory of its own,
// removed when the run ends. Every test that takes `os.tmpdir()` (and every process a test starts with this
// environment) then leaves nothing in the machine's /tmp, whatever it forgot to remove or a failure skipped.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const names = ["TMPDIR", "TMP", "TEMP"]

export default function setup() {
  const dir = mkdtempSync(join(tmpdir(), "effect-sso-oidc-test-"))
  const previous = names.map((name) => [name, process.env[name]])
  for (const name of names) process.env[name] = dir
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
  }
}
