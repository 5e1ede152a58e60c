/**
 * The fault matrix as data: every operation × every injected fault, with the
 * outcome the client must reach and the virtual-time window it must reach it
 * in, computed from the retry / timeout / polling policy below.
 *
 * `test/FaultMatrix.test.ts` runs one test per row; `docs/reliability.md`
 * holds {@link markdownTable} of the same rows, and
 * `test/fault-matrix.md.test.ts` checks that the two have not drifted.
 *
 * It imports no Effect: both editions' fault matrices (`test/FaultMatrix.test.ts`
 * and `effect4/test/FaultMatrix.test.ts`) and the docs read this one table. A
 * fault is therefore a {@link FaultRecipe}, built with the edition's own
 * `Emulator.Fault` by the suite that injects it.
 */

// -----------------------------------------------------------------------------
// the policy the bounds come from
// -----------------------------------------------------------------------------

/** `SsoOidcClient`'s defaults (the matrix runs the client with no retry or timeout options). */
export const clientPolicy = {
  /** Retries after the first attempt. */
  retries: 3,
  /** The first backoff step; step i (from 0) is `base · 2^i`, drawn in [½, 1] of it ("equal jitter"). */
  baseMillis: 100,
  /** The largest delay between two attempts. */
  capMillis: 20_000,
  /** Time allowed for one attempt, reply body included. */
  timeoutMillis: 30_000,
  /** The largest reply read. */
  maxReplyBytes: 1024 * 1024
} as const

/** `DeviceLogin`'s polling policy, with the emulator's defaults (interval 1 s, codes live 600 s). */
export const pollingPolicy = {
  /** The interval the emulator answers with; the first poll is one interval after StartDeviceAuthorization. */
  intervalMillis: 1_000,
  /** After the n-th consecutive transient failure the next poll waits `interval · 2^n`, up to this. */
  maxBackoffMillis: 60_000,
  /** Jitter only lengthens a transient backoff, by up to this fraction (then the cap applies). */
  jitter: 0.2,
  /** The device code's `expiresIn`: the client-side deadline of the whole polling. */
  deadlineMillis: 600_000,
  /** The emulator approves the login this long after StartDeviceAuthorization (`autoApproveAfter`). */
  approveAfterMillis: 5_000
} as const

// -----------------------------------------------------------------------------
// the axes
// -----------------------------------------------------------------------------

/**
 * The operations. `DeviceLogin` is `DeviceLogin.deviceLogin` run to its end,
 * with the faults on its CreateToken polls.
 */
export const operations = ["RegisterClient", "StartDeviceAuthorization", "CreateToken", "DeviceLogin"] as const

export type MatrixOperation = (typeof operations)[number]

/** The service operation a cell's faults target. */
export const faultedOperation = (operation: MatrixOperation) =>
  operation === "DeviceLogin" ? "CreateToken" as const : operation

/**
 * The part of an edition's `Emulator.Fault` constructors the table uses
 * (`Emulator.Fault` of either edition fits it).
 */
export interface FaultConstructors<F> {
  readonly status: (status: number, options?: { readonly errorName?: string; readonly error?: string }) => F
  readonly unknownError: (name: string, status: number) => F
  /** `millis` of `Clock` time. */
  readonly delay: (millis: number) => F
  readonly reset: () => F
  readonly emptyBody: () => F
  readonly notJson: () => F
  readonly wrongShape: () => F
  readonly hugeBody: (bytes: number) => F
  readonly redirect: (status: number, location: string) => F
  readonly wrongContentType: (contentType: string) => F
}

/** A fault as data with no Effect in it: give it an edition's `Emulator.Fault` to get that edition's fault. */
export type FaultRecipe = <F>(Fault: FaultConstructors<F>) => F

/** What a typed failure must look like: its `_tag` and key fields (compared on its JSON). */
export interface ExpectedError {
  readonly _tag: string
  readonly fields: Readonly<Record<string, string | number | undefined>>
  /** Substrings its `message` must contain. */
  readonly messageContains?: ReadonlyArray<string>
  /** Fields the Effect 4 edition words differently (it replaces them in `fields` there). */
  readonly edition4?: Readonly<Record<string, string | number | undefined>>
}

export interface FaultSpec {
  /** Stable id, e.g. `503-burst-2`. */
  readonly id: string
  /** As in test names and the doc table, e.g. `503 burst ×2`. */
  readonly label: string
  /** The rule's fault, to build with the edition's `Emulator.Fault`. */
  readonly fault: FaultRecipe
  /** How many times the rule fires (`undefined`: on every request). */
  readonly count: number | undefined
  /** Whether the client treats the resulting error as transient (retries it, or backs off while polling). */
  readonly transient: boolean
  /** Virtual time one faulted attempt takes before the client gives up on it (the timeout for a long delay). */
  readonly attemptMillis: number
  /** The typed error the fault produces when it is not (or no longer) retried; `undefined`: it succeeds. */
  readonly error: ((operation: "RegisterClient" | "StartDeviceAuthorization" | "CreateToken") => ExpectedError) | undefined
}

/** Replies beyond the timeout: a 60 s delay against the 30 s per-attempt timeout. */
export const longDelayMillis = 60_000

const statusError = (status: number) => (): ExpectedError =>
  status === 500
    ? { _tag: "InternalServer", fields: { status: 500, error: "server_error" } }
    : status === 429
    ? { _tag: "ServiceError", fields: { status: 429, errorType: "ThrottlingException", error: "throttled" } }
    : { _tag: "ServiceError", fields: { status, errorType: undefined, error: undefined } }

const statusFault = (status: number): FaultRecipe => (Fault) =>
  status === 500
    ? Fault.status(500, { errorName: "InternalServerException" })
    : status === 429
    ? Fault.status(429, { errorName: "ThrottlingException", error: "throttled" })
    : Fault.status(status) // a proxy's reply: a JSON body that names no error

/** The faults the client retries, each as a burst of 2, a burst of 10, and on every request. */
const transientFaults: ReadonlyArray<Omit<FaultSpec, "id" | "label" | "count"> & { readonly id: string; readonly label: string }> = [
  ...[500, 502, 503, 504, 429].map((status) => ({
    id: String(status),
    label: String(status),
    fault: statusFault(status),
    transient: true,
    attemptMillis: 0,
    error: statusError(status)
  })),
  {
    id: "reset",
    label: "connection reset",
    fault: (Fault) => Fault.reset(),
    transient: true,
    attemptMillis: 0,
    error: (operation) => ({
      _tag: "TransportError",
      fields: { operation, reason: "Transport", description: "read ECONNRESET (ECONNRESET)" },
      messageContains: ["ECONNRESET"]
    })
  },
  {
    id: "delay",
    label: "delay 60 s > timeout",
    fault: (Fault) => Fault.delay(longDelayMillis),
    transient: true,
    attemptMillis: Math.min(longDelayMillis, clientPolicy.timeoutMillis),
    error: (operation) => ({
      _tag: "TransportError",
      fields: { operation, reason: "Timeout", description: "no complete reply within 30s" }
    })
  }
]

const bursts: ReadonlyArray<{ readonly count: number | undefined; readonly id: string; readonly label: string }> = [
  { count: 2, id: "burst-2", label: "burst ×2" },
  { count: 10, id: "burst-10", label: "burst ×10" },
  { count: undefined, id: "always", label: "always" }
]

const decodeError = (
  description: string | ((operation: string) => string),
  edition4Description?: (operation: string) => string
) =>
(operation: string): ExpectedError => ({
  _tag: "ResponseDecodeError",
  fields: {
    operation,
    status: 200,
    description: typeof description === "string" ? description : description(operation)
  },
  ...(edition4Description === undefined ? {} : { edition4: { description: edition4Description(operation) } })
})

/** The member the wrong-shape body gets wrong first, per operation (the first member each output requires). */
const firstMember: Readonly<Record<string, string>> = {
  RegisterClient: "clientId",
  StartDeviceAuthorization: "deviceCode",
  CreateToken: "accessToken"
}

/** Where the redirect faults point: another host, which must never be asked (the client never follows). */
export const redirectTarget = "https://attacker.invalid"

/** Faults that are not transient: each is in force on every request. */
const otherFaults: ReadonlyArray<FaultSpec> = [
  {
    id: "empty-body",
    label: "empty body",
    fault: (Fault) => Fault.emptyBody(),
    count: undefined,
    transient: false,
    attemptMillis: 0,
    error: decodeError("empty body")
  },
  {
    id: "not-json",
    label: "non-JSON body",
    fault: (Fault) => Fault.notJson(),
    count: undefined,
    transient: false,
    attemptMillis: 0,
    error: decodeError("body is not JSON")
  },
  {
    id: "wrong-shape",
    label: "JSON of the wrong shape",
    fault: (Fault) => Fault.wrongShape(),
    count: undefined,
    transient: false,
    attemptMillis: 0,
    // Effect 3 reports each member of the nullable union; Effect 4 names the member's wire type once.
    error: decodeError(
      (operation) => `${firstMember[operation]}: expected string; ${firstMember[operation]}: expected null`,
      (operation) => `${firstMember[operation]}: expected string | null`
    )
  },
  {
    id: "huge-body",
    label: "10 MiB body",
    fault: (Fault) => Fault.hugeBody(10 * 1024 * 1024),
    count: undefined,
    transient: false,
    attemptMillis: 0,
    error: decodeError(`the reply is larger than ${clientPolicy.maxReplyBytes} bytes`)
  },
  ...[301, 302, 307, 308].map((status): FaultSpec => ({
    id: `redirect-${status}`,
    label: `${status} redirect to another host`,
    fault: (Fault) => Fault.redirect(status, `${redirectTarget}/steal?code=1`),
    count: undefined,
    transient: false,
    attemptMillis: 0,
    error: (operation) => ({
      _tag: "UnexpectedRedirect",
      fields: { operation, status, locationOrigin: redirectTarget },
      messageContains: [redirectTarget]
    })
  })),
  {
    id: "wrong-content-type",
    label: "wrong content-type",
    fault: (Fault) => Fault.wrongContentType("text/html; charset=utf-8"),
    count: undefined,
    transient: false,
    attemptMillis: 0,
    error: undefined
  },
  {
    id: "unknown-error",
    label: "unknown error name",
    fault: (Fault) => Fault.unknownError("BrandNewException", 400),
    count: undefined,
    transient: false,
    attemptMillis: 0,
    error: () => ({
      _tag: "ServiceError",
      fields: { status: 400, errorType: "BrandNewException", error: "unknown_error" },
      messageContains: ["BrandNewException"]
    })
  }
]

export const faults: ReadonlyArray<FaultSpec> = [
  ...transientFaults.flatMap((base) =>
    bursts.map((burst): FaultSpec => ({
      ...base,
      id: `${base.id}-${burst.id}`,
      label: `${base.label} ${burst.label}`,
      count: burst.count
    }))
  ),
  ...otherFaults
]

// -----------------------------------------------------------------------------
// the outcome of a cell and its time window
// -----------------------------------------------------------------------------

export type Outcome =
  | { readonly _tag: "Success" }
  | { readonly _tag: "Failure"; readonly error: ExpectedError; readonly why: "retries exhausted" | "not transient" | "deadline" }

export interface Row {
  readonly operation: MatrixOperation
  readonly fault: FaultSpec
  readonly outcome: Outcome
  /** Requests the faulted operation receives (`undefined` when jitter makes it vary). */
  readonly requests: number | undefined
  /** The earliest virtual time (ms after the operation starts) at which it may end. */
  readonly minMillis: number
  /** The latest virtual time (ms after the operation starts) at which it may end: the bound. */
  readonly maxMillis: number
  /** The test name. */
  readonly name: string
}

/** The client's backoff before retry i (from 0): [½, 1] of `base · 2^i`, capped. */
const clientBackoff = (i: number) => {
  const step = clientPolicy.baseMillis * 2 ** i
  return { min: Math.min(step / 2, clientPolicy.capMillis), max: Math.min(step, clientPolicy.capMillis) }
}

/** The polling wait after the n-th consecutive transient failure (from 1): [1, 1.2] of `interval · 2^n`, capped. */
const pollBackoff = (n: number) => {
  const cap = Math.max(pollingPolicy.maxBackoffMillis, pollingPolicy.intervalMillis)
  const step = Math.min(pollingPolicy.intervalMillis * 2 ** n, cap)
  return { min: step, max: Math.min(Math.ceil(step * (1 + pollingPolicy.jitter)), cap) }
}

const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)

const outcomeName = (outcome: Outcome) =>
  outcome._tag === "Success"
    ? "success"
    : `${outcome.error._tag}${outcome.why === "retries exhausted" ? " after the retries" : outcome.why === "deadline" ? " at the deadline" : ""}`

const operationRow = (operation: "RegisterClient" | "StartDeviceAuthorization" | "CreateToken", fault: FaultSpec): Omit<Row, "name"> => {
  if (!fault.transient) {
    const error = fault.error?.(operation)
    return {
      operation,
      fault,
      outcome: error === undefined ? { _tag: "Success" } : { _tag: "Failure", error, why: "not transient" },
      requests: 1,
      minMillis: 0,
      maxMillis: 0
    }
  }
  const count = fault.count ?? Infinity
  const retries = Math.min(count, clientPolicy.retries)
  const failed = Math.min(count, clientPolicy.retries + 1)
  const succeeds = count <= clientPolicy.retries
  const waits = Array.from({ length: retries }, (_, i) => clientBackoff(i))
  const spent = failed * fault.attemptMillis
  return {
    operation,
    fault,
    outcome: succeeds ? { _tag: "Success" } : { _tag: "Failure", error: fault.error!(operation), why: "retries exhausted" },
    requests: failed + (succeeds ? 1 : 0),
    minMillis: spent + sum(waits.map((w) => w.min)),
    maxMillis: spent + sum(waits.map((w) => w.max))
  }
}

/**
 * `deviceLogin` with the fault on its CreateToken polls. Polls go out without
 * the client's quick retries; the first is one interval after the start; a
 * transient failure backs off from the interval; the login is approved at
 * `approveAfter`; the deadline is `expiresIn`.
 */
const deviceLoginRow = (fault: FaultSpec): Omit<Row, "name"> => {
  const { approveAfterMillis, deadlineMillis, intervalMillis } = pollingPolicy
  const base = { operation: "DeviceLogin" as const, fault }
  if (!fault.transient) {
    const error = fault.error?.("CreateToken")
    return error === undefined
      // Polls every interval until the approval, then the token.
      ? {
        ...base,
        outcome: { _tag: "Success" },
        requests: Math.ceil(approveAfterMillis / intervalMillis),
        minMillis: approveAfterMillis,
        maxMillis: approveAfterMillis + intervalMillis
      }
      // The first poll ends it.
      : { ...base, outcome: { _tag: "Failure", error, why: "not transient" }, requests: 1, minMillis: intervalMillis, maxMillis: intervalMillis }
  }
  // Start times of polls 1..n+1 when polls 1..n fail (n ≥ 0), earliest and latest.
  const pollStart = (n: number) => {
    const waits = Array.from({ length: n }, (_, i) => pollBackoff(i + 1))
    const spent = intervalMillis + n * fault.attemptMillis
    return { min: spent + sum(waits.map((w) => w.min)), max: spent + sum(waits.map((w) => w.max)) }
  }
  const count = fault.count
  const afterFaults = count === undefined ? undefined : pollStart(count)
  if (afterFaults !== undefined && afterFaults.max < deadlineMillis) {
    // The first poll after the faults gets the token, or (before the approval) pending polls every interval until it.
    const pendingPolls = (start: number) => Math.max(0, Math.ceil((approveAfterMillis - start) / intervalMillis))
    const minPending = pendingPolls(afterFaults.max)
    const maxPending = pendingPolls(afterFaults.min)
    return {
      ...base,
      outcome: { _tag: "Success" },
      requests: minPending === maxPending ? count! + minPending + 1 : undefined,
      minMillis: Math.max(afterFaults.min, approveAfterMillis),
      maxMillis: Math.max(afterFaults.max, approveAfterMillis + intervalMillis)
    }
  }
  if (afterFaults !== undefined && afterFaults.min < deadlineMillis) {
    throw new Error(`fault matrix: DeviceLogin × ${fault.label} may or may not reach the deadline; pick another count`)
  }
  // Every poll fails until the deadline ends the polling with ExpiredToken, exactly at it.
  let started = 0
  while (pollStart(started).max < deadlineMillis) started++
  let startedMin = 0
  while (pollStart(startedMin).min < deadlineMillis) startedMin++
  return {
    ...base,
    outcome: {
      _tag: "Failure",
      error: { _tag: "ExpiredToken", fields: { error: "expired_token", status: undefined } },
      why: "deadline"
    },
    requests: started === startedMin ? started : undefined,
    minMillis: deadlineMillis,
    maxMillis: deadlineMillis
  }
}

export const rows: ReadonlyArray<Row> = operations.flatMap((operation) =>
  faults.map((fault): Row => {
    const row = operation === "DeviceLogin" ? deviceLoginRow(fault) : operationRow(operation, fault)
    return { ...row, name: `${operation} × ${fault.label} → ${outcomeName(row.outcome)}` }
  })
)

// -----------------------------------------------------------------------------
// the doc table
// -----------------------------------------------------------------------------

const seconds = (millis: number) => {
  const s = millis / 1000
  return `${Number.isInteger(s) ? s : Number(s.toFixed(3))} s`
}

const window = (row: Row) =>
  row.minMillis === row.maxMillis
    ? (row.maxMillis === 0 ? "at once" : `at ${seconds(row.maxMillis)}`)
    : `${seconds(row.minMillis)}–${seconds(row.maxMillis)}`

const errorText = (error: ExpectedError) => {
  const status = error.fields["status"]
  const detail = error._tag === "TransportError"
    ? ` ${error.fields["reason"]}`
    : error._tag === "ServiceError" && error.fields["errorType"] !== undefined
    ? ` ${error.fields["errorType"]}`
    : ""
  return `\`${error._tag}\`${detail}${typeof status === "number" && error._tag !== "ResponseDecodeError" ? ` ${status}` : ""}`
}

/** One cell of the doc table. */
export const cellText = (row: Row): string => {
  const what = row.outcome._tag === "Success" ? "success" : errorText(row.outcome.error)
  const requests = row.requests === undefined ? "" : `, ${row.requests} req`
  return `${what}${requests}, ${window(row)}`
}

const columnTitle: Readonly<Record<MatrixOperation, string>> = {
  RegisterClient: "RegisterClient",
  StartDeviceAuthorization: "StartDeviceAuthorization",
  CreateToken: "CreateToken",
  DeviceLogin: "`deviceLogin` (faults on its polls)"
}

/** The matrix as a Markdown table: a row per fault, a column per operation. */
export const markdownTable = (): string => {
  const header = `| fault | ${operations.map((op) => columnTitle[op]).join(" | ")} |`
  const rule = `|---|${operations.map(() => "---").join("|")}|`
  const lines = faults.map((fault) => {
    const cells = operations.map((operation) => {
      const row = rows.find((r) => r.operation === operation && r.fault.id === fault.id)!
      return cellText(row)
    })
    return `| ${fault.label} | ${cells.join(" | ")} |`
  })
  return [header, rule, ...lines].join("\n")
}

/** The policy the bounds come from, as a Markdown table (in the doc next to the matrix). */
export const policyTable = (): string => {
  const backoffs = Array.from({ length: clientPolicy.retries }, (_, i) => clientBackoff(i))
  const steps = backoffs.map((b) => `${b.max} ms`).join(", ")
  const pollSteps = [1, 2, 3, 4, 5, 6].map((n) => seconds(pollBackoff(n).min).replace(" s", "")).join(", ")
  return [
    "| policy | figure | used in the bounds as |",
    "|---|---|---|",
    `| per-attempt timeout (\`timeout\`) | ${seconds(clientPolicy.timeoutMillis)} | a reply later than this is \`TransportError\` \`Timeout\` for that attempt |`,
    `| retries (\`retry.times\`) | ${clientPolicy.retries} (${clientPolicy.retries + 1} attempts) | a burst longer than ${clientPolicy.retries} ends in the typed error |`,
    `| backoff before retry i (\`retry.base\`, \`retry.cap\`) | ${clientPolicy.baseMillis} ms · 2^i, drawn in [½, 1] of it, capped at ${seconds(clientPolicy.capMillis)} | at most ${steps}: ${sum(backoffs.map((b) => b.max))} ms in all |`,
    "| retried | no reply (reset, refused, DNS), timeout, HTTP 429, 500, 502, 503, 504 | everything else ends at the first reply |",
    `| largest reply read | ${clientPolicy.maxReplyBytes} bytes (1 MiB), counted decoded (after gzip) | a larger one is \`ResponseDecodeError\`, never retried, without reading it all |`,
    "| redirects | never followed, whatever the `HttpClient` | any 3xx is `UnexpectedRedirect`, never retried; nothing is sent to its target |",
    `| first poll | one interval after StartDeviceAuthorization (emulator: ${seconds(pollingPolicy.intervalMillis)}; 5 s when the service gives 0) | — |`,
    `| polls | every interval, never sooner; no client-side quick retries | — |`,
    `| wait after the n-th transient failure in a row | interval · 2^n, plus 0–${pollingPolicy.jitter * 100} % jitter, capped at ${seconds(pollingPolicy.maxBackoffMillis)} (\`maxBackoff\`) | ${pollSteps}, … s at a 1 s interval (before jitter) |`,
    `| deadline | \`expiresIn\` after StartDeviceAuthorization (AWS and the emulator: ${seconds(pollingPolicy.deadlineMillis)}) | polling ends with \`ExpiredToken\` exactly then |`
  ].join("\n")
}
