/**
 * N processes ask for the token of one session whose cached token is inside
 * the refresh window: the lock file next to the token makes exactly one of
 * them refresh (one CreateToken request reaches the server) and all of them
 * return the refreshed token. The server is a `node:http` stub on 127.0.0.1
 * that counts requests.
 *
 * Then the same files with real peers: botocore and the JS SDK read what we
 * write and refresh it, and we read what they write.
 */
import { FetchHttpClient } from "effect/http"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Result } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as SsoConfig from "../src/SsoConfig.js"
import * as SsoTokenProvider from "../src/SsoTokenProvider.js"
import * as TokenCache from "../src/TokenCache.js"
// The harness and the peers' scripts (botocore, the JS SDK) are Effect-free and shared with the root suite;
// the child that runs this library is this edition's own (test/fixtures/cache/token-child.ts).
import {
  bundle,
  type Child,
  childEnv,
  configFile,
  spawnChild,
  startStub,
  tokenFile
} from "../../test/fixtures/cache/harness.js"
import * as NodeSso from "../src/node/NodeSso.js"

const key = TokenCache.tokenKey("corp")
const rootFixtures = join(__dirname, "..", "..", "test", "fixtures", "cache")
let child: ReturnType<typeof bundle>
let roots: Array<string> = []

// esbuild takes well over vitest's 10 s hook default on a loaded machine
beforeAll(() => {
  child = bundle("token-child.ts", join(__dirname, "fixtures", "cache"))
}, 120_000)

afterAll(() => {
  child?.dispose()
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

/** A home folder with ~/.aws/config and the given token file. */
const makeHome = (token: string) => {
  const home = mkdtempSync(join(tmpdir(), "sso-cache-mp-"))
  roots.push(home)
  mkdirSync(join(home, ".aws", "sso", "cache"), { recursive: true, mode: 0o700 })
  writeFileSync(join(home, ".aws", "config"), configFile())
  writeFileSync(join(home, ".aws", "sso", "cache", `${key}.json`), token, { mode: 0o600 })
  return home
}

const start = (home: string, endpoint: string, extra: Record<string, string> = {}): Child =>
  spawnChild(process.execPath, [child.file, "corp"], childEnv({
    HOME: home,
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_ENDPOINT_URL_SSO_OIDC: endpoint,
    WAIT_FOR_GO: "1",
    ...extra
  }))

const resultOf = async (process: Child) => {
  await process.exited
  const line = process.stdout().split("\n").find((text) => text.startsWith("RESULT ") || text.startsWith("ERROR "))
  if (line === undefined || !line.startsWith("RESULT ")) {
    throw new Error(`child failed: ${process.stdout()} ${process.stderr()}`)
  }
  return JSON.parse(line.slice("RESULT ".length)) as { accessToken: string; expiresAt: string }
}

const cacheOf = (home: string) => JSON.parse(readFileSync(join(home, ".aws", "sso", "cache", `${key}.json`), "utf8"))

describe("several processes, one session (child processes)", () => {
  it("6 processes with a token inside the refresh window: one CreateToken, all get the refreshed token", async () => {
    const stub = await startStub({ delayMs: 400 })
    try {
      const home = makeHome(tokenFile(120))
      const children = Array.from({ length: 6 }, () => start(home, stub.url))
      await Promise.all(children.map((c) => c.waitFor("ready")))
      for (const c of children) c.process.stdin!.write("go\n")
      const results = await Promise.all(children.map(resultOf))
      expect(stub.requests).toHaveLength(1)
      expect(stub.requests[0]!.body).toEqual({
        clientId: "cached-client",
        clientSecret: "cached-secret",
        grantType: "refresh_token",
        refreshToken: "cached-refresh"
      })
      expect(results.map((result) => result.accessToken)).toEqual(Array(6).fill("stub-access-1"))
      expect(cacheOf(home)).toMatchObject({ accessToken: "stub-access-1", refreshToken: "stub-refresh-1" })
      expect(existsSync(join(home, ".aws", "sso", "cache", `${key}.lock`))).toBe(false)
    } finally {
      await stub.close()
    }
  }, 60_000)

  it("a lock file left by a dead process is broken by age; still one refresh", async () => {
    const stub = await startStub({ delayMs: 200 })
    try {
      const home = makeHome(tokenFile(120))
      const lock = join(home, ".aws", "sso", "cache", `${key}.lock`)
      writeFileSync(lock, "{\"pid\": 999999}\n")
      const old = new Date(Date.now() - 120_000)
      utimesSync(lock, old, old)
      const children = Array.from({ length: 3 }, () => start(home, stub.url))
      await Promise.all(children.map((c) => c.waitFor("ready")))
      for (const c of children) c.process.stdin!.write("go\n")
      const results = await Promise.all(children.map(resultOf))
      expect(stub.requests).toHaveLength(1)
      expect(results.map((result) => result.accessToken)).toEqual(Array(3).fill("stub-access-1"))
      expect(existsSync(lock)).toBe(false)
    } finally {
      await stub.close()
    }
  }, 60_000)

  it("a process killed while it refreshes under the lock: the others take over once the lock is stale", async () => {
    const stub = await startStub()
    try {
      const home = makeHome(tokenFile(120))
      const env = { LOCK_STALE_AFTER_MS: "1500" }
      const held = stub.hold()
      const first = start(home, stub.url, env)
      await first.waitFor("ready")
      first.process.stdin!.write("go\n")
      const deadline = Date.now() + 20_000
      while (stub.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
      expect(stub.requests).toHaveLength(1)
      first.process.kill("SIGKILL")
      await first.exited
      const lock = join(home, ".aws", "sso", "cache", `${key}.lock`)
      expect(existsSync(lock)).toBe(true)
      held.release()
      const others = Array.from({ length: 3 }, () => start(home, stub.url, env))
      await Promise.all(others.map((c) => c.waitFor("ready")))
      for (const c of others) c.process.stdin!.write("go\n")
      const results = await Promise.all(others.map(resultOf))
      // the killed process's request, then exactly one more
      expect(stub.requests).toHaveLength(2)
      expect(results.map((result) => result.accessToken)).toEqual(Array(3).fill("stub-access-2"))
      expect(cacheOf(home).accessToken).toBe("stub-access-2")
      expect(existsSync(lock)).toBe(false)
    } finally {
      await stub.close()
    }
  }, 60_000)
})

// -----------------------------------------------------------------------------
// interop with real peers: botocore (the AWS CLI's token provider) and the
// AWS SDK for JavaScript (`fromSso`), each in a child process whose HOME,
// AWS_CONFIG_FILE and AWS_ENDPOINT_URL_SSO_OIDC point at a temporary home
// and the stub. Optional on a developer machine, required in CI.
// -----------------------------------------------------------------------------

const python = (() => {
  try {
    return execFileSync("python3", ["-c", "import sys, botocore; print(sys.executable)"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"]
    }).trim()
  } catch {
    return undefined
  }
})()

const sdkAvailable = (() => {
  try {
    createRequire(__filename).resolve("@aws-sdk/token-providers")
    return true
  } catch {
    return false
  }
})()

const peerSuite = (name: string, available: boolean, why: string, body: () => void) =>
  describe(name, () => {
    if (!available && process.env.CI) {
      it(`${name} is required in CI`, () => {
        throw new Error(`${why} is not available, and CI must run this suite`)
      })
      return
    }
    if (!available) {
      it.skip(`skipped: ${why} is not available on this machine`, () => {})
      return
    }
    body()
  })

const peerEnv = (home: string, endpoint: string) =>
  childEnv({ HOME: home, AWS_CONFIG_FILE: join(home, ".aws", "config"), AWS_ENDPOINT_URL_SSO_OIDC: endpoint })

const peerResult = async (process: Child) => {
  await process.exited
  const line = process.stdout().split("\n").find((text) => text.startsWith("RESULT "))
  if (line === undefined) throw new Error(`peer failed: ${process.stdout()} ${process.stderr()}`)
  return JSON.parse(line.slice("RESULT ".length)) as { token: string; expiration: string }
}

/** Our cache and provider over the temporary home, in this process, against the stub. */
const ours = <A, E>(
  home: string,
  endpoint: string,
  body: Effect.Effect<A, E, TokenCache.TokenCache | SsoTokenProvider.SsoTokenProvider>
) =>
  Effect.runPromise(
    body.pipe(
      Effect.provide(
        SsoTokenProvider.layer({ client: { endpoint } }).pipe(
          Layer.provideMerge(TokenCache.layer({ directory: join(home, ".aws", "sso", "cache") })),
          Layer.provide(SsoConfig.layer({ path: join(home, ".aws", "config") })),
          Layer.provide(FetchHttpClient.layer),
          Layer.provide(NodeSso.layer)
        )
      )
    )
  )

/** Writes the token file through our library, as a login would. */
const writeOurs = (home: string, inSeconds: number) =>
  ours(
    home,
    "http://127.0.0.1:1",
    Effect.flatMap(TokenCache.TokenCache, (cache) =>
      cache.setToken(key, Result.getOrThrow(TokenCache.decodeToken(tokenFile(inSeconds, { accessToken: "ours" })))))
  )

const cacheText = (home: string) => readFileSync(join(home, ".aws", "sso", "cache", `${key}.json`), "utf8")

peerSuite("interop: botocore (the AWS CLI's SSOTokenProvider)", python !== undefined, "python3 with botocore", () => {
  const botocore = (home: string, endpoint: string) =>
    spawnChild(python!, [join(rootFixtures, "botocore-token.py"), "dev"], peerEnv(home, endpoint))

  it("botocore reads a token we wrote", async () => {
    const stub = await startStub()
    try {
      const home = makeHome("")
      await writeOurs(home, 3600)
      const result = await peerResult(botocore(home, stub.url))
      expect(result.token).toBe("ours")
      expect(new Date(result.expiration).getTime()).toBe(new Date(JSON.parse(cacheText(home)).expiresAt).getTime())
      expect(stub.requests).toHaveLength(0)
    } finally {
      await stub.close()
    }
  }, 60_000)

  it("botocore refreshes our token (inside its 15-minute window) and we read what it wrote, byte for byte our format", async () => {
    const stub = await startStub({ expiresIn: 120 })
    try {
      const home = makeHome("")
      await writeOurs(home, 600)
      const result = await peerResult(botocore(home, stub.url))
      expect(result.token).toBe("stub-access-1")
      expect(stub.requests).toHaveLength(1)
      expect(stub.requests[0]!.body).toEqual({
        grantType: "refresh_token",
        clientId: "cached-client",
        clientSecret: "cached-secret",
        refreshToken: "cached-refresh"
      })
      const text = cacheText(home)
      const read = Result.getOrThrow(TokenCache.decodeToken(text))
      expect(Redacted.value(read.accessToken)).toBe("stub-access-1")
      expect(read.refreshToken && Redacted.value(read.refreshToken)).toBe("stub-refresh-1")
      // botocore writes exactly what we would write for the same token
      expect(TokenCache.encodeToken(read)).toBe(text)
      // ...and our provider refreshes botocore's file in turn (2 min left < our 5-minute window)
      const token = await ours(home, stub.url, SsoTokenProvider.token({
        sessionName: "corp",
        startUrl: "https://corp.awsapps.com/start",
        region: "us-east-1",
        registrationScopes: ["sso:account:access"]
      }))
      expect(Redacted.value(token.accessToken)).toBe("stub-access-2")
      expect(stub.requests[1]!.body.refreshToken).toBe("stub-refresh-1")
      // ...and botocore refreshes ours again (2 min left), with the refresh token we wrote
      const again = await peerResult(spawnChild(
        python!,
        [join(rootFixtures, "botocore-token.py"), "dev"],
        peerEnv(home, stub.url)
      ))
      expect(again.token).toBe("stub-access-3")
      expect(stub.requests[2]!.body.refreshToken).toBe("stub-refresh-2")
      expect(TokenCache.encodeToken(Result.getOrThrow(TokenCache.decodeToken(cacheText(home))))).toBe(cacheText(home))
    } finally {
      await stub.close()
    }
  }, 60_000)
})

peerSuite("interop: AWS SDK for JavaScript (fromSso)", sdkAvailable, "@aws-sdk/token-providers", () => {
  const sdk = (home: string, endpoint: string) =>
    spawnChild(process.execPath, [join(rootFixtures, "sdk-from-sso.mjs"), "dev"], peerEnv(home, endpoint))

  it("fromSso reads a token we wrote", async () => {
    const stub = await startStub()
    try {
      const home = makeHome("")
      await writeOurs(home, 3600)
      const result = await peerResult(sdk(home, stub.url))
      expect(result.token).toBe("ours")
      expect(new Date(result.expiration).getTime()).toBe(new Date(JSON.parse(cacheText(home)).expiresAt).getTime())
      expect(stub.requests).toHaveLength(0)
    } finally {
      await stub.close()
    }
  }, 60_000)

  it("fromSso refreshes our token near expiry, and our provider reads what it wrote", async () => {
    const stub = await startStub()
    try {
      const home = makeHome("")
      await writeOurs(home, 120)
      const result = await peerResult(sdk(home, stub.url))
      expect(result.token).toBe("stub-access-1")
      expect(stub.requests).toHaveLength(1)
      expect(stub.requests[0]!.body).toMatchObject({
        grantType: "refresh_token",
        clientId: "cached-client",
        clientSecret: "cached-secret",
        refreshToken: "cached-refresh"
      })
      const text = cacheText(home)
      // the SDK's own format: pretty-printed, milliseconds
      expect(text).toContain("\n  \"accessToken\": \"stub-access-1\"")
      expect(JSON.parse(text).expiresAt).toMatch(/\.\d{3}Z$/)
      const token = await ours(home, stub.url, SsoTokenProvider.token({
        sessionName: "corp",
        startUrl: "https://corp.awsapps.com/start",
        region: "us-east-1",
        registrationScopes: ["sso:account:access"]
      }))
      expect(Redacted.value(token.accessToken)).toBe("stub-access-1")
      expect(token.expiresAt.getTime()).toBe(new Date(JSON.parse(text).expiresAt).getTime())
      expect(stub.requests).toHaveLength(1)
    } finally {
      await stub.close()
    }
  }, 60_000)
})
