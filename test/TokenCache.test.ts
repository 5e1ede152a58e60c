import { FileSystem, Path } from "@effect/platform"
import { NodeFileSystem, NodePath } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Either, Exit, Fiber, Layer, Option, Redacted, Ref } from "effect"
import * as fc from "fast-check"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { inspect } from "node:util"
import * as TokenCache from "../src/TokenCache.js"

const fixture = (name: string) => readFileSync(join(__dirname, "fixtures", "cache", name), "utf8")
const sha1 = (text: string) => createHash("sha1").update(text, "utf8").digest("hex")

const NodeLayer = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer)

const token: TokenCache.CachedToken = {
  startUrl: "https://d-1234567890.awsapps.com/start",
  region: "us-east-1",
  accessToken: Redacted.make("aoaFixtureAccessToken"),
  expiresAt: new Date("2026-01-01T12:00:00Z"),
  clientId: "fixtureClientId",
  clientSecret: Redacted.make("fixtureClientSecret"),
  registrationExpiresAt: new Date("2026-03-31T12:00:00Z"),
  refreshToken: Redacted.make("aorFixtureRefreshToken")
}

const plain = (value: TokenCache.CachedToken) => ({
  ...value,
  accessToken: Redacted.value(value.accessToken),
  clientSecret: value.clientSecret && Redacted.value(value.clientSecret),
  refreshToken: value.refreshToken && Redacted.value(value.refreshToken),
  expiresAt: value.expiresAt.toISOString(),
  registrationExpiresAt: value.registrationExpiresAt?.toISOString()
})

const decoded = (text: string) => Either.getOrThrow(TokenCache.decodeToken(text))

describe("cache keys", () => {
  it("a token of an sso-session is keyed by sha1 of the session name", () => {
    expect(TokenCache.tokenKey("test-sso")).toBe(sha1("test-sso"))
    // the vector shared by botocore's and smithy-rs' tests
    expect(TokenCache.tokenKey("test-sso")).toBe("d12208e38164f558a1d06c99432ab77dbb346c45")
    expect(TokenCache.tokenKeyOf({ sessionName: "corp", startUrl: "https://x.awsapps.com/start" })).toBe(sha1("corp"))
  })

  it("a token of a legacy profile is keyed by sha1 of the start URL", () => {
    const startUrl = "https://ssotest.awsapps.com/start"
    expect(TokenCache.tokenKeyOf({ sessionName: undefined, startUrl })).toBe(sha1(startUrl))
    expect(sha1(startUrl)).toBe("dace00cba5f8355ec9d274ceb2bcebdfbeed0e12")
  })

  it("the key is sha1 of the UTF-8 bytes for any name (against node:crypto)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (name) => {
        expect(TokenCache.tokenKey(name)).toBe(sha1(name))
      }),
      { numRuns: 500 }
    )
    for (const length of [0, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const name = "a".repeat(length)
      expect(TokenCache.tokenKey(name)).toBe(sha1(name))
    }
  })

  it("the registration key is sha1 of the AWS CLI's sorted json.dumps of tool, startUrl, region, scopes, session_name", () => {
    // Written out by hand as Python's json.dumps(args, sort_keys=True) prints it.
    const json =
      `{"region": "us-east-2", "scopes": ["sso:account:access"], "session_name": "test-sso", "startUrl": "https://ssotest.awsapps.com/start", "tool": "botocore"}`
    const key = TokenCache.registrationKey({
      startUrl: "https://ssotest.awsapps.com/start",
      region: "us-east-2",
      registrationScopes: ["sso:account:access"],
      sessionName: "test-sso"
    })
    expect(key).toBe(sha1(json))
    expect(key).toBe("2dbb90fb11c1f559d9a744a89c0e90efb4103c4d")
  })

  it("a registration without scopes or session name hashes them as null; non-ASCII as \\u escapes", () => {
    expect(TokenCache.registrationKey({
      startUrl: "https://x.awsapps.com/start",
      region: "eu-west-1",
      registrationScopes: undefined,
      sessionName: undefined
    })).toBe(
      sha1(
        `{"region": "eu-west-1", "scopes": null, "session_name": null, "startUrl": "https://x.awsapps.com/start", "tool": "botocore"}`
      )
    )
    expect(TokenCache.registrationKey({
      startUrl: "https://x.awsapps.com/start",
      region: "eu-west-1",
      registrationScopes: ["a", "b"],
      sessionName: "sessão ✓ 😀"
    })).toBe(
      sha1(
        `{"region": "eu-west-1", "scopes": ["a", "b"], "session_name": "sess\\u00e3o \\u2713 \\ud83d\\ude00", "startUrl": "https://x.awsapps.com/start", "tool": "botocore"}`
      )
    )
  })

  it("CacheKey accepts only 40 lowercase hex digits", () => {
    expect(TokenCache.CacheKey.is("d12208e38164f558a1d06c99432ab77dbb346c45")).toBe(true)
    expect(TokenCache.CacheKey.is("../../etc/passwd")).toBe(false)
    expect(TokenCache.CacheKey.is("D12208E38164F558A1D06C99432AB77DBB346C45")).toBe(false)
  })
})

describe("file format", () => {
  it("a token we write is byte for byte what the AWS CLI v2 writes (fixture made with Python json.dumps)", () => {
    expect(TokenCache.encodeToken(token)).toBe(fixture("aws-cli-v2-token.json"))
    expect(TokenCache.encodeToken({ ...token, refreshToken: undefined })).toBe(
      fixture("aws-cli-v2-token-no-refresh.json")
    )
  })

  it("keys come in the AWS CLI's order and expiresAt is YYYY-MM-DDTHH:MM:SSZ, fractions cut", () => {
    const text = TokenCache.encodeToken({
      ...token,
      expiresAt: new Date("2026-05-06T07:08:09.999Z"),
      registrationExpiresAt: new Date("2026-05-06T07:08:09.001Z")
    })
    expect(Object.keys(JSON.parse(text))).toEqual([
      "startUrl",
      "region",
      "accessToken",
      "expiresAt",
      "clientId",
      "clientSecret",
      "registrationExpiresAt",
      "refreshToken"
    ])
    expect(JSON.parse(text).expiresAt).toBe("2026-05-06T07:08:09Z")
    expect(JSON.parse(text).registrationExpiresAt).toBe("2026-05-06T07:08:09Z")
    expect(JSON.parse(text).expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
  })

  it("non-ASCII is written as Python's ensure_ascii escapes", () => {
    const text = TokenCache.encodeToken({ ...token, startUrl: "https://é.example/start" })
    expect(text).toContain(`"startUrl": "https://\\u00e9.example/start"`)
    expect(JSON.parse(text).startUrl).toBe("https://é.example/start")
  })

  it("a registration we write is byte for byte the AWS CLI's device-flow registration", () => {
    expect(TokenCache.encodeRegistration({
      clientId: "fixtureClientId",
      clientSecret: Redacted.make("fixtureClientSecret"),
      expiresAt: new Date("2026-03-31T12:00:00Z"),
      scopes: ["sso:account:access"],
      grantTypes: undefined
    })).toBe(fixture("aws-cli-v2-registration.json"))
  })

  it("we read a token the AWS CLI v2 wrote", () => {
    expect(plain(decoded(fixture("aws-cli-v2-token.json")))).toEqual(plain(token))
  })

  it("we read a token the JS SDK wrote (pretty-printed, expiresAt with milliseconds)", () => {
    const read = decoded(fixture("js-sdk-token.json"))
    expect(plain(read)).toEqual(plain(token))
  })

  it("we read the …UTC suffix of AWS CLI v2 before 2.1.14, and RFC 3339 offsets", () => {
    expect(decoded(fixture("aws-cli-2.1-utc-suffix-token.json")).expiresAt.toISOString()).toBe(
      "2026-01-01T12:00:00.000Z"
    )
    const offsets = decoded(fixture("offset-token.json"))
    expect(offsets.expiresAt.toISOString()).toBe("2026-01-01T12:00:00.000Z")
    expect(offsets.registrationExpiresAt?.toISOString()).toBe("2026-03-31T12:00:00.000Z")
  })

  it("timestamps: fractions of any length, lowercase t/z, a space, +0000, and no zone (UTC)", () => {
    const at = (expiresAt: string) =>
      decoded(JSON.stringify({ accessToken: "a", expiresAt })).expiresAt.toISOString()
    expect(at("2026-01-01T12:00:00.123456Z")).toBe("2026-01-01T12:00:00.123Z")
    expect(at("2026-01-01t12:00:00z")).toBe("2026-01-01T12:00:00.000Z")
    expect(at("2026-01-01 12:00:00+0000")).toBe("2026-01-01T12:00:00.000Z")
    expect(at("2026-01-01T14:30:00+02:30")).toBe("2026-01-01T12:00:00.000Z")
    expect(at("2026-01-01T12:00:00")).toBe("2026-01-01T12:00:00.000Z")
  })

  it("key case does not matter and null reads as absent", () => {
    const read = decoded(
      JSON.stringify({ AccessToken: "a", EXPIRESAT: "2026-01-01T12:00:00Z", refreshToken: null, extra: { x: 1 } })
    )
    expect(Redacted.value(read.accessToken)).toBe("a")
    expect(read.refreshToken).toBeUndefined()
  })

  it("we read the AWS CLI's registrations, device and authorization-code", () => {
    const device = Either.getOrThrow(TokenCache.decodeRegistration(fixture("aws-cli-v2-registration.json")))
    expect(device.clientId).toBe("fixtureClientId")
    expect(Redacted.value(device.clientSecret)).toBe("fixtureClientSecret")
    expect(device.expiresAt.toISOString()).toBe("2026-03-31T12:00:00.000Z")
    expect(device.scopes).toEqual(["sso:account:access"])
    expect(device.grantTypes).toBeUndefined()
    const pkce = Either.getOrThrow(TokenCache.decodeRegistration(fixture("aws-cli-v2-registration-pkce.json")))
    expect(pkce.grantTypes).toEqual(["authorization_code", "refresh_token"])
  })

  it("a partial or invalid file is CacheFileCorrupt, naming the field and never a value", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      [fixture("truncated-token.json"), "not complete JSON"],
      ["", "the file is empty"],
      ["[]", "not a JSON object"],
      [JSON.stringify({ expiresAt: "2026-01-01T12:00:00Z" }), "accessToken is missing"],
      [JSON.stringify({ accessToken: "secret-value", expiresAt: "tomorrow" }), "expiresAt is not a date"],
      [JSON.stringify({ accessToken: "secret-value", expiresAt: "2026-02-30T00:00:00Z" }), "expiresAt is not a date"],
      [JSON.stringify({ accessToken: 42, expiresAt: "2026-01-01T12:00:00Z" }), "accessToken is not a string"],
      [
        JSON.stringify({ accessToken: "secret-value", expiresAt: "2026-01-01T12:00:00Z", refreshToken: 1 }),
        "refreshToken is not a string"
      ]
    ]
    for (const [text, description] of cases) {
      const result = TokenCache.decodeToken(text, "/cache/x.json")
      expect(Either.isLeft(result)).toBe(true)
      const error = Either.flip(result).pipe(Either.getOrThrow)
      expect(error._tag).toBe("CacheFileCorrupt")
      expect(error.description).toBe(description)
      expect(error.message).toContain("/cache/x.json")
      expect(error.message).not.toContain("secret-value")
      expect(error.message).not.toContain("aoa")
    }
  })

  it("a token prints no secret", () => {
    const text = `${String(token.accessToken)} ${JSON.stringify(token)} ${inspect(token)}`
    for (const secret of ["aoaFixtureAccessToken", "fixtureClientSecret", "aorFixtureRefreshToken"]) {
      expect(text).not.toContain(secret)
    }
  })
})

describe("layerMemory", () => {
  it.effect("a token written is read back; the file holds the AWS CLI's bytes", () => {
    const files = new Map<string, string>()
    return Effect.gen(function*() {
      const cache = yield* TokenCache.TokenCache
      const key = TokenCache.tokenKey("corp")
      expect(yield* cache.getToken(key)).toEqual(Option.none())
      yield* cache.setToken(key, token)
      expect(files.get(`${key}.json`)).toBe(fixture("aws-cli-v2-token.json"))
      const read = yield* cache.getToken(key)
      expect(plain(Option.getOrThrow(read))).toEqual(plain(token))
    }).pipe(Effect.provide(TokenCache.layerMemory(files)))
  })

  it.effect("a corrupt entry is a typed error and stays as it was", () => {
    const key = TokenCache.tokenKey("corp")
    const files = new Map([[`${key}.json`, fixture("truncated-token.json")]])
    return Effect.gen(function*() {
      const cache = yield* TokenCache.TokenCache
      const error = yield* Effect.flip(cache.getToken(key))
      expect(error._tag).toBe("CacheFileCorrupt")
      expect(files.get(`${key}.json`)).toBe(fixture("truncated-token.json"))
    }).pipe(Effect.provide(TokenCache.layerMemory(files)))
  })
})

describe("on disk", () => {
  const withCache = <A, E>(
    body: (cache: TokenCache.Service, directory: string) => Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>
  ) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const root = yield* fs.makeTempDirectoryScoped()
      const directory = join(root, "home", ".aws", "sso", "cache")
      const cache = yield* TokenCache.make({ directory })
      return yield* body(cache, directory)
    }).pipe(Effect.provide(NodeLayer))

  it.scopedLive("a write creates the folder 0700 and the file 0600, with the AWS CLI's bytes", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const key = TokenCache.tokenKey("corp")
        yield* cache.setToken(key, token)
        expect((yield* fs.stat(directory)).mode & 0o777).toBe(0o700)
        expect((yield* fs.stat(cache.pathOf(key))).mode & 0o777).toBe(0o600)
        expect(yield* fs.readFileString(cache.pathOf(key))).toBe(fixture("aws-cli-v2-token.json"))
        expect(cache.pathOf(key)).toBe(join(directory, `${key}.json`))
        // nothing but the file is left in the folder
        expect(yield* fs.readDirectory(directory)).toEqual([`${key}.json`])
      })
    ))

  it.scopedLive("a rewrite replaces the file through a rename: a new inode, mode 0600 even if it was 0644", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const key = TokenCache.tokenKey("corp")
        yield* cache.setToken(key, token)
        yield* fs.chmod(cache.pathOf(key), 0o644)
        const before = yield* fs.stat(cache.pathOf(key))
        yield* cache.setToken(key, { ...token, accessToken: Redacted.make("second") })
        const after = yield* fs.stat(cache.pathOf(key))
        expect(after.ino).not.toEqual(before.ino)
        expect(after.mode & 0o777).toBe(0o600)
        expect(JSON.parse(yield* fs.readFileString(cache.pathOf(key))).accessToken).toBe("second")
      })
    ))

  it.scopedLive("a corrupt file is CacheFileCorrupt and its bytes stay unchanged", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const key = TokenCache.tokenKey("corp")
        yield* fs.makeDirectory(directory, { recursive: true })
        const bytes = fixture("truncated-token.json")
        yield* fs.writeFileString(cache.pathOf(key), bytes)
        const error = yield* Effect.flip(cache.getToken(key))
        expect(error).toMatchObject({ _tag: "CacheFileCorrupt", path: cache.pathOf(key), kind: "token" })
        expect(yield* fs.readFileString(cache.pathOf(key))).toBe(bytes)
      })
    ))

  it.scopedLive("leftover temporary files do not disturb reads; old ones are swept by the next write", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const key = TokenCache.tokenKey("corp")
        yield* cache.setToken(key, token)
        const old = join(directory, `${key}.0123456789abcdef.tmp`)
        const fresh = join(directory, `${key}.fedcba9876543210.tmp`)
        yield* fs.writeFileString(old, "{\"startUrl\": \"https://x")
        yield* fs.writeFileString(fresh, "{\"startUrl\"")
        const hourAgo = new Date(Date.now() - 3_600_000)
        yield* fs.utimes(old, hourAgo, hourAgo)
        expect(plain(Option.getOrThrow(yield* cache.getToken(key)))).toEqual(plain(token))
        yield* cache.setToken(key, token)
        const names = yield* fs.readDirectory(directory)
        expect(names).not.toContain(`${key}.0123456789abcdef.tmp`)
        expect(names).toContain(`${key}.fedcba9876543210.tmp`)
      })
    ))

  it.scopedLive("an unreadable entry (a folder in its place) is CacheIoError, not a missing token", () =>
    withCache((cache) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const key = TokenCache.tokenKey("corp")
        yield* fs.makeDirectory(cache.pathOf(key), { recursive: true })
        const error = yield* Effect.flip(cache.getToken(key))
        expect(error._tag).toBe("CacheIoError")
      })
    ))

  it.scopedLive("withLock: a second holder waits until the first releases, and the lock file is removed", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const key = TokenCache.tokenKey("corp")
        const other = yield* TokenCache.make({ directory })
        const log = yield* Ref.make<ReadonlyArray<string>>([])
        const held = yield* Deferred.make<void>()
        const first = yield* cache.withLock(
          key,
          Effect.gen(function*() {
            yield* Ref.update(log, (l) => [...l, "first in"])
            yield* Deferred.succeed(held, undefined)
            yield* Effect.sleep(Duration.millis(300))
            yield* Ref.update(log, (l) => [...l, "first out"])
          })
        ).pipe(Effect.fork)
        yield* Deferred.await(held)
        expect(yield* fs.exists(join(directory, `${key}.lock`))).toBe(true)
        yield* other.withLock(key, Ref.update(log, (l) => [...l, "second"]))
        yield* Fiber.join(first)
        expect(yield* Ref.get(log)).toEqual(["first in", "first out", "second"])
        expect(yield* fs.exists(join(directory, `${key}.lock`))).toBe(false)
      })
    ))

  it.scopedLive("withLock: a lock left by a dead process is broken once it is older than staleAfter", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const key = TokenCache.tokenKey("corp")
        yield* fs.makeDirectory(directory, { recursive: true })
        const lock = join(directory, `${key}.lock`)
        yield* fs.writeFileString(lock, "{\"pid\": 999999}\n")
        const old = new Date(Date.now() - 60_000)
        yield* fs.utimes(lock, old, old)
        const started = Date.now()
        yield* cache.withLock(key, Effect.void, { staleAfter: "20 seconds", timeout: "5 seconds" })
        expect(Date.now() - started).toBeLessThan(2_000)
        expect(yield* fs.exists(lock)).toBe(false)
        expect((yield* fs.readDirectory(directory)).filter((name) => name.includes(".stale"))).toEqual([])
      })
    ))

  it.scopedLive("withLock: a live lock is kept alive by its holder and never broken as stale", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const key = TokenCache.tokenKey("corp")
        const other = yield* TokenCache.make({ directory })
        const options = { staleAfter: "800 millis", timeout: "10 seconds" } as const
        const inside = yield* Ref.make(0)
        const overlap = yield* Ref.make(false)
        const critical = Effect.gen(function*() {
          if ((yield* Ref.getAndUpdate(inside, (n) => n + 1)) > 0) yield* Ref.set(overlap, true)
          // held for twice staleAfter: only the heartbeat keeps the other one waiting
          yield* Effect.sleep(Duration.millis(1_600))
          yield* Ref.update(inside, (n) => n - 1)
        })
        const first = yield* Effect.fork(cache.withLock(key, critical, options))
        yield* Effect.sleep(Duration.millis(100))
        yield* other.withLock(key, critical, options)
        yield* Fiber.join(first)
        expect(yield* Ref.get(overlap)).toBe(false)
      })
    ))

  it.scopedLive("withLock: a live lock held past the timeout is LockTimeout", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const key = TokenCache.tokenKey("corp")
        const other = yield* TokenCache.make({ directory })
        const held = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        const first = yield* Effect.fork(
          cache.withLock(key, Effect.zipRight(Deferred.succeed(held, undefined), Deferred.await(release)))
        )
        yield* Deferred.await(held)
        const exit = yield* Effect.exit(other.withLock(key, Effect.void, { timeout: "300 millis" }))
        expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("LockTimeout")
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(first)
      })
    ))

  it.scopedLive("withLock: interrupting a waiter leaves no lock behind", () =>
    withCache((cache, directory) =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const key = TokenCache.tokenKey("corp")
        const held = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        const first = yield* Effect.fork(
          cache.withLock(key, Effect.zipRight(Deferred.succeed(held, undefined), Deferred.await(release)))
        )
        yield* Deferred.await(held)
        const waiter = yield* Effect.fork(cache.withLock(key, Effect.void))
        yield* Effect.sleep(Duration.millis(100))
        yield* Fiber.interrupt(waiter)
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(first)
        expect(yield* fs.exists(join(directory, `${key}.lock`))).toBe(false)
      })
    ))
})

const hasPython = (() => {
  try {
    execFileSync("python3", ["-c", "import json, hashlib"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

describe("against Python's json.dumps (the AWS CLI's own computation)", () => {
  if (!hasPython && process.env.CI) {
    it("python3 is required in CI", () => {
      throw new Error("python3 is not available: CI must have it")
    })
    return
  }
  it.skipIf(!hasPython)("registration keys and token files agree with Python for tricky inputs", () => {
    const inputs: ReadonlyArray<TokenCache.RegistrationKeyInput> = [
      { startUrl: "https://a.awsapps.com/start", region: "us-east-1", registrationScopes: undefined, sessionName: undefined },
      { startUrl: "https://a.awsapps.com/start#/", region: "eu-west-1", registrationScopes: [], sessionName: "s" },
      {
        startUrl: "https://a.awsapps.com/start",
        region: "us-east-1",
        registrationScopes: ["sso:account:access", "codewhisperer:completions"],
        sessionName: "sessão \"quoted\" \\ tab\t ✓ 😀 \u007f"
      }
    ]
    const script = `
import hashlib, json, sys
for line in sys.stdin:
    i = json.loads(line)
    args = {"tool": "botocore", "startUrl": i["startUrl"], "region": i["region"], "scopes": i["scopes"], "session_name": i["session"]}
    print(hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest())
    print(json.dumps({"startUrl": i["session"], "accessToken": i["startUrl"]}))
`
    const input = inputs.map((i) =>
      JSON.stringify({
        startUrl: i.startUrl,
        region: i.region,
        scopes: i.registrationScopes ?? null,
        session: i.sessionName ?? null
      })
    ).join("\n") + "\n"
    const lines = execFileSync("python3", ["-c", script], { input, encoding: "utf8" }).trim().split("\n")
    inputs.forEach((i, n) => {
      expect(TokenCache.registrationKey(i)).toBe(lines[n * 2])
      if (i.sessionName !== undefined) {
        const ours = TokenCache.encodeToken({
          startUrl: i.sessionName,
          region: undefined,
          accessToken: Redacted.make(i.startUrl),
          expiresAt: new Date(0),
          clientId: undefined,
          clientSecret: undefined,
          registrationExpiresAt: undefined,
          refreshToken: undefined
        })
        // same escaping as Python for the string fields (expiresAt aside)
        expect(ours.replace(`, "expiresAt": "1970-01-01T00:00:00Z"`, "")).toBe(lines[n * 2 + 1])
      }
    })
  })
})

describe("error names", () => {
  it("every error of the module is named after its tag: String(error) is `Tag: message`", () => {
    const errors = [
      new TokenCache.CacheFileCorrupt({ path: "/c/a.json", kind: "token", description: "accessToken is missing" }),
      new TokenCache.CacheIoError({ path: "/c/a.json", operation: "write", description: "no space left on device" }),
      new TokenCache.LockTimeout({ path: "/c/a.json.lock", waitedMillis: 30_000 })
    ]
    for (const error of errors) {
      expect(error.name).toBe(error._tag)
      expect(String(error)).toBe(`${error._tag}: ${error.message}`)
    }
  })
})
