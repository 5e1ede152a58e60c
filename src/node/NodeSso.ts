/**
 * What the root modules need from the platform on Node, in one layer: the
 * file system and paths (for `TokenCache.layer` and `SsoConfig.layer`), the
 * home directory when no variable names it, and the PKCE login's
 * {@link AuthorizationCodeLogin.LoopbackListener} on `node:http`, bound to
 * 127.0.0.1 only.
 *
 * @since 0.2.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Path from "@effect/platform/Path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { readFile } from "node:fs/promises"
import * as Http from "node:http"
import { homedir } from "node:os"
import * as AuthorizationCodeLogin from "../AuthorizationCodeLogin.js"
import { PlatformHomeDirectory } from "../internal/cache/home.js"

/** Longest request target the listener reads; a callback URL is well under 4 KiB. */
const maxHeaderSize = 16 * 1024

const text = (res: Http.ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8") => {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" })
  res.end(body)
}

/**
 * The PKCE loopback listener on `node:http`: 127.0.0.1, an ephemeral port.
 * A request whose target is not a valid URL is answered 400 here; nothing a
 * client sends can throw out of the request handler.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerLoopbackListener: Layer.Layer<AuthorizationCodeLogin.LoopbackListener> = Layer.succeed(
  AuthorizationCodeLogin.LoopbackListener,
  {
    listen: (onRequest) =>
      Effect.map(
        Effect.acquireRelease(
          Effect.async<Http.Server, AuthorizationCodeLogin.CallbackError>((resume) => {
            const server = Http.createServer({ maxHeaderSize }, (req, res) => {
              try {
                const target = URL.parse(req.url ?? "", "http://127.0.0.1")
                if (target === null) return text(res, 400, "bad request")
                const reply = onRequest({ method: req.method ?? "", path: target.pathname, query: target.searchParams })
                text(res, reply.status, reply.html, "text/html; charset=utf-8")
              } catch {
                if (!res.headersSent) text(res, 500, "internal error")
                else res.destroy()
              }
            })
            // Malformed HTTP is answered by Node with a 400 and the socket closed; never an 'error' event.
            server.on("clientError", (_error, socket) => {
              if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n")
              else socket.destroy()
            })
            server.once("error", (error) =>
              resume(Effect.fail(new AuthorizationCodeLogin.CallbackError({ description: error.message }))))
            server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
          }),
          (server) =>
            Effect.async<void>((resume) => {
              server.closeAllConnections()
              server.close(() => resume(Effect.void))
            })
        ),
        (server) => {
          const address = server.address()
          return { port: typeof address === "object" && address !== null ? address.port : 0 }
        }
      )
  }
)

/**
 * Node's file system, paths, home directory (`os.homedir()` when `HOME` and
 * its Windows equivalents are unset) and the PKCE loopback listener.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: Layer.Layer<FileSystem.FileSystem | Path.Path | AuthorizationCodeLogin.LoopbackListener> = Layer
  .mergeAll(
    NodeFileSystem.layer,
    NodePath.layer,
    layerLoopbackListener,
    Layer.succeed(PlatformHomeDirectory, homedir())
  )

/**
 * The CA bundle named by `caBundle` or `AWS_CA_BUNDLE` cannot be read, or
 * holds no PEM certificate.
 *
 * @since 0.2.0
 * @category errors
 */
export class CaBundleError extends Schema.TaggedError<CaBundleError>("effect-sso-oidc/CaBundleError")(
  "CaBundleError",
  { path: Schema.String, description: Schema.String }
) {
  override get message() {
    return `Cannot use the CA bundle ${this.path}: ${this.description}`
  }
}

/**
 * @since 0.2.0
 * @category models
 */
export interface HttpClientOptions {
  /**
   * A PEM file of the certificate authorities to trust, instead of Node's
   * bundled ones (as the AWS CLI's `--ca-bundle`). Default: `AWS_CA_BUNDLE`.
   */
  readonly caBundle?: string | undefined
  /** The proxy for `http:` URLs. Default: `http_proxy`, else `HTTP_PROXY`. */
  readonly httpProxy?: string | undefined
  /** The proxy for `https:` URLs. Default: `https_proxy`, else `HTTPS_PROXY`, else the `http:` proxy. */
  readonly httpsProxy?: string | undefined
  /** Hosts reached directly (`host`, `.domain`, `host:port`, `*`). Default: `no_proxy`, else `NO_PROXY`. */
  readonly noProxy?: string | undefined
}

/** A variable of the environment (through `Config`, so a `ConfigProvider` can redirect it); empty reads as unset. */
const variable = (...names: ReadonlyArray<string>): Effect.Effect<string | undefined> =>
  Effect.reduce(names, undefined as string | undefined, (found, name) =>
    found !== undefined
      ? Effect.succeed(found)
      : Config.string(name).pipe(
        Config.option,
        Effect.map((value) => Option.getOrUndefined(Option.filter(value, (text) => text.trim() !== ""))),
        Effect.orElseSucceed(() => undefined)
      ))

const readCaBundle = (path: string) =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (error) =>
      new CaBundleError({ path, description: error instanceof Error ? error.message : String(error) })
  }).pipe(
    Effect.filterOrFail(
      (pem) => pem.includes("-----BEGIN CERTIFICATE-----"),
      () => new CaBundleError({ path, description: "the file holds no PEM certificate" })
    )
  )

/**
 * An `HttpClient` on undici for the SSO OIDC client (and anything else),
 * with keep-alive connections, honouring the proxy variables
 * (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, also in lower case) through
 * undici's `EnvHttpProxyAgent`, and `AWS_CA_BUNDLE`: its certificates are
 * trusted instead of Node's bundled ones, for the service, through the
 * proxy tunnel, and for an `https:` proxy itself. `fetch` in Node honours
 * none of these.
 *
 * The HTTP client the docs show on Node: its kept-alive connections make a
 * call cost less CPU than the AWS SDK's (docs/benchmarks.md); the platform's
 * `NodeHttpClient.layer` opens a connection per call.
 *
 * undici is loaded when the layer is built, so importing this module costs
 * nothing until then. Its connections are closed with the layer's scope.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerHttpClient = (options: HttpClientOptions = {}): Layer.Layer<HttpClient.HttpClient, CaBundleError> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const caPath = options.caBundle ?? (yield* variable("AWS_CA_BUNDLE"))
    const ca = caPath === undefined ? undefined : yield* readCaBundle(caPath)
    const httpProxy = options.httpProxy ?? (yield* variable("http_proxy", "HTTP_PROXY"))
    const httpsProxy = options.httpsProxy ?? (yield* variable("https_proxy", "HTTPS_PROXY"))
    const noProxy = options.noProxy ?? (yield* variable("no_proxy", "NO_PROXY"))
    const [Undici, NodeHttpClient] = yield* Effect.promise(() =>
      Promise.all([
        // Node gives CommonJS exports by name; a bundle (esbuild's chunks) may give only `default`.
        import("undici").then((m) => ("EnvHttpProxyAgent" in m ? m : (m as unknown as { default: typeof m }).default)),
        import("@effect/platform-node/NodeHttpClient")
      ])
    )
    const tls = ca === undefined ? {} : { ca }
    const dispatcher = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new Undici.EnvHttpProxyAgent({
          // "" rather than undefined: undici would read process.env behind the Config read above.
          httpProxy: httpProxy ?? "",
          httpsProxy: httpsProxy ?? "",
          noProxy: noProxy ?? "",
          // Plain http is forwarded as curl does: many proxies allow CONNECT to port 443 only.
          proxyTunnel: false,
          connect: tls,
          requestTls: tls,
          proxyTls: tls
        })
      ),
      (dispatcher) => Effect.promise(() => dispatcher.destroy())
    )
    return Layer.succeed(HttpClient.HttpClient, NodeHttpClient.makeUndici(dispatcher))
  }))
