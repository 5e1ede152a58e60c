/**
 * `Schema.TaggedError`, named after its tag as in Effect 3. Effect 4 names an
 * error class after its identifier (`effect-sso-oidc/SlowDown`), so
 * `String(error)`, `error.name` and every log line would start with the
 * identifier; this edition keeps the tag there (`SlowDown: …`), like the
 * Effect 3 edition.
 *
 * {@link TaggedErrorWithoutStack} also captures no JS stack, for the errors
 * that describe a request's outcome (a service's reply, no reply, an
 * unreadable reply, bad input). Their stack would only list the Effect
 * runtime's frames (where they were made is the span trace `Cause.pretty`
 * prints), and V8 keeps a captured stack's frames, with their receivers, until
 * `stack` is read: a poll's error kept the fibers of that poll alive. `stack`
 * is still there, as the header line (`SlowDown: …`) alone.
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/** `Schema.TaggedError<Self>(identifier)(tag, fields)`, whose instances are named `tag`. */
export const TaggedError = <Self = never>(identifier: string) =>
<Tag extends string, const Fields extends Schema.Struct.Fields>(tag: Tag, fields: Fields) => {
  const Base = Schema.TaggedError<Self>(identifier)(tag, fields)
  // On the prototype, as Effect 3 has it: not an own field, so never encoded or compared.
  const prototype = (Base as unknown as { readonly prototype: object }).prototype
  Object.defineProperty(prototype, "name", { value: tag, configurable: true, writable: true })
  return Base
}

/** `Error.stackTraceLimit`: an engine extension (V8, JavaScriptCore) that the standard types do not declare. */
const engine = Error as unknown as { stackTraceLimit: number | undefined }

const setLimit = (limit: number | undefined) => {
  try {
    engine.stackTraceLimit = limit
  } catch {
    // A frozen `Error` (a hardened realm): the stack is captured as usual.
  }
}

/** {@link TaggedError}, whose instances carry no captured stack. */
export const TaggedErrorWithoutStack = <Self = never>(identifier: string) =>
<Tag extends string, const Fields extends Schema.Struct.Fields>(tag: Tag, fields: Fields) => {
  const Base = TaggedError<Self>(identifier)(tag, fields)
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
