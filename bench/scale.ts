/**
 * Scale: N concurrent device logins in one process against the in-process
 * emulator, in virtual time (a heap-based virtual Clock: `TestClock` is
 * quadratic in the number of sleeping fibers). Reports the heap each waiting
 * flow holds on the client side (the emulator's own state per flow is
 * measured apart and subtracted) and the wall time of the whole run.
 * Run with `node --expose-gc --import tsx bench/scale.ts`.
 */
import { Duration, Effect, Fiber, Layer, ManagedRuntime, Stream } from "effect"
import { DeviceLogin, SsoOidcClient } from "effect-sso-oidc"
import { Emulator } from "effect-sso-oidc/testing"
import { VirtualClock } from "./virtual-clock.js"

const flows = Number(process.env.BENCH_FLOWS ?? 10_000)
/** `stream`: each flow consumes the `deviceLogin` stream; `login` (default): `DeviceLogin.login`. */
const api = process.env.BENCH_API === "stream" ? "stream" : "login"

const oneLogin = (i: number) => {
  const options = { startUrl: `https://portal-${i % 10}.example/start` }
  return api === "stream" ? Stream.runDrain(DeviceLogin.deviceLogin(options)) : DeviceLogin.login(options)
}

const heap = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}

export interface ScaleResult {
  readonly api: "login" | "stream"
  readonly flows: number
  readonly waiting: number
  readonly authorized: number
  readonly heapPerWaitingFlowBytes: number
  readonly emulatorHeapPerFlowBytes: number
  readonly wallMs: number
  readonly gcExposed: boolean
}

const runtimeOf = (clock: VirtualClock) =>
  ManagedRuntime.make(
    SsoOidcClient.layer({ region: "us-east-1", endpoint: Emulator.inProcessUrl }).pipe(
      Layer.provideMerge(Emulator.layerInProcess({ interval: Duration.seconds(5), autoApproveAfter: Duration.seconds(20) }))
    )
  ).pipe((runtime) => ({ runtime, run: <A, E>(effect: Effect.Effect<A, E, any>) => runtime.runPromise(Effect.withClock(effect, clock)) }))

/** Heap per flow of the emulator's state alone (a registration and an authorization per flow). */
const emulatorShare = async () => {
  const clock = new VirtualClock()
  const { run, runtime } = runtimeOf(clock)
  await run(Effect.void)
  const before = heap()
  await run(Effect.gen(function*() {
    const client = yield* SsoOidcClient.SsoOidcClient
    for (let i = 0; i < flows; i++) {
      const registration = yield* client.registerClient({ clientName: `c${i}`, clientType: "public" })
      yield* client.startDeviceAuthorization({
        clientId: registration.clientId!,
        clientSecret: registration.clientSecret!,
        startUrl: "https://portal.example/start"
      })
    }
  }))
  const after = heap()
  await runtime.dispose()
  return (after - before) / flows
}

export const runScale = async (): Promise<ScaleResult> => {
  const emulatorPerFlow = await emulatorShare()
  const clock = new VirtualClock()
  const { run, runtime } = runtimeOf(clock)
  await run(Effect.void)
  const start = performance.now()
  const before = heap()
  const fibers = await run(Effect.forEach(
    Array.from({ length: flows }, (_, i) => i),
    (i) => Effect.forkDaemon(Effect.withClock(oneLogin(i), clock))
  ))
  await clock.advanceTo(1) // every flow registered, authorized to start, and waiting for its first poll
  const waiting = await run(Effect.map(Emulator.Emulator, (e) => e.authorizations)).then((a) => run(a))
  const atWait = heap()
  await clock.advanceTo(Duration.toMillis(Duration.seconds(60)))
  const tokens = await run(Effect.forEach(fibers, Fiber.join))
  const wallMs = performance.now() - start
  await runtime.dispose()
  return {
    api,
    flows,
    waiting: waiting.filter((a) => a.status === "pending").length,
    authorized: tokens.length,
    heapPerWaitingFlowBytes: (atWait - before) / flows - emulatorPerFlow,
    emulatorHeapPerFlowBytes: emulatorPerFlow,
    wallMs,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function"
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runScale().then((result) => console.log(JSON.stringify(result, null, 2)))
}
