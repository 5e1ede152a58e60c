/**
 * Polls per login against the RFC minimum, for scripted approval times: the
 * user approves `t` seconds after the code is shown; with interval `i` the
 * fewest polls that can see the approval is max(1, ceil(t / i)) (the first
 * poll comes one interval after the code is shown). Both editions, each on
 * its built package and the in-process emulator, in virtual time.
 */
import { Duration, Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import { DeviceLogin, SsoOidcClient } from "effect-sso-oidc"
import { Emulator } from "effect-sso-oidc/testing"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Section } from "./lib.js"
import { node24 } from "./runtimes.js"

export interface PollsRow {
  readonly interval: number
  readonly approvedAfter: number
  readonly polls: number
  readonly minimum: number
}

const cases: ReadonlyArray<readonly [number, number]> = [1, 5].flatMap((interval) =>
  [0.5, 3, 7.5, 12.2, 31, 59.9, 121, 299, 590].map((t) => [interval, t] as const)
)

const scenario = (interval: number, approvedAfter: number) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    const fiber = yield* Effect.fork(DeviceLogin.login({ startUrl: "https://portal.example/start" }))
    yield* TestClock.adjust(Duration.seconds(approvedAfter + 10 * interval + 60))
    yield* Fiber.join(fiber)
    const [authorization] = yield* emulator.authorizations
    return {
      interval,
      approvedAfter,
      polls: authorization!.polls,
      minimum: Math.max(1, Math.ceil(approvedAfter / interval))
    }
  }).pipe(
    Effect.provide(
      SsoOidcClient.layer({ region: "us-east-1", endpoint: Emulator.inProcessUrl }).pipe(
        Layer.provideMerge(Emulator.layerInProcess({
          interval: Duration.seconds(interval),
          autoApproveAfter: Duration.millis(approvedAfter * 1000)
        }))
      )
    ),
    Effect.provide(TestContext.TestContext)
  )

const root = fileURLToPath(new URL("..", import.meta.url))

const effect4Rows = async (): Promise<ReadonlyArray<PollsRow>> =>
  JSON.parse(
    execFileSync(await node24(), ["--import", "tsx", "effect4/bench/polls.ts", JSON.stringify(cases)], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"]
    })
  )

export const run = async (): Promise<Section> => {
  const effect3 = await Effect.runPromise(Effect.forEach(cases, ([interval, t]) => scenario(interval, t)))
  const effect4 = await effect4Rows()
  const extra = (rows: ReadonlyArray<PollsRow>) => rows.reduce((sum, row) => sum + Math.max(0, row.polls - row.minimum), 0)
  const fewer = (rows: ReadonlyArray<PollsRow>) => rows.filter((row) => row.polls < row.minimum).length
  const extra3 = extra(effect3)
  const extra4 = extra(effect4)
  return {
    title: "Polls per login vs the RFC minimum",
    body: `The user approves \`t\` s after the code is shown; the fewest polls that can see the approval is
max(1, ⌈t / interval⌉) (RFC 8628 §3.5: one poll per interval, the first one interval after the code is shown).
Virtual time, in-process emulator, each edition's built package. Poll counts are exact: no spread.

| interval (s) | approved after (s) | RFC minimum | polls, Effect 3 | polls, Effect 4 |
|---|---|---|---|---|
${effect3.map((row, i) =>
      `| ${row.interval} | ${row.approvedAfter} | ${row.minimum} | ${row.polls} | ${effect4[i]?.polls ?? "—"} |`
    ).join("\n")}
`,
    goals: [{
      goal: "polls: exactly the RFC minimum",
      figure: `${extra3} / ${extra4} extra polls (Effect 3 / Effect 4) in ${cases.length} logins each`,
      met: extra3 === 0 && extra4 === 0 && fewer(effect3) === 0 && fewer(effect4) === 0 && effect4.length === cases.length
    }]
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then((section) => console.log(section.body, section.goals))
}
