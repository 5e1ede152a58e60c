/**
 * DeviceLogin: the RFC 8628 polling rules as AWS applies them, the event
 * stream, registration reuse, cancellation and malformed replies — all in
 * virtual time (TestClock starts at 0 in every `it.effect`).
 *
 * Every scenario asserts the exact virtual time (ms) of every CreateToken
 * request. The client layer runs with `retry: false`, so the only retries are
 * the polling schedule's own.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Clock,
  Data,
  Duration,
  Effect,
  Exit,
  Fiber,
  Option,
  Random,
  Redacted,
  Ref,
  Schedule,
  Stream,
  Tracer
} from "effect"
import { TestClock } from "effect/testing"
import { DeviceLogin, SsoOidcError } from "../src/index.js"
import * as Mock from "../src/testing/ScriptedHttpClient.js"
import { withFixed } from "./utils/random.js"
import * as VirtualTime from "./utils/virtualTime.js"

// -----------------------------------------------------------------------------
// a scripted IAM Identity Center
// -----------------------------------------------------------------------------

const startUrl = "https://my-sso-portal.awsapps.com/start"
const CLIENT_SECRET = "client-secret-6a1fc0de"
const DEVICE_CODE = "device-code-93b2beef"
const ACCESS_TOKEN = "access-token-c04eface"
const REFRESH_TOKEN = "refresh-token-77d0cafe"
const ID_TOKEN = "id-token-5e5e5e5e"
const SECRETS = [CLIENT_SECRET, DEVICE_CODE, ACCESS_TOKEN, REFRESH_TOKEN, ID_TOKEN]

/** 90 days, as AWS answers. */
const registered = Mock.json({
  clientId: "client-1",
  clientSecret: CLIENT_SECRET,
  clientIdIssuedAt: 0,
  clientSecretExpiresAt: 7_776_000
})

const started = (fields: Record<string, unknown> = {}) =>
  Mock.json({
    deviceCode: DEVICE_CODE,
    userCode: "WDJB-MJHT",
    verificationUri: "https://device.sso.us-east-1.amazonaws.com/",
    verificationUriComplete: "https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT",
    expiresIn: 600,
    interval: 5,
    ...fields
  })

const granted = Mock.json({
  accessToken: ACCESS_TOKEN,
  refreshToken: REFRESH_TOKEN,
  idToken: ID_TOKEN,
  tokenType: "Bearer",
  expiresIn: 28_800
})

const pending = Mock.awsError("AuthorizationPendingException", {
  error: "authorization_pending",
  description: "Authorization is still pending"
})
const slowDown = Mock.awsError("SlowDownException", { error: "slow_down", description: "Client is polling too fast" })
const accessDenied = Mock.awsError("AccessDeniedException", {
  error: "access_denied",
  description: "The user denied the request"
})
const serverExpired = Mock.awsError("ExpiredTokenException", {
  error: "expired_token",
  description: "Device code has expired"
})
const invalidGrant = Mock.awsError("InvalidGrantException", { error: "invalid_grant", description: "Invalid grant" })
const invalidClient = Mock.awsError("InvalidClientException", {
  status: 401,
  error: "invalid_client",
  description: "Client secret expired"
})
const unauthorizedClient = Mock.awsError("UnauthorizedClientException", { error: "unauthorized_client" })
const internalServer = Mock.awsError("InternalServerException", { status: 500, error: "server_error" })
const badGateway = Mock.raw(502, "<html>502 Bad Gateway</html>")
const unavailable = Mock.raw(503, "")
/** Not a name CreateToken declares: a `ServiceError` with status 429. */
const throttled = Mock.awsError("ThrottlingException", { status: 429, error: "throttled", description: "Rate exceeded" })

type Replied = Mock.Reply | Effect.Effect<Mock.Reply>

interface Script {
  readonly register?: Replied
  readonly start?: Replied
  /** The reply to the n-th CreateToken (from 0), sent at virtual time `at`; an array repeats its last reply. */
  readonly token: ReadonlyArray<Replied> | ((n: number, at: number) => Replied)
}

const server = (script: Script) =>
  Effect.gen(function*() {
    const polls = yield* Ref.make(0)
    const { token } = script
    return yield* Mock.make((request): Replied => {
      switch (request.path) {
        case "/client/register":
          return script.register ?? registered
        case "/device_authorization":
          return script.start ?? started()
        case "/token":
          return Effect.flatMap(Ref.getAndUpdate(polls, (n) => n + 1), (n) => {
            const reply = typeof token === "function" ? token(n, request.at) : token[Math.min(n, token.length - 1)]!
            return Effect.isEffect(reply) ? reply : Effect.succeed(reply)
          })
        default:
          return Mock.json({ message: "not found" }, 404)
      }
    })
  })

/** The client over the mock, without the client's own retries. */
const clientLayer = (mock: Mock.ScriptedHttpClient) => Mock.clientLayer(mock, { retry: false })

const pathsOf = (mock: Mock.ScriptedHttpClient) => Effect.map(mock.requests, (all) => all.map((r) => r.path))
const tokenPolls = (mock: Mock.ScriptedHttpClient) =>
  Effect.map(mock.requests, (all) => all.filter((r) => r.path === "/token").map((r) => r.at))

const seconds = (...values: ReadonlyArray<number>) => values.map((s) => s * 1000)

/** A plain, comparable view of an event (durations and dates in ms, secrets unwrapped). */
const summary = DeviceLogin.DeviceLoginEvent.$match({
  Registered: (e) => ({ _tag: e._tag, clientId: e.registration.clientId, reused: e.reused }),
  AwaitingUser: (e) => ({
    _tag: e._tag,
    userCode: e.userCode,
    verificationUri: e.verificationUri,
    verificationUriComplete: e.verificationUriComplete,
    expiresAt: e.expiresAt.getTime()
  }),
  Pending: (e) => ({ _tag: e._tag, attempt: e.attempt, nextPollIn: Duration.toMillis(e.nextPollIn), reason: e.reason }),
  SlowedDown: (e) => ({ _tag: e._tag, attempt: e.attempt, interval: Duration.toMillis(e.interval) }),
  Authorized: (e) => ({
    _tag: e._tag,
    accessToken: Redacted.value(e.token.accessToken),
    expiresAt: e.token.expiresAt.getTime()
  })
})

interface Run {
  readonly exit: Exit.Exit<void, DeviceLogin.DeviceLoginError>
  readonly events: ReadonlyArray<DeviceLogin.DeviceLoginEvent>
  /** When the stream ended (ms since the run started: the virtual time in a test's first run). */
  readonly endedAt: number
  /** When each CreateToken request was sent (ms since the run started). */
  readonly polls: ReadonlyArray<number>
}

/**
 * Runs `deviceLogin` under TestClock, advancing `horizon` in one step, and
 * requires it to have ended by then.
 */
const runDeviceLogin = (
  mock: Mock.ScriptedHttpClient,
  options: Partial<DeviceLogin.DeviceLoginOptions> = {},
  horizon: Duration.Input = "3 hours"
) =>
  Effect.gen(function*() {
    const time = yield* VirtualTime.make
    const startedAt = yield* Clock.currentTimeMillis
    const events = yield* Ref.make<ReadonlyArray<DeviceLogin.DeviceLoginEvent>>([])
    const endedAt = yield* Ref.make(-1)
    const fiber = yield* DeviceLogin.deviceLogin({ startUrl, ...options }).pipe(
      Stream.runForEach((event) => Ref.update(events, (all) => [...all, event])),
      Effect.ensuring(Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(endedAt, now))),
      Effect.provide(clientLayer(mock)),
      time.watched,
      Effect.forkChild
    )
    yield* time.adjust(horizon)
    const exit = fiber.pollUnsafe()
    expect(exit, "the login should have ended").toBeDefined()
    const run: Run = {
      exit: exit!,
      events: yield* Ref.get(events),
      endedAt: (yield* Ref.get(endedAt)) - startedAt,
      polls: (yield* tokenPolls(mock)).map((at) => at - startedAt)
    }
    return run
  })

/** The typed failure of an exit; fails the test on success or on a defect. */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  expect(Cause.hasDies(exit.cause), `expected a typed failure, got ${Cause.pretty(exit.cause)}`).toBe(false)
  return Option.getOrThrow(Cause.findErrorOption(exit.cause))
}

const tagsOf = (events: ReadonlyArray<DeviceLogin.DeviceLoginEvent>) => events.map((e) => e._tag)

/** A registration as a token cache would hand it back. */
const cachedRegistration = (fields: Partial<DeviceLogin.Registration> = {}): DeviceLogin.Registration => ({
  clientId: "cached-client",
  clientSecret: Redacted.make("cached-secret"),
  clientIdIssuedAt: undefined,
  clientSecretExpiresAt: new Date(3600_000),
  scopes: ["sso:account:access"],
  region: "us-east-1",
  ...fields
})

// -----------------------------------------------------------------------------
// the interval
// -----------------------------------------------------------------------------

describe("DeviceLogin polling interval", () => {
  it.effect("interval absent → polls every 5 s, the first 5 s after the code is shown", () =>
    Effect.gen(function*() {
      const start = Mock.json({ deviceCode: DEVICE_CODE, userCode: "U", verificationUri: "https://v", expiresIn: 600 })
      const mock = yield* server({ start, token: [pending, pending, granted] })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(5, 10, 15))
      expect(tagsOf(run.events).at(-1)).toBe("Authorized")
      expect(Exit.isSuccess(run.exit)).toBe(true)
    }))

  it.effect("interval 0 → polls every 5 s", () =>
    Effect.gen(function*() {
      const mock = yield* server({ start: started({ interval: 0 }), token: [pending, pending, pending, granted] })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(5, 10, 15, 20))
      expect(Exit.isSuccess(run.exit)).toBe(true)
    }))

  it.effect("a given interval (2 s) is used as is", () =>
    Effect.gen(function*() {
      const mock = yield* server({ start: started({ interval: 2 }), token: [pending, pending, granted] })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(2, 4, 6))
    }))

  it.effect("a tiny fractional interval (0.001) polls once a second, never faster: 4 polls in 5 s, not a thousand", () =>
    Effect.gen(function*() {
      const mock = yield* server({ start: started({ interval: 0.001, expiresIn: 5 }), token: [pending] })
      const run = yield* runDeviceLogin(mock)
      // 1 s apart; none at 5 s, the deadline
      expect(run.polls).toEqual(seconds(1, 2, 3, 4))
      expect(failureOf(run.exit)._tag).toBe("ExpiredToken")
      expect(run.endedAt).toBe(5_000)
      const awaiting = run.events.filter(DeviceLogin.DeviceLoginEvent.$is("Pending"))
      expect(awaiting.map((e) => Duration.toMillis(e.nextPollIn))).toEqual([1000, 1000, 1000, 1000])
    }))

  it.effect("a fractional interval of at least 1 s is kept exactly (2.5 s), slow_down adding 5 s to it", () =>
    Effect.gen(function*() {
      const mock = yield* server({ start: started({ interval: 2.5 }), token: [pending, slowDown, pending, granted] })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual([2_500, 5_000, 12_500, 20_000])
      expect(Exit.isSuccess(run.exit)).toBe(true)
    }))

  it.effect("awaitToken given an authorization with a sub-second interval still waits 1 s before each poll", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const mock = yield* server({ token: [pending, pending, granted] })
      const fiber = yield* DeviceLogin.awaitToken({
        registration: {
          clientId: "client-1",
          clientSecret: Redacted.make("client-secret"),
          clientIdIssuedAt: new Date(0),
          clientSecretExpiresAt: new Date(7_776_000_000)
        },
        authorization: {
          deviceCode: Redacted.make("device-code"),
          userCode: "ABCD-EFGH",
          verificationUri: "https://device.sso.us-east-1.amazonaws.com/",
          verificationUriComplete: undefined,
          issuedAt: new Date(0),
          expiresAt: new Date(600_000),
          interval: Duration.millis(1)
        },
        startUrl
      }).pipe(Effect.provide(clientLayer(mock)), time.watched, Effect.forkChild)
      yield* time.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(yield* tokenPolls(mock)).toEqual(seconds(1, 2, 3))
    }))

  it.effect("the first poll is one interval after StartDeviceAuthorization returned (not when it was sent)", () =>
    Effect.gen(function*() {
      // The service takes 2 s to answer StartDeviceAuthorization.
      const mock = yield* server({
        start: Effect.as(Effect.sleep("2 seconds"), started({ interval: 3, expiresIn: 60 })),
        token: [pending, granted]
      })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(5, 8))
      const awaiting = run.events.find(DeviceLogin.DeviceLoginEvent.$is("AwaitingUser"))!
      // the deadline also counts from when the reply arrived
      expect(awaiting.expiresAt.getTime()).toBe(62_000)
    }))

  it.effect("the user approves at 17 s: interval 5 observes it at the first poll after, 20 s", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: (_, at) => (at >= 17_000 ? granted : pending) })
      const run = yield* runDeviceLogin(mock)
      // RFC minimum for a client obeying interval 5: polls at 5, 10, 15, 20 — 4 polls.
      expect(run.polls).toEqual(seconds(5, 10, 15, 20))
      expect(Exit.isSuccess(run.exit)).toBe(true)
    }))
})

// -----------------------------------------------------------------------------
// slow_down
// -----------------------------------------------------------------------------

describe("DeviceLogin slow_down", () => {
  it.effect("SlowDown adds 5 s to this and every later poll (5, 10, 20, 30)", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [pending, slowDown, pending, granted] })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(5, 10, 20, 30))
      expect(Exit.isSuccess(run.exit)).toBe(true)
    }))

  it.effect("SlowDown is cumulative and never decreases: each slow_down adds another 5 s", () =>
    Effect.gen(function*() {
      // interval 2: slow(→7) pending slow(→12) slow(→17) pending pending granted
      const mock = yield* server({
        start: started({ interval: 2 }),
        token: [slowDown, pending, slowDown, slowDown, pending, pending, granted]
      })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(2, 9, 16, 28, 45, 62, 79))
      expect(Exit.isSuccess(run.exit)).toBe(true)
    }))

  it.effect("a second slow_down adds another 5 s (interval 5: 5, 10, 20, 35, 50)", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [pending, slowDown, slowDown, pending, granted] })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(5, 10, 20, 35, 50))
    }))
})

// -----------------------------------------------------------------------------
// errors that stop polling
// -----------------------------------------------------------------------------

describe("DeviceLogin stops on every other error", () => {
  it.effect("access denied stops polling with a typed AccessDenied and no further request", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [pending, accessDenied, granted] })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(5, 10))
      const error = failureOf(run.exit)
      expect(error._tag).toBe("AccessDenied")
      expect(error).toBeInstanceOf(SsoOidcError.AccessDenied)
      expect((error as SsoOidcError.AccessDenied).error).toBe("access_denied")
      expect((error as SsoOidcError.AccessDenied).status).toBe(400)
      expect(run.endedAt).toBe(10_000)
    }))

  it.effect("a server ExpiredToken stops polling with the server's ExpiredToken", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [pending, pending, serverExpired, granted] })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(5, 10, 15))
      const error = failureOf(run.exit) as SsoOidcError.ExpiredToken
      expect(error._tag).toBe("ExpiredToken")
      // the service's, not the client-side deadline's (which has no status)
      expect(error.status).toBe(400)
      expect(error.requestId).toBe("7c1c1a52-0000-4000-8000-000000000000")
    }))

  it.effect("InvalidGrant stops polling", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [invalidGrant, granted] })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(5))
      expect(failureOf(run.exit)._tag).toBe("InvalidGrant")
    }))

  it.effect("InvalidClient (HTTP 401) stops polling", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [pending, slowDown, invalidClient, granted] })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(5, 10, 20))
      const error = failureOf(run.exit) as SsoOidcError.InvalidClient
      expect(error._tag).toBe("InvalidClient")
      expect(error.status).toBe(401)
    }))

  it.effect("UnauthorizedClient and an undeclared 400 error stop polling", () =>
    Effect.gen(function*() {
      const unknown400 = Mock.awsError("SomethingNewException", { error: "something_new" })
      for (const reply of [unauthorizedClient, unknown400]) {
        const mock = yield* server({ token: [pending, reply, granted] })
        const run = yield* runDeviceLogin(mock)
        expect(run.polls).toEqual(seconds(5, 10))
        expect(failureOf(run.exit)._tag).toBe(reply === unknown400 ? "ServiceError" : "UnauthorizedClient")
      }
    }))
})

// -----------------------------------------------------------------------------
// the client-side deadline
// -----------------------------------------------------------------------------

describe("DeviceLogin client-side deadline", () => {
  it.effect("no request is sent after the client-side deadline (expiresIn 30, interval 5, always pending)", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const mock = yield* server({ start: started({ expiresIn: 30, interval: 5 }), token: [pending] })
      const fiber = yield* DeviceLogin.deviceLogin({ startUrl }).pipe(
        Stream.runDrain,
        Effect.provide(clientLayer(mock)),
        time.watched,
        Effect.forkChild
      )
      yield* time.adjust("29999 millis")
      expect(fiber.pollUnsafe(), "still polling before the deadline").toBeUndefined()
      yield* time.adjust("1 millis")
      const exit = fiber.pollUnsafe()
      expect(exit, "ends exactly at the deadline").toBeDefined()
      const error = failureOf(exit!) as SsoOidcError.ExpiredToken
      expect(error._tag).toBe("ExpiredToken")
      expect(error.status).toBeUndefined()
      yield* time.adjust("1 day")
      expect((yield* pathsOf(mock)).filter((p) => p !== "/token")).toEqual(["/client/register", "/device_authorization"])
      // Exactly the polls before 30 s: at 30 s the device code has expired, so a
      // poll then is wasted (and races the deadline in real time).
      expect(yield* tokenPolls(mock)).toEqual(seconds(5, 10, 15, 20, 25))
    }))

  it.effect("the deadline holds after slow_downs (expiresIn 28, interval 5: 5, 10, 20)", () =>
    Effect.gen(function*() {
      const mock = yield* server({ start: started({ expiresIn: 28 }), token: [pending, slowDown, pending] })
      const run = yield* runDeviceLogin(mock)
      // the next poll would be at 30 s, after the 28 s deadline
      expect(run.polls).toEqual(seconds(5, 10, 20))
      expect(failureOf(run.exit)._tag).toBe("ExpiredToken")
      expect(run.endedAt).toBe(28_000)
    }))

  it.effect("a poll whose request hangs past the deadline is interrupted at the deadline", () =>
    Effect.gen(function*() {
      const interruptedAt = yield* Ref.make<number | undefined>(undefined)
      const hangs = Effect.never.pipe(
        Effect.onInterrupt(() => Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(interruptedAt, now)))
      )
      const mock = yield* server({
        start: started({ expiresIn: 12 }),
        token: (n) => (n === 0 ? pending : hangs)
      })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(5, 10))
      expect(failureOf(run.exit)._tag).toBe("ExpiredToken")
      expect(run.endedAt).toBe(12_000)
      expect(yield* Ref.get(interruptedAt)).toBe(12_000)
    }))

  it.effect("a hanging request is cut by the client's timeout and polling goes on", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const mock = yield* server({ token: (n) => (n === 0 ? Effect.never : n === 1 ? pending : granted) })
      const fiber = yield* DeviceLogin.login({ startUrl }).pipe(
        Effect.provide(Mock.clientLayer(mock, { retry: false, timeout: "10 seconds" })),
        withFixed([0]),
        time.watched,
        Effect.forkChild
      )
      yield* time.adjust("1 hour")
      const exit = fiber.pollUnsafe()
      expect(exit !== undefined && Exit.isSuccess(exit)).toBe(true)
      // 5: hangs until the 10 s timeout (15 s) → transient, back off 2 × 5 s → 25 → pending → 30
      expect(yield* tokenPolls(mock)).toEqual(seconds(5, 25, 30))
    }))
})

// -----------------------------------------------------------------------------
// transient failures
// -----------------------------------------------------------------------------

describe("DeviceLogin transient failures", () => {
  it.effect("a 5xx/429/transport burst backs off exponentially from the interval and the flow still succeeds", () =>
    Effect.gen(function*() {
      const replies = [pending, internalServer, badGateway, Mock.transportFailure(), throttled, pending, granted]
      // jitter fixed at its low end: waits are exactly interval · 2^k
      const mock = yield* server({ token: replies })
      const run = yield* runDeviceLogin(mock).pipe(withFixed([0]))
      // 5 pending → 10 (500) +10 → 20 (502) +20 → 40 (transport) +40 → 80 (429) +80→capped 60 → 140 pending → 145
      expect(run.polls).toEqual(seconds(5, 10, 20, 40, 80, 140, 145))
      expect(Exit.isSuccess(run.exit)).toBe(true)
      expect(run.events.map(summary).filter((e) => e._tag === "Pending")).toEqual([
        { _tag: "Pending", attempt: 1, nextPollIn: 5_000, reason: "authorization_pending" },
        { _tag: "Pending", attempt: 2, nextPollIn: 10_000, reason: "transient_error" },
        { _tag: "Pending", attempt: 3, nextPollIn: 20_000, reason: "transient_error" },
        { _tag: "Pending", attempt: 4, nextPollIn: 40_000, reason: "transient_error" },
        { _tag: "Pending", attempt: 5, nextPollIn: 60_000, reason: "transient_error" },
        { _tag: "Pending", attempt: 6, nextPollIn: 5_000, reason: "authorization_pending" }
      ])
    }))

  it.effect("the wait after k consecutive transient failures is within [interval·2^k, 1.2 × interval·2^k]", () =>
    Effect.gen(function*() {
      for (const seed of ["a", "b", "c", "d", "e"]) {
        const mock = yield* server({ token: [unavailable, unavailable, unavailable, pending, granted] })
        const run = yield* runDeviceLogin(mock).pipe(Random.withSeed(seed))
        expect(Exit.isSuccess(run.exit)).toBe(true)
        const gaps = run.polls.slice(1).map((at, i) => at - run.polls[i]!)
        expect(run.polls[0]).toBe(5_000)
        expect(gaps).toHaveLength(4)
        for (const [k, gap] of gaps.slice(0, 3).entries()) {
          const step = 5_000 * 2 ** (k + 1)
          expect(gap).toBeGreaterThanOrEqual(step)
          expect(gap).toBeLessThanOrEqual(step * 1.2)
        }
        expect(gaps[3]).toBe(5_000) // after pending: the interval again
      }
    }))

  it.effect("at the top of the jitter: waits are 1.2 × interval·2^k", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [internalServer, internalServer, pending, granted] })
      const run = yield* runDeviceLogin(mock).pipe(withFixed([1]))
      // 5 +12 → 17 +24 → 41 +5 → 46
      expect(run.polls).toEqual(seconds(5, 17, 41, 46))
    }))

  it.effect("deviceLogin's maxBackoff caps the transient backoff (never below the interval)", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [internalServer, internalServer, internalServer, granted] })
      const run = yield* runDeviceLogin(mock, { maxBackoff: "15 seconds" }).pipe(withFixed([0]))
      // 5 +10 → 15 +min(20, 15) → 30 +15 → 45
      expect(run.polls).toEqual(seconds(5, 15, 30, 45))
      expect(Exit.isSuccess(run.exit)).toBe(true)
    }))

  it.effect("the deadline still holds during a burst of transient failures", () =>
    Effect.gen(function*() {
      const mock = yield* server({ start: started({ expiresIn: 60 }), token: [internalServer] })
      const run = yield* runDeviceLogin(mock).pipe(withFixed([0]))
      // 5, 15, 35; the next (75) is after the 60 s deadline
      expect(run.polls).toEqual(seconds(5, 15, 35))
      expect(failureOf(run.exit)._tag).toBe("ExpiredToken")
      expect(run.endedAt).toBe(60_000)
    }))

  it.effect("transient failures never hot-loop: 10 minutes of 503s make few polls", () =>
    Effect.gen(function*() {
      const mock = yield* server({ start: started({ expiresIn: 600, interval: 1 }), token: [unavailable] })
      const run = yield* runDeviceLogin(mock).pipe(Random.withSeed("hot"))
      expect(failureOf(run.exit)._tag).toBe("ExpiredToken")
      // 1, +2, +4, +8, +16, +32, then at most every 60·1.2 s
      expect(run.polls.length).toBeLessThanOrEqual(16)
      for (let i = 1; i < run.polls.length; i++) {
        expect(run.polls[i]! - run.polls[i - 1]!).toBeGreaterThanOrEqual(2_000)
      }
    }))
})

// -----------------------------------------------------------------------------
// interruption
// -----------------------------------------------------------------------------

describe("DeviceLogin interruption", () => {
  it.effect("interrupting the awaitToken fiber stops all requests at once", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const mock = yield* server({ token: [pending] })
      const authorization: DeviceLogin.DeviceAuthorization = {
        deviceCode: Redacted.make(DEVICE_CODE),
        userCode: "WDJB-MJHT",
        verificationUri: "https://device.sso.us-east-1.amazonaws.com/",
        verificationUriComplete: undefined,
        issuedAt: new Date(0),
        expiresAt: new Date(600_000),
        interval: Duration.seconds(5)
      }
      const fiber = yield* DeviceLogin.awaitToken({
        registration: cachedRegistration(),
        authorization,
        startUrl
      }).pipe(Effect.provide(clientLayer(mock)), time.watched, Effect.forkChild)
      yield* time.adjust("12 seconds")
      expect(yield* tokenPolls(mock)).toEqual(seconds(5, 10))
      yield* Fiber.interrupt(fiber)
      yield* time.adjust("1 hour")
      expect(yield* tokenPolls(mock)).toEqual(seconds(5, 10))
    }))

  it.effect("interrupting the deviceLogin fiber stops all requests, even one in flight", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const interruptedAt = yield* Ref.make<number | undefined>(undefined)
      const hangs = Effect.never.pipe(
        Effect.onInterrupt(() => Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(interruptedAt, now)))
      )
      const mock = yield* server({ token: (n) => (n < 2 ? pending : hangs) })
      const fiber = yield* DeviceLogin.deviceLogin({ startUrl }).pipe(
        Stream.runDrain,
        Effect.provide(clientLayer(mock)),
        time.watched,
        Effect.forkChild
      )
      yield* time.adjust("17 seconds")
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(interruptedAt)).toBe(17_000)
      yield* time.adjust("1 hour")
      expect(yield* tokenPolls(mock)).toEqual(seconds(5, 10, 15))
    }))

  it.effect("Stream.take(2) on deviceLogin: no CreateToken request is ever sent", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const mock = yield* server({ token: [pending] })
      const fiber = yield* DeviceLogin.deviceLogin({ startUrl }).pipe(
        Stream.take(2),
        Stream.runCollect,
        Effect.provide(clientLayer(mock)),
        time.watched,
        Effect.forkChild
      )
      yield* time.adjust("1 hour")
      const events = yield* Fiber.join(fiber)
      expect(tagsOf([...events])).toEqual(["Registered", "AwaitingUser"])
      expect(yield* pathsOf(mock)).toEqual(["/client/register", "/device_authorization"])
    }))

  it.effect("Stream.take(4) on deviceLogin: polling stops after the second poll", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const mock = yield* server({ token: [pending] })
      const fiber = yield* DeviceLogin.deviceLogin({ startUrl }).pipe(
        Stream.take(4),
        Stream.runCollect,
        Effect.provide(clientLayer(mock)),
        time.watched,
        Effect.forkChild
      )
      yield* time.adjust("1 hour")
      const events = yield* Fiber.join(fiber)
      expect(tagsOf([...events])).toEqual(["Registered", "AwaitingUser", "Pending", "Pending"])
      expect(yield* tokenPolls(mock)).toEqual(seconds(5, 10))
    }))
})

// -----------------------------------------------------------------------------
// tracing
// -----------------------------------------------------------------------------

interface RecordedSpan {
  readonly name: string
  readonly spanId: string
  readonly parentId: string | undefined
  exit: Exit.Exit<unknown, unknown> | undefined
}

/** A tracer that records each span's name, parent and end. */
const recordingTracer = () => {
  const spans: Array<RecordedSpan> = []
  const tracer = Tracer.make({
    span: ({ annotations, kind, links, name, parent, startTime }) => {
      const record: RecordedSpan = { name, spanId: `s${spans.length + 1}`, parentId: Option.getOrUndefined(Option.map(parent, (p) => p.spanId)), exit: undefined }
      spans.push(record)
      return {
        _tag: "Span",
        name,
        spanId: record.spanId,
        traceId: "t",
        parent,
        annotations,
        links: [...links],
        sampled: true,
        kind,
        status: { _tag: "Started", startTime },
        attributes: new Map(),
        attribute: () => {},
        event: () => {},
        addLinks: () => {},
        end: (_endTime, exit) => {
          record.exit = exit
        }
      } satisfies Tracer.Span
    }
  })
  return { spans, tracer }
}

describe("DeviceLogin tracing", () => {
  it.effect("every poll's CreateToken span is a child of DeviceLogin.awaitToken, which ends with the token", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const { spans, tracer } = recordingTracer()
      const mock = yield* server({ token: [pending, slowDown, pending, granted] })
      const events: Array<string> = []
      const fiber = yield* DeviceLogin.login({
        startUrl,
        onEvent: (event) => Effect.sync(() => events.push(event._tag))
      }).pipe(Effect.provide(clientLayer(mock)), Effect.withTracer(tracer), time.watched, Effect.forkChild)
      yield* time.adjust("1 hour")
      expect(Exit.isSuccess(yield* Fiber.await(fiber))).toBe(true)
      const awaiting = spans.filter((span) => span.name === "DeviceLogin.awaitToken")
      expect(awaiting).toHaveLength(1)
      const polls = spans.filter((span) => span.name === "SsoOidcClient.createToken")
      expect(polls).toHaveLength(4)
      expect(polls.map((span) => span.parentId)).toEqual(polls.map(() => awaiting[0]!.spanId))
      expect(awaiting[0]!.exit !== undefined && Exit.isSuccess(awaiting[0]!.exit)).toBe(true)
      expect(events).toEqual(["Registered", "AwaitingUser", "Pending", "SlowedDown", "Pending", "Authorized"])
    }))

  it.effect("interrupting a waiting login ends its DeviceLogin.awaitToken span, interrupted", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const { spans, tracer } = recordingTracer()
      const mock = yield* server({ token: [pending] })
      const fiber = yield* DeviceLogin.login({ startUrl }).pipe(
        Effect.provide(clientLayer(mock)),
        Effect.withTracer(tracer),
        time.watched,
        Effect.forkChild
      )
      yield* time.adjust("7 seconds")
      const awaiting = spans.find((span) => span.name === "DeviceLogin.awaitToken")
      expect(awaiting?.exit).toBeUndefined()
      yield* Fiber.interrupt(fiber)
      expect(awaiting?.exit !== undefined && Exit.hasInterrupts(awaiting.exit)).toBe(true)
      expect(yield* tokenPolls(mock)).toEqual(seconds(5))
    }))
})

// -----------------------------------------------------------------------------
// registration reuse
// -----------------------------------------------------------------------------

describe("DeviceLogin registration reuse", () => {
  it.effect("a registration valid for more than 15 minutes is reused: no RegisterClient, Registered.reused", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [granted] })
      const registration = cachedRegistration({ clientSecretExpiresAt: new Date((15 * 60 + 1) * 1000) })
      const run = yield* runDeviceLogin(mock, { registration, scopes: ["sso:account:access"] })
      expect(yield* pathsOf(mock)).toEqual(["/device_authorization", "/token"])
      expect(run.polls).toEqual(seconds(5))
      const first = run.events[0]!
      expect(first._tag).toBe("Registered")
      if (first._tag === "Registered") {
        expect(first.reused).toBe(true)
        expect(first.registration).toBe(registration)
      }
      const [start, token] = (yield* mock.requests).map((r) => r.json)
      expect(start).toMatchObject({ clientId: "cached-client", clientSecret: "cached-secret", startUrl })
      expect(token).toMatchObject({ clientId: "cached-client", clientSecret: "cached-secret", deviceCode: DEVICE_CODE })
    }))

  it.effect("scopes in another order and a registration without a region are still reused", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [granted] })
      const registration = cachedRegistration({ scopes: ["b", "a"], region: undefined })
      const run = yield* runDeviceLogin(mock, { registration, scopes: ["a", "b"] })
      expect(yield* pathsOf(mock)).toEqual(["/device_authorization", "/token"])
      expect(run.polls).toEqual(seconds(5))
    }))

  const registersAgain = (label: string, registration: DeviceLogin.Registration, scopes: ReadonlyArray<string>) =>
    it.effect(`registers again when ${label}`, () =>
      Effect.gen(function*() {
        const mock = yield* server({ token: [granted] })
        const run = yield* runDeviceLogin(mock, { registration, scopes })
        expect(yield* pathsOf(mock)).toEqual(["/client/register", "/device_authorization", "/token"])
        expect(run.polls).toEqual(seconds(5))
        const first = run.events[0]!
        expect(first._tag === "Registered" && first.reused).toBe(false)
        expect(first._tag === "Registered" && first.registration.clientId).toBe("client-1")
        const [register, start] = (yield* mock.requests).map((r) => r.json)
        expect(register).toMatchObject({ clientType: "public", scopes })
        expect(start).toMatchObject({ clientId: "client-1", clientSecret: CLIENT_SECRET })
      }))

  registersAgain("the registration has expired", cachedRegistration({ clientSecretExpiresAt: new Date(0) }), [
    "sso:account:access"
  ])
  registersAgain(
    "the registration expires in exactly 15 minutes",
    cachedRegistration({ clientSecretExpiresAt: new Date(15 * 60 * 1000) }),
    ["sso:account:access"]
  )
  registersAgain(
    "the registration expires within 15 minutes",
    cachedRegistration({ clientSecretExpiresAt: new Date(10 * 60 * 1000) }),
    ["sso:account:access"]
  )
  registersAgain("the scopes differ", cachedRegistration(), ["sso:account:access", "codewhisperer:completions"])
  registersAgain("the region differs", cachedRegistration({ region: "eu-west-1" }), ["sso:account:access"])

  /** A service that no longer knows `cached-client` (InvalidClient); `fresh` is what it says to the new client. */
  const forgetful = (fresh: Mock.Reply = started()) =>
    Mock.make((request): Mock.Reply => {
      switch (request.path) {
        case "/client/register":
          return registered
        case "/device_authorization":
          return request.json.clientId === "cached-client" ? invalidClient : fresh
        case "/token":
          return granted
        default:
          return Mock.json({ message: "not found" }, 404)
      }
    })

  it.effect("a reused registration the service no longer knows (InvalidClient) is replaced once: a second Registered, the login goes on", () =>
    Effect.gen(function*() {
      const mock = yield* forgetful()
      const registration = cachedRegistration()
      const run = yield* runDeviceLogin(mock, { registration, scopes: ["sso:account:access"] })
      expect(Exit.isSuccess(run.exit)).toBe(true)
      expect(yield* pathsOf(mock)).toEqual(["/device_authorization", "/client/register", "/device_authorization", "/token"])
      expect(run.events.map(summary)).toEqual([
        { _tag: "Registered", clientId: "cached-client", reused: true },
        { _tag: "Registered", clientId: "client-1", reused: false },
        expect.objectContaining({ _tag: "AwaitingUser", userCode: "WDJB-MJHT" }),
        expect.objectContaining({ _tag: "Authorized", accessToken: ACCESS_TOKEN })
      ])
      const [, register, start, token] = (yield* mock.requests).map((r) => r.json)
      expect(register).toMatchObject({ clientType: "public", scopes: ["sso:account:access"] })
      expect(start).toMatchObject({ clientId: "client-1", clientSecret: CLIENT_SECRET, startUrl })
      expect(token).toMatchObject({ clientId: "client-1", clientSecret: CLIENT_SECRET })
      // The first poll one interval after the code was shown, as always.
      expect(run.polls).toEqual(seconds(5))
    }))

  it.effect("a new registration the service also rejects ends the login with InvalidClient: one RegisterClient, no loop", () =>
    Effect.gen(function*() {
      const mock = yield* forgetful(invalidClient)
      const run = yield* runDeviceLogin(mock, { registration: cachedRegistration(), scopes: ["sso:account:access"] })
      expect(failureOf(run.exit)._tag).toBe("InvalidClient")
      expect(yield* pathsOf(mock)).toEqual(["/device_authorization", "/client/register", "/device_authorization"])
      expect(tagsOf(run.events)).toEqual(["Registered", "Registered"])
    }))

  it.effect("other failures of a reused registration's StartDeviceAuthorization do not register again", () =>
    Effect.gen(function*() {
      for (const reply of [unauthorizedClient, Mock.awsError("InvalidRequestException", { error: "invalid_request" })]) {
        const mock = yield* server({ start: reply, token: [granted] })
        // Valid for a day: each run advances the TestClock three hours.
        const registration = cachedRegistration({ clientSecretExpiresAt: new Date(24 * 3600_000) })
        const run = yield* runDeviceLogin(mock, { registration, scopes: ["sso:account:access"] })
        expect(Exit.isFailure(run.exit)).toBe(true)
        expect(yield* pathsOf(mock)).toEqual(["/device_authorization"])
      }
    }))

  it.effect("expiry is judged against Clock, not the wall clock (TestClock at 2024)", () =>
    Effect.gen(function*() {
      const now = Date.UTC(2024, 0, 1)
      yield* TestClock.setTime(now)
      const mock = yield* server({ token: [granted] })
      // 20 minutes left: reused
      yield* runDeviceLogin(mock, {
        registration: cachedRegistration({ clientSecretExpiresAt: new Date(now + 20 * 60 * 1000) }),
        scopes: ["sso:account:access"]
      })
      expect((yield* pathsOf(mock))[0]).toBe("/device_authorization")
      // 10 minutes left: registers again
      const mock2 = yield* server({ token: [granted] })
      yield* runDeviceLogin(mock2, {
        registration: cachedRegistration({ clientSecretExpiresAt: new Date(now + 10 * 60 * 1000) }),
        scopes: ["sso:account:access"]
      })
      expect((yield* pathsOf(mock2))[0]).toBe("/client/register")
    }))
})

// -----------------------------------------------------------------------------
// the event stream and the token
// -----------------------------------------------------------------------------

describe("DeviceLogin events", () => {
  it.effect("deviceLogin emits Registered, AwaitingUser, Pending/SlowedDown per poll, then Authorized", () =>
    Effect.gen(function*() {
      const mock = yield* server({
        // StartDeviceAuthorization answers at 2 s; the token reply arrives 1 s after the poll
        start: Effect.as(Effect.sleep("2 seconds"), started({ expiresIn: 600, interval: 5 })),
        token: [pending, slowDown, pending, Effect.as(Effect.sleep("1 second"), granted)]
      })
      const run = yield* runDeviceLogin(mock)
      expect(run.polls).toEqual(seconds(7, 12, 22, 32))
      expect(run.events.map(summary)).toEqual([
        { _tag: "Registered", clientId: "client-1", reused: false },
        {
          _tag: "AwaitingUser",
          userCode: "WDJB-MJHT",
          verificationUri: "https://device.sso.us-east-1.amazonaws.com/",
          verificationUriComplete: "https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT",
          expiresAt: 2_000 + 600_000
        },
        { _tag: "Pending", attempt: 1, nextPollIn: 5_000, reason: "authorization_pending" },
        { _tag: "SlowedDown", attempt: 2, interval: 10_000 },
        { _tag: "Pending", attempt: 3, nextPollIn: 10_000, reason: "authorization_pending" },
        { _tag: "Authorized", accessToken: ACCESS_TOKEN, expiresAt: 33_000 + 28_800_000 }
      ])
      expect(Exit.isSuccess(run.exit)).toBe(true)
      expect(run.endedAt).toBe(33_000)
    }))

  it.effect("the stream fails with the typed error when the server denies, after the events so far", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [pending, accessDenied] })
      const run = yield* runDeviceLogin(mock)
      expect(failureOf(run.exit)._tag).toBe("AccessDenied")
      // No event for the denying poll: it is not "pending".
      expect(run.events.map(summary)).toEqual([
        { _tag: "Registered", clientId: "client-1", reused: false },
        expect.objectContaining({ _tag: "AwaitingUser" }),
        { _tag: "Pending", attempt: 1, nextPollIn: 5_000, reason: "authorization_pending" }
      ])
    }))

  it.effect("the stream fails with the typed error of RegisterClient and StartDeviceAuthorization", () =>
    Effect.gen(function*() {
      const badScope = Mock.awsError("InvalidScopeException", { error: "invalid_scope" })
      const mock = yield* server({ register: badScope, token: [granted] })
      const run = yield* runDeviceLogin(mock)
      expect(failureOf(run.exit)._tag).toBe("InvalidScope")
      expect(run.events).toEqual([])
      const mock2 = yield* server({ start: invalidClient, token: [granted] })
      const run2 = yield* runDeviceLogin(mock2)
      expect(failureOf(run2.exit)._tag).toBe("InvalidClient")
      expect(tagsOf(run2.events)).toEqual(["Registered"])
      expect(yield* pathsOf(mock2)).toEqual(["/client/register", "/device_authorization"])
    }))

  it.effect("awaitToken returns the token with absolute expiresAt, the registration, region and startUrl", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const mock = yield* server({ token: [pending, Effect.as(Effect.sleep("1500 millis"), granted)] })
      const registration = cachedRegistration()
      const authorization: DeviceLogin.DeviceAuthorization = {
        deviceCode: Redacted.make(DEVICE_CODE),
        userCode: "WDJB-MJHT",
        verificationUri: "https://device.sso.us-east-1.amazonaws.com/",
        verificationUriComplete: undefined,
        issuedAt: new Date(0),
        expiresAt: new Date(600_000),
        interval: Duration.seconds(4)
      }
      const fiber = yield* DeviceLogin.awaitToken({ registration, authorization, startUrl }).pipe(
        Effect.provide(clientLayer(mock)),
        time.watched,
        Effect.forkChild
      )
      yield* time.adjust("1 minute")
      const token = yield* Fiber.join(fiber)
      expect(yield* tokenPolls(mock)).toEqual(seconds(4, 8))
      expect(Redacted.value(token.accessToken)).toBe(ACCESS_TOKEN)
      expect(Option.map(Option.fromNullishOr(token.refreshToken), Redacted.value)).toEqual(Option.some(REFRESH_TOKEN))
      expect(Option.map(Option.fromNullishOr(token.idToken), Redacted.value)).toEqual(Option.some(ID_TOKEN))
      expect(token.tokenType).toBe("Bearer")
      // received at 8 s + 1.5 s
      expect(token.expiresAt.getTime()).toBe(9_500 + 28_800_000)
      expect(token.registration).toBe(registration)
      expect(token.region).toBe("us-east-1")
      expect(token.startUrl).toBe(startUrl)
      const [first] = (yield* mock.requests).map((r) => r.json)
      expect(first).toEqual({
        clientId: "cached-client",
        clientSecret: "cached-secret",
        grantType: "urn:ietf:params:oauth:grant-type:device_code",
        deviceCode: DEVICE_CODE
      })
    }))

  it.effect("login returns the token and reports each event", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const mock = yield* server({ token: [pending, granted] })
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const fiber = yield* DeviceLogin.login({
        startUrl,
        onEvent: (event) => Ref.update(seen, (all) => [...all, event._tag])
      }).pipe(Effect.provide(clientLayer(mock)), time.watched, Effect.forkChild)
      yield* time.adjust("1 minute")
      const token = yield* Fiber.join(fiber)
      expect(Redacted.value(token.accessToken)).toBe(ACCESS_TOKEN)
      expect(token.expiresAt.getTime()).toBe(10_000 + 28_800_000)
      expect(yield* Ref.get(seen)).toEqual(["Registered", "AwaitingUser", "Pending", "Authorized"])
    }))

  it.effect("an onEvent that fails ends the login with its error: failing on Pending, no poll follows", () =>
    Effect.gen(function*() {
      const time = yield* VirtualTime.make
      const mock = yield* server({ token: [pending, pending, granted] })
      class Refused extends Data.TaggedError("Refused")<{ readonly at: string }> {}
      const fiber = yield* DeviceLogin.login({
        startUrl,
        onEvent: (event) => event._tag === "Pending" ? Effect.fail(new Refused({ at: event._tag })) : Effect.void
      }).pipe(Effect.provide(clientLayer(mock)), time.watched, Effect.forkChild)
      yield* time.adjust("1 minute")
      const exit = yield* Fiber.await(fiber)
      expect(failureOf(exit)).toEqual(new Refused({ at: "Pending" }))
      expect(yield* tokenPolls(mock)).toEqual(seconds(5))
    }))

  it.effect("secrets never appear in JSON.stringify or String of any event", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [pending, slowDown, internalServer, granted] })
      const run = yield* runDeviceLogin(mock).pipe(withFixed([0]))
      expect(tagsOf(run.events)).toEqual(["Registered", "AwaitingUser", "Pending", "SlowedDown", "Pending", "Authorized"])
      for (const event of run.events) {
        const printed = [JSON.stringify(event), String(event), `${event}`, JSON.stringify(Object.values(event))]
        for (const text of printed) {
          for (const secret of SECRETS) expect(text).not.toContain(secret)
        }
      }
    }))

  it.effect("secrets never appear in the printed failure of a login", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [pending, invalidGrant] })
      const run = yield* runDeviceLogin(mock)
      const printed = [Cause.pretty(Exit.isFailure(run.exit) ? run.exit.cause : Cause.empty), String(failureOf(run.exit))]
      for (const text of printed) {
        for (const secret of SECRETS) expect(text).not.toContain(secret)
      }
    }))
})

// -----------------------------------------------------------------------------
// malformed replies
// -----------------------------------------------------------------------------

describe("DeviceLogin with a bad server", () => {
  const expectDecodeError = (run: Run, operation: string) => {
    const error = failureOf(run.exit) as SsoOidcError.ResponseDecodeError
    expect(error._tag).toBe("ResponseDecodeError")
    expect(error.operation).toBe(operation)
    for (const secret of SECRETS) expect(error.message).not.toContain(secret)
  }

  it.effect("a StartDeviceAuthorization reply without deviceCode → ResponseDecodeError, no poll", () =>
    Effect.gen(function*() {
      const start = Mock.json({ userCode: "WDJB-MJHT", verificationUri: "https://v", expiresIn: 600, interval: 5 })
      const mock = yield* server({ start, token: [granted] })
      const run = yield* runDeviceLogin(mock)
      expectDecodeError(run, "StartDeviceAuthorization")
      expect(run.polls).toEqual([])
    }))

  it.effect("a RegisterClient reply without clientSecret → ResponseDecodeError", () =>
    Effect.gen(function*() {
      const register = Mock.json({ clientId: "client-1", clientIdIssuedAt: 0, clientSecretExpiresAt: 7_776_000 })
      const mock = yield* server({ register, token: [granted] })
      const run = yield* runDeviceLogin(mock)
      expectDecodeError(run, "RegisterClient")
      expect(yield* pathsOf(mock)).toEqual(["/client/register"])
      expect(run.polls).toEqual([])
    }))

  it.effect("a CreateToken 200 without accessToken → ResponseDecodeError, polling stops", () =>
    Effect.gen(function*() {
      const mock = yield* server({ token: [pending, Mock.json({ tokenType: "Bearer", expiresIn: 3600 }), granted] })
      const run = yield* runDeviceLogin(mock)
      expectDecodeError(run, "CreateToken")
      expect(run.polls).toEqual(seconds(5, 10))
    }))

  it.effect("a CreateToken 200 that is not JSON, or of the wrong shape → ResponseDecodeError", () =>
    Effect.gen(function*() {
      const wrongShape = Mock.json({ accessToken: 42, refreshToken: REFRESH_TOKEN })
      for (const reply of [Mock.raw(200, "<html>hello</html>"), wrongShape]) {
        const mock = yield* server({ token: [reply, granted] })
        const run = yield* runDeviceLogin(mock)
        expectDecodeError(run, "CreateToken")
        expect(run.polls).toEqual(seconds(5))
      }
    }))
})

// -----------------------------------------------------------------------------
// pollingSchedule on its own
// -----------------------------------------------------------------------------

describe("DeviceLogin.pollingSchedule", () => {
  const e = {
    pending: () => new SsoOidcError.AuthorizationPending({ error: "authorization_pending", status: 400 }),
    slowDown: () => new SsoOidcError.SlowDown({ error: "slow_down", status: 400 }),
    internal: () => new SsoOidcError.InternalServer({ error: "server_error", status: 500 }),
    transport: () =>
      new SsoOidcError.TransportError({ operation: "CreateToken", reason: "Transport", description: "reset" }),
    denied: () => new SsoOidcError.AccessDenied({ error: "access_denied", status: 400 }),
    invalidGrant: () => new SsoOidcError.InvalidGrant({ error: "invalid_grant", status: 400 })
  }

  /**
   * Retries a scripted effect (fails with each error in turn, then succeeds)
   * with the schedule; returns when each attempt ran, the schedule's
   * decisions, and the exit.
   */
  const drive = (
    errors: ReadonlyArray<SsoOidcError.CreateTokenError>,
    options: DeviceLogin.PollingOptions = {}
  ) =>
    Effect.gen(function*() {
      const startedAt = yield* Clock.currentTimeMillis
      const attempts = yield* Ref.make<ReadonlyArray<number>>([])
      const decisions = yield* Ref.make<ReadonlyArray<DeviceLogin.PollDecision>>([])
      const attempt = Effect.gen(function*() {
        const now = (yield* Clock.currentTimeMillis) - startedAt
        const n = (yield* Ref.getAndUpdate(attempts, (all) => [...all, now])).length
        if (n < errors.length) return yield* Effect.fail(errors[n]!)
        return "token"
      })
      const schedule = DeviceLogin.pollingSchedule(options).pipe(
        Schedule.tap((metadata) => Ref.update(decisions, (all) => [...all, metadata.output]))
      )
      const fiber = yield* Effect.forkChild(Effect.retry(attempt, schedule))
      yield* TestClock.adjust("1 day")
      const exit = fiber.pollUnsafe()!
      return { exit, attempts: yield* Ref.get(attempts), decisions: yield* Ref.get(decisions) }
    })

  it.effect("AuthorizationPending waits the interval (default 5 s)", () =>
    Effect.gen(function*() {
      const { attempts, decisions, exit } = yield* drive([e.pending(), e.pending()])
      expect(attempts).toEqual(seconds(0, 5, 10))
      expect(exit).toEqual(Exit.succeed("token"))
      expect(decisions.map((d) => [d.attempt, Duration.toMillis(d.interval), Duration.toMillis(d.nextPollIn), d.reason]))
        .toEqual([[1, 5000, 5000, "authorization_pending"], [2, 5000, 5000, "authorization_pending"]])
    }))

  it.effect("an interval under 1 s (1 ms, 0.4 s) means 1 s: polls are never closer than a second", () =>
    Effect.gen(function*() {
      expect((yield* drive([e.pending(), e.pending()], { interval: "1 millis" })).attempts).toEqual(seconds(0, 1, 2))
      expect((yield* drive([e.pending()], { interval: "400 millis" })).attempts).toEqual(seconds(0, 1))
      expect(Duration.toMillis(DeviceLogin.minimumInterval)).toBe(1000)
    }))

  it.effect("interval 0 means 5 s; a given interval is used as is", () =>
    Effect.gen(function*() {
      expect((yield* drive([e.pending()], { interval: 0 })).attempts).toEqual(seconds(0, 5))
      expect((yield* drive([e.pending()], { interval: "2 seconds" })).attempts).toEqual(seconds(0, 2))
    }))

  it.effect("SlowDown adds 5 s to this and every later wait", () =>
    Effect.gen(function*() {
      const { attempts, decisions } = yield* drive([e.pending(), e.slowDown(), e.pending(), e.slowDown(), e.pending()], {
        interval: "5 seconds"
      })
      expect(attempts).toEqual(seconds(0, 5, 15, 25, 40, 55))
      expect(decisions.map((d) => Duration.toMillis(d.interval))).toEqual([5000, 10000, 10000, 15000, 15000])
    }))

  it.effect("transient failures back off from the interval, then the interval resumes unchanged", () =>
    Effect.gen(function*() {
      const { attempts, decisions } = yield* drive(
        [e.internal(), e.transport(), e.pending(), e.internal(), e.pending()],
        { interval: "2 seconds" }
      ).pipe(withFixed([0]))
      // +4, +8, +2, +4 (the streak restarted), +2
      expect(attempts).toEqual(seconds(0, 4, 12, 14, 18, 20))
      expect(decisions.map((d) => d.reason)).toEqual([
        "transient_error",
        "transient_error",
        "authorization_pending",
        "transient_error",
        "authorization_pending"
      ])
      expect(decisions.every((d) => Duration.toMillis(d.interval) === 2000)).toBe(true)
    }))

  it.effect("the transient backoff is capped by maxBackoff", () =>
    Effect.gen(function*() {
      const burst = Array.from({ length: 5 }, e.internal)
      const { attempts } = yield* drive(burst, { interval: "5 seconds", maxBackoff: "30 seconds" }).pipe(
        withFixed([0])
      )
      // +10, +20, +30, +30, +30
      expect(attempts).toEqual(seconds(0, 10, 30, 60, 90, 120))
    }))

  it.effect("maxBackoff never shortens a wait below the interval", () =>
    Effect.gen(function*() {
      const { attempts } = yield* drive([e.internal(), e.internal()], { interval: "10 seconds", maxBackoff: "3 seconds" }).pipe(
        withFixed([0])
      )
      expect(attempts).toEqual(seconds(0, 10, 20))
    }))

  it.effect("maxBackoff is the largest wait, jitter included (documented: \"The largest wait\")", () =>
    Effect.gen(function*() {
      const burst = Array.from({ length: 4 }, e.internal)
      const { decisions } = yield* drive(burst, { interval: "5 seconds", maxBackoff: "30 seconds" }).pipe(
        withFixed([1])
      )
      for (const d of decisions) expect(Duration.toMillis(d.nextPollIn)).toBeLessThanOrEqual(30_000)
    }))

  it.effect("a non-continuing error stops the schedule at once", () =>
    Effect.gen(function*() {
      for (const stop of [e.denied(), e.invalidGrant()]) {
        const { attempts, exit } = yield* drive([e.pending(), stop, e.pending()])
        expect(attempts).toEqual(seconds(0, 5))
        expect(exit).toEqual(Exit.fail(stop))
      }
    }))

  // Effect 4 has no `Schedule.driver`; `Schedule.toStepWithSleep` is its stepper (the name is kept for parity).
  it.effect("Schedule.driver: pending, slow_down and a stop, step by step", () =>
    Effect.gen(function*() {
      const next = yield* Schedule.toStepWithSleep(DeviceLogin.pollingSchedule({ interval: "3 seconds" }))
      const step = (error: SsoOidcError.CreateTokenError) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.forkChild(Effect.result(next(error)))
          yield* TestClock.adjust("1 minute")
          return yield* Fiber.join(fiber)
        })
      const first = yield* step(e.pending())
      expect(first._tag).toBe("Success")
      expect(yield* Clock.currentTimeMillis).toBe(60_000)
      const second = yield* step(e.slowDown())
      expect(second._tag === "Success" && Duration.toMillis(second.success.interval)).toBe(8_000)
      // The end is `Cause.Done`, carrying the last decision.
      const third = yield* step(e.denied())
      expect(third._tag === "Failure" && Cause.isDone(third.failure)).toBe(true)
    }))
})
