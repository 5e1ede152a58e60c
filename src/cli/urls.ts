/**
 * Which URLs the CLI accepts and a browser may be handed: https, or http
 * on this machine. Effect-free, so the launcher can check `--start-url`.
 *
 * @internal
 */

const loopbackHosts = new Set(["localhost", "[::1]"])

/** Whether a URL's host is this machine's loopback interface. */
export const isLoopback = (url: URL): boolean =>
  loopbackHosts.has(url.hostname) || /^127(\.\d{1,3}){3}$/.test(url.hostname)

/** Why a start URL cannot be signed in to, or `undefined` when it can: https, or http on this machine. */
export const startUrlProblem = (text: string): string | undefined => {
  const url = URL.parse(text)
  if (url === null) return "is not a URL"
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url))) return undefined
  return url.protocol === "http:" ? "must be https (http only on this machine: 127.0.0.1, localhost)" : "must be an https URL"
}
