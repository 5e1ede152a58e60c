import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"

/**
 * An immutable map with O(log n) updates and `Map`'s insertion order, for the
 * emulator's state. Copying a `Map` on every update made N concurrent logins
 * cost O(N²).
 */
export class PersistentMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly entriesByKey: HashMap.HashMap<K, readonly [order: number, value: V]>,
    private readonly nextOrder: number
  ) {}

  static empty<K, V>(): PersistentMap<K, V> {
    return new PersistentMap(HashMap.empty(), 0)
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
    const order = Option.match(HashMap.get(this.entriesByKey, key), {
      onNone: () => this.nextOrder,
      onSome: ([order]) => order
    })
    return new PersistentMap(HashMap.set(this.entriesByKey, key, [order, value] as const), this.nextOrder + 1)
  }
  private ordered(): Array<readonly [K, V]> {
    return Array.from(this.entriesByKey, ([key, [order, value]]) => [order, key, value] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, key, value]) => [key, value] as const)
  }
  *entries(): MapIterator<[K, V]> {
    for (const [key, value] of this.ordered()) yield [key, value]
  }
  *keys(): MapIterator<K> {
    for (const [key] of this.ordered()) yield key
  }
  *values(): MapIterator<V> {
    for (const [, value] of this.ordered()) yield value
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries()
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.ordered()) callback(value, key, this)
  }
}
