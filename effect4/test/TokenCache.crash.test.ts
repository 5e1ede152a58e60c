/**
 * A writer killed with SIGKILL in the middle of writing a token never leaves
 * a partial token file: readers find the previous content or the new one,
 * whole. Leftover temporary files do not disturb the next read or write.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { NodeFileSystem, NodePath } from "@effect/platform-node"
import { Effect, Layer, Option, Redacted, Result } from "effect"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as TokenCache from "../src/TokenCache.js"
// The harness is Effect-free and shared with the root suite; the child is this edition's own.
import { bundle, childEnv, spawnChild } from "../../test/fixtures/cache/harness.js"

const SIZE = 4 * 1024 * 1024
const ROUNDS = 12
const key = TokenCache.tokenKey("crash")

let writer: ReturnType<typeof bundle>
let root: string

beforeAll(() => {
  writer = bundle("crash-writer.ts", join(__dirname, "fixtures", "cache"))
  root = mkdtempSync(join(tmpdir(), "sso-cache-crash-"))
})

afterAll(() => {
  writer?.dispose()
  if (root !== undefined) rmSync(root, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs the writer and kills it, `rounds` times: at a random moment, or (every
 * other atomic round) as soon as a temporary file appears; returns what each kill left.
 */
const killRounds = async (directory: string, mode: "atomic" | "in-place", rounds: number) => {
  mkdirSync(directory, { recursive: true })
  const outcomes: Array<{ readonly text: string; readonly temporaries: ReadonlyArray<string> }> = []
  for (let round = 0; round < rounds; round++) {
    const child = spawnChild(process.execPath, [writer.file, directory, String(SIZE), mode], childEnv({}))
    await child.waitFor("ready")
    if (mode === "in-place" || round % 2 === 0) {
      // at a random moment
      await sleep(5 + Math.random() * 150)
    } else {
      // as soon as a temporary file shows up: inside a write
      const deadline = Date.now() + 5_000
      while (Date.now() < deadline && !readdirSync(directory).some((name) => name.endsWith(".tmp"))) {
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    child.process.kill("SIGKILL")
    const { signal } = await child.exited
    expect(signal).toBe("SIGKILL")
    outcomes.push({
      text: readFileSync(join(directory, `${key}.json`), "utf8"),
      temporaries: readdirSync(directory).filter((name) => name.endsWith(".tmp"))
    })
  }
  return outcomes
}

const isWhole = (text: string) => {
  const token = TokenCache.decodeToken(text)
  if (Result.isFailure(token)) return false
  const access = Redacted.value(token.success.accessToken)
  return access.length === SIZE && (/^A+$/.test(access) || /^B+$/.test(access))
}

describe("killed writers (SIGKILL, child processes)", () => {
  it("a writer killed mid-write leaves the old or the new token whole, never a partial file", async () => {
    const directory = join(root, "atomic")
    const outcomes = await killRounds(directory, "atomic", ROUNDS)
    for (const { text } of outcomes) expect(isWhole(text)).toBe(true)
    // The kills did land inside writes: some left their temporary file behind.
    expect(outcomes.some(({ temporaries }) => temporaries.length > 0)).toBe(true)
    // ...which neither the next write nor the next read minds. (The writer's 4 MiB tokens, which make
    // its writes long enough to be killed inside, are over the cache's 1 MiB read limit.)
    const whole = Result.getOrThrow(TokenCache.decodeToken(readFileSync(join(directory, `${key}.json`), "utf8")))
    const after = await Effect.runPromise(
      Effect.gen(function*() {
        const cache = yield* TokenCache.make({ directory })
        expect(yield* Effect.flip(cache.getToken(key))).toMatchObject({ _tag: "CacheIoError", operation: "read" })
        yield* cache.setToken(key, { ...whole, accessToken: Redacted.make("after") })
        return Redacted.value(Option.getOrThrow(yield* cache.getToken(key)).accessToken)
      }).pipe(Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer)))
    )
    expect(after).toBe("after")
    expect(readdirSync(directory).filter((name) => name.endsWith(".json"))).toEqual([`${key}.json`])
  }, 120_000)

  it("control: the same kills against an in-place writer do leave partial files", async () => {
    const outcomes = await killRounds(join(root, "in-place"), "in-place", ROUNDS)
    const partial = outcomes.filter(({ text }) => !isWhole(text))
    expect(partial.length).toBeGreaterThan(0)
    for (const { text } of partial) {
      expect(Result.getOrThrow(Result.flip(TokenCache.decodeToken(text)))._tag).toBe("CacheFileCorrupt")
    }
  }, 120_000)
})
