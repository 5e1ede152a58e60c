/**
 * The Effect 4 worker of bench/memory.ts (read its header): the same
 * measurements against this edition's build (effect4/dist), run with Node 24
 * from this directory so that `effect` is v4. Prints one JSON line.
 *
 *   node --expose-gc --no-opt --no-sparkplug --no-maglev --no-flush-bytecode bench/memory.ts heap
 *   node bench/memory.ts scale
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import * as DeviceLogin from "../dist/DeviceLogin.js"
import * as SsoOidcClient from "../dist/SsoOidcClient.js"
import * as Emulator from "../dist/testing/Emulator.js"
import { VirtualClock } from "./memory-clock.ts"

const settings = {
  flows: Number(process.env.BENCH_MEMORY_FLOWS ?? 300),
  growthFlows: Number(process.env.BENCH_MEMORY_GROWTH_FLOWS ?? 50),
  polls: 100,
  reps: Number(process.env.BENCH_MEMORY_REPS ?? 3),
  scaleFlows: Number(process.env.BENCH_FLOWS ?? 10_000)
}

const interval = 5_000

/** The heap after full GCs with turns of the event loop between them (what was just interrupted settles there). */
const heap = async () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run with --expose-gc")
  // Until two readings in a row agree within 1 KB: what a stopped flow held can take a few rounds to go.
  let last = Number.POSITIVE_INFINITY
  for (let round = 0; round < 20; round++) {
    await new Promise<void>((resolve) => setTimeout(resolve, 1))
    gc()
    const used = process.memoryUsage().heapUsed
    if (round >= 2 && Math.abs(used - last) < 1024) return used
    last = used
  }
  return last
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

/** A server that keeps no state: every login registers, starts, and stays pending for good. */
const stateless = HttpClient.make((request) => {
  const path = new URL(request.url).pathname
  return Effect.succeed(HttpClientResponse.fromWeb(
    request,
    path === "/client/register"
      ? json(200, { clientId: "client", clientSecret: "secret", clientIdIssuedAt: 1, clientSecretExpiresAt: 4102444800 })
      : path === "/device_authorization"
      ? json(200, {
        deviceCode: "device-code",
        userCode: "ABCD-EFGH",
        verificationUri: "https://device.example/",
        expiresIn: 100_000_000,
        interval: interval / 1000
      })
      : json(400, { error: "authorization_pending", error_description: "pending" }, {
        "x-amzn-errortype": "AuthorizationPendingException"
      })
  ))
})

/** As bench/memory.ts: the two flows, and floors of Effect's own (a fiber asleep; one inside a span; a stream of one sleep). */
type Api = "login" | "stream" | "fiber" | "span" | "stream-floor"

const asleep = Effect.sleep("1000 days")

const flow = (api: Api, i: number): Effect.Effect<unknown, unknown, SsoOidcClient.SsoOidcClient> => {
  if (api === "fiber") return asleep
  if (api === "span") return Effect.useSpan("floor", () => asleep)
  if (api === "stream-floor") return Stream.runDrain(Stream.fromEffect(asleep))
  const options = { startUrl: `https://portal-${i % 10}.example/start` }
  return api === "stream" ? Stream.runDrain(DeviceLogin.deviceLogin(options)) : DeviceLogin.login(options)
}

/** The clock is the runtime's, not provided per flow. */
const runtimeOf = <A, E>(clock: VirtualClock, http: Layer.Layer<A, E>) =>
  ManagedRuntime.make(Layer.provideMerge(http, Layer.succeed(Clock.Clock, clock)))

const measureApi = async (api: Api) => {
  const clock = new VirtualClock()
  const runtime = runtimeOf(
    clock,
    SsoOidcClient.layer({ region: "us-east-1", endpoint: "https://oidc.example" }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, stateless))
    )
  )
  const fork = (count: number) =>
    runtime.runPromise(Effect.forEach(Array.from({ length: count }, (_, i) => i), (i) => Effect.forkDetach(flow(api, i))))
  const stop = async (fibers: ReadonlyArray<Fiber.Fiber<unknown, unknown>>) => {
    await runtime.runPromise(Effect.forEach(fibers, Fiber.interrupt, { discard: true }))
    await clock.advanceTo(clock.now + 1)
    // Nothing of the stopped flows may count in the next reading: not even their interrupted sleeps.
    clock.purge()
  }
  const polls = (count: number) => clock.advanceTo(clock.now + count * interval)
  // Warm-up: every function of a poll compiled before anything is measured (the JIT tiers are off).
  const warm = await fork(settings.growthFlows)
  await polls(10)
  await stop(warm)
  const waiting: Array<number> = []
  const afterPolls: Array<number> = []
  const growthPerPoll: Array<number> = []
  // Rep 0 is not counted: its readings include what V8 allocates the first time each path runs
  // (feedback vectors and the like: up to 3 KB per flow more than the reps after it, which agree).
  for (let rep = 0; rep <= settings.reps; rep++) {
    const counted = rep > 0
    // The few flows first: what the many leave behind for a while would count against the few.
    const base = await heap()
    const few = await fork(settings.growthFlows)
    await polls(1)
    const first = await heap()
    await polls(settings.polls)
    const last = await heap()
    if (counted) afterPolls.push((last - base) / settings.growthFlows)
    if (counted) growthPerPoll.push((last - first) / settings.polls / settings.growthFlows)
    await stop(few)

    const before = await heap()
    const fibers = await fork(settings.flows)
    await clock.advanceTo(clock.now + 1)
    if (counted) waiting.push(((await heap()) - before) / settings.flows)
    await stop(fibers)
  }
  await runtime.dispose()
  return { waiting, afterPolls, growthPerPoll }
}

/** As bench/memory.ts: one registration, every code approved 4 s after it was shown, all waiting at 1 s. */
const measureScale = async (flows: number) => {
  const clock = new VirtualClock()
  const runtime = runtimeOf(
    clock,
    SsoOidcClient.layer({ region: "us-east-1", endpoint: Emulator.inProcessUrl }).pipe(
      Layer.provideMerge(Emulator.layerInProcess({
        interval: Duration.millis(interval),
        autoApproveAfter: Duration.seconds(4),
        maxRecords: flows
      }))
    )
  )
  const { registration } = await runtime.runPromise(DeviceLogin.register({}))
  const start = performance.now()
  const fibers = await runtime.runPromise(
    Effect.forEach(
      Array.from({ length: flows }, (_, i) => i),
      (i) => Effect.forkDetach(DeviceLogin.login({ startUrl: `https://portal-${i % 10}.example/start`, registration }))
    )
  )
  await clock.advanceTo(1_000)
  const authorizations = await runtime.runPromise(Effect.flatMap(Effect.service(Emulator.Emulator), (emulator) => emulator.authorizations))
  await clock.advanceTo(60_000)
  const tokens = await runtime.runPromise(Effect.forEach(fibers, Fiber.join))
  const wallMs = performance.now() - start
  await runtime.dispose()
  return {
    flows,
    waiting: authorizations.filter((a) => a.status === "pending").length,
    authorized: tokens.length,
    wallMs
  }
}

const mode = process.argv[2] ?? "heap"
const result = mode === "scale"
  ? { scale: await measureScale(settings.scaleFlows) }
  : {
    edition: "Effect 4",
    node: process.version,
    settings: { flows: settings.flows, growthFlows: settings.growthFlows, polls: settings.polls, reps: settings.reps },
    login: await measureApi("login"),
    stream: await measureApi("stream"),
    floor: { fiber: await measureApi("fiber"), span: await measureApi("span"), stream: await measureApi("stream-floor") }
  }
process.stdout.write(`${JSON.stringify(result)}\n`)
