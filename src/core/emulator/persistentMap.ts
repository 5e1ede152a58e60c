/**
 * An immutable map with O(log n) updates and `Map`'s insertion order, for the
 * emulator's state. Copying a `Map` on every update made N concurrent logins
 * cost O(N²). The insertion order is a second index (order → key), so the
 * oldest entry is found, and an entry removed, in O(log n) too: the emulator
 * evicts its oldest records when a collection is full.
 *
 * Both indexes are persistent AVL trees (path copying), written here so the
 * core needs no Effect `HashMap`/`SortedMap`. Keys are strings or numbers
 * (the state's keys are codes, tokens and ids), compared with `<`.
 */

interface Node<K, V> {
  readonly key: K
  readonly value: V
  readonly left: Node<K, V> | undefined
  readonly right: Node<K, V> | undefined
  readonly height: number
}

type Tree<K, V> = Node<K, V> | undefined

const heightOf = (tree: Tree<unknown, unknown>): number => tree?.height ?? 0

const node = <K, V>(key: K, value: V, left: Tree<K, V>, right: Tree<K, V>): Node<K, V> => ({
  key,
  value,
  left,
  right,
  height: 1 + Math.max(heightOf(left), heightOf(right))
})

const rotateRight = <K, V>(n: Node<K, V>): Node<K, V> => {
  const l = n.left!
  return node(l.key, l.value, l.left, node(n.key, n.value, l.right, n.right))
}

const rotateLeft = <K, V>(n: Node<K, V>): Node<K, V> => {
  const r = n.right!
  return node(r.key, r.value, node(n.key, n.value, n.left, r.left), r.right)
}

/** A node over two subtrees whose heights differ by at most 2, rebalanced. */
const balance = <K, V>(key: K, value: V, left: Tree<K, V>, right: Tree<K, V>): Node<K, V> => {
  const hl = heightOf(left)
  const hr = heightOf(right)
  if (hl > hr + 1) {
    const l = left!
    const pivot = heightOf(l.left) >= heightOf(l.right) ? l : rotateLeft(l)
    return rotateRight(node(key, value, pivot, right))
  }
  if (hr > hl + 1) {
    const r = right!
    const pivot = heightOf(r.right) >= heightOf(r.left) ? r : rotateRight(r)
    return rotateLeft(node(key, value, left, pivot))
  }
  return node(key, value, left, right)
}

const compare = (a: unknown, b: unknown): number => ((a as any) < (b as any) ? -1 : (a as any) > (b as any) ? 1 : 0)

const lookup = <K, V>(tree: Tree<K, V>, key: K): Node<K, V> | undefined => {
  let current = tree
  while (current !== undefined) {
    const c = compare(key, current.key)
    if (c === 0) return current
    current = c < 0 ? current.left : current.right
  }
  return undefined
}

const insert = <K, V>(tree: Tree<K, V>, key: K, value: V): Node<K, V> => {
  if (tree === undefined) return node(key, value, undefined, undefined)
  const c = compare(key, tree.key)
  if (c < 0) return balance(tree.key, tree.value, insert(tree.left, key, value), tree.right)
  if (c > 0) return balance(tree.key, tree.value, tree.left, insert(tree.right, key, value))
  return node(key, value, tree.left, tree.right)
}

const leftmost = <K, V>(tree: Node<K, V>): Node<K, V> => {
  let current = tree
  while (current.left !== undefined) current = current.left
  return current
}

const withoutLeftmost = <K, V>(tree: Node<K, V>): Tree<K, V> =>
  tree.left === undefined ? tree.right : balance(tree.key, tree.value, withoutLeftmost(tree.left), tree.right)

const remove = <K, V>(tree: Tree<K, V>, key: K): Tree<K, V> => {
  if (tree === undefined) return undefined
  const c = compare(key, tree.key)
  if (c < 0) return balance(tree.key, tree.value, remove(tree.left, key), tree.right)
  if (c > 0) return balance(tree.key, tree.value, tree.left, remove(tree.right, key))
  if (tree.left === undefined) return tree.right
  if (tree.right === undefined) return tree.left
  const successor = leftmost(tree.right)
  return balance(successor.key, successor.value, tree.left, withoutLeftmost(tree.right))
}

/** In key order, with an explicit stack (no recursion depth to worry about). */
function* inOrder<K, V>(tree: Tree<K, V>): Generator<Node<K, V>, void, undefined> {
  const stack: Array<Node<K, V>> = []
  let current = tree
  while (current !== undefined || stack.length > 0) {
    while (current !== undefined) {
      stack.push(current)
      current = current.left
    }
    const next = stack.pop()!
    yield next
    current = next.right
  }
}

/**
 * An immutable `ReadonlyMap` whose `set` and `delete` return a new map in
 * O(log n); iteration is in insertion order (an existing key keeps its place).
 */
export class PersistentMap<K, V> implements ReadonlyMap<K, V> {
  private readonly byKey: Tree<K, readonly [order: number, value: V]>
  private readonly byOrder: Tree<number, K>
  private readonly nextOrder: number
  readonly size: number

  private constructor(
    byKey: Tree<K, readonly [order: number, value: V]>,
    byOrder: Tree<number, K>,
    nextOrder: number,
    size: number
  ) {
    this.byKey = byKey
    this.byOrder = byOrder
    this.nextOrder = nextOrder
    this.size = size
  }

  static empty<K, V>(): PersistentMap<K, V> {
    return new PersistentMap<K, V>(undefined, undefined, 0, 0)
  }

  get(key: K): V | undefined {
    return lookup(this.byKey, key)?.value[1]
  }
  has(key: K): boolean {
    return lookup(this.byKey, key) !== undefined
  }
  /** A new map with `key` set; an existing key keeps its place in the order. */
  set(key: K, value: V): PersistentMap<K, V> {
    const existing = lookup(this.byKey, key)
    if (existing !== undefined) {
      const order = existing.value[0]
      return new PersistentMap(insert(this.byKey, key, [order, value] as const), this.byOrder, this.nextOrder, this.size)
    }
    return new PersistentMap(
      insert(this.byKey, key, [this.nextOrder, value] as const),
      insert(this.byOrder, this.nextOrder, key),
      this.nextOrder + 1,
      this.size + 1
    )
  }
  /** A new map without `key` (the same map when it is absent). */
  delete(key: K): PersistentMap<K, V> {
    const existing = lookup(this.byKey, key)
    if (existing === undefined) return this
    return new PersistentMap(
      remove(this.byKey, key),
      remove(this.byOrder, existing.value[0]),
      this.nextOrder,
      this.size - 1
    )
  }
  /** The entry set longest ago, if any. */
  oldest(): readonly [K, V] | undefined {
    if (this.byOrder === undefined) return undefined
    const key = leftmost(this.byOrder).value
    return [key, this.get(key)!] as const
  }
  *entries(): MapIterator<[K, V]> {
    for (const entry of inOrder(this.byOrder)) yield [entry.value, this.get(entry.value)!]
  }
  *keys(): MapIterator<K> {
    for (const entry of inOrder(this.byOrder)) yield entry.value
  }
  *values(): MapIterator<V> {
    for (const entry of inOrder(this.byOrder)) yield this.get(entry.value)!
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries()
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this)
  }
}
