/**
 * `Schema.TaggedError` whose instances capture no JS stack, for the errors
 * that describe a request's outcome (a service's reply, no reply, an
 * unreadable reply, bad input). Their stack would only list the Effect
 * runtime's frames (where they were made is the span trace `Cause.pretty`
 * prints), and V8 keeps a captured stack's frames, with their receivers, until
 * `stack` is read: a poll's error kept the fibers of that poll alive, and
 * through them the previous poll's error, so a waiting login grew with every
 * poll. `stack` is still there, as the header line (`SlowDown: …`) alone.
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/** `Error.stackTraceLimit`: an engine extension (V8, JavaScriptCore) that the standard types do not declare. */
const engine = Error as unknown as { stackTraceLimit: number | undefined }

const setLimit = (limit: number | undefined) => {
  try {
    engine.stackTraceLimit = limit
  } catch {
    // A frozen `Error` (a hardened realm): the stack is captured as usual.
  }
}

/** `Schema.TaggedError<Self>(identifier)(tag, fields)`, whose instances carry no captured stack. */
export const TaggedErrorWithoutStack = <Self = never>(identifier: string) =>
<Tag extends string, const Fields extends Schema.Struct.Fields>(tag: Tag, fields: Fields) => {
  const Base = Schema.TaggedError<Self>(identifier)(tag, fields)
  // The stack is captured by `Error`'s constructor, deep in `super`: the limit must be 0 around it.
  const Stackless = class extends (Base as unknown as new(...args: ReadonlyArray<unknown>) => object) {
    constructor(...args: ReadonlyArray<unknown>) {
      const limit = engine.stackTraceLimit
      setLimit(0)
      try {
        super(...args)
      } finally {
        setLimit(limit)
      }
    }
  }
  return Stackless as unknown as typeof Base
}
