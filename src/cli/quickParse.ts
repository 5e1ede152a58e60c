/**
 * The launcher's parse of `sso-oidc login …` and `sso-oidc credentials …`,
 * from the command table, without loading @effect/cli (its modules cost
 * more start-up time than the rest of the command). It accepts only the
 * plain forms: `--flag value`, `--switch`, `--scopes a b c`, each flag once
 * (a list flag may repeat). Anything else — an unknown or repeated flag,
 * `--flag=value`, a value that does not check, `--help` — returns
 * `undefined`, and the launcher hands the arguments to @effect/cli, which
 * then parses (and reports) exactly as before.
 *
 * Effect-free: nothing here may import `effect` or `@effect/*`.
 *
 * @internal
 */
import { findCommand } from "./help.js"
import type { OptionSpec } from "./table.js"
import type { CredentialFormat } from "./credentialFormats.js"
import { startUrlProblem } from "./urls.js"

/** `login`'s flags as plain values (`undefined`: not given). */
export interface QuickLoginFlags {
  readonly region: string | undefined
  readonly endpointUrl: string | undefined
  readonly allowInsecureEndpoint: boolean
  readonly cliReadTimeout: number | undefined
  readonly output: "text" | "json"
  readonly ssoSession: string | undefined
  readonly profile: string | undefined
  readonly startUrl: string | undefined
  readonly noBrowser: boolean
  readonly useDeviceCode: boolean
  readonly clientName: string | undefined
  readonly scopes: ReadonlyArray<string>
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())

/** A value @effect/cli would take as the flag's own (not another flag). */
const isValue = (arg: string | undefined): arg is string => arg !== undefined && !arg.startsWith("-")

/** As login's `--scopes`: space- or comma-separated values, empty ones dropped. */
const splitList = (values: ReadonlyArray<string>): Array<string> =>
  values.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== "")

/** The flags of `command` from `args` (after its name), by their camel-cased names; `undefined` unless plain. */
const parsePlain = (command: string, args: ReadonlyArray<string>): Map<string, string | boolean | Array<string>> | undefined => {
  const options = new Map<string, OptionSpec>((findCommand(command)?.options ?? []).map((o) => [`--${o.name}`, o]))
  const values = new Map<string, string | boolean | Array<string>>()
  for (let i = 0; i < args.length; i++) {
    const option = options.get(args[i]!)
    if (option === undefined) return undefined
    const key = camel(option.name)
    if (option.repeated) {
      const list = (values.get(key) as Array<string> | undefined) ?? []
      if (!isValue(args[i + 1])) return undefined
      while (isValue(args[i + 1])) list.push(args[++i]!)
      values.set(key, list)
      continue
    }
    if (values.has(key)) return undefined
    if (option.kind === "boolean") {
      values.set(key, true)
      continue
    }
    const value = args[++i]
    if (!isValue(value)) return undefined
    if (typeof option.kind !== "string" && !option.kind.includes(value)) return undefined
    values.set(key, value)
  }
  return values
}

/** `--cli-read-timeout`, as @effect/cli's integer takes it; `null` when it would not. */
const readTimeout = (value: string | undefined): number | undefined | null =>
  value === undefined ? undefined : /^\d{1,9}$/.test(value) ? Number(value) : null

/** `login`'s flags from `args` (after `login`), or `undefined` to let @effect/cli parse them. */
export const parseLogin = (args: ReadonlyArray<string>): QuickLoginFlags | undefined => {
  const values = parsePlain("login", args)
  if (values === undefined) return undefined
  const text = (key: string) => values.get(key) as string | undefined
  const timeout = readTimeout(text("cliReadTimeout"))
  if (timeout === null) return undefined
  const startUrl = text("startUrl")
  if (startUrl !== undefined && startUrlProblem(startUrl) !== undefined) return undefined
  return {
    region: text("region"),
    endpointUrl: text("endpointUrl"),
    allowInsecureEndpoint: values.get("allowInsecureEndpoint") === true,
    cliReadTimeout: timeout,
    output: text("output") === "json" ? "json" : "text",
    ssoSession: text("ssoSession"),
    profile: text("profile"),
    startUrl,
    noBrowser: values.get("noBrowser") === true,
    useDeviceCode: values.get("useDeviceCode") === true,
    clientName: text("clientName"),
    scopes: splitList((values.get("scopes") as Array<string> | undefined) ?? [])
  }
}

/** `credentials`' flags as plain values (`undefined`: not given). */
export interface QuickCredentialsFlags {
  readonly profile: string | undefined
  readonly format: CredentialFormat
  readonly allowInsecureEndpoint: boolean
  readonly cliReadTimeout: number | undefined
}

/** `credentials`' flags from `args` (after `credentials`), or `undefined` to let @effect/cli parse them. */
export const parseCredentials = (args: ReadonlyArray<string>): QuickCredentialsFlags | undefined => {
  const values = parsePlain("credentials", args)
  if (values === undefined) return undefined
  const timeout = readTimeout(values.get("cliReadTimeout") as string | undefined)
  if (timeout === null) return undefined
  return {
    profile: values.get("profile") as string | undefined,
    // The table's choices are credentialFormats' (checked by parsePlain).
    format: (values.get("format") as CredentialFormat | undefined) ?? "process",
    allowInsecureEndpoint: values.get("allowInsecureEndpoint") === true,
    cliReadTimeout: timeout
  }
}
