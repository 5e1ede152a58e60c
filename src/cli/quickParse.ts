/**
 * The launcher's parse of `sso-oidc login …`, from the command table,
 * without loading @effect/cli (its modules cost more start-up time than
 * the rest of the login before its prompt). It accepts only the plain
 * forms: `--flag value`, `--switch`, `--scopes a b c`, each flag once
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

/** `login`'s flags from `args` (after `login`), or `undefined` to let @effect/cli parse them. */
export const parseLogin = (args: ReadonlyArray<string>): QuickLoginFlags | undefined => {
  const options = new Map<string, OptionSpec>((findCommand("login")?.options ?? []).map((o) => [`--${o.name}`, o]))
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
  const text = (key: string) => values.get(key) as string | undefined
  const timeout = text("cliReadTimeout")
  if (timeout !== undefined && !/^\d{1,9}$/.test(timeout)) return undefined
  const startUrl = text("startUrl")
  if (startUrl !== undefined && startUrlProblem(startUrl) !== undefined) return undefined
  return {
    region: text("region"),
    endpointUrl: text("endpointUrl"),
    allowInsecureEndpoint: values.get("allowInsecureEndpoint") === true,
    cliReadTimeout: timeout === undefined ? undefined : Number(timeout),
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
