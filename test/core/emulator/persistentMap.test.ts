/**
 * The emulator's persistent map (src/core/emulator/persistentMap.ts): the
 * `Map` semantics it stands in for, checked against a plain `Map` over many
 * random operations, and its structural sharing (old versions stay intact).
 */
import { describe, expect, it } from "vitest"
import { PersistentMap } from "../../../src/core/emulator/persistentMap.js"

/** A small deterministic PRNG (mulberry32), so a failure replays. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe("core PersistentMap", () => {
  it("behaves like a Map (insertion order, updates in place, deletes) over 5,000 random operations", () => {
    const random = prng(13)
    let map = PersistentMap.empty<string, number>()
    const model = new Map<string, number>()
    for (let i = 0; i < 5_000; i++) {
      const key = `k${Math.floor(random() * 500)}`
      if (random() < 0.6) {
        map = map.set(key, i)
        model.set(key, i)
      } else {
        map = map.delete(key)
        model.delete(key)
      }
      if (i % 499 === 0) {
        expect([...map]).toEqual([...model])
        expect(map.oldest()).toEqual(model.size === 0 ? undefined : [...model][0])
      }
      expect(map.size).toBe(model.size)
      expect(map.get(key)).toBe(model.get(key))
      expect(map.has(key)).toBe(model.has(key))
    }
    expect([...map.keys()]).toEqual([...model.keys()])
    expect([...map.values()]).toEqual([...model.values()])
  })

  it("leaves earlier versions unchanged, and deleting an absent key returns the same map", () => {
    const one = PersistentMap.empty<string, number>().set("a", 1)
    const two = one.set("b", 2)
    const three = two.set("a", 3).delete("b")
    expect([...one]).toEqual([["a", 1]])
    expect([...two]).toEqual([["a", 1], ["b", 2]])
    expect([...three]).toEqual([["a", 3]])
    expect(three.delete("zzz")).toBe(three)
    const seen: Array<string> = []
    two.forEach((value, key) => seen.push(`${key}=${value}`))
    expect(seen).toEqual(["a=1", "b=2"])
  })

  it("stays shallow: 20,000 ascending inserts then removing the oldest half, without deep recursion", () => {
    let map = PersistentMap.empty<number, number>()
    for (let i = 0; i < 20_000; i++) map = map.set(i, i)
    for (let i = 0; i < 10_000; i++) map = map.delete(map.oldest()![0])
    expect(map.size).toBe(10_000)
    expect(map.oldest()).toEqual([10_000, 10_000])
  })
})
