/** The pure rules of cache reads, permissions and lock files, in the Effect-free core. */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import * as Files from "../../../src/core/cache/files.js"

describe("descriptions and permissions", () => {
  it("file types and sizes as the errors name them", () => {
    expect(Files.notRegularText("FIFO")).toBe("it is a FIFO (named pipe), not a regular file")
    expect(Files.notRegularText("CharacterDevice")).toBe("it is a character device, not a regular file")
    expect(Files.describeType("Unknown")).toBe("not a regular file")
    expect(Files.tooLargeText(1024 * 1024)).toBe("it is larger than 1 MiB")
    expect(Files.tooLargeText(1000)).toBe("it is larger than 1000 bytes")
  })

  it("warns as ssh does: too open a mode, another owner (root excepted); nothing without POSIX owners", () => {
    expect(Files.cacheFileWarnings("/c/x.json", 0o100644, 1000, 1000)).toEqual([
      "Permissions 0644 for the SSO cache file /c/x.json are too open: " +
      "it holds SSO tokens, and other users can read or change it (chmod 600 it)"
    ])
    expect(Files.cacheFolderWarnings("/c", 0o40755, 1000, 1000)).toEqual([])
    expect(Files.cacheFolderWarnings("/c", 0o40700, 4242, 1000)).toEqual([
      "The SSO cache folder /c is owned by another user (uid 4242), who can replace the token files in it"
    ])
    expect(Files.cacheFileWarnings("/c/x.json", 0o600, 0, 1000)).toEqual([])
    expect(Files.cacheFileWarnings("/c/x.json", 0o666, undefined, 1000)).toEqual([])
  })
})

describe("temporary files", () => {
  it("<stem>.<16 hex>.tmp, recognised only for its own entry", () => {
    const name = Files.temporaryName("abc.json", Files.randomSuffixOf(1, 0x7ffffffe))
    expect(name).toBe("abc.000000017ffffffe.tmp")
    expect(Files.isTemporaryOf("abc.json", name)).toBe(true)
    expect(Files.isTemporaryOf("abd.json", name)).toBe(false)
    expect(Files.isTemporaryOf("abc.json", "abc.json")).toBe(false)
    // the stem is matched literally, not as a pattern
    expect(Files.isTemporaryOf("a.c.json", "abc.000000017ffffffe.tmp")).toBe(false)
  })
})

describe("lock files", () => {
  const lock: Files.Identity = { dev: "2049", ino: "131", mtime: 1_000_000 }

  it("identity is dev + ino + mtime; an unknown inode matches any", () => {
    expect(Files.sameFile(lock, { ...lock })).toBe(true)
    expect(Files.sameFile(lock, { ...lock, mtime: 1_000_001 })).toBe(false)
    expect(Files.sameInode(lock, { ...lock, mtime: 1_000_001 })).toBe(true)
    expect(Files.sameInode(lock, { ...lock, ino: undefined })).toBe(true)
    expect(Files.sameInode(lock, { ...lock, dev: "2050" })).toBe(false)
  })

  it("a claim names the stale identity and its level", () => {
    expect(Files.claimName("/c/k.lock", lock, 0)).toBe("/c/k.lock.2049-131-1000000.0.break")
    expect(Files.claimName("/c/k.lock", { dev: "1", ino: undefined, mtime: undefined }, 3)).toBe("/c/k.lock.1-x-x.3.break")
  })

  it("judged stale when its mtime is more than staleAfter off either way, or unchanged while watched for staleAfter", () => {
    const staleAfter = 20_000
    const mtime = lock.mtime!
    expect(Files.judgeLock(lock, mtime + 20_001, mtime + 20_001, staleAfter)).toBe("Stale")
    expect(Files.judgeLock(lock, mtime - 20_001, mtime - 20_001, staleAfter)).toBe("Stale")
    expect(Files.judgeLock(lock, mtime + 1_000, mtime, staleAfter)).toBe("Live")
    // past the 2 s grace, its content decides
    expect(Files.judgeLock(lock, mtime + 2_001, mtime + 2_001, staleAfter)).toBe("StaleIfUnwritten")
    // a future mtime within staleAfter, watched for longer than staleAfter
    expect(Files.judgeLock({ ...lock, mtime: mtime + 1_500 }, mtime + 20_001, mtime, staleAfter)).toBe("Stale")
    // a platform without mtimes never judges a lock stale
    expect(Files.judgeLock({ ...lock, mtime: undefined }, 10 ** 12, 0, staleAfter)).toBe("Live")
  })

  it("a holder's note is a JSON object; anything else is unwritten", () => {
    expect(Files.isUnwrittenNote(Files.lockNote(0, 42))).toBe(false)
    expect(JSON.parse(Files.lockNote(0, 42))).toEqual({ pid: 42, createdAt: "1970-01-01T00:00:00.000Z" })
    for (const text of ["", "{\"pid\": 12", "null", "42", "\"x\""]) expect(Files.isUnwrittenNote(text)).toBe(true)
  })

  it("leftovers of killed breakers: a .stale at once, a claim once older than staleAfter, nothing else", () => {
    expect(Files.isSweepable("k.lock", "k.lock.0123456789abcdef.stale", 0, 0, 20_000)).toBe(true)
    expect(Files.isSweepable("k.lock", "k.lock.1-2-3.0.break", 0, 20_001, 20_000)).toBe(true)
    expect(Files.isSweepable("k.lock", "k.lock.1-2-3.0.break", 0, 19_000, 20_000)).toBe(false)
    expect(Files.isSweepable("k.lock", "j.lock.1-2-3.0.break", 0, 20_001, 20_000)).toBe(false)
    expect(Files.isSweepable("k.lock", "k.json", 0, 20_001, 20_000)).toBe(false)
  })
})

describe("the cache core is Effect-free", () => {
  it("its modules import only each other, ../crypto.js and nothing of Effect or node:*", () => {
    const folder = join(__dirname, "..", "..", "..", "src", "core", "cache")
    for (const name of readdirSync(folder).filter((file) => file.endsWith(".ts"))) {
      const source = readFileSync(join(folder, name), "utf8")
      const imports = [...source.matchAll(/^import[^"]*"([^"]+)"/gm)].map((match) => match[1]!)
      for (const specifier of imports) {
        expect(specifier, `${name} imports ${specifier}`).toMatch(/^\.\/[a-zA-Z]+\.js$|^\.\.\/crypto\.js$/)
      }
    }
  })
})
