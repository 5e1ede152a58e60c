/**
 * Cache timestamps. Written as the AWS CLI writes them
 * (`strftime("%Y-%m-%dT%H:%M:%SZ")`: UTC, whole seconds, `Z`); read as
 * leniently as the CLI's `dateutil.parser.parse` for the forms tools are
 * known to write:
 *
 * - `2026-01-01T12:00:00Z` — AWS CLI v2 ≥ 2.1.14, botocore refreshes;
 * - `2026-01-01T12:00:00.000Z` — the JS SDK (`toISOString()`);
 * - `2026-01-01T12:00:00+00:00`, `…-05:00`, `…+0000` — RFC 3339 / ISO 8601 offsets
 *   (Python's `isoformat()`, the Go and Rust SDKs);
 * - `2026-01-01T12:00:00UTC` — AWS CLI v2 before 2.1.14 (`%Z` of a UTC datetime);
 * - a space instead of `T`, lowercase `t`/`z`, any number of fractional digits;
 * - no zone at all, read as UTC.
 *
 * @internal
 */

const pattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** Parses a cache timestamp to epoch milliseconds, or `undefined`. @internal */
export const parseTimestamp = (text: string): number | undefined => {
  const match = pattern.exec(text.trim())
  if (match === null) return undefined
  const [, y, mo, d, h, mi, s, fraction, zone] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  // A leap second (:60) reads as the last whole second of the minute.
  const second = Math.min(Number(s), 59)
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour > 23 || minute > 59 || Number(s) > 60) return undefined
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000)
  let offsetMinutes = 0
  if (zone !== undefined && /^[+-]/.test(zone)) {
    const digits = zone.slice(1).replace(":", "")
    const offsetHours = Number(digits.slice(0, 2))
    const offsetMins = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
    if (offsetHours > 23 || offsetMins > 59) return undefined
    offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (offsetHours * 60 + offsetMins)
  }
  const utc = new Date(0)
  utc.setUTCFullYear(year, month - 1, day)
  utc.setUTCHours(hour, minute, second, millis)
  return utc.getTime() - offsetMinutes * 60_000
}

/**
 * Whether epoch milliseconds can be written as a cache timestamp: a valid
 * date (not `NaN`, which would print as `0NaN-NaN-…`) in the years 0000–9999.
 * @internal
 */
export const isWritable = (millis: number): boolean => {
  if (!Number.isFinite(millis)) return false
  const year = new Date(Math.floor(millis / 1000) * 1000).getUTCFullYear()
  return year >= 0 && year <= 9999
}

/**
 * Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, rounded
 * down). Throws a `RangeError` unless {@link isWritable}: callers check first.
 * @internal
 */
export const formatTimestamp = (millis: number): string => {
  if (!isWritable(millis)) throw new RangeError("timestamp out of range")
  const date = new Date(Math.floor(millis / 1000) * 1000)
  const year = date.getUTCFullYear()
  const pad = (n: number, width = 2) => String(n).padStart(width, "0")
  return `${pad(year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${
    pad(date.getUTCMinutes())
  }:${pad(date.getUTCSeconds())}Z`
}
