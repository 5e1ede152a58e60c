/**
 * The leak scan (issue #7): run logins and every operation, with injected
 * faults and service errors, while capturing everything an application could
 * print, persist or export —
 *
 * - every error's `.message`, `String(error)`, `JSON.stringify(error)`,
 *   `util.inspect(error)`, its stack, and `Cause.pretty(cause)`;
 * - Effect logs at Debug level (the app logs its errors, causes, results and
 *   login events with `Effect.logDebug`), rendered by the string, logfmt, JSON
 *   and structured loggers and by `util.inspect`;
 * - every span (a collecting `Tracer`): name, attributes, events (logs inside
 *   a span become events) and end status, the platform's `http.client` spans
 *   included —
 *
 * and assert that no secret appears in any of it: client secrets, access,
 * refresh and id tokens, device codes, PKCE code verifiers (and the other
 * sensitive inputs: assertion, subject token). The secret values come from the
 * emulator's views (`Redacted.value`) and from the inputs sent.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Chunk,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Logger,
  LogLevel,
  Option,
  Redacted,
  Stream,
  TestClock,
  Tracer
} from "effect"
import type * as Context from "effect/Context"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Util from "node:util"
import * as AuthorizationCodeLogin from "../src/AuthorizationCodeLogin.js"
import * as AwsCredentials from "../src/AwsCredentials.js"
import * as DeviceLogin from "../src/DeviceLogin.js"
import * as Emulator from "../src/testing/Emulator.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import * as SsoPortalClient from "../src/SsoPortalClient.js"
import { GrantType } from "../src/SsoOidcSchema.js"
import { type FaultSpec, faults } from "./fault-matrix.js"
import * as MockHttp from "../src/testing/ScriptedHttpClient.js"

const startUrl = "https://my-sso-portal.awsapps.com/start"

/** The fault matrix's fault (Effect-free data shared with the Effect 4 edition) as this edition's emulator fault. */
const emulatorFault = (spec: Pick<FaultSpec, "fault">): Emulator.Fault => spec.fault<Emulator.Fault>(Emulator.Fault)

// -----------------------------------------------------------------------------
// capture
// -----------------------------------------------------------------------------

/** A rendering of something an app could print or export, and where it came from. */
interface Text {
  readonly where: string
  readonly text: string
}

/** A span as a collecting tracer sees it. */
class RecordingSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId: string
  readonly traceId: string
  readonly sampled = true
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> }> = []
  readonly links: Array<Tracer.SpanLink>

  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind,
    id: number
  ) {
    this.status = { _tag: "Started", startTime }
    this.spanId = `span-${id}`
    this.traceId = parent._tag === "Some" ? parent.value.traceId : `trace-${id}`
    this.links = [...links]
  }

  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
  }

  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }

  event(name: string, _startTime: bigint, attributes?: Record<string, unknown>): void {
    this.events.push({ name, attributes: attributes ?? {} })
  }

  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }
}

/** Every way a value can be turned into text by an app or an exporter. */
const renderings = (value: unknown): ReadonlyArray<string> => {
  const out: Array<string> = []
  const attempt = (f: () => unknown) => {
    try {
      const text = f()
      if (typeof text === "string") out.push(text)
    } catch {
      // not renderable this way
    }
  }
  attempt(() => (typeof value === "string" ? value : JSON.stringify(value)))
  attempt(() => String(value))
  attempt(() => Util.inspect(value, { depth: 12 }))
  return out
}

/** Captures texts, logs and spans for one test. */
const makeCapture = () => {
  const texts: Array<Text> = []
  const spans: Array<RecordingSpan> = []
  let logs = 0
  let errors = 0
  const add = (where: string, text: string | undefined) => {
    if (text !== undefined) texts.push({ where, text })
  }
  const addAll = (where: string, value: unknown) => {
    for (const text of renderings(value)) add(where, text)
  }

  /** An error as an app would print it. */
  const error = (where: string, e: unknown) => {
    errors++
    if (e instanceof Error) {
      add(`${where} .message`, e.message)
      add(`${where} .stack`, e.stack)
    }
    add(`${where} String`, String(e))
    add(`${where} JSON`, JSON.stringify(e))
    add(`${where} inspect`, Util.inspect(e, { depth: 12 }))
  }

  /** A cause as an app would print it. */
  const cause = (where: string, c: Cause.Cause<unknown>) => {
    add(`${where} Cause.pretty`, Cause.pretty(c))
    add(`${where} Cause.pretty+causes`, Cause.pretty(c, { renderErrorCause: true }))
    for (const failure of Chunk.toReadonlyArray(Cause.failures(c))) error(`${where} failure`, failure)
    for (const defect of Chunk.toReadonlyArray(Cause.defects(c))) error(`${where} defect`, defect)
  }

  const logger = Logger.make((options) => {
    logs++
    const parts: ReadonlyArray<unknown> = Array.isArray(options.message) ? options.message : [options.message]
    add("log string", Logger.stringLogger.log(options))
    add("log logfmt", Logger.logfmtLogger.log(options))
    add("log json", Logger.jsonLogger.log(options))
    addAll("log structured", Logger.structuredLogger.log(options))
    for (const part of parts) addAll("log message", part)
    if (!Cause.isEmpty(options.cause)) cause(`log cause (of "${String(parts[0])}")`, options.cause)
  })

  let nextId = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const span = new RecordingSpan(name, parent, context, links, startTime, kind, nextId++)
      spans.push(span)
      return span
    },
    context: (f) => f()
  })

  /** The spans as an exporter would send them: names, attributes, events, status. */
  const spanTexts = (): ReadonlyArray<Text> => {
    const out: Array<Text> = []
    for (const span of spans) {
      out.push({ where: `span ${span.name} name`, text: span.name })
      for (const [key, value] of span.attributes) {
        for (const text of renderings(value)) out.push({ where: `span ${span.name} attribute ${key}`, text })
      }
      for (const event of span.events) {
        out.push({ where: `span ${span.name} event`, text: event.name })
        for (const [key, value] of Object.entries(event.attributes)) {
          for (const text of renderings(value)) out.push({ where: `span ${span.name} event attribute ${key}`, text })
        }
      }
      // The end status as OpenTelemetry exporters send it: on failure, `Cause.pretty` as the
      // status message and each error's name, message and stack as an exception event. (A
      // success value is not exported; the platform's `http.client` span ends with the
      // `HttpClientResponse`, whose request holds the body as sent.)
      if (span.status._tag === "Ended" && Exit.isFailure(span.status.exit)) {
        const cause = span.status.exit.cause
        out.push({ where: `span ${span.name} status`, text: Cause.pretty(cause) })
        for (const error of Cause.prettyErrors(cause)) {
          out.push({ where: `span ${span.name} exception`, text: `${error.name}: ${error.message}\n${error.stack ?? ""}` })
        }
      }
    }
    return out
  }

  /**
   * Runs `effect` as an app would: in a span of its own, logging the result,
   * or the error and the cause, at Debug. Never fails; returns the exit.
   */
  const observe = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.tap((value) => Effect.logDebug(`${label} succeeded`, value)),
      Effect.tapErrorCause((c) =>
        Effect.gen(function*() {
          cause(label, c)
          yield* Effect.logDebug(`${label} failed`, c)
          for (const failure of Chunk.toReadonlyArray(Cause.failures(c))) {
            yield* Effect.logDebug(`${label} failed`, failure)
            yield* Effect.logDebug(`${label} failed: ${failure instanceof Error ? failure.message : String(failure)}`)
            yield* Effect.annotateLogs(Effect.logDebug(`${label} failed (annotated)`), { error: failure })
          }
        })
      ),
      Effect.withSpan(`app.${label}`),
      Effect.exit
    )

  /** Provides the collecting logger (Debug level) and tracer. */
  const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Logger.withMinimumLogLevel(LogLevel.Debug),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Effect.withTracer(tracer)
    )

  return {
    texts,
    spans,
    observe,
    provide,
    logs: () => logs,
    errors: () => errors,
    all: (): ReadonlyArray<Text> => [...texts, ...spanTexts()]
  }
}

type Capture = ReturnType<typeof makeCapture>

// -----------------------------------------------------------------------------
// secrets and the scan
// -----------------------------------------------------------------------------

interface Secret {
  readonly label: string
  readonly value: string
}

const makeSecrets = () => {
  const secrets = new Map<string, Secret>()
  const add = (label: string, value: string | Redacted.Redacted<string> | undefined) => {
    if (value === undefined) return
    const plain = Redacted.isRedacted(value) ? Redacted.value(value) : value
    // Substring matching needs values that cannot occur by chance.
    expect(plain.length, `${label} is long enough to scan for`).toBeGreaterThanOrEqual(16)
    secrets.set(plain, { label, value: plain })
  }
  /** Every secret the emulator holds. */
  const fromEmulator = Effect.gen(function*() {
    const em = yield* Emulator.Emulator
    for (const registration of yield* em.registrations) add("client secret", registration.clientSecret)
    for (const token of yield* em.tokens) {
      add("access token", token.accessToken)
      add("refresh token", token.refreshToken)
    }
    for (const authorization of yield* em.authorizations) add("device code", authorization.deviceCode)
    for (const issued of yield* em.roleCredentials) {
      add("role secret access key", issued.secretAccessKey)
      add("role session token", issued.sessionToken)
    }
  })
  return { add, fromEmulator, list: () => [...secrets.values()] }
}

interface Leak {
  readonly secret: string
  readonly where: string
  readonly excerpt: string
}

/** Where any secret occurs in any captured text (with the secret masked in the excerpt). */
const scan = (texts: ReadonlyArray<Text>, secrets: ReadonlyArray<Secret>): ReadonlyArray<Leak> => {
  const leaks: Array<Leak> = []
  for (const { text, where } of texts) {
    for (const secret of secrets) {
      const at = text.indexOf(secret.value)
      if (at >= 0) {
        const excerpt = text.slice(Math.max(0, at - 80), at + secret.value.length + 40).split(secret.value).join(
          `<${secret.label}>`
        )
        leaks.push({ secret: secret.label, where, excerpt })
      }
    }
  }
  return leaks
}

/** The scan's verdict, with a summary of what was captured so a pass is not vacuous. */
const expectNoLeaks = (capture: Capture, secrets: ReadonlyArray<Secret>) => {
  const texts = capture.all()
  expect(secrets.length).toBeGreaterThan(0)
  expect(capture.logs()).toBeGreaterThan(0)
  expect(texts.length).toBeGreaterThan(0)
  const leaks = scan(texts, secrets)
  // Unique by secret kind and place, to keep a failure readable.
  const unique = [...new Map(leaks.map((leak) => [`${leak.secret} @ ${leak.where}`, leak])).values()]
  expect(unique).toEqual([])
}

// -----------------------------------------------------------------------------
// set-ups
// -----------------------------------------------------------------------------

/** Static AWS credentials for CreateTokenWithIAM (their secrets are scanned for too). */
const awsSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYLEAKSCANSECRETKEY"
const awsSessionToken = "IQoJb3JpZ2luX2VjELEAKSCANSESSIONTOKEN0123456789abcdef"
const credentials = AwsCredentials.layerStatic({
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: Redacted.make(awsSecretAccessKey)
})
const credentialsWithSessionToken = AwsCredentials.layerStatic({
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: Redacted.make(awsSecretAccessKey),
  sessionToken: Redacted.make(awsSessionToken)
})

const inProcess = (options: Emulator.Options = {}) =>
  Layer.mergeAll(
    SsoOidcClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1" }),
    SsoPortalClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1" })
  ).pipe(Layer.provideMerge(Emulator.layerInProcess(options)))

/** A unique, secret-looking value that never left this test except in a request. */
let counter = 0
const made = (prefix: string) => `${prefix}-${(++counter).toString().padStart(4, "0")}-${"s3cr3t".repeat(4)}`

/**
 * Runs `effect` forked and drives TestClock until it ends, sleep by sleep,
 * up to a day of virtual time. `TestClock.adjust` alone is not enough: it
 * counts a fiber that awaits a Promise as suspended, and SigV4's WebCrypto
 * (CreateTokenWithIAM) runs on libuv's thread pool, so on a busy machine the
 * signature arrives after `adjust` has returned and the retry's sleep that
 * follows would never come due. Here the clock only moves to a sleep that has
 * been registered, and while none is, real time passes until one is or the
 * effect ends.
 */
const driven = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const horizon = (yield* TestClock.currentTimeMillis) + Duration.toMillis("1 day")
    while (Option.isNone(yield* Fiber.poll(fiber))) {
      // The earliest sleep, exactly: backoff jitter makes fractional millis.
      const next = Chunk.reduce(yield* TestClock.sleeps(), Infinity, (min, at) => Math.min(min, at))
      if (next <= horizon) yield* TestClock.setTime(next)
      else yield* realPause
    }
    const exit = yield* Fiber.await(fiber)
    if (Exit.isFailure(exit)) expect.fail(`the scenario itself failed: ${Cause.pretty(exit.cause)}`)
    return (exit as Exit.Success<A, E>).value
  })

/** A few real milliseconds, for work off Effect's scheduler (WebCrypto) to finish. */
const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 2)))

/** Logs each login event as an app would, and acts on AwaitingUser. */
const runLogin = <R = never>(
  capture: Capture,
  label: string,
  options: DeviceLogin.DeviceLoginOptions,
  onAwaiting: (userCode: string) => Effect.Effect<void, unknown, R> = () => Effect.void
) =>
  capture.observe(
    label,
    DeviceLogin.deviceLogin(options).pipe(
      Stream.tap((event) => Effect.logDebug(`${label} event ${event._tag}`, event)),
      Stream.tap((event) =>
        event._tag === "AwaitingUser" ? Effect.orDie(onAwaiting(event.userCode)) : Effect.void
      ),
      Stream.runCollect,
      Effect.map(Chunk.toReadonlyArray)
    )
  )

const tokenOf = (exit: Exit.Exit<ReadonlyArray<DeviceLogin.DeviceLoginEvent>, unknown>) => {
  if (Exit.isFailure(exit)) return undefined
  const last = exit.value[exit.value.length - 1]
  return last?._tag === "Authorized" ? last.token : undefined
}

/**
 * Every operation once with `fault` in force on every operation, each request
 * carrying real secrets: StartDeviceAuthorization and CreateToken the client
 * secret, CreateToken a device code, a refresh token or a PKCE code verifier,
 * CreateTokenWithIAM an assertion, a subject token, a refresh token and a
 * code verifier (signed with static credentials), and the portal's four
 * operations the access token.
 */
const everyOperationWith = (
  capture: Capture,
  secrets: ReturnType<typeof makeSecrets>,
  fault: Pick<FaultSpec, "fault" | "count" | "label">
) =>
  Effect.gen(function*() {
    const em = yield* Emulator.Emulator
    const client = yield* SsoOidcClient.SsoOidcClient
    // Real secrets, made with no faults in force.
    const { clientId, clientSecret } = yield* client.registerClient({ clientName: "leak-scan", clientType: "public" })
    const first = yield* client.startDeviceAuthorization({ clientId: clientId!, clientSecret: clientSecret!, startUrl })
    yield* em.approve(first.userCode!)
    const issued = yield* client.createToken({
      clientId: clientId!,
      clientSecret: clientSecret!,
      grantType: GrantType.DeviceCode,
      deviceCode: first.deviceCode!
    })
    const second = yield* client.startDeviceAuthorization({ clientId: clientId!, clientSecret: clientSecret!, startUrl })
    yield* em.approve(second.userCode!)
    const codeVerifier = AuthorizationCodeLogin.makeCodeVerifier()
    const assertion = Redacted.make(made("assertion"))
    const subjectToken = Redacted.make(made("subject-token"))
    secrets.add("code verifier", codeVerifier)
    secrets.add("assertion", assertion)
    secrets.add("subject token", subjectToken)

    yield* em.setFaults([{ fault: emulatorFault(fault), count: fault.count }])
    const label = (op: string) => `${op} × ${fault.label}`
    yield* capture.observe(label("RegisterClient"), client.registerClient({ clientName: "leak-scan", clientType: "public" }))
    yield* capture.observe(
      label("StartDeviceAuthorization"),
      client.startDeviceAuthorization({ clientId: clientId!, clientSecret: clientSecret!, startUrl })
    )
    yield* capture.observe(
      label("CreateToken device_code"),
      client.createToken({
        clientId: clientId!,
        clientSecret: clientSecret!,
        grantType: GrantType.DeviceCode,
        deviceCode: second.deviceCode!
      })
    )
    yield* capture.observe(
      label("CreateToken refresh_token"),
      client.createToken({
        clientId: clientId!,
        clientSecret: clientSecret!,
        grantType: GrantType.RefreshToken,
        refreshToken: issued.refreshToken!
      })
    )
    yield* capture.observe(
      label("CreateToken authorization_code"),
      client.createToken({
        clientId: clientId!,
        clientSecret: clientSecret!,
        grantType: GrantType.AuthorizationCode,
        code: "an-authorization-code",
        redirectUri: AuthorizationCodeLogin.registeredRedirectUri,
        codeVerifier
      })
    )
    yield* capture.observe(
      label("CreateTokenWithIAM"),
      client.createTokenWithIam({
        clientId: "arn:aws:sso::123456789012:application/ssoins-1/apl-1",
        grantType: GrantType.JwtBearer,
        assertion,
        subjectToken,
        refreshToken: issued.refreshToken!,
        codeVerifier
      }).pipe(Effect.provide(credentials))
    )
    // The portal's operations, each request carrying the access token (Logout last: it revokes it).
    const portal = yield* SsoPortalClient.SsoPortalClient
    const accessToken = issued.accessToken!
    const [account] = Emulator.defaultAccounts
    yield* capture.observe(
      label("GetRoleCredentials"),
      portal.getRoleCredentials({ accessToken, accountId: account!.accountId, roleName: account!.roles[0]! })
    )
    yield* capture.observe(label("ListAccounts (stream)"), Stream.runCollect(portal.accounts(accessToken, { pageSize: 1 })))
    yield* capture.observe(
      label("ListAccountRoles"),
      portal.listAccountRoles({ accessToken, accountId: account!.accountId })
    )
    yield* capture.observe(label("Logout"), portal.logout({ accessToken }))
    yield* em.clearFaults
  })

// -----------------------------------------------------------------------------
// the scans
// -----------------------------------------------------------------------------

describe("leak scan — no secret in errors, logs or spans", () => {
  it.effect("device logins: approved, reused, denied, expired, transient faults while polling, unreadable reply", () => {
    const capture = makeCapture()
    const secrets = makeSecrets()
    return Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      yield* driven(Effect.gen(function*() {
        const first = yield* runLogin(capture, "login", { startUrl, scopes: ["sso:account:access"] })
        const token = tokenOf(first)
        expect(token).toBeDefined()
        // An app logs what it got (and a careless one the whole token).
        yield* Effect.logDebug("token", token)
        yield* Effect.logDebug(`token expires at ${token!.expiresAt.toISOString()}`, token!.accessToken)

        const reused = yield* runLogin(capture, "login-reused", {
          startUrl,
          scopes: ["sso:account:access"],
          registration: token!.registration
        })
        expect(Exit.isSuccess(reused)).toBe(true)

        const denied = yield* runLogin(capture, "login-denied", { startUrl }, (userCode) => em.deny(userCode))
        expect(Exit.isFailure(denied) && Cause.squash(denied.cause)).toMatchObject({ _tag: "AccessDenied" })

        const expired = yield* runLogin(
          capture,
          "login-expired",
          { startUrl },
          (userCode) => em.expireAuthorization(userCode)
        )
        expect(Exit.isFailure(expired) && Cause.squash(expired.cause)).toMatchObject({ _tag: "ExpiredToken" })

        yield* em.setFaults([
          { operation: "CreateToken", fault: Emulator.Fault.status(500, { errorName: "InternalServerException" }), count: 2 },
          { operation: "CreateToken", fault: Emulator.Fault.reset(), count: 1 },
          { operation: "CreateToken", fault: Emulator.Fault.delay("1 minute"), count: 1 },
          { operation: "CreateToken", fault: Emulator.Fault.status(429, { errorName: "ThrottlingException" }), count: 1 }
        ])
        const faulted = yield* runLogin(capture, "login-faults", { startUrl })
        expect(Exit.isSuccess(faulted)).toBe(true)

        yield* em.setFaults([{ operation: "CreateToken", fault: Emulator.Fault.wrongShape() }])
        const unreadable = yield* runLogin(capture, "login-unreadable", { startUrl })
        expect(Exit.isFailure(unreadable) && Cause.squash(unreadable.cause)).toMatchObject({ _tag: "ResponseDecodeError" })

        // Polls that run out the clock on transient errors end at the deadline.
        yield* em.setFaults([{ operation: "CreateToken", fault: Emulator.Fault.status(503) }])
        const deadline = yield* runLogin(capture, "login-deadline", { startUrl })
        expect(Exit.isFailure(deadline) && Cause.squash(deadline.cause)).toMatchObject({ _tag: "ExpiredToken" })
        yield* em.clearFaults
      }))
      yield* secrets.fromEmulator
      expect(secrets.list().filter((s) => s.label === "access token").length).toBeGreaterThanOrEqual(3)
      expect(capture.errors()).toBeGreaterThan(0)
      const names = new Set(capture.spans.map((span) => span.name))
      for (
        const name of [
          "SsoOidcClient.registerClient",
          "SsoOidcClient.startDeviceAuthorization",
          "SsoOidcClient.createToken",
          "DeviceLogin.awaitToken"
        ]
      ) expect(names.has(name), name).toBe(true)
      expect([...names].some((name) => name.startsWith("http.client"))).toBe(true)
      expect(capture.spans.some((span) => span.events.length > 0), "logs in spans became events").toBe(true)
      // The logs did carry the secrets' places, redacted.
      expect(capture.texts.some((t) => t.where === "log string" && t.text.includes("<redacted>"))).toBe(true)
      expectNoLeaks(capture, secrets.list())
    }).pipe(Effect.provide(inProcess({ autoApproveAfter: "5 seconds" })), capture.provide)
  })

  it.effect("every operation × every fault of the matrix (but an empty body), with secrets in every request", () => {
    const capture = makeCapture()
    const secrets = makeSecrets()
    // The ×10 bursts behave as "always" for one call, and one ×2 burst stands for the
    // success after retries; the rest cover every kind of reply. The empty body has a test of its own.
    const cases = faults.filter((fault) =>
      fault.id !== "empty-body" && !fault.id.endsWith("burst-10") &&
      (!fault.id.endsWith("burst-2") || fault.id === "503-burst-2")
    )
    return Effect.gen(function*() {
      yield* driven(Effect.forEach(cases, (fault) => everyOperationWith(capture, secrets, fault), { discard: true }))
      yield* secrets.fromEmulator
      secrets.add("AWS secret access key", awsSecretAccessKey)
      expect(capture.errors()).toBeGreaterThan(cases.length * 3)
      const names = new Set(capture.spans.map((span) => span.name))
      for (const method of ["getRoleCredentials", "listAccounts", "listAccountRoles", "logout"]) {
        expect(names.has(`SsoPortalClient.${method}`), method).toBe(true)
      }
      // Some faults still end in role credentials (a burst retried away): their secrets are scanned for too.
      expect(secrets.list().some((secret) => secret.label === "role session token")).toBe(true)
      expectNoLeaks(capture, secrets.list())
    }).pipe(Effect.provide(inProcess()), capture.provide)
    // Hundreds of calls in virtual time: about 20 s of CPU on a loaded 2-core machine.
  }, 120_000)

  it.effect("every operation × an empty 200 body, with secrets in every request", () => {
    const capture = makeCapture()
    const secrets = makeSecrets()
    const fault = faults.find((fault) => fault.id === "empty-body")!
    return Effect.gen(function*() {
      yield* driven(everyOperationWith(capture, secrets, fault))
      yield* secrets.fromEmulator
      expect(capture.errors()).toBeGreaterThanOrEqual(6)
      expectNoLeaks(capture, secrets.list())
    }).pipe(Effect.provide(inProcess()), capture.provide)
  })

  it.effect("service errors caused by secrets in the request: wrong secret, used or unknown codes and tokens, PKCE", () => {
    const capture = makeCapture()
    const secrets = makeSecrets()
    return Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const client = yield* SsoOidcClient.SsoOidcClient
      yield* driven(Effect.gen(function*() {
        const { clientId, clientSecret } = yield* client.registerClient({ clientName: "leak-scan", clientType: "public" })
        const wrongSecret = Redacted.make(made("wrong-client-secret"))
        const wrongDeviceCode = Redacted.make(made("wrong-device-code"))
        const wrongRefreshToken = Redacted.make(made("wrong-refresh-token"))
        const codeVerifier = AuthorizationCodeLogin.makeCodeVerifier()
        secrets.add("client secret (wrong)", wrongSecret)
        secrets.add("device code (wrong)", wrongDeviceCode)
        secrets.add("refresh token (wrong)", wrongRefreshToken)
        secrets.add("code verifier", codeVerifier)

        const expectTag = (exit: Exit.Exit<unknown, unknown>, tag: string) =>
          expect(Exit.isFailure(exit) && (Cause.squash(exit.cause) as { _tag: string })._tag).toBe(tag)

        expectTag(
          yield* capture.observe(
            "StartDeviceAuthorization wrong secret",
            client.startDeviceAuthorization({ clientId: clientId!, clientSecret: wrongSecret, startUrl })
          ),
          "InvalidClient"
        )
        const started = yield* client.startDeviceAuthorization({ clientId: clientId!, clientSecret: clientSecret!, startUrl })
        expectTag(
          yield* capture.observe(
            "CreateToken wrong secret",
            client.createToken({
              clientId: clientId!,
              clientSecret: wrongSecret,
              grantType: GrantType.DeviceCode,
              deviceCode: started.deviceCode!
            })
          ),
          "InvalidClient"
        )
        expectTag(
          yield* capture.observe(
            "CreateToken unknown client",
            client.createToken({
              clientId: "no-such-client-id",
              clientSecret: clientSecret!,
              grantType: GrantType.DeviceCode,
              deviceCode: started.deviceCode!
            })
          ),
          "InvalidClient"
        )
        expectTag(
          yield* capture.observe(
            "CreateToken pending",
            client.createToken({
              clientId: clientId!,
              clientSecret: clientSecret!,
              grantType: GrantType.DeviceCode,
              deviceCode: started.deviceCode!
            })
          ),
          "AuthorizationPending"
        )
        expectTag(
          yield* capture.observe(
            "CreateToken wrong device code",
            client.createToken({
              clientId: clientId!,
              clientSecret: clientSecret!,
              grantType: GrantType.DeviceCode,
              deviceCode: wrongDeviceCode
            })
          ),
          "InvalidGrant"
        )
        yield* em.approve(started.userCode!)
        const issued = yield* client.createToken({
          clientId: clientId!,
          clientSecret: clientSecret!,
          grantType: GrantType.DeviceCode,
          deviceCode: started.deviceCode!
        })
        expectTag(
          yield* capture.observe(
            "CreateToken used device code",
            client.createToken({
              clientId: clientId!,
              clientSecret: clientSecret!,
              grantType: GrantType.DeviceCode,
              deviceCode: started.deviceCode!
            })
          ),
          "InvalidGrant"
        )
        const refreshed = yield* capture.observe(
          "CreateToken refresh",
          client.createToken({
            clientId: clientId!,
            clientSecret: clientSecret!,
            grantType: GrantType.RefreshToken,
            refreshToken: issued.refreshToken!
          })
        )
        expect(Exit.isSuccess(refreshed)).toBe(true)
        expectTag(
          yield* capture.observe(
            "CreateToken used refresh token",
            client.createToken({
              clientId: clientId!,
              clientSecret: clientSecret!,
              grantType: GrantType.RefreshToken,
              refreshToken: issued.refreshToken!
            })
          ),
          "InvalidGrant"
        )
        expectTag(
          yield* capture.observe(
            "CreateToken unknown refresh token",
            client.createToken({
              clientId: clientId!,
              clientSecret: clientSecret!,
              grantType: GrantType.RefreshToken,
              refreshToken: wrongRefreshToken
            })
          ),
          "InvalidGrant"
        )
        expectTag(
          yield* capture.observe(
            "CreateToken PKCE",
            client.createToken({
              clientId: clientId!,
              clientSecret: clientSecret!,
              grantType: GrantType.AuthorizationCode,
              code: "an-authorization-code",
              redirectUri: AuthorizationCodeLogin.registeredRedirectUri,
              codeVerifier
            })
          ),
          "InvalidGrant"
        )
        // Input the schema refuses: nothing is sent, and the error names the member, not the value.
        expectTag(
          yield* capture.observe(
            "CreateToken invalid input",
            client.createToken({
              clientId: clientId!,
              clientSecret: codeVerifier,
              grantType: GrantType.AuthorizationCode,
              codeVerifier: Redacted.value(codeVerifier) as unknown as Redacted.Redacted<string>
            })
          ),
          "InvalidInput"
        )
      }))
      yield* secrets.fromEmulator
      expectNoLeaks(capture, secrets.list())
    }).pipe(Effect.provide(inProcess()), capture.provide)
  })

  it.effect("replies that carry secrets: wrong shapes, not JSON, too big, an id token, a whole login", () => {
    const capture = makeCapture()
    const secrets = makeSecrets()
    const s = (label: string) => {
      const value = made(label)
      secrets.add(label, value)
      return value
    }
    const refreshToken = s("refresh-token")
    const idToken = s("id-token")
    const accessToken = s("access-token")
    const clientSecret = s("client-secret")
    const deviceCode = s("device-code")
    const sentSecret = s("client-secret-sent")
    const sentDeviceCode = s("device-code-sent")
    const loginSecret = s("client-secret-login")
    const loginDeviceCode = s("device-code-login")
    const loginAccess = s("access-token-login")
    const loginRefresh = s("refresh-token-login")
    const loginId = s("id-token-login")
    const huge = s("access-token-huge")

    const replies: ReadonlyArray<readonly [string, "RegisterClient" | "StartDeviceAuthorization" | "CreateToken", MockHttp.Reply]> = [
      ["refreshToken secret, accessToken 42", "CreateToken", MockHttp.json({ refreshToken, accessToken: 42, idToken })],
      ["all right, with an id token", "CreateToken", MockHttp.json({ accessToken, refreshToken, idToken, expiresIn: 3600, tokenType: "Bearer" })],
      ["a bare JSON string", "CreateToken", MockHttp.json(accessToken)],
      ["an array", "CreateToken", MockHttp.json([accessToken, refreshToken])],
      ["nested", "CreateToken", MockHttp.json({ accessToken: { value: accessToken }, refreshToken: [refreshToken] })],
      ["not JSON", "CreateToken", MockHttp.raw(200, `accessToken=${accessToken}&refreshToken=${refreshToken}`)],
      ["truncated JSON", "CreateToken", MockHttp.raw(200, `{"accessToken":"${accessToken}","refreshToken":"${refreshToken}`)],
      ["over 1 MiB", "CreateToken", MockHttp.raw(200, JSON.stringify({ accessToken: huge.repeat(30_000) }))],
      ["clientSecret with clientId 42", "RegisterClient", MockHttp.json({ clientId: 42, clientSecret })],
      ["deviceCode with userCode 5", "StartDeviceAuthorization", MockHttp.json({ deviceCode, userCode: 5 })],
      [
        "an error reply that carries extra members",
        "CreateToken",
        MockHttp.awsError("InvalidGrantException", { error: "invalid_grant", extra: { refreshToken, accessToken } })
      ],
      ["an unknown error that carries extra members", "CreateToken", MockHttp.awsError("BrandNewException", { extra: { idToken } })]
    ]

    return Effect.gen(function*() {
      for (const [what, operation, reply] of replies) {
        const mock = yield* MockHttp.script([reply])
        const call = Effect.gen(function*() {
          const client = yield* SsoOidcClient.SsoOidcClient
          switch (operation) {
            case "RegisterClient":
              return yield* client.registerClient({ clientName: "leak-scan", clientType: "public" })
            case "StartDeviceAuthorization":
              return yield* client.startDeviceAuthorization({
                clientId: "client-id",
                clientSecret: Redacted.make(sentSecret),
                startUrl
              })
            case "CreateToken":
              return yield* client.createToken({
                clientId: "client-id",
                clientSecret: Redacted.make(sentSecret),
                grantType: GrantType.DeviceCode,
                deviceCode: Redacted.make(sentDeviceCode)
              })
          }
        })
        yield* capture.observe(`${operation} reply: ${what}`, call.pipe(Effect.provide(MockHttp.clientLayer(mock, { retry: false }))))
      }

      // A whole login whose replies carry every kind of secret, the id token included.
      const mock = yield* MockHttp.make((request) => {
        switch (request.path) {
          case "/client/register":
            return MockHttp.json({
              clientId: "client-id",
              clientSecret: loginSecret,
              clientIdIssuedAt: 0,
              clientSecretExpiresAt: 90 * 24 * 3600
            })
          case "/device_authorization":
            return MockHttp.json({
              deviceCode: loginDeviceCode,
              userCode: "BCDF-GHJK",
              verificationUri: "https://device.sso.us-east-1.amazonaws.com/",
              verificationUriComplete: "https://device.sso.us-east-1.amazonaws.com/?user_code=BCDF-GHJK",
              expiresIn: 600,
              interval: 1
            })
          default:
            return request.at < 3_000
              ? MockHttp.awsError("AuthorizationPendingException", { error: "authorization_pending" })
              : MockHttp.json({
                accessToken: loginAccess,
                refreshToken: loginRefresh,
                idToken: loginId,
                expiresIn: 3600,
                tokenType: "Bearer"
              })
        }
      })
      const login = yield* driven(
        runLogin(capture, "mock-login", { startUrl }).pipe(Effect.provide(MockHttp.clientLayer(mock)))
      )
      const token = tokenOf(login)
      expect(token && Redacted.value(token.idToken!)).toBe(loginId)
      yield* Effect.logDebug("logged in", token)
      expect(capture.errors()).toBeGreaterThanOrEqual(replies.length - 1)
      expectNoLeaks(capture, secrets.list())
    }).pipe(capture.provide)
  })

  it.effect("CreateTokenWithIAM signed with temporary AWS credentials: neither the secret key nor the session token", () => {
    const capture = makeCapture()
    const secrets = makeSecrets()
    return Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const assertion = Redacted.make(made("assertion"))
      secrets.add("assertion", assertion)
      secrets.add("AWS secret access key", awsSecretAccessKey)
      secrets.add("AWS session token", awsSessionToken)
      const exit = yield* capture.observe(
        "CreateTokenWithIAM",
        client.createTokenWithIam({
          clientId: "arn:aws:sso::123456789012:application/ssoins-1/apl-1",
          grantType: GrantType.JwtBearer,
          assertion
        }).pipe(Effect.provide(credentialsWithSessionToken))
      )
      // Whatever the emulator answers (it may or may not verify signatures): a typed outcome, never a defect.
      if (Exit.isFailure(exit)) expect(Cause.isDie(exit.cause)).toBe(false)
      expect(capture.spans.some((span) => span.name.startsWith("http.client"))).toBe(true)
      expectNoLeaks(capture, secrets.list())
    }).pipe(Effect.provide(inProcess()), capture.provide)
  })

  it.live("a 200 reply cut short in its body, with no content-length, over a real socket", () => {
    const capture = makeCapture()
    const secrets = makeSecrets()
    const clientSecret = made("client-secret")
    const deviceCode = made("device-code")
    const accessToken = made("access-token")
    secrets.add("client secret", clientSecret)
    secrets.add("device code", deviceCode)
    secrets.add("access token", accessToken)
    return Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.async<Http.Server>((resume) => {
          const server = Http.createServer((request, response) => {
            request.resume()
            request.on("end", () => {
              // Chunked: the client cannot know the length and reads the body as a stream.
              response.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": "req-cut-short" })
              response.write(`{"accessToken":"${accessToken}","tokenType":"Bearer"`)
              setTimeout(() => response.socket?.destroy(), 10)
            })
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) =>
          Effect.async<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const exit = yield* capture.observe(
        "CreateToken cut short",
        Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) =>
          client.createToken({
            clientId: "client-id",
            clientSecret: Redacted.make(clientSecret),
            grantType: GrantType.DeviceCode,
            deviceCode: Redacted.make(deviceCode)
          })).pipe(
            Effect.provide(
              SsoOidcClient.layer({ endpoint: url, region: "us-east-1", retry: false, timeout: "5 seconds" }).pipe(
                Layer.provide(FetchHttpClient.layer)
              )
            )
          )
      )
      expect(Exit.isFailure(exit) && (Cause.squash(exit.cause) as { _tag: string })._tag).toBe("TransportError")
      expectNoLeaks(capture, secrets.list())
    }).pipe(Effect.scoped, capture.provide)
  })

  it.live("an endpoint with a user name and password, through fetch: refused before any request, the password nowhere", () => {
    const capture = makeCapture()
    const secrets = makeSecrets()
    const password = made("endpoint-password")
    const userName = made("endpoint-user")
    const clientSecret = made("client-secret")
    const deviceCode = made("device-code")
    secrets.add("endpoint password", password)
    secrets.add("endpoint user name", userName)
    secrets.add("client secret", clientSecret)
    secrets.add("device code", deviceCode)
    return Effect.gen(function*() {
      let requests = 0
      const server = yield* Effect.acquireRelease(
        Effect.async<Http.Server>((resume) => {
          const server = Http.createServer((request, response) => {
            requests++
            request.resume()
            response.end()
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) =>
          Effect.async<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      const port = (server.address() as AddressInfo).port
      for (const endpoint of [`http://${userName}:${password}@127.0.0.1:${port}`, `https://${userName}:${password}@oidc.example.com`]) {
        const exit = yield* capture.observe(
          "CreateToken with credentials in the endpoint",
          Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) =>
            client.createToken({
              clientId: "client-id",
              clientSecret: Redacted.make(clientSecret),
              grantType: GrantType.DeviceCode,
              deviceCode: Redacted.make(deviceCode)
            })).pipe(
              Effect.provide(
                SsoOidcClient.layer({ endpoint, retry: false, timeout: "5 seconds" }).pipe(Layer.provide(FetchHttpClient.layer))
              )
            )
        )
        expect(Exit.isFailure(exit) && (Cause.squash(exit.cause) as { _tag: string })._tag).toBe("EndpointError")
      }
      expect(requests).toBe(0)
      expectNoLeaks(capture, secrets.list())
    }).pipe(Effect.scoped, capture.provide)
  })

  it.effect("the scan itself finds a secret that does leak (a control)", () => {
    const capture = makeCapture()
    const secrets = makeSecrets()
    return Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const registered = yield* client.registerClient({ clientName: "leak-scan", clientType: "public" })
      yield* secrets.fromEmulator
      // A careless app that unwraps the secret into a log line and a span attribute.
      yield* Effect.logDebug(`secret is ${Redacted.value(registered.clientSecret!)}`).pipe(
        Effect.zipRight(Effect.annotateCurrentSpan("secret", Redacted.value(registered.clientSecret!))),
        Effect.withSpan("careless")
      )
      const leaks = scan(capture.all(), secrets.list())
      const places = new Set(leaks.map((leak) => leak.where))
      expect(places.has("log string")).toBe(true)
      expect(places.has("log json")).toBe(true)
      expect(places.has("span careless event")).toBe(true)
      expect(places.has("span careless attribute secret")).toBe(true)
      expect(leaks.every((leak) => leak.secret === "client secret")).toBe(true)
    }).pipe(Effect.provide(inProcess()), capture.provide)
  })
})
