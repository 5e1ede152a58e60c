/**
 * The CLI's HTTP client: `NodeSso.layerHttpClient` (proxy variables,
 * `AWS_CA_BUNDLE` or the profile's `ca_bundle`), watched so that a failure
 * can name the URL it was calling, and so that a person at a terminal is
 * told when a server keeps them waiting.
 *
 * @internal
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { Duration, Effect, Fiber, Layer } from "effect"
import * as NodeSso from "../node/NodeSso.js"
import * as SsoConfig from "../SsoConfig.js"
import { printable } from "./printable.js"

let last: string | undefined

/** `METHOD URL` of the last request sent, for the failure line. */
export const lastRequest = (): string | undefined => last

/** How long a request may go unanswered before the person is told. */
export const noticeAfter = Duration.seconds(3)

/**
 * `client`, recording each request, and calling `notice(origin)` once per
 * origin when a request has had no reply for `after`.
 */
export const watched = (
  client: HttpClient.HttpClient,
  notice: ((origin: string) => Effect.Effect<void>) | undefined,
  after: Duration.DurationInput = noticeAfter
): HttpClient.HttpClient => {
  const noticed = new Set<string>()
  return HttpClient.transform(client, (response, request) =>
    Effect.suspend(() => {
      last = `${request.method} ${request.url}`
      const origin = URL.parse(request.url)?.origin ?? request.url
      if (notice === undefined || noticed.has(origin)) return response
      const tell = Effect.sleep(after).pipe(
        Effect.zipRight(Effect.suspend(() => {
          if (noticed.has(origin)) return Effect.void
          noticed.add(origin)
          return notice(origin)
        }))
      )
      // Interruptible: a fiber forked in acquireUseRelease's (uninterruptible) acquire would
      // otherwise be too, and the release would wait the whole delay out.
      return Effect.acquireUseRelease(
        Effect.forkDaemon(Effect.interruptible(tell)),
        () => response,
        (fiber) => Fiber.interrupt(fiber)
      )
    }))
}

/** On a terminal: one line on stderr, first clearing a live status line the display may have drawn. */
const stderrNotice = (origin: string) =>
  Effect.sync(() => void process.stderr.write(`\r\x1b[Ksso-oidc: still waiting for ${printable(origin)}…\n`))

/** `ca_bundle` of the profile (`AWS_PROFILE`, else `default`, or `profile`), when the config file has one. */
const profileCaBundle = (profile: string | undefined) =>
  Effect.gen(function*() {
    const config = yield* SsoConfig.make()
    const file = yield* config.load
    const value = file.profiles.get(profile ?? (yield* defaultProfile))?.["ca_bundle"]
    return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined
  }).pipe(
    // No config file, or one the command does not need: no ca_bundle.
    Effect.orElseSucceed(() => undefined)
  )

const defaultProfile = Effect.sync(() => process.env.AWS_PROFILE || "default")

const proxyVariables = ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"]

/**
 * The CLI's HttpClient. With a proxy variable or a CA bundle
 * (`AWS_CA_BUNDLE`, which wins over the profile's `ca_bundle`, as in the
 * AWS CLI) it is `NodeSso.layerHttpClient`; without, the platform's
 * `node:http` client with a keep-alive agent: not `fetch`, whose first call
 * loads Node's own undici (20–80 ms before the first request), and not npm
 * undici either, which scripts/build.mjs keeps in a file loaded on use.
 */
export const httpClientLayer = (options: { readonly profile?: string | undefined } = {}) =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const fromEnv = process.env.AWS_CA_BUNDLE
      const caBundle = fromEnv !== undefined && fromEnv.trim() !== "" ? fromEnv : yield* profileCaBundle(options.profile)
      const proxied = proxyVariables.some((name) => (process.env[name] ?? "").trim() !== "")
      const watch = Layer.effect(
        HttpClient.HttpClient,
        Effect.map(HttpClient.HttpClient, (client) => watched(client, process.stderr.isTTY ? stderrNotice : undefined))
      )
      return watch.pipe(
        Layer.provide(
          proxied || caBundle !== undefined
            ? NodeSso.layerHttpClient(caBundle === undefined ? {} : { caBundle })
            : NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true })))
        )
      )
    })
  )
