/**
 * When the CLI's output is coloured. Effect-free: the launcher
 * (src/bin/sso-oidc.ts) uses it before anything else is loaded.
 *
 * @internal
 */

/**
 * Whether output to a stream is coloured: never with `NO_COLOR` (or
 * `TERM=dumb`), always with `FORCE_COLOR` (not `0`), else on a terminal.
 */
export const colour = (isTTY: boolean, env: Readonly<Record<string, string | undefined>> = process.env): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true
  return isTTY && env.TERM !== "dumb"
}

/** SGR escape sequences (colour, bold). */
export const sgr = /\x1b\[[0-9;]*m/g

export const plainUnless = (coloured: boolean, text: string) => (coloured ? text : text.replace(sgr, ""))
