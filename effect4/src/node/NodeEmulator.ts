/**
 * The emulator of `effect-sso-oidc/testing` served over real HTTP by Node,
 * on 127.0.0.1 only: for demos, for the AWS CLI and SDKs, for browsers.
 *
 * @since 0.2.0
 */
import type { ServeError } from "effect/http/HttpServerError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Http from "node:http"
import * as Emulator from "../testing/Emulator.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface LayerOptions extends Omit<Emulator.Options, "url"> {
  /** The TCP port on 127.0.0.1. Default 0: an ephemeral port (read it from `url`). */
  readonly port?: number | undefined
}

/**
 * The emulator served over HTTP on 127.0.0.1 only (never another interface),
 * on `port` or an ephemeral one; its `url` is `http://127.0.0.1:<port>`. The
 * server stops, closing every connection, when the layer's scope closes.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: LayerOptions = {}): Layer.Layer<Emulator.Emulator, ServeError> =>
  Layer.effect(
    Emulator.Emulator,
    Effect.gen(function*() {
      // Loaded here, not on import: the platform's Node server loads npm undici, which installs
      // itself as Node's global fetch dispatcher; an app that only imports `effect-sso-oidc/node`
      // keeps its own (test/NodeSso.http.test.ts).
      const NodeHttpServer = yield* Effect.promise(() => import("@effect/platform-node/NodeHttpServer"))
      const nodeServer = Http.createServer()
      const server = yield* NodeHttpServer.make(() => nodeServer, { port: options.port ?? 0, host: "127.0.0.1" })
      const port = server.address._tag === "UnixPathAddress" ? 0 : server.address.port
      const { port: _port, ...rest } = options
      const emulator = yield* Emulator.make({ ...rest, url: `http://127.0.0.1:${port}` })
      yield* server.serve(Emulator.toHttpApp(emulator))
      // Added after `serve`, so it runs before serve's own finalizer (a graceful `server.close`,
      // which would wait up to 20 s for open keep-alive connections): the layer's scope closes at once.
      yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
      return emulator
    })
  )
