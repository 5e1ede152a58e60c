import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import { readFileSync } from "node:fs"
import { inspect } from "node:util"
import { DeviceLogin } from "effect-sso-oidc"

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), "utf8")

/** The lines between `// --- example start` and `// --- example end`. */
const exampleBlock = (path: string) => {
  const text = read(path)
  const start = text.indexOf("// --- example start\n")
  const end = text.indexOf("// --- example end")
  expect(start, `${path} has an example start marker`).toBeGreaterThanOrEqual(0)
  expect(end, `${path} has an example end marker`).toBeGreaterThan(start)
  return text.slice(start + "// --- example start\n".length, end).trimEnd()
}

describe("docs quote runnable examples verbatim", () => {
  for (
    const [doc, example] of [
      ["README.md", "test/examples/readme.example.ts"],
      ["docs/getting-started.md", "test/examples/getting-started.example.test.ts"],
      ["docs/device-login.md", "test/examples/device-login.example.test.ts"],
      ["docs/testing.md", "test/examples/testing.example.test.ts"],
      ["docs/credentials.md", "test/examples/credentials.example.test.ts"]
    ] as const
  ) {
    it(`${doc} quotes ${example}`, () => {
      expect(read(doc)).toContain(exampleBlock(example))
    })
  }
})

describe("README", () => {
  it("shows the set-up, test and main-job commands", () => {
    const readme = read("README.md")
    expect(readme).toContain("npm install")
    expect(readme).toContain("npm test")
    expect(readme).toContain("npm run demo")
  })

  it("links only to guides that exist", () => {
    const links = [...read("README.md").matchAll(/\]\((docs\/[^)]+)\)/g)].map((m) => m[1]!)
    expect(links.length).toBeGreaterThan(0)
    for (const link of links) expect(() => read(link), link).not.toThrow()
  })
})

describe("docs/device-login.md's claim about printing events", () => {
  it("JSON.stringify, console.log's inspect and a template string of an event show <redacted>, never the secret", () => {
    const accessToken = Redacted.make("the-access-token")
    const event = DeviceLogin.DeviceLoginEvent.Authorized({ token: { accessToken } as never })
    expect(read("docs/device-login.md")).toContain("`JSON.stringify(event)`, `console.log(event)`")
    for (const shown of [JSON.stringify(event), inspect(event, { depth: 5 }), `${event.token.accessToken}`]) {
      expect(shown).toContain("<redacted>")
      expect(shown).not.toContain("the-access-token")
    }
  })
})
