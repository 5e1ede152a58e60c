/**
 * The optional members of a reply, as both services' schemas read them.
 * Effect 3 wrote them `optionalWith(s, { exact, nullable })` and
 * `optionalWith(s, { nullable, default })`; Effect 4 removed `optionalWith`,
 * so they are spelled out here once.
 *
 * @internal
 */
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"

/**
 * An output member that may be absent; JSON `null` reads as absent (the key
 * is left out, not set to `undefined`).
 */
export const optionalOutput = <S extends Schema.Top>(schema: S) =>
  Schema.optionalKey(Schema.NullOr(schema)).pipe(
    Schema.decodeTo(Schema.optionalKey(Schema.toType(schema)), {
      decode: SchemaGetter.transformOptional(Option.filter(Predicate.isNotNull)),
      encode: SchemaGetter.passthrough()
    })
  )

/** An output member with the model's `@default(0)`: absent or `null` reads as 0. */
export const zeroByDefault = (schema: Schema.Codec<number>) =>
  Schema.optionalKey(Schema.NullOr(schema)).pipe(
    Schema.decodeTo(Schema.toType(schema), {
      decode: SchemaGetter.transformOptional((value) =>
        value.pipe(Option.filter(Predicate.isNotNull), Option.orElseSome(() => 0))
      ),
      encode: SchemaGetter.passthroughSupertype()
    })
  )
