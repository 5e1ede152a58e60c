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

/** `Schema.TaggedError<Self>(identifier)(tag, fields)`, whose instances carry no captured stack. */
export const TaggedErrorWithoutStack = <Self = never>(identifier: string) =>
<Tag extends string, const Fields extends Schema.Struct.Fields>(tag: Tag, fields: Fields) => {
  const Base = Schema.TaggedError<Self>(identifier)(tag, fields)
  // The stack is captured by `Error`'s constructor, deep in `super`: the limit must be 0 around it.
  const Stackless = class extends (Base as unknown as new(...args: ReadonlyArray<unknown>) => object) {
    constructor(...args: ReadonlyArray<unknown>) {
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 0
      try {
        super(...args)
      } finally {
        Error.stackTraceLimit = limit
      }
    }
  }
  return Stackless as unknown as typeof Base
}
