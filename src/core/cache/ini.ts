/**
 * The INI dialect of `~/.aws/config`, as the AWS CLI reads it (Python
 * `configparser.RawConfigParser` defaults plus botocore's `_parse_nested` and
 * `build_profile_map`), with one leniency taken from the SDKs:
 *
 * - `[header]` lines start sections; text after the closing `]` is ignored.
 * - `key = value` or `key: value` (the first `=` or `:` splits); keys are
 *   lower-cased, keys and values trimmed.
 * - Lines whose first non-blank character is `#` or `;` are comments.
 *   Inline comments (`#` or `;` after whitespace) are dropped from values, as
 *   the JS SDK does; the AWS CLI would keep them in the value.
 * - A line indented deeper than the property above it continues that
 *   property. If the property's own value is empty (`s3 =`), the indented
 *   lines are a sub-section of `key = value` lines; otherwise they extend a
 *   multi-line value. Blank lines and comments do not end either.
 * - As in the AWS CLI, a property before any section, a line that is neither
 *   a section, a property nor a continuation, a duplicated section header and
 *   a property repeated in a section are errors.
 * - Section names: `default`, `profile NAME`, `sso-session NAME` and
 *   `services NAME`, the name split shell-style (`[profile "my name"]`);
 *   other sections are kept but are neither profiles nor sessions.
 *
 * @internal
 */

/** @internal */
export type IniValue =
  | { readonly _tag: "Value"; readonly value: string; readonly line: number }
  | { readonly _tag: "SubSection"; readonly properties: ReadonlyMap<string, string>; readonly line: number }

/** @internal */
export interface IniSection {
  /** The text between the brackets, as written. */
  readonly header: string
  readonly line: number
  readonly properties: ReadonlyMap<string, IniValue>
}

/** @internal */
export interface IniError {
  readonly line: number
  readonly description: string
}

/** @internal */
export type IniResult =
  | { readonly _tag: "Ok"; readonly sections: ReadonlyArray<IniSection> }
  | { readonly _tag: "Error"; readonly error: IniError }

interface MutableSection {
  readonly header: string
  readonly line: number
  readonly properties: Map<string, IniValue>
}

interface OpenProperty {
  readonly section: MutableSection
  readonly key: string
  readonly indent: number
  readonly line: number
  readonly first: string
  readonly continuation: Array<{ readonly text: string; readonly line: number }>
}

const isComment = (trimmed: string) => trimmed.startsWith("#") || trimmed.startsWith(";")

/** Drops an inline comment: `#` or `;` preceded by whitespace. */
const stripInlineComment = (text: string): string => {
  const match = /\s[#;]/.exec(text)
  return match === null ? text : text.slice(0, match.index)
}

const indentOf = (line: string): number => line.length - line.trimStart().length

/** @internal */
export const parseIni = (text: string): IniResult => {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/)
  const sections: Array<MutableSection> = []
  const headers = new Set<string>()
  let section: MutableSection | undefined
  let open: OpenProperty | undefined
  let failure: IniError | undefined

  const fail = (line: number, description: string) => {
    failure ??= { line, description }
  }

  const close = () => {
    if (open === undefined) return
    const { continuation, first, key, line } = open
    let value: IniValue
    if (first === "" && continuation.length > 0) {
      const properties = new Map<string, string>()
      for (const entry of continuation) {
        const index = entry.text.indexOf("=")
        if (index <= 0) {
          fail(entry.line, `"${key}" sub-section line is not "key = value"`)
          continue
        }
        properties.set(entry.text.slice(0, index).trim(), entry.text.slice(index + 1).trim())
      }
      value = { _tag: "SubSection", properties, line }
    } else {
      value = { _tag: "Value", value: [first, ...continuation.map((entry) => entry.text)].join("\n"), line }
    }
    open.section.properties.set(key, value)
    open = undefined
  }

  lines.forEach((raw, index) => {
    if (failure !== undefined) return
    const lineNumber = index + 1
    const trimmed = raw.trim()
    if (trimmed === "" || isComment(trimmed)) return
    const indent = indentOf(raw)
    if (open !== undefined && indent > open.indent) {
      const content = stripInlineComment(trimmed).trim()
      if (content !== "") open.continuation.push({ text: content, line: lineNumber })
      return
    }
    close()
    if (trimmed.startsWith("[")) {
      const match = /^\[(.*)\]/.exec(trimmed)
      if (match === null || match[1]!.trim() === "") {
        fail(lineNumber, "section header is not \"[name]\"")
        return
      }
      const header = match[1]!
      if (headers.has(header)) {
        fail(lineNumber, `section [${header}] appears twice`)
        return
      }
      headers.add(header)
      section = { header, line: lineNumber, properties: new Map() }
      sections.push(section)
      return
    }
    if (section === undefined) {
      fail(lineNumber, "a property comes before any [section]")
      return
    }
    const delimiter = /[=:]/.exec(trimmed)
    if (delimiter === null) {
      fail(lineNumber, "line is neither a [section] nor \"key = value\"")
      return
    }
    const key = trimmed.slice(0, delimiter.index).trim().toLowerCase()
    if (key === "") {
      fail(lineNumber, "property has no name")
      return
    }
    if (section.properties.has(key)) {
      fail(lineNumber, `"${key}" appears twice in [${section.header}]`)
      return
    }
    const value = stripInlineComment(trimmed.slice(delimiter.index + 1)).trim()
    open = { section, key, indent, line: lineNumber, first: value, continuation: [] }
  })
  close()
  return failure === undefined ? { _tag: "Ok", sections } : { _tag: "Error", error: failure }
}

/**
 * Splits a section header as Python's `shlex.split` does for the forms
 * config files use: words separated by whitespace, `'…'` literal, `"…"` with
 * backslash escapes, a backslash escaping the next character. `undefined`
 * when a quote is not closed.
 *
 * @internal
 */
export const splitHeader = (header: string): ReadonlyArray<string> | undefined => {
  const words: Array<string> = []
  let current = ""
  let inWord = false
  let i = 0
  while (i < header.length) {
    const char = header[i]!
    if (/\s/.test(char)) {
      if (inWord) words.push(current)
      current = ""
      inWord = false
      i++
    } else if (char === "'") {
      const end = header.indexOf("'", i + 1)
      if (end === -1) return undefined
      current += header.slice(i + 1, end)
      inWord = true
      i = end + 1
    } else if (char === "\"") {
      i++
      let closed = false
      while (i < header.length) {
        const inner = header[i]!
        if (inner === "\"") {
          closed = true
          i++
          break
        }
        if (inner === "\\" && i + 1 < header.length && "\\\"$`\n".includes(header[i + 1]!)) {
          current += header[i + 1]
          i += 2
        } else {
          current += inner
          i++
        }
      }
      if (!closed) return undefined
      inWord = true
    } else if (char === "\\") {
      if (i + 1 < header.length) current += header[i + 1]
      inWord = true
      i += 2
    } else {
      current += char
      inWord = true
      i++
    }
  }
  if (inWord) words.push(current)
  return words
}

/** @internal */
export type SectionKind =
  | { readonly _tag: "Profile"; readonly name: string }
  | { readonly _tag: "SsoSession"; readonly name: string }
  | { readonly _tag: "Services"; readonly name: string }
  | { readonly _tag: "Other" }

/**
 * What a section header names, as botocore's `build_profile_map` reads it:
 * `[default]` and `[profile NAME]` are profiles, `[sso-session NAME]` a
 * session, `[services NAME]` a services block; a prefixed header must split
 * into exactly two words.
 *
 * @internal
 */
export const sectionKind = (header: string): SectionKind => {
  if (header === "default") return { _tag: "Profile", name: "default" }
  const words = splitHeader(header)
  if (words === undefined || words.length !== 2) return { _tag: "Other" }
  const [prefix, name] = words as [string, string]
  switch (prefix) {
    case "profile":
      return { _tag: "Profile", name }
    case "sso-session":
      return { _tag: "SsoSession", name }
    case "services":
      return { _tag: "Services", name }
    default:
      return { _tag: "Other" }
  }
}
