/**
 * Strings from a server (user codes, URIs, error descriptions) are shown to
 * a person on a terminal, which obeys escape sequences: these helpers make
 * them inert before they are printed.
 *
 * @internal
 */

/**
 * C0 and C1 controls, DEL, the line and paragraph separators and the
 * bidirectional overrides (which can make a URL read as another).
 */
const unsafe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e" }

const escapeOne = (char: string): string => {
  const code = char.charCodeAt(0)
  return named[char] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`)
}

/** `text` with every control character written as a visible escape (`\e`, `\n`, `\x07`, `\u{202e}`), on one line. */
export const printable = (text: string): string => text.replace(unsafe, escapeOne)

/**
 * `JSON.stringify(value, null, indent)`, with the characters JSON leaves raw
 * (DEL, C1 controls, separators, bidi overrides) written as `\u` escapes:
 * the same JSON value, harmless when the output reaches a terminal.
 */
export const safeJson = (value: unknown, indent?: number): string =>
  JSON.stringify(value, null, indent).replace(
    // Not C0: JSON escapes those in strings itself, and the indentation's newlines are C0.
    /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`
  )
