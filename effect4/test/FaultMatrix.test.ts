/**
 * The fault matrix (issue #7): every operation × every injected fault ends in
 * success or the exact typed error — never a defect, never an interruption —
 * within a virtual-time window computed from the retry / timeout / polling
 * policy (`test/fault-matrix.ts`). One `it.effect` per cell, in-process under
 * TestClock; then a small slice on a real socket (`Emulator.layer`,
 * `FetchHttpClient`, `it.live`) for the faults a socket changes: reset,
 * delay, a redirect and a 10 MB body.
 */
import { FetchHttpClient } from "effect/http"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Effect, Exit, Fiber, Layer, Redacted, Ref, Stream } from "effect"
import * as DeviceLogin from "../src/DeviceLogin.js"
import * as Emulator from "../src/testing/Emulator.js"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import * as SsoOidcError from "../src/SsoOidcError.js"
import { GrantType } from "../src/SsoOidcSchema.js"
import {
  clientPolicy,
  type ExpectedError,
  faultedOperation,
  type FaultSpec,
  faults,
  operations,
  pollingPolicy,
  redirectTarget,
  type Row,
  rows
} from "../../test/fault-matrix.js"
import * as VirtualTime from "./utils/virtualTime.js"

const startUrl = "https://my-sso-portal.awsapps.com/start"

/** The table's fault (Effect-free data shared with the Effect 4 edition) as this edition's emulator fault. */
const emulatorFault = (spec: FaultSpec): Emulator.Fault => spec.fault<Emulator.Fault>(Emulator.Fault)
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * An error as plain data (its JSON), so a failed assertion prints it: chai's
 * `inspect` recurses without end on the span-carrying proxies Effect wraps
 * failures in.
 */
const plain = (u: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(u))

/** The client with its default retry and timeout policy, over the in-process emulator. */
const inProcess = SsoOidcClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1" }).pipe(
  Layer.provideMerge(Emulator.layerInProcess({ autoApproveAfter: pollingPolicy.approveAfterMillis }))
)

type Outcome = { readonly accessToken?: Redacted.Redacted<string> | undefined; readonly events?: ReadonlyArray<DeviceLogin.DeviceLoginEvent> }

/** The call a cell makes. */
type Call = Effect.Effect<Outcome, unknown, SsoOidcClient.SsoOidcClient>

/** Sets up what the cell's operation needs (with no faults yet) and returns the call to make. */
const prepare = (row: Row): Effect.Effect<Call, unknown, Emulator.Emulator | SsoOidcClient.SsoOidcClient> =>
  Effect.gen(function*() {
    const em = yield* Emulator.Emulator
    const client = yield* SsoOidcClient.SsoOidcClient
    const register = client.registerClient({ clientName: "fault-matrix", clientType: "public" })
    switch (row.operation) {
      case "RegisterClient":
        return Effect.as(register, {} as Outcome)
      case "StartDeviceAuthorization": {
        const { clientId, clientSecret } = yield* register
        return Effect.as(client.startDeviceAuthorization({ clientId: clientId!, clientSecret: clientSecret!, startUrl }), {} as Outcome)
      }
      case "CreateToken": {
        const { clientId, clientSecret } = yield* register
        const started = yield* client.startDeviceAuthorization({ clientId: clientId!, clientSecret: clientSecret!, startUrl })
        yield* em.approve(started.userCode!)
        return Effect.map(
          client.createToken({
            clientId: clientId!,
            clientSecret: clientSecret!,
            grantType: GrantType.DeviceCode,
            deviceCode: started.deviceCode!
          }),
          (reply): Outcome => ({ accessToken: reply.accessToken })
        )
      }
      case "DeviceLogin":
        return DeviceLogin.deviceLogin({ startUrl, scopes: ["sso:account:access"] }).pipe(
          Stream.runCollect,
          Effect.map((all): Outcome => {
            const last = all[all.length - 1]
            return { events: all, accessToken: last?._tag === "Authorized" ? last.token.accessToken : undefined }
          })
        )
    }
  })

/** Checks a failure: one typed error of this library, with the expected tag and fields. */
const expectTypedError = (cause: Cause.Cause<unknown>, expected: ExpectedError) => {
  expect(Cause.hasDies(cause), "no defect").toBe(false)
  expect(Cause.hasInterrupts(cause), "not interrupted").toBe(false)
  const failures = cause.reasons.filter(Cause.isFailReason).map((reason) => reason.error)
  expect(failures.length).toBe(1)
  const error = failures[0]
  expect(SsoOidcError.isSsoOidcError(error), "an error of SsoOidcError").toBe(true)
  const data = plain(error)
  expect(data["_tag"]).toBe(expected._tag)
  for (const [key, value] of Object.entries({ ...expected.fields, ...expected.edition4 })) {
    expect(data[key], `${expected._tag}.${key}`).toEqual(value)
  }
  // A reply's error keeps its request id; the client's own (no reply, the polling deadline) have none.
  if (expected._tag !== "TransportError" && expected._tag !== "ExpiredToken") {
    expect(data["requestId"]).toMatch(uuid)
  }
  const message = (error as Error).message
  expect(message.length).toBeGreaterThan(0)
  expect(message.length).toBeLessThan(300)
  for (const part of expected.messageContains ?? []) expect(message).toContain(part)
}

const runCell = (row: Row) =>
  Effect.gen(function*() {
    const em = yield* Emulator.Emulator
    const target = faultedOperation(row.operation)
    const call = yield* prepare(row)
    yield* em.setFaults([{ operation: target, fault: emulatorFault(row.fault), count: row.fault.count }])
    const requestsBefore = (yield* em.counts)[target]
    const startedAt = yield* Clock.currentTimeMillis
    const endedAt = yield* Ref.make<number | undefined>(undefined)
    // Effect 4's TestClock does not wait for the in-process replies' bodies (read through a Promise): step it sleep by sleep.
    const time = yield* VirtualTime.make
    const fiber = yield* call.pipe(
      Effect.onExit(() => Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(endedAt, now))),
      time.watched,
      Effect.forkChild
    )

    // Bounded: done once virtual time has moved by the bound.
    yield* time.adjust(row.maxMillis)
    const done = fiber.pollUnsafe()
    if (done === undefined) {
      yield* Fiber.interrupt(fiber)
      expect.fail(`${row.name}: still running ${row.maxMillis} ms (virtual) after it started`)
    }
    const exit = yield* Fiber.await(fiber)
    const elapsed = (yield* Ref.get(endedAt))! - startedAt
    expect(elapsed, "ended within the bound").toBeLessThanOrEqual(row.maxMillis)
    expect(elapsed, "not before the policy's earliest end").toBeGreaterThanOrEqual(row.minMillis)

    // Success, or exactly the right typed error.
    if (row.outcome._tag === "Success") {
      if (Exit.isFailure(exit)) expect.fail(`${row.name}: failed with ${Cause.pretty(exit.cause)}`)
      const outcome = (exit as Exit.Success<Outcome, never>).value
      if (row.operation === "CreateToken" || row.operation === "DeviceLogin") {
        const issued = (yield* em.tokens).map((token) => Redacted.value(token.accessToken))
        expect(outcome.accessToken).toBeDefined()
        expect(issued).toContain(Redacted.value(outcome.accessToken!))
      }
    } else {
      if (Exit.isSuccess(exit)) expect.fail(`${row.name}: succeeded, expected ${row.outcome.error._tag}`)
      expectTypedError((exit as Exit.Failure<unknown, unknown>).cause, row.outcome.error)
    }

    // The number of requests the retry / polling policy allows, no more.
    const requests = (yield* em.counts)[target] - requestsBefore
    if (row.requests !== undefined) expect(requests, "requests to the faulted operation").toBe(row.requests)

    if (row.operation === "DeviceLogin") {
      // Never polls faster than the interval, and never earns a slow_down.
      const polls = (yield* em.requests).filter((r) => r.kind === "CreateToken").map((r) => r.at.getTime())
      expect(polls[0]! - startedAt).toBeGreaterThanOrEqual(pollingPolicy.intervalMillis)
      for (let i = 1; i < polls.length; i++) {
        expect(polls[i]! - polls[i - 1]!, `gap before poll ${i + 1}`).toBeGreaterThanOrEqual(
          pollingPolicy.intervalMillis
        )
      }
      const [authorization] = yield* em.authorizations
      expect(authorization!.slowDowns).toBe(0)
      if (Exit.isSuccess(exit)) {
        const events = (exit.value as Outcome).events!
        expect(events[0]?._tag).toBe("Registered")
        expect(events[1]?._tag).toBe("AwaitingUser")
        expect(events[events.length - 1]?._tag).toBe("Authorized")
        const transient = events.filter((e) => e._tag === "Pending" && e.reason === "transient_error").length
        expect(transient).toBe(row.fault.transient ? row.fault.count : 0)
      }
    }
  })

describe("fault matrix — in-process under TestClock", () => {
  it("covers every operation × every fault, one cell each", () => {
    expect(rows.length).toBe(operations.length * faults.length)
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length)
  })

  for (const row of rows) {
    it.effect(row.name, () => runCell(row).pipe(Effect.provide(inProcess)))
  }
})

// -----------------------------------------------------------------------------
// a real socket: reset, delay, a 10 MB body
// -----------------------------------------------------------------------------

/**
 * Small, real-time settings: 2 retries at most 10 ms and 20 ms apart; 200 ms
 * per attempt for the delay cells, 5 s for the others (a 10 MiB reply takes
 * a while to produce on a loaded machine, and must not time out instead).
 */
const live = { shortTimeoutMillis: 200, timeoutMillis: 5_000, retries: 2, baseMillis: 10 } as const
const liveBackoffMillis = live.baseMillis + 2 * live.baseMillis

const served = (timeoutMillis: number) =>
  Layer.unwrap(
    Effect.map(Emulator.Emulator, (emulator) =>
      SsoOidcClient.layer({
        endpoint: emulator.url,
        region: "us-east-1",
        timeout: timeoutMillis,
        retry: { times: live.retries, base: live.baseMillis }
      }))
  ).pipe(Layer.provide(FetchHttpClient.layer), Layer.provideMerge(NodeEmulator.layer({ port: 0 })))

type LiveOperation = "RegisterClient" | "StartDeviceAuthorization" | "CreateToken"

const liveCall = (
  operation: LiveOperation
): Effect.Effect<Effect.Effect<unknown, unknown>, unknown, Emulator.Emulator | SsoOidcClient.SsoOidcClient> =>
  Effect.gen(function*() {
    const em = yield* Emulator.Emulator
    const client = yield* SsoOidcClient.SsoOidcClient
    const register = client.registerClient({ clientName: "fault-matrix-live", clientType: "public" })
    if (operation === "RegisterClient") return register
    const { clientId, clientSecret } = yield* register
    const start = client.startDeviceAuthorization({ clientId: clientId!, clientSecret: clientSecret!, startUrl })
    if (operation === "StartDeviceAuthorization") return start
    const started = yield* start
    yield* em.approve(started.userCode!)
    return client.createToken({
      clientId: clientId!,
      clientSecret: clientSecret!,
      grantType: GrantType.DeviceCode,
      deviceCode: started.deviceCode!
    })
  })

interface LiveCell {
  readonly label: string
  readonly fault: Emulator.Fault
  readonly count: number | undefined
  readonly expected: ((operation: LiveOperation) => ExpectedError) | undefined
  readonly requests: number
  /** The client's per-attempt timeout. */
  readonly timeoutMillis: number
  /** Wall-clock bound, ms, with slack for a loaded machine. */
  readonly boundMillis: number
}

const liveCells: ReadonlyArray<LiveCell> = [
  {
    label: "connection reset once",
    fault: Emulator.Fault.reset(),
    count: 1,
    expected: undefined,
    requests: 2,
    timeoutMillis: live.timeoutMillis,
    boundMillis: 2_000
  },
  {
    label: "connection reset always",
    fault: Emulator.Fault.reset(),
    count: undefined,
    expected: (operation) => ({ _tag: "TransportError", fields: { operation, reason: "Transport" } }),
    requests: 1 + live.retries,
    timeoutMillis: live.timeoutMillis,
    boundMillis: 2_000
  },
  {
    label: "delay 1 s > 200 ms timeout, always",
    fault: Emulator.Fault.delay("1 second"),
    count: undefined,
    expected: (operation) => ({
      _tag: "TransportError",
      fields: { operation, reason: "Timeout", description: "no complete reply within 200ms" }
    }),
    requests: 1 + live.retries,
    timeoutMillis: live.shortTimeoutMillis,
    boundMillis: (1 + live.retries) * live.shortTimeoutMillis + liveBackoffMillis + 1_500
  },
  {
    // Through fetch, which would follow it (re-sending the secrets) unless told not to.
    label: "307 redirect to another host",
    fault: Emulator.Fault.redirect(307, `${redirectTarget}/steal`),
    count: undefined,
    expected: (operation) => ({
      _tag: "UnexpectedRedirect",
      fields: { operation, status: 307, locationOrigin: redirectTarget }
    }),
    requests: 1,
    timeoutMillis: live.timeoutMillis,
    boundMillis: 2_000
  },
  {
    label: "10 MiB body",
    fault: Emulator.Fault.hugeBody(10 * 1024 * 1024),
    count: undefined,
    expected: (operation) => ({
      _tag: "ResponseDecodeError",
      fields: { operation, status: 200, description: `the reply is larger than ${clientPolicy.maxReplyBytes} bytes` }
    }),
    requests: 1,
    timeoutMillis: live.timeoutMillis,
    boundMillis: 3_000
  }
]

describe("fault matrix — a real socket (Emulator.layer, FetchHttpClient, real time)", () => {
  for (const operation of ["RegisterClient", "StartDeviceAuthorization", "CreateToken"] as const) {
    for (const cell of liveCells) {
      const outcome = cell.expected === undefined ? "success" : cell.expected(operation)._tag
      it.live(`${operation} × ${cell.label} → ${outcome} (socket)`, () =>
        Effect.gen(function*() {
          const em = yield* Emulator.Emulator
          const call = yield* liveCall(operation)
          yield* em.setFaults([{ operation, fault: cell.fault, count: cell.count }])
          const before = (yield* em.counts)[operation]
          const started = Date.now()
          const exit = yield* Effect.exit(call)
          const elapsed = Date.now() - started
          expect(elapsed, "wall time").toBeLessThan(cell.boundMillis)
          if (cell.expected === undefined) {
            if (Exit.isFailure(exit)) expect.fail(Cause.pretty(exit.cause))
          } else {
            if (Exit.isSuccess(exit)) expect.fail("succeeded")
            expectTypedError((exit as Exit.Failure<unknown, unknown>).cause, cell.expected(operation))
            if (cell.label.startsWith("delay")) {
              expect(elapsed).toBeGreaterThanOrEqual((1 + live.retries) * live.shortTimeoutMillis)
            }
          }
          expect((yield* em.counts)[operation] - before).toBe(cell.requests)
        }).pipe(Effect.provide(served(cell.timeoutMillis))))
    }
  }
})
