/**
 * A real browser against the emulator: headless Chromium (the Debian package
 * `chromium`, `/usr/bin/chromium`) driven by `playwright-core`, with our
 * client through `fetch`. The device flow's verification page, and the PKCE
 * flow's `/authorize` page followed by the redirect to the loopback callback.
 *
 * Without `/usr/bin/chromium` the browser tests are skipped, except under CI
 * (`CI` set), where a missing browser fails the suite.
 */
import { FetchHttpClient } from "effect/http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, type Scope, Stream } from "effect"
import { existsSync } from "node:fs"
import { type Browser, chromium, type Page } from "playwright-core"
import * as AuthorizationCodeLogin from "../src/AuthorizationCodeLogin.js"
import * as DeviceLogin from "../src/DeviceLogin.js"
import * as Emulator from "../src/testing/Emulator.js"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import * as NodeSso from "../src/node/NodeSso.js"

const executablePath = "/usr/bin/chromium"
const available = existsSync(executablePath)
const inCi = process.env["CI"] !== undefined && process.env["CI"] !== ""
const skipReason = `${executablePath} is not installed (apt-get install chromium); browser tests skipped`

const startUrl = "https://my-sso-portal.awsapps.com/start"
const timeout = 30_000

/** An error as plain data: chai's `inspect` can recurse without end on Effect's span-carrying errors. */
const plain = (u: unknown): unknown => JSON.parse(JSON.stringify(u))

/** Headless Chromium with a fresh profile, closed with the scope whatever happens. */
const launch: Effect.Effect<Browser, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() =>
    chromium.launch({
      executablePath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ]
    })
  ),
  (browser) => Effect.promise(() => browser.close())
)

/** A new page in its own context (fresh cookies and storage). */
const newPage = (browser: Browser): Effect.Effect<Page, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => browser.newContext().then((context) => context.newPage())),
    (page) => Effect.promise(() => page.context().close())
  )

/** The emulator on a real port and our client pointed at it through `fetch`. */
const served = Layer.unwrap(
  Effect.map(Emulator.Emulator, (emulator) =>
    SsoOidcClient.layer({ endpoint: emulator.url, region: "us-east-1", retry: false }))
).pipe(Layer.provide(FetchHttpClient.layer), Layer.provideMerge(NodeEmulator.layer({ port: 0 })), Layer.merge(NodeSso.layerLoopbackListener))

/** Opens the authorize URL, presses a button, and waits for the loopback callback page. */
const pressOnAuthorizePage = (page: Page, authorizeUrl: string, button: "approve" | "deny") =>
  Effect.promise(async () => {
    const shown = await page.goto(authorizeUrl)
    const title = await page.locator("h1").textContent()
    await Promise.all([
      page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback\?/),
      page.click(`button[value=${button}]`)
    ])
    return {
      status: shown?.status(),
      title,
      callbackUrl: page.url(),
      callbackText: await page.locator("body").innerText()
    }
  })

describe("Browser — headless Chromium against the emulator", () => {
  it.runIf(inCi)("Chromium is installed (required under CI)", () => {
    expect(available, `${executablePath} is missing; install it with apt-get install -y chromium`).toBe(true)
  })

  // Without Chromium outside CI, the three tests below are skipped and their names say why.

  it.live.skipIf(!available)(available ? "device flow: the person approves on the verification page; the login ends Authorized" : `device flow: the person approves on the verification page; the login ends Authorized (${skipReason})`, () =>
    Effect.gen(function*() {
      const browser = yield* launch
      const page = yield* newPage(browser)
      let approvedText = ""
      const events = yield* DeviceLogin.deviceLogin({ startUrl, scopes: ["sso:account:access"] }).pipe(
        Stream.tap((event) =>
          event._tag === "AwaitingUser"
            ? Effect.promise(async () => {
              await page.goto(event.verificationUriComplete ?? `${event.verificationUri}?user_code=${event.userCode}`)
              expect(await page.locator("dd.code").textContent()).toBe(event.userCode)
              await Promise.all([page.waitForURL(/\/device$/), page.click("button[value=approve]")])
              approvedText = await page.locator("main").innerText()
            })
            : Effect.void
        ),
        Stream.runCollect,
        Effect.map((chunk) => Array.from(chunk))
      )
      expect(approvedText).toContain("Request approved")
      const last = events[events.length - 1]!
      expect(last._tag).toBe("Authorized")
      if (last._tag === "Authorized") expect(Redacted.value(last.token.accessToken)).toMatch(/^aoa/)
      const em = yield* Emulator.Emulator
      expect((yield* em.authorizations).map((a) => a.status)).toEqual(["consumed"])
    }).pipe(Effect.scoped, Effect.provide(served)), timeout)

  it.live.skipIf(!available)(available ? "PKCE: approve on /authorize, Chromium follows the redirect to the loopback page, the login ends Authorized" : `PKCE: approve on /authorize, Chromium follows the redirect to the loopback page, the login ends Authorized (${skipReason})`, () =>
    Effect.gen(function*() {
      const browser = yield* launch
      const page = yield* newPage(browser)
      let visit: Effect.Success<ReturnType<typeof pressOnAuthorizePage>> | undefined
      const events = yield* AuthorizationCodeLogin.authorizationCodeLogin({ startUrl, timeout: "25 seconds" }).pipe(
        Stream.tap((event) =>
          event._tag === "AwaitingBrowser"
            ? Effect.map(pressOnAuthorizePage(page, event.authorizeUrl, "approve"), (result) => {
              visit = result
            })
            : Effect.void
        ),
        Stream.runCollect,
        Effect.map((chunk) => Array.from(chunk))
      )
      expect(events.map((e) => e._tag)).toEqual(["Registered", "AwaitingBrowser", "CodeReceived", "Authorized"])
      expect(visit!.status).toBe(200)
      expect(visit!.title).toBe("Authorize an application")
      const awaiting = events[1] as Extract<AuthorizationCodeLogin.AuthorizationCodeLoginEvent, { _tag: "AwaitingBrowser" }>
      expect(visit!.callbackUrl.startsWith(`${awaiting.redirectUri}?code=`)).toBe(true)
      expect(visit!.callbackText).toContain("You can close this tab")
      const authorized = events[3]!
      if (authorized._tag === "Authorized") expect(Redacted.value(authorized.token.accessToken)).toMatch(/^aoa/)
      const em = yield* Emulator.Emulator
      expect((yield* em.authorizationRequests).map((r) => r.status)).toEqual(["consumed"])
    }).pipe(Effect.scoped, Effect.provide(served)), timeout)

  it.live.skipIf(!available)(available ? "PKCE: deny on /authorize fails the login with AccessDenied" : `PKCE: deny on /authorize fails the login with AccessDenied (${skipReason})`, () =>
    Effect.gen(function*() {
      const browser = yield* launch
      const page = yield* newPage(browser)
      let visit: Effect.Success<ReturnType<typeof pressOnAuthorizePage>> | undefined
      const error = yield* AuthorizationCodeLogin.authorizationCodeLogin({ startUrl, timeout: "25 seconds" }).pipe(
        Stream.tap((event) =>
          event._tag === "AwaitingBrowser"
            ? Effect.map(pressOnAuthorizePage(page, event.authorizeUrl, "deny"), (result) => {
              visit = result
            })
            : Effect.void
        ),
        Stream.runDrain,
        Effect.flip
      )
      expect(plain(error)).toMatchObject({ _tag: "AccessDenied", error: "access_denied" })
      expect(visit!.callbackUrl).toMatch(/\?error=access_denied&error_description=.+&state=/)
      expect(visit!.callbackText).toContain("Sign-in failed")
      const em = yield* Emulator.Emulator
      expect((yield* em.counts).CreateToken).toBe(0)
      expect((yield* em.authorizationRequests).map((r) => r.status)).toEqual(["denied"])
    }).pipe(Effect.scoped, Effect.provide(served)), timeout)
})
