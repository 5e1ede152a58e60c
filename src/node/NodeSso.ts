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
import type * as Path from "@effect/platform/Path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
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
