// The edition-independent half of the behaviour harnesses (test/behaviour/harness/effect3.mjs and
// effect4/test/behaviour/harness/effect4.mjs): the JSON-lines protocol the behaviour suite speaks with
// them, and the fingerprints that stand in for secrets. Plain Node, no Effect: both editions' harnesses
// import this one file.
//
// Protocol. `node <harness> serve`: each stdin line is one request `{"id", "op", "args"}`, each stdout line
// one answer `{"id", "ok": true, "result"}` or `{"id", "ok": false, "error"}`. Requests run concurrently
// (a device login can wait while an approve goes through). When stdin ends or SIGTERM/SIGINT arrives, the
// harness disposes what it started (emulators) and exits.
// `node <harness> <op> <json-args>`: one request; prints the result (or `{"error"}`) as one JSON line;
// exit code 0 or 1. `credential-process` prints the AWS CLI's credential_process JSON only.
import { createHash } from "node:crypto"
import { createInterface } from "node:readline"

/** A secret as the suite may see it: its SHA-256, so equality can be checked without printing the value. */
export const fingerprint = (secret) => createHash("sha256").update(secret, "utf8").digest("hex")

/** The own primitive fields of an error (the typed errors' `error`, `status`, `requestId`, `reason`, …). */
const primitiveFields = (error) => {
  const fields = {}
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ["string", "number", "boolean"].includes(typeof value)) fields[key] = value
  }
  return fields
}

/**
 * What a failure looks like from outside: its tag, message, `String()` and JSON, and its primitive fields.
 * All of it is what the library itself shows, so the suite can check that no secret is in any of it.
 */
export const describeFailure = (error) => {
  if (error === null || typeof error !== "object") return { _tag: "Thrown", message: String(error) }
  let json
  try {
    json = JSON.stringify(error)
  } catch (cause) {
    json = `unserializable: ${cause}`
  }
  return {
    ...primitiveFields(error),
    _tag: error._tag ?? error.name ?? "Error",
    message: String(error.message ?? ""),
    string: String(error),
    json
  }
}

/** A harness's failure of its own (bad request): not a library error. */
export class HarnessError extends Error {
  constructor(message) {
    super(message)
    this._tag = "HarnessError"
  }
}

const write = (line) => process.stdout.write(`${JSON.stringify(line)}\n`)

/**
 * Runs the harness: `ops` maps an op name to `async (args) => result` (throwing a described failure
 * object `{ failure }` or any error); `shutdown` disposes what the ops started.
 */
export const main = async ({ ops, shutdown }) => {
  const [command = "serve", json] = process.argv.slice(2)
  if (command !== "serve") {
    const op = ops[command]
    if (op === undefined) {
      process.stderr.write(`unknown op ${command}\n`)
      process.exitCode = 2
      return
    }
    try {
      const result = await op(json === undefined ? {} : JSON.parse(json))
      write(result)
    } catch (error) {
      write({ error: error?.failure ?? describeFailure(error) })
      process.exitCode = 1
    } finally {
      await shutdown()
    }
    return
  }

  let closing = false
  const pending = new Set()
  const close = async () => {
    if (closing) return
    closing = true
    await Promise.allSettled([...pending])
    await shutdown()
    process.exit(0)
  }
  // A request still running when the suite leaves (a login waiting on a user) must not keep the process up.
  const stop = async () => {
    if (closing) return
    closing = true
    await shutdown()
    process.exit(0)
  }
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
  lines.on("line", (line) => {
    if (line.trim() === "") return
    let request
    try {
      request = JSON.parse(line)
    } catch {
      write({ id: null, ok: false, error: describeFailure(new HarnessError(`not JSON: ${line.slice(0, 80)}`)) })
      return
    }
    const { id, op: name, args = {} } = request
    const op = ops[name]
    const task = (async () => {
      try {
        if (op === undefined) throw new HarnessError(`unknown op ${name}`)
        write({ id, ok: true, result: await op(args) })
      } catch (error) {
        write({ id, ok: false, error: error?.failure ?? describeFailure(error) })
      }
    })()
    pending.add(task)
    task.finally(() => pending.delete(task))
  })
  lines.on("close", () => void close())
  write({ id: null, ok: true, result: { ready: true, pid: process.pid, node: process.version } })
}
