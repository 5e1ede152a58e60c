/**
 * The package as its users get it, for each edition (consumer.test.ts: the Effect 3 edition, the
 * root package; consumer.effect4.test.ts: the Effect 4 edition, effect4/): `npm pack` of the build
 * (once), installed from the tarball into fresh projects under the OS temp directory next to its
 * peers, then
 *
 * - a plain ESM app signs in with the device flow against the emulator on each Node the edition
 *   supports, Bun and Deno (the emulator served by `effect-sso-oidc/node` in its own process);
 * - every root namespace is its own entry point, the same module instance;
 * - a strict TypeScript consumer type-checks (nodenext, and bundler) against the shipped .d.ts, and
 *   the root alone type-checks for a browser with no @types/node;
 * - a browser bundle of the root pulls in no `node:` module and, run as it is, signs in (its size
 *   goes to .out/browser-bundle.json for the bench);
 * - publint and arethetypeswrong find nothing; npm installs exactly one copy of effect.
 *
 * Two projects: "root" holds the tarball, effect and @effect/platform only (what a browser or
 * fetch-only app installs: @effect/platform-node, an optional peer, must not be needed);
 * "node" adds @effect/platform-node and @types/node (the emulator server, the TypeScript check).
 * The runtimes come from the npm registry through scripts/runtimes.mjs.
 */
import { build, version as esbuildVersion } from "esbuild"
import type { BuildResult } from "esbuild"
import { spawn } from "node:child_process"
import { once } from "node:events"
import { existsSync } from "node:fs"
import { copyFile, mkdir, mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import * as Zlib from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ensureRuntime, runtimeEnv, runtimeNames } from "../../scripts/runtimes.mjs"
import type { RuntimeName } from "../../scripts/runtimes.mjs"
import * as H from "./harness.js"

/** What differs between the editions' consumer suites. */
export interface Edition {
  /** The suite's title, e.g. "the Effect 3 edition". */
  readonly name: string
  /** The package directory to pack. */
  readonly packageDir: string
  /** Its Effect-using fixtures, under test/consumer/fixtures/ (the Effect-free ones sit there directly). */
  readonly fixtures: string
  /** Out-file name prefix under test/consumer/.out/. */
  readonly outPrefix: string
  /** The peers installed next to the tarball in every project: npm name → [fallback range, version line]. */
  readonly peers: Readonly<Record<string, readonly [range: string, line: string]>>
  /** Installed in the "node" project only. */
  readonly nodePeers: Readonly<Record<string, readonly [range: string, line: string]>>
  /** The peer names the manifest declares, sorted, and the pattern each range must match. */
  readonly peerRanges: Readonly<Record<string, RegExp>>
  /** Whether the package ships the `sso-oidc` bin (one binary, built from the Effect 3 edition). */
  readonly bin: boolean
  /** The runtime that serves the emulator ("self" is this process's Node). */
  readonly serverRuntime: "self" | RuntimeName
  /** The runtimes the plain app signs in on ("self" is this process's Node). */
  readonly loginRuntimes: ReadonlyArray<"self" | RuntimeName>
  /** Where its @types/node version is read from (a package.json). */
  readonly typesNodeFrom: string
}

const runtimeLabels: Record<RuntimeName, string> = {
  node22: "Node 22",
  node24: "Node 24",
  bun: "Bun",
  deno: "Deno (node_modules as npm installed it)"
}
const expectedRuntime: Record<RuntimeName, string> = {
  node22: "node/22.23.5",
  node24: "node/24.22.3",
  bun: "bun/1.4.5",
  deno: "deno/2.9.6"
}

/** A devDependency's executable in the repository's node_modules/.bin. */
const bin = (name: string) => new URL(`../../node_modules/.bin/${name}`, import.meta.url).pathname

const startUrl = "https://consumer-test.awsapps.com/start"

/** The root's namespaces: those DESIGN.md §3 names, SsoToken (issue 10) and SsoPortalSchema (the portal's shapes). */
const rootModules = [
  "AuthorizationCodeLogin",
  "AwsCredentials",
  "DeviceLogin",
  "Endpoint",
  "SsoConfig",
  "SsoOidcClient",
  "SsoOidcError",
  "SsoOidcSchema",
  "SsoToken",
  "SsoTokenProvider",
  "TokenCache",
  "SsoCredentials",
  "SsoPortalClient",
  "SsoPortalError",
  "SsoPortalSchema"
]

export const consumerSuite = (edition: Edition): void => {
  let packed: H.Packed
  let versions: Record<string, string>
  let rootProject: H.Project
  let nodeProject: H.Project
  let runtimes: Record<RuntimeName, Promise<string>>
  const timings: Record<string, number> = {}

  /** The esbuild browser bundle of fixtures/browser.mjs, built once for the tests that need it. */
  let bundled: Promise<BuildResult<{ metafile: true; write: false }>> | undefined
  const browserBundle = () =>
    (bundled ??= build({
      absWorkingDir: rootProject.dir,
      entryPoints: ["browser.mjs"],
      bundle: true,
      platform: "browser",
      format: "esm",
      minify: true,
      write: false,
      metafile: true,
      logLevel: "silent",
      outfile: "bundle.mjs"
    }).catch((error: { errors?: unknown }) => {
      throw new Error(`esbuild failed: ${JSON.stringify(error.errors ?? error, null, 2)}`)
    }))

  const timed = async <A>(name: string, f: () => Promise<A>): Promise<A> => {
    const started = Date.now()
    try {
      return await f()
    } finally {
      timings[name] = Date.now() - started
    }
  }

  beforeAll(async () => {
    // The runtimes download while npm installs (each test awaits its own, so one failed download fails one test).
    runtimes = Object.fromEntries(
      runtimeNames.map((name) => {
        const promise = timed(`runtime ${name}`, () => ensureRuntime(name))
        promise.catch(() => {})
        return [name, promise]
      })
    ) as Record<RuntimeName, Promise<string>>

    packed = await timed("npm pack", () => H.pack(edition.packageDir))
    const peers = packed.manifest.peerDependencies ?? {}
    // The newest of each line that the package's peer range accepts (the line alone if the range is missing:
    // the manifest test then fails on its own).
    const wanted = Object.entries({ ...edition.peers, ...edition.nodePeers })
    const found = await timed("npm view", () =>
      Promise.all(wanted.map(([name, [range, line]]) => H.newestVersion(name, peers[name] ?? range, line))))
    versions = Object.fromEntries(wanted.map(([name], i) => [name, found[i]!]))
    versions["@types/node"] = JSON.parse(await H.readText(edition.typesNodeFrom)).version
    const spec = (name: string) => `${name}@${versions[name]}`

    const common = [packed.tarball, ...Object.keys(edition.peers).map(spec)]
    const fixture = (file: string, as = file) => [Path.join(edition.fixtures, file), as] as const
    ;[rootProject, nodeProject] = await Promise.all([
      timed("npm install (root project)", () =>
        H.makeProject(`${edition.outPrefix}root`, common, [
          fixture("app.mjs"),
          fixture("browser.mjs"),
          // Effect-free, so one copy serves both editions.
          ["modules.mjs", "modules.mjs"],
          fixture("browser.ts.txt", "browser.ts")
        ])),
      timed("npm install (node project)", () =>
        H.makeProject(
          `${edition.outPrefix}node`,
          [...common, ...Object.keys(edition.nodePeers).map(spec), spec("@types/node")],
          [fixture("server.mjs"), fixture("consumer.ts.txt", "consumer.ts")]
        ))
    ])
  }, 300_000)

  afterAll(async () => {
    console.log(`consumer setup timings, ${edition.name} (ms): ${JSON.stringify(timings)}`)
    await Promise.all([H.removeDir(packed?.dir), H.removeDir(rootProject?.dir), H.removeDir(nodeProject?.dir)])
  })

  describe.concurrent(`the packed package, installed from its tarball (${edition.name})`, { timeout: 120_000 }, () => {
    it("declares its entry points and peers as the contract says", () => {
      const { exports = {}, dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = packed.manifest
      for (const entry of [".", "./node", "./testing", "./package.json", ...rootModules.map((m) => `./${m}`)]) {
        expect(exports, `exports["${entry}"]`).toHaveProperty([entry])
      }
      // undici: only NodeSso.layerHttpClient (proxies, AWS_CA_BUNDLE) loads it; @effect/platform-node brings it.
      expect(Object.keys(peerDependencies).sort()).toEqual(Object.keys(edition.peerRanges).sort())
      for (const [peer, range] of Object.entries(edition.peerRanges)) expect(peerDependencies[peer], peer).toMatch(range)
      expect(peerDependenciesMeta["@effect/platform-node"]?.optional).toBe(true)
      expect(peerDependenciesMeta["undici"]?.optional).toBe(true)
      for (const peer of Object.keys(peerDependencies)) expect(dependencies, `dependency on ${peer}`).not.toHaveProperty([peer])
      // Compiled output, not sources: every entry's files are in dist/, with their .d.ts.
      for (const file of ["dist/index.js", "dist/index.d.ts", "dist/node.js", "dist/node.d.ts", "dist/testing.js", "dist/testing.d.ts"]) {
        expect(packed.files).toContain(file)
      }
    })

    it("installs with its optional peer left out: no @effect/platform-node next to a root-only app", async () => {
      expect(await H.installedCopies(rootProject.dir, "@effect/platform-node")).toEqual([])
      expect(await H.installedCopies(rootProject.dir, "effect-sso-oidc")).toHaveLength(1)
    })

    for (const project of ["root", "node"] as const) {
      it(`npm installs exactly one copy of effect (${project} project)`, async () => {
        const dir = project === "root" ? rootProject.dir : nodeProject.dir
        const ls = await H.run("npm", ["ls", "effect", "--all", "--json"], { cwd: dir })
        expect(ls.code, H.show(ls)).toBe(0)
        const tree = JSON.parse(ls.stdout) as LsNode
        expect(tree.problems ?? []).toEqual([])
        const found: Array<string> = []
        const walk = (node: LsNode, path: string) => {
          for (const [name, child] of Object.entries(node.dependencies ?? {})) {
            if (name === "effect") found.push(`${path}${name}@${child.version}`)
            walk(child, `${path}${name} > `)
          }
        }
        walk(tree, "")
        // npm ls names each place that needs effect: the root's own dependency and deduped references to it.
        expect(found.length, found.join("\n")).toBeGreaterThan(0)
        expect(new Set(found.map((entry) => entry.slice(entry.lastIndexOf("@")))), found.join("\n")).toEqual(
          new Set([`@${versions["effect"]}`])
        )
        // And on disk: one directory.
        expect(await H.installedCopies(dir, "effect")).toEqual([Path.join(dir, "node_modules/effect")])
      })
    }

    it("every root namespace is also its own entry point, the same module instance", async () => {
      const result = await H.run(process.execPath, ["modules.mjs"], { cwd: rootProject.dir })
      expect(result.code, H.show(result)).toBe(0)
      const { modules, version } = JSON.parse(result.stdout) as { modules: Array<string>; version: string }
      expect(version).toBe(packed.manifest.version)
      for (const name of rootModules) expect(modules).toContain(name)
      for (const name of modules) expect(rootModules, `unexpected root namespace ${name}`).toContain(name)
    })

    describe.concurrent("device login against the emulator (NodeEmulator.layer in its own process)", () => {
      let server: H.Server
      let url: string

      beforeAll(async () => {
        const node = edition.serverRuntime === "self" ? process.execPath : await runtimes[edition.serverRuntime]
        server = await H.startServer(node, ["server.mjs", "3 seconds"], { cwd: nodeProject.dir, timeout: 120_000 })
        url = (JSON.parse(server.firstLine) as { url: string }).url
      }, 150_000)

      afterAll(async () => {
        const exit = await server?.stop()
        // SIGTERM interrupts the main fiber: the server closes and exits on its own.
        expect(exit?.signal ?? null, server?.output()).toBe(null)
      })

      it("NodeEmulator.layer({ port: 0 }) serves on an ephemeral port of 127.0.0.1", () => {
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        expect(Number(new URL(url).port)).toBeGreaterThan(0)
      })

    // Only the Effect 3 edition ships the one `sso-oidc` binary.
    if (edition.bin) {
      it("the sso-oidc bin is self-contained: register-client from a root-only project (no @effect/cli, no @effect/platform-node)", async () => {
        const bin = Path.join(rootProject.dir, "node_modules/.bin/sso-oidc")
        const args = ["register-client", "--client-name", "consumer-cli", "--client-type", "public", "--endpoint-url", url, "--region", "us-east-1"]
        const result = await H.run(bin, args, { cwd: rootProject.dir, timeout: 120_000 })
        expect(result.code, H.show(result)).toBe(0)
        const reply = JSON.parse(result.stdout) as Record<string, unknown>
        expect(Object.keys(reply).sort(), H.show(result)).toEqual(["clientId", "clientIdIssuedAt", "clientSecret", "clientSecretExpiresAt"])
      })

      it("its login (a bundle of its own) reaches the user code, and hands a usage error to the whole CLI", async () => {
        const bin = Path.join(rootProject.dir, "node_modules/.bin/sso-oidc")
        const env = H.cleanEnv({ HOME: await mkdtemp(Path.join(tmpdir(), "consumer-home-")), NO_COLOR: "1" })
        const args = ["login", "--use-device-code", "--no-browser", "--start-url", `${url}/start`, "--endpoint-url", url, "--region", "us-east-1"]
        const login = spawn(bin, args, { cwd: rootProject.dir, env, stdio: ["ignore", "pipe", "pipe"] })
        let output = ""
        let stopped = false
        login.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          output += chunk
          // Once: a second SIGTERM kills the CLI at once (no exit code), as a second Ctrl-C does.
          if (!stopped && /confirm the code \S+/.test(output)) stopped = login.kill("SIGTERM")
        })
        login.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
        const timer = setTimeout(() => login.kill("SIGKILL"), 60_000)
        const [code] = (await once(login, "exit")) as [number | null]
        clearTimeout(timer)
        expect(output).toMatch(/confirm the code \S+/)
        expect(code, output).toBe(143)
        const usage = await H.run(bin, ["login", "--sso-session", "a", "--profile", "b"], { cwd: rootProject.dir, env })
        expect(usage.code, H.show(usage)).toBe(2)
        expect(usage.stderr.split("\n")[0], H.show(usage)).toContain("--sso-session and --profile each name a session")
      }, 120_000)
    }

    it("the minified browser bundle signs in too (run by Node from a directory with no node_modules)", async () => {
        const dir = Path.join(packed.dir, "bundle")
        await mkdir(dir, { recursive: true })
        await writeFile(Path.join(dir, "bundle.mjs"), (await browserBundle()).outputFiles[0]!.contents)
        await copyFile(Path.join(H.fixturesDir, "bundle-driver.mjs"), Path.join(dir, "bundle-driver.mjs"))
        const result = await H.run(process.execPath, ["bundle-driver.mjs", url], { cwd: dir, timeout: 120_000 })
        expect(result.code, H.show(result)).toBe(0)
        expect(result.stdout.trim(), H.show(result)).toBe(
          "bundle login ok tokenType=Bearer accessToken=<redacted> events=Registered,AwaitingUser,Pending,Authorized"
        )
      }, 150_000)

      const login = async (binary: string, args: ReadonlyArray<string>, expectedRuntime: string) => {
        const result = await H.run(binary, [...args, "app.mjs", url], {
          cwd: rootProject.dir,
          env: H.cleanEnv(runtimeEnv),
          timeout: 120_000
        })
        expect(result.code, H.show(result)).toBe(0)
        expect(result.stderr, H.show(result)).toBe("")
        const line = result.stdout.split("\n").find((l) => l.startsWith("login ok "))
        expect(line, H.show(result)).toBeDefined()
        const fields = Object.fromEntries(
          line!.slice("login ok ".length).split(" ").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)])
        )
        expect(fields).toMatchObject({
          runtime: expectedRuntime,
          tokenType: "Bearer",
          startUrl,
          region: "us-east-1",
          accessToken: "<redacted>",
          // Approved 3 s after StartDeviceAuthorization and polled every second: pending at least once,
          // never slowed down (the client keeps the interval).
          events: "Registered,AwaitingUser,Pending,Authorized"
        })
        expect(Number(fields["accessTokenLength"])).toBeGreaterThan(0)
        expect(Number(fields["expiresInSeconds"])).toBeGreaterThan(3_500)
        expect(Number(fields["expiresInSeconds"])).toBeLessThanOrEqual(3_600)
      }

      for (const runtime of edition.loginRuntimes) {
        if (runtime === "self") {
          it(`on Node ${process.versions.node} (this process's node)`, () =>
            login(process.execPath, [], `node/${process.versions.node}`), 150_000)
        } else {
          const args = runtime === "deno" ? ["run", "-A", "--node-modules-dir=manual", "--no-lock"] : []
          it(`on ${runtimeLabels[runtime]}`, async () => login(await runtimes[runtime], args, expectedRuntime[runtime]), 150_000)
        }
      }
    })

    describe.concurrent("a strict TypeScript consumer of the shipped .d.ts", () => {
      const compilerOptions = {
        target: "ES2022",
        lib: ["ES2022", "DOM", "DOM.Iterable"],
        types: ["node"],
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: false,
        verbatimModuleSyntax: true,
        noEmit: true
      }
      const typeCheck = async (
        projectDir: string,
        file: string,
        name: string,
        options: Record<string, unknown>
      ) => {
        const config = Path.join(projectDir, `tsconfig.${name}.json`)
        await writeFile(config, JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files: [file] }, null, 2))
        const tsc = Path.join(H.repoRoot, "node_modules/typescript/bin/tsc")
        const result = await H.run(process.execPath, [tsc, "-p", config, "--pretty", "false", "--listFiles"], {
          cwd: projectDir,
          timeout: 300_000
        })
        const lines = result.stdout.split("\n").filter((l) => l !== "")
        const errors = lines.filter((l) => !l.startsWith("/"))
        expect(errors, H.show(result)).toEqual([])
        expect(result.code, H.show(result)).toBe(0)
        // The package's types come from its compiled declarations, never from sources.
        const own = lines.filter((l) => l.includes("/node_modules/effect-sso-oidc/"))
        expect(own.length).toBeGreaterThan(0)
        for (const file of own) expect(file).toMatch(/\/node_modules\/effect-sso-oidc\/dist\/.+\.d\.ts$/)
        return lines
      }

      it("module/moduleResolution nodenext (root, ./node, ./testing, ./DeviceLogin)", () =>
        typeCheck(nodeProject.dir, "consumer.ts", "nodenext", { module: "NodeNext", moduleResolution: "NodeNext" }), 300_000)
      it("module esnext, moduleResolution bundler (root, ./node, ./testing, ./DeviceLogin)", () =>
        typeCheck(nodeProject.dir, "consumer.ts", "bundler", { module: "ESNext", moduleResolution: "Bundler" }), 300_000)
      it("the root alone, for a browser: bundler resolution, DOM lib, no @types/node installed", async () => {
        const lines = await typeCheck(rootProject.dir, "browser.ts", "browser", {
          module: "ESNext",
          moduleResolution: "Bundler",
          types: []
        })
        expect(lines.filter((l) => l.includes("/@types/node/"))).toEqual([])
      }, 300_000)
    })

    it("bundles for the browser with no node: import (esbuild, minified; gzipped size in .out/browser-bundle.json)", async () => {
      const result = await browserBundle()
      expect(result.errors).toEqual([])
      expect(result.warnings).toEqual([])
      const imports = Object.entries(result.metafile.inputs).flatMap(([input, info]) =>
        info.imports.map((imp) => ({ input, path: imp.path, original: imp.original }))
      )
      const nodeImports = imports.filter((imp) => imp.path.startsWith("node:") || imp.original?.startsWith("node:"))
      expect(nodeImports).toEqual([])
      const inputs = Object.keys(result.metafile.inputs)
      expect(inputs.filter((input) => /@effect\/platform-node|undici|node_modules\/effect-sso-oidc\/src\//.test(input))).toEqual([])
      expect(inputs.some((input) => input.includes("node_modules/effect-sso-oidc/dist/"))).toBe(true)
      const code = result.outputFiles![0]!.contents
      const report = {
        entry: 'import { DeviceLogin, SsoOidcClient } from "effect-sso-oidc" + FetchHttpClient (test/consumer/fixtures/browser.mjs)',
        bytes: code.byteLength,
        gzipBytes: Zlib.gzipSync(code, { level: 9 }).byteLength,
        inputs: inputs.length,
        versions: { "effect-sso-oidc": packed.manifest.version, ...Object.fromEntries(Object.keys(edition.peers).map((name) => [name, versions[name]])), esbuild: esbuildVersion },
        measuredAt: new Date().toISOString()
      }
      await H.writeOut(`${edition.outPrefix}browser-bundle.json`, report)
      expect(report.gzipBytes).toBeGreaterThan(0)
    })

    it("publint reports nothing", async () => {
      const result = await H.run(bin("publint"), ["run", packed.tarball, "--strict"], {
        cwd: packed.dir,
        timeout: 120_000
      })
      expect(result.code, H.show(result)).toBe(0)
      expect(result.stdout, H.show(result)).toMatch(/All good!/)
      expect(result.stdout, H.show(result)).not.toMatch(/Suggestions?:|Warnings?:|Errors?:/)
    }, 120_000)

    it("arethetypeswrong (profile esm-only) reports nothing", async () => {
      const result = await H.run(
        bin("attw"),
        [packed.tarball, "--profile", "esm-only", "--format", "json"],
        { cwd: packed.dir, timeout: 240_000 }
      )
      expect(result.code, H.show(result)).toBe(0)
      const report = JSON.parse(result.stdout) as {
        problems?: Record<string, ReadonlyArray<{ readonly resolutionKind?: string }>>
        analysis?: { entrypoints?: Record<string, unknown> }
      }
      // The JSON lists the problems of every resolution; the esm-only profile ignores node10 and
      // node16-cjs (an ESM-only package cannot be required from CommonJS under Node 20's node16 rules).
      const ignored = new Set(["node10", "node16-cjs"])
      const problems = Object.values(report.problems ?? {}).flat().filter(
        (problem) => problem.resolutionKind === undefined || !ignored.has(problem.resolutionKind)
      )
      expect(problems, H.show(result)).toEqual([])
      // It looked at every entry point.
      expect(Object.keys(report.analysis?.entrypoints ?? {})).toEqual(
        expect.arrayContaining([".", "./node", "./testing", ...rootModules.map((m) => `./${m}`)])
      )
    }, 240_000)
  })

}

interface LsNode {
  readonly version?: string
  readonly problems?: ReadonlyArray<string>
  readonly dependencies?: Record<string, LsNode>
}

/** Fails early with a clear message if the build is missing (npm test builds both editions before vitest). */
export const warnIfUnbuilt = (packageDir: string) => {
  if (!existsSync(Path.join(packageDir, "dist/index.js"))) {
    console.warn(`test/consumer: ${packageDir}/dist/index.js is missing; run \`npm run build\` first (npm test does)`)
  }
}
