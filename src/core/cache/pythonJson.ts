/**
 * `json.dumps` as Python writes it with its defaults (what the AWS CLI and
 * botocore write into `~/.aws/sso/cache`): separators `", "` and `": "`, no
 * indentation, and `ensure_ascii`, so every character outside printable
 * ASCII is a lowercase `\uXXXX` escape (UTF-16 code units, as Python does).
 *
 * @internal
 */

/** @internal */
export type PythonJson =
  | string
  | number
  | boolean
  | null
  | ReadonlyArray<PythonJson>
  | { readonly [key: string]: PythonJson | undefined }

const escapeNonAscii = (text: string): string =>
  // JSON.stringify already escapes `"`, `\` and the C0 controls exactly as
  // Python does (\b \f \n \r \t, else \u00XX); ensure_ascii adds the rest.
  text.replace(/[\u007f-\uffff]/g, (char) => "\\u" + char.charCodeAt(0).toString(16).padStart(4, "0"))

/**
 * @param sortKeys Python's `sort_keys=True` (by code point, as Python compares strings).
 * @param compact Python's `separators=(",", ":")`.
 * @internal
 */
export const dumps = (value: PythonJson, sortKeys = false, compact = false): string => {
  const comma = compact ? "," : ", "
  const colon = compact ? ":" : ": "
  if (value === null) return "null"
  if (typeof value === "string") return escapeNonAscii(JSON.stringify(value))
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("not a finite number")
    return JSON.stringify(value)
  }
  if (typeof value === "boolean") return value ? "true" : "false"
  if (Array.isArray(value)) {
    return "[" + (value as ReadonlyArray<PythonJson>).map((item) => dumps(item, sortKeys, compact)).join(comma) + "]"
  }
  const entries = Object.entries(value as Record<string, PythonJson | undefined>).filter(
    (entry): entry is [string, PythonJson] => entry[1] !== undefined
  )
  if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return "{" + entries.map(([key, item]) => `${dumps(key)}${colon}${dumps(item, sortKeys, compact)}`).join(comma) + "}"
}
