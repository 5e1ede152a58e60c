/**
 * `NodeSso.layerHttpClient` on real sockets: the proxy variables through a
 * proxy of the test's own on 127.0.0.1, and `AWS_CA_BUNDLE` against a TLS
 * server with a self-signed certificate made by `openssl`.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, type Scope } from "effect"
import { execFile } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { NodeSso } from "effect-sso-oidc/node"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import * as Emulator from "../src/testing/Emulator.js"
import { proxy, selfSigned, tlsFront } from "./fixtures/net.js"

const env = (variables: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(variables))))

/** One RegisterClient call at `endpoint` through the layer (no retries, so a failure is the first one). */
const register = (endpoint: string, options: NodeSso.HttpClientOptions = {}) =>
  Effect.flatMap(SsoOidcClient.SsoOidcClient, (client) => client.registerClient({ clientName: "t", clientType: "public" })).pipe(
    Effect.provide(
      SsoOidcClient.layer({ region: "us-east-1", endpoint, retry: false }).pipe(Layer.provide(NodeSso.layerHttpClient(options)))
    )
  )

/** `f` with the emulator on a real port and a scope for the test's own servers. */
const withEmulator = <A, E>(f: (url: string) => Effect.Effect<A, E, Scope.Scope>) =>
  Effect.flatMap(Emulator.Emulator, (emulator) => Effect.scoped(f(emulator.url))).pipe(
    Effect.provide(NodeEmulator.layer({ port: 0 }))
  )

const run = promisify(execFile)

describe("NodeSso.layerHttpClient", () => {
  it.live("sends http requests through HTTP_PROXY, in absolute form", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const through = yield* proxy
        const reply = yield* register(url).pipe(env({ HTTP_PROXY: through.url }))
        expect(reply.clientId).toBeTypeOf("string")
        expect(through.forwarded).toEqual([`POST ${url}/client/register`])
      })
    ))

  it.live("reaches the hosts of NO_PROXY directly", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const through = yield* proxy
        yield* register(url).pipe(env({ HTTP_PROXY: through.url, NO_PROXY: "127.0.0.1" }))
        expect(through.forwarded).toEqual([])
      })
    ))

  it.live("reads the lower-case proxy variables first, as curl and undici do", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const lower = yield* proxy
        const upper = yield* proxy
        yield* register(url).pipe(env({ http_proxy: lower.url, HTTP_PROXY: upper.url }))
        expect(lower.forwarded).toHaveLength(1)
        expect(upper.forwarded).toEqual([])
      })
    ))

  it.live("trusts the certificates of AWS_CA_BUNDLE, and only those", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const certificate = selfSigned()
        const front = yield* tlsFront(certificate, url)
        const untrusted = yield* Effect.exit(register(front))
        expect(untrusted).toMatchObject(Exit.fail({ _tag: "TransportError", reason: "Transport" }))
        expect(String(Exit.isFailure(untrusted) && untrusted.cause)).toMatch(/self[- ]signed certificate/)
        const trusted = yield* register(front).pipe(env({ AWS_CA_BUNDLE: certificate.certFile }))
        expect(trusted.clientId).toBeTypeOf("string")
      })
    ))

  it.live("tunnels https through HTTPS_PROXY with CONNECT and checks the service's certificate against the bundle", () =>
    withEmulator((url) =>
      Effect.gen(function*() {
        const certificate = selfSigned()
        const front = yield* tlsFront(certificate, url)
        const through = yield* proxy
        const reply = yield* register(front, { caBundle: certificate.certFile, httpsProxy: through.url })
        expect(reply.clientId).toBeTypeOf("string")
        expect(through.forwarded).toEqual([`CONNECT ${new URL(front).host}`])
      })
    ))

  it.live("fails with CaBundleError naming the file when the bundle is missing or holds no certificate", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.exit(register("https://127.0.0.1:9", { caBundle: "/nonexistent/ca.pem" }))
      expect(missing).toMatchObject(Exit.fail({ _tag: "CaBundleError", path: "/nonexistent/ca.pem" }))
      const empty = join(selfSigned().certFile, "..", "empty.pem")
      writeFileSync(empty, "not a certificate\n")
      const notPem = yield* Effect.exit(register("https://127.0.0.1:9", { caBundle: empty }))
      expect(notPem).toMatchObject(
        Exit.fail({ _tag: "CaBundleError", path: empty, description: "the file holds no PEM certificate" })
      )
    }))
})

describe("the package root", () => {
  // npm undici installs its own global dispatcher when loaded, and with it every `fetch` of the app
  // (FetchHttpClient's too) runs on it: only NodeSso.layerHttpClient may load it, never the root.
  it("importing it loads no npm undici: the app's fetch keeps Node's own dispatcher", async () => {
    const { stdout } = await run(process.execPath, [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      "await import(process.argv[1]); process.stdout.write(String(globalThis[Symbol.for('undici.globalDispatcher.1')] === undefined))",
      fileURLToPath(new URL("../src/index.ts", import.meta.url))
    ])
    expect(stdout).toBe("true")
  }, 60_000)

  it("nor does importing effect-sso-oidc/node, which loads the Node server only when the emulator's layer is built", async () => {
    const script = [
      "await import(process.argv[1])",
      // Node 24's own node:http sets a dispatcher of Node's built-in undici: only npm's counts.
      "const dispatcher = () => globalThis[Symbol.for('undici.globalDispatcher.1')]",
      // Read before loading npm undici here, which installs its dispatcher when none is set.
      "const installed = dispatcher()",
      "const undici = await import('undici')",
      "const fromNpm = (d) => d !== undefined && d instanceof undici.Dispatcher",
      "const afterImport = fromNpm(installed)",
      // The control: the same check sees npm undici's dispatcher once one is installed.
      "undici.setGlobalDispatcher(new undici.Agent())",
      "process.stdout.write(JSON.stringify({ afterImport, control: fromNpm(dispatcher()) }))"
    ].join("\n")
    const { stdout } = await run(process.execPath, [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      script,
      fileURLToPath(new URL("../src/node.ts", import.meta.url))
    ])
    expect(JSON.parse(stdout)).toEqual({ afterImport: false, control: true })
  }, 60_000)
})
