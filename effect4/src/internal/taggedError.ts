/**
 * `Schema.TaggedError`, named after its tag as in Effect 3. Effect 4 names an
 * error class after its identifier (`effect-sso-oidc/SlowDown`), so
 * `String(error)`, `error.name` and every log line would start with the
 * identifier; this edition keeps the tag there (`SlowDown: …`), like the
 * Effect 3 edition.
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
