import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Order from "effect/Order"
import * as SortedMap from "effect/SortedMap"

/**
 * An immutable map with O(log n) updates and `Map`'s insertion order, for the
 * emulator's state. Copying a `Map` on every update made N concurrent logins
 * cost O(N²). The insertion order is a second index (order → key), so the
 * oldest entry is found, and an entry removed, in O(log n) too: the emulator
 * evicts its oldest records when a collection is full.
 */
export class PersistentMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly entriesByKey: HashMap.HashMap<K, readonly [order: number, value: V]>,
    private readonly keysByOrder: SortedMap.SortedMap<number, K>,
    private readonly nextOrder: number
  ) {}

  static empty<K, V>(): PersistentMap<K, V> {
    return new PersistentMap(HashMap.empty(), SortedMap.empty(Order.number), 0)
  }

  get size() {
    return HashMap.size(this.entriesByKey)
  }
  get(key: K): V | undefined {
    return Option.getOrUndefined(Option.map(HashMap.get(this.entriesByKey, key), ([, value]) => value))
  }
  has(key: K): boolean {
    return HashMap.has(this.entriesByKey, key)
  }
  /** A new map with `key` set; an existing key keeps its place in the order. */
  set(key: K, value: V): PersistentMap<K, V> {
    return Option.match(HashMap.get(this.entriesByKey, key), {
      onNone: () =>
        new PersistentMap(
          HashMap.set(this.entriesByKey, key, [this.nextOrder, value] as const),
          SortedMap.set(this.keysByOrder, this.nextOrder, key),
          this.nextOrder + 1
        ),
      onSome: ([order]) =>
        new PersistentMap(HashMap.set(this.entriesByKey, key, [order, value] as const), this.keysByOrder, this.nextOrder)
    })
  }
  /** A new map without `key` (the same map when it is absent). */
  delete(key: K): PersistentMap<K, V> {
    return Option.match(HashMap.get(this.entriesByKey, key), {
      onNone: () => this,
      onSome: ([order]) =>
        new PersistentMap(
          HashMap.remove(this.entriesByKey, key),
          SortedMap.remove(this.keysByOrder, order),
          this.nextOrder
        )
    })
  }
  /** The entry set longest ago, if any. */
  oldest(): readonly [K, V] | undefined {
    return Option.getOrUndefined(
      Option.map(SortedMap.headOption(this.keysByOrder), ([, key]) => [key, this.get(key)!] as const)
    )
  }
  *entries(): MapIterator<[K, V]> {
    for (const key of SortedMap.values(this.keysByOrder)) yield [key, this.get(key)!]
  }
  *keys(): MapIterator<K> {
    yield* SortedMap.values(this.keysByOrder)
  }
  *values(): MapIterator<V> {
    for (const key of SortedMap.values(this.keysByOrder)) yield this.get(key)!
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries()
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this)
  }
}
