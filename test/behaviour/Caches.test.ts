/**
 * The token cache as files every tool shares, for each edition:
 *
 * - the golden fixtures (test/fixtures/cache): each edition writes the AWS
 *   CLI v2's bytes and reads what the CLI, the JS SDK and older CLIs wrote;
 * - a cache the edition wrote (`SsoTokenProvider.loginToCache` against its
 *   emulator) read by the AWS SDK (`fromSSO`, `fromSso`), botocore (the SSO
 *   credential and token providers) and the AWS CLI (`aws configure list`,
 *   `aws sso …`), each reaching the edition's emulator as the portal through
 *   `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL_SSO_OIDC`;
 * - caches the others wrote read by the edition: botocore's and the SDK's
 *   refreshes, the `sso-oidc` binary's login, the other edition's login and
 *   role-credential cache;
 * - the edition as botocore's `credential_process`.
 *
 * python3 with botocore and the AWS CLI are optional on developer machines
 * (those tests are skipped, saying so) but required in CI.
 */
import { createHash } from "node:crypto"
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import * as Path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  aws,
  botocore,
  type Edition,
  editions,
  execFileAsync,
  type Harness,
  type Home,
  makeHome,
  onceCommand,
  peerRuns,
  peerTitle,
  portalConfig,
  redacted,
  repoRoot,
  startHarness,
  startUrl
} from "./harness.js"

const fixtures = Path.join(repoRoot, "test", "fixtures", "cache")
const fixture = (name: string) => readFileSync(Path.join(fixtures, name), "utf8")
const sha1 = (text: string) => createHash("sha1").update(text, "utf8").digest("hex")
const corpKey = sha1("corp")

interface Account {
  readonly accountId: string
  readonly roles: ReadonlyArray<string>
}

interface Emulator {
  readonly id: string
  readonly url: string
}

/** The token file of the session `corp` in a home. */
const tokenFile = (home: Home) => Path.join(home.cacheDir, `${corpKey}.json`)
const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"))

/** Sets the cached token's expiry `seconds` from now (inside a peer's refresh window), keeping the rest. */
const expireIn = (home: Home, seconds: number) => {
  const cached = readJson(tokenFile(home))
  const at = new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")
  writeFileSync(tokenFile(home), JSON.stringify({ ...cached, expiresAt: at }))
}

/** A peer's `RESULT {…}` line. */
const result = (run: { code: number; stdout: string; stderr: string }) => {
  const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "))
  expect(line, `no RESULT line; stdout: ${run.stdout} stderr: ${run.stderr}`).toBeDefined()
  return JSON.parse(line!.slice("RESULT ".length))
}

const python = (script: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) =>
  execFileAsync("python3", [script, ...args], env)
const pythonInline = (code: string, env: NodeJS.ProcessEnv) => execFileAsync("python3", ["-c", code], env)

/** botocore resolves the profile's credentials and prints them. */
const botocoreCredentials = `
import json, botocore.session
session = botocore.session.Session(profile="portal")
creds = session.get_credentials()
frozen = creds.get_frozen_credentials()
print("RESULT " + json.dumps({"method": creds.method, "accessKeyId": frozen.access_key, "secretAccessKey": frozen.secret_key, "sessionToken": frozen.token}))
`

const botocoreMissing = "python3 with botocore must be installed"
const awsMissing = "`aws` must be on PATH"

for (const edition of editions) {
  describe(`[${edition}] the golden cache files`, () => {
    let h: Harness
    let home: Home
    beforeAll(async () => {
      h = await startHarness(edition)
      home = makeHome("")
    }, 60_000)
    afterAll(async () => {
      await h?.close()
      home?.remove()
    })

    const v2 = JSON.parse(fixture("aws-cli-v2-token.json"))

    it("a token written through TokenCache is byte for byte the AWS CLI v2's file, with or without a refresh token", async () => {
      const { path } = await h.call("cache.writeToken", { home: home.home, session: "golden", token: v2 })
      expect(path).toBe(Path.join(home.cacheDir, `${sha1("golden")}.json`))
      expect(readFileSync(path, "utf8")).toBe(fixture("aws-cli-v2-token.json"))
      expect(statSync(path).mode & 0o777).toBe(0o600)
      const { refreshToken: _, ...noRefresh } = v2
      await h.call("cache.writeToken", { home: home.home, session: "golden", token: noRefresh })
      expect(readFileSync(path, "utf8")).toBe(fixture("aws-cli-v2-token-no-refresh.json"))
    })

    it("a registration written through TokenCache is byte for byte the AWS CLI v2's device-flow registration", async () => {
      const key = sha1("registration")
      const { path } = await h.call("cache.writeRegistration", {
        home: home.home,
        key,
        registration: JSON.parse(fixture("aws-cli-v2-registration.json"))
      })
      expect(readFileSync(path, "utf8")).toBe(fixture("aws-cli-v2-registration.json"))
    })

    const expected = {
      startUrl: "https://d-1234567890.awsapps.com/start",
      region: "us-east-1",
      accessToken: redacted("aoaFixtureAccessToken"),
      expiresAt: { $date: "2026-01-01T12:00:00.000Z" }
    }
    const client = {
      clientId: "fixtureClientId",
      clientSecret: redacted("fixtureClientSecret"),
      registrationExpiresAt: { $date: "2026-03-31T12:00:00.000Z" }
    }
    const cases: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
      ["the AWS CLI v2's", "aws-cli-v2-token.json", { ...expected, ...client, refreshToken: redacted("aorFixtureRefreshToken") }],
      ["the AWS CLI v2's, without a refresh token", "aws-cli-v2-token-no-refresh.json", { ...expected, ...client }],
      ["the JS SDK's (pretty-printed, milliseconds)", "js-sdk-token.json", {
        ...expected,
        ...client,
        refreshToken: redacted("aorFixtureRefreshToken")
      }],
      ["the …UTC suffix of AWS CLI v2 before 2.1.14", "aws-cli-2.1-utc-suffix-token.json", expected],
      ["RFC 3339 offsets", "offset-token.json", { ...expected, registrationExpiresAt: client.registrationExpiresAt }]
    ]
    for (const [name, file, want] of cases) {
      it(`reads ${name} token file (${file})`, async () => {
        copyFileSync(Path.join(fixtures, file), Path.join(home.cacheDir, `${sha1(file)}.json`))
        const read = await h.call("cache.readToken", { home: home.home, session: file })
        expect(read.output).toEqual(want)
        // what the library shows of the token holds no secret
        expect(read.shown).not.toContain("aoaFixtureAccessToken")
        expect(read.shown).not.toContain("fixtureClientSecret")
      })
    }

    it("reads the AWS CLI's registrations, device flow and PKCE", async () => {
      for (const file of ["aws-cli-v2-registration.json", "aws-cli-v2-registration-pkce.json"]) {
        const key = sha1(file)
        copyFileSync(Path.join(fixtures, file), Path.join(home.cacheDir, `${key}.json`))
        const read = await h.call("cache.readRegistration", { home: home.home, key })
        const raw = JSON.parse(fixture(file))
        expect(read.output).toEqual({
          clientId: raw.clientId,
          clientSecret: redacted(raw.clientSecret),
          expiresAt: { $date: new Date(raw.expiresAt).toISOString() },
          scopes: raw.scopes,
          ...(raw.grantTypes === undefined ? {} : { grantTypes: raw.grantTypes })
        })
      }
    })

    it("a file cut short by a crash is CacheFileCorrupt naming no secret, and is left as it was", async () => {
      const path = Path.join(home.cacheDir, `${sha1("truncated")}.json`)
      copyFileSync(Path.join(fixtures, "truncated-token.json"), path)
      const read = await h.attempt("cache.readToken", { home: home.home, session: "truncated" })
      expect(read.ok).toBe(false)
      expect(!read.ok && read.error._tag).toBe("CacheFileCorrupt")
      expect(!read.ok && read.error.string).not.toContain("aoaFixture")
      expect(readFileSync(path, "utf8")).toBe(fixture("truncated-token.json"))
    })
  })

  describe(`[${edition}] a cache the edition wrote, read by the AWS SDK`, () => {
    let h: Harness
    let emulator: Emulator
    let accounts: ReadonlyArray<Account>
    let home: Home
    beforeAll(async () => {
      h = await startHarness(edition)
      emulator = await h.call("emulator.start", { intervalMillis: 1000, autoApproveAfterMillis: 1000 })
      accounts = await h.call("emulator.view", { id: emulator.id, what: "accounts" })
      home = makeHome(portalConfig(accounts[0]!.accountId))
      await h.call("login", { home: home.home, session: "corp", endpoint: emulator.url })
    }, 60_000)
    afterAll(async () => {
      await h?.close()
      home?.remove()
    })

    it("loginToCache wrote the token and the registration as `aws sso login` does, mode 0600", async () => {
      const files = readdirSync(home.cacheDir).filter((name) => name.endsWith(".json")).sort()
      expect(files).toHaveLength(2)
      expect(files).toContain(`${corpKey}.json`)
      const cached = readJson(tokenFile(home))
      expect(Object.keys(cached)).toEqual([
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken"
      ])
      expect(cached).toMatchObject({ startUrl, region: "us-east-1" })
      expect(cached.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      expect(statSync(tokenFile(home)).mode & 0o777).toBe(0o600)
      const [token] = await h.call("emulator.view", { id: emulator.id, what: "tokens" })
      expect(redacted(cached.accessToken)).toEqual(token.accessToken)
      expect(redacted(cached.refreshToken)).toEqual(token.refreshToken)
      const registration = readJson(Path.join(home.cacheDir, files.find((name) => name !== `${corpKey}.json`)!))
      expect(registration).toMatchObject({ clientId: cached.clientId, clientSecret: cached.clientSecret })
    })

    it("fromSSO({ profile }) gets the role's credentials through the emulator", async () => {
      const before = await h.call("emulator.view", { id: emulator.id, what: "roleCredentials" })
      const run = await execFileAsync(
        process.execPath,
        [Path.join(repoRoot, "test", "behaviour", "peers", "sdk-sso-credentials.mjs"), "portal"],
        home.env({ AWS_ENDPOINT_URL_SSO: emulator.url })
      )
      const got = result(run)
      const issued = (await h.call("emulator.view", { id: emulator.id, what: "roleCredentials" })).slice(before.length)
      expect(issued).toEqual([{
        accountId: accounts[0]!.accountId,
        roleName: "ReadOnlyAccess",
        accessKeyId: got.accessKeyId,
        secretAccessKey: redacted(got.secretAccessKey),
        sessionToken: redacted(got.sessionToken),
        expiresAt: got.expiration
      }])
    })

    it("fromSso (@aws-sdk/token-providers) serves the cached token without a request", async () => {
      const counts = await h.call("emulator.view", { id: emulator.id, what: "counts" })
      const run = await execFileAsync(
        process.execPath,
        [Path.join(fixtures, "sdk-from-sso.mjs"), "portal"],
        home.env({ AWS_ENDPOINT_URL_SSO_OIDC: emulator.url })
      )
      const got = result(run)
      const cached = readJson(tokenFile(home))
      expect(got.token).toBe(cached.accessToken)
      expect(new Date(got.expiration).getTime()).toBe(new Date(cached.expiresAt).getTime())
      expect((await h.call("emulator.view", { id: emulator.id, what: "counts" })).CreateToken).toBe(counts.CreateToken)
    })

    it("fromSso refreshes the token inside its 5-minute window, and the edition reads what it wrote without a request", async () => {
      expireIn(home, 120)
      const run = await execFileAsync(
        process.execPath,
        [Path.join(fixtures, "sdk-from-sso.mjs"), "portal"],
        home.env({ AWS_ENDPOINT_URL_SSO_OIDC: emulator.url })
      )
      const got = result(run)
      const tokens = await h.call("emulator.view", { id: emulator.id, what: "tokens" })
      expect(redacted(got.token)).toEqual(tokens.at(-1).accessToken)
      expect(tokens.at(-1).grantType).toBe("refresh_token")
      const counts = await h.call("emulator.view", { id: emulator.id, what: "counts" })
      const read = await h.call("token", { home: home.home, session: "corp", endpoint: emulator.url })
      expect(read.accessToken).toEqual(redacted(got.token))
      expect(await h.call("emulator.view", { id: emulator.id, what: "counts" })).toEqual(counts)
    })
  })

  describe.skipIf(!peerRuns(botocore !== undefined))(
    peerTitle(`[${edition}] botocore${botocore === undefined ? "" : ` ${botocore}`} and a cache the edition wrote`, botocore !== undefined, botocoreMissing),
    () => {
      let h: Harness
      let emulator: Emulator
      let accounts: ReadonlyArray<Account>
      let home: Home
      beforeAll(async () => {
        if (botocore === undefined) return
        h = await startHarness(edition)
        emulator = await h.call("emulator.start", { intervalMillis: 1000, autoApproveAfterMillis: 1000 })
        accounts = await h.call("emulator.view", { id: emulator.id, what: "accounts" })
        home = makeHome(portalConfig(accounts[0]!.accountId))
        await h.call("login", { home: home.home, session: "corp", endpoint: emulator.url })
      }, 60_000)
      afterAll(async () => {
        await h?.close()
        home?.remove()
      })

      it("python3 can import botocore", () => {
        expect(botocore, `CI is set, so ${botocoreMissing}`).toBeDefined()
      })

      it("Session(profile='portal').get_credentials() gets the role's credentials through the emulator", async () => {
        expect(botocore, `CI is set, so ${botocoreMissing}`).toBeDefined()
        const run = await pythonInline(botocoreCredentials, home.env({ AWS_ENDPOINT_URL_SSO: emulator.url }))
        expect(run.stderr).toBe("")
        const got = result(run)
        const [issued] = await h.call("emulator.view", { id: emulator.id, what: "roleCredentials" })
        expect(got.method).toBe("sso")
        expect(issued).toMatchObject({
          accountId: accounts[0]!.accountId,
          roleName: "ReadOnlyAccess",
          accessKeyId: got.accessKeyId,
          secretAccessKey: redacted(got.secretAccessKey),
          sessionToken: redacted(got.sessionToken)
        })
      }, 90_000)

      it("botocore's SSOTokenProvider refreshes inside its 15-minute window, and the edition reads what it wrote without a request", async () => {
        expect(botocore, `CI is set, so ${botocoreMissing}`).toBeDefined()
        const cachedBefore = readJson(tokenFile(home))
        const plain = await python(Path.join(fixtures, "botocore-token.py"), ["portal"], home.env({ AWS_ENDPOINT_URL_SSO_OIDC: emulator.url }))
        // valid for an hour: served from the file
        expect(result(plain).token).toBe(cachedBefore.accessToken)
        expireIn(home, 600)
        const run = await python(Path.join(fixtures, "botocore-token.py"), ["portal"], home.env({ AWS_ENDPOINT_URL_SSO_OIDC: emulator.url }))
        const got = result(run)
        expect(got.token).not.toBe(cachedBefore.accessToken)
        const tokens = await h.call("emulator.view", { id: emulator.id, what: "tokens" })
        expect(redacted(got.token)).toEqual(tokens.at(-1).accessToken)
        expect(tokens.at(-1).grantType).toBe("refresh_token")
        const counts = await h.call("emulator.view", { id: emulator.id, what: "counts" })
        const read = await h.call("token", { home: home.home, session: "corp", endpoint: emulator.url })
        expect(read.accessToken).toEqual(redacted(got.token))
        expect(await h.call("emulator.view", { id: emulator.id, what: "counts" })).toEqual(counts)
      }, 90_000)

      it("the edition as botocore's credential_process: botocore uses the role credentials it prints", async () => {
        expect(botocore, `CI is set, so ${botocoreMissing}`).toBeDefined()
        const command = await onceCommand(edition, "credential-process", {
          home: home.home,
          profile: "portal",
          endpoint: emulator.url
        })
        const quoted = command.map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(" ")
        const processHome = makeHome(`[profile portal]\ncredential_process = ${quoted}\n`)
        try {
          const before = await h.call("emulator.view", { id: emulator.id, what: "roleCredentials" })
          const run = await pythonInline(botocoreCredentials, processHome.env())
          const got = result(run)
          expect(got.method).toBe("custom-process")
          const all = await h.call("emulator.view", { id: emulator.id, what: "roleCredentials" })
          // the role credentials of the edition's SsoCredentials: fetched now, or served from its cache
          const issued = all.find((c: { accessKeyId: string }) => c.accessKeyId === got.accessKeyId)
          expect(issued).toMatchObject({
            accountId: accounts[0]!.accountId,
            roleName: "ReadOnlyAccess",
            secretAccessKey: redacted(got.secretAccessKey),
            sessionToken: redacted(got.sessionToken)
          })
          expect(all.length - before.length).toBeLessThanOrEqual(1)
        } finally {
          processHome.remove()
        }
      }, 90_000)
    }
  )

  describe.skipIf(!peerRuns(aws !== undefined))(
    peerTitle(`[${edition}] the AWS CLI and a cache the edition wrote`, aws !== undefined, awsMissing),
    () => {
      let h: Harness
      let emulator: Emulator
      let accounts: ReadonlyArray<Account>
      let home: Home
      beforeAll(async () => {
        if (aws === undefined) return
        h = await startHarness(edition)
        emulator = await h.call("emulator.start", { intervalMillis: 1000, autoApproveAfterMillis: 1000 })
        accounts = await h.call("emulator.view", { id: emulator.id, what: "accounts" })
        home = makeHome(portalConfig(accounts[0]!.accountId))
        await h.call("login", { home: home.home, session: "corp", endpoint: emulator.url })
      }, 60_000)
      afterAll(async () => {
        await h?.close()
        home?.remove()
      })

      it("the AWS CLI is on PATH", () => {
        expect(aws, `CI is set, so ${awsMissing}`).toBeDefined()
      })

      it("`aws configure list --profile portal` resolves the profile's SSO credentials through the emulator", async () => {
        expect(aws, `CI is set, so ${awsMissing}`).toBeDefined()
        const listed = await execFileAsync(aws!, ["configure", "list", "--profile", "portal"], home.env({ AWS_ENDPOINT_URL_SSO: emulator.url }))
        expect(listed.stderr).toBe("")
        expect(listed.code).toBe(0)
        const [issued] = await h.call("emulator.view", { id: emulator.id, what: "roleCredentials" })
        expect(issued).toBeDefined()
        // the CLI shows the last four characters of the key and where it came from
        expect(listed.stdout).toMatch(new RegExp(`access_key\\s+\\*+${issued.accessKeyId.slice(-4)}\\s+sso`))
      }, 90_000)

      it("`aws sso` list-accounts, list-account-roles, get-role-credentials and logout with the cached access token", async () => {
        expect(aws, `CI is set, so ${awsMissing}`).toBeDefined()
        const [dev, prod] = accounts
        const cached = readJson(tokenFile(home))
        const env = home.env({ AWS_ENDPOINT_URL_SSO: emulator.url })
        const sso = (command: string, args: ReadonlyArray<string>) =>
          execFileAsync(aws!, ["sso", command, ...args, "--access-token", cached.accessToken, "--region", "us-east-1", "--output", "json"], env)

        const before = await h.call("emulator.view", { id: emulator.id, what: "roleCredentials" })
        // one CLI start after another would take most of this test: the reads go at once
        const [listed, roles, got, missing] = await Promise.all([
          sso("list-accounts", ["--page-size", "1"]),
          sso("list-account-roles", ["--account-id", dev!.accountId]),
          sso("get-role-credentials", ["--account-id", prod!.accountId, "--role-name", prod!.roles[0]!]),
          sso("get-role-credentials", ["--account-id", "999999999999", "--role-name", "Nope"])
        ])
        expect(listed.stderr).toBe("")
        expect(listed.code).toBe(0)
        // the CLI's paginator walks every page
        expect(JSON.parse(listed.stdout).accountList.map((a: Account) => a.accountId)).toEqual([dev!.accountId, prod!.accountId])

        expect(roles.code).toBe(0)
        expect(JSON.parse(roles.stdout).roleList.map((r: { roleName: string }) => r.roleName)).toEqual([...dev!.roles])

        expect(got.code).toBe(0)
        const credentials = JSON.parse(got.stdout).roleCredentials
        const issued = (await h.call("emulator.view", { id: emulator.id, what: "roleCredentials" })).slice(before.length)
        expect(issued).toEqual([{
          accountId: prod!.accountId,
          roleName: prod!.roles[0],
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: redacted(credentials.secretAccessKey),
          sessionToken: redacted(credentials.sessionToken),
          expiresAt: credentials.expiration
        }])

        expect(missing.code).not.toBe(0)
        expect(missing.stderr).toContain("An error occurred (ResourceNotFoundException)")

        const logout = await sso("logout", [])
        expect(logout.code).toBe(0)
        const revoked = await sso("list-accounts", [])
        expect(revoked.code).not.toBe(0)
        expect(revoked.stderr).toContain("An error occurred (UnauthorizedException)")
        expect(revoked.stderr).not.toContain(cached.accessToken)
        const tokens = await h.call("emulator.view", { id: emulator.id, what: "tokens" })
        expect(tokens.find((t: { accessToken: unknown }) => JSON.stringify(t.accessToken) === JSON.stringify(redacted(cached.accessToken))))
          .toMatchObject({ revoked: true })
      }, 120_000)
    }
  )
}

// -----------------------------------------------------------------------------
// between the editions, and the sso-oidc binary
// -----------------------------------------------------------------------------

const bin = Path.join(repoRoot, "dist", "sso-oidc.js")

describe("caches across the editions and the sso-oidc binary", () => {
  const harnesses = new Map<Edition, Harness>()
  const homes: Array<Home> = []
  beforeAll(async () => {
    for (const edition of editions) harnesses.set(edition, await startHarness(edition))
  }, 60_000)
  afterAll(async () => {
    await Promise.all([...harnesses.values()].map((h) => h.close()))
    for (const home of homes) home.remove()
  })

  const harness = (edition: Edition) => harnesses.get(edition)!

  for (const writer of editions) {
    for (const reader of editions.filter((e) => e !== writer)) {
      it(`${reader} serves the token ${writer} wrote, and the role credentials ${writer} cached, without a request`, async () => {
        const server = harness(writer)
        const emulator: Emulator = await server.call("emulator.start", { intervalMillis: 1000, autoApproveAfterMillis: 1000 })
        try {
          const [dev] = await server.call("emulator.view", { id: emulator.id, what: "accounts" })
          const home = makeHome(portalConfig(dev.accountId))
          homes.push(home)
          const written = await server.call("login", { home: home.home, session: "corp", endpoint: emulator.url })
          const credentials = await server.call("credentials", { home: home.home, profile: "portal", endpoint: emulator.url })
          const counts = await server.call("emulator.view", { id: emulator.id, what: "counts" })
          expect(counts.GetRoleCredentials).toBe(1)

          const read = await harness(reader).call("token", { home: home.home, session: "corp", endpoint: emulator.url })
          expect(read).toEqual(written)
          const again = await harness(reader).call("credentials", { home: home.home, profile: "portal", endpoint: emulator.url })
          expect(again.output).toEqual(credentials.output)
          expect(await server.call("emulator.view", { id: emulator.id, what: "counts" })).toEqual(counts)
        } finally {
          await server.call("emulator.stop", { id: emulator.id })
        }
      })
    }
  }

  it("the sso-oidc binary (built from the Effect 3 edition) is built", () => {
    expect(existsSync(bin), "run `npm run build` (npm test does)").toBe(true)
  })

  for (const server of editions) {
    it(`sso-oidc login against ${server}'s emulator; every edition serves the token it cached, without a request`, async () => {
      const h = harness(server)
      const emulator: Emulator = await h.call("emulator.start", { intervalMillis: 1000, autoApproveAfterMillis: 1000 })
      try {
        const home = makeHome(
          `[sso-session corp]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n`
        )
        homes.push(home)
        const run = await execFileAsync(
          process.execPath,
          [bin, "login", "--sso-session", "corp", "--endpoint-url", emulator.url, "--no-browser", "--output", "json"],
          home.env()
        )
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line).event)
        expect(events[0]).toBe("Registered")
        expect(events.at(-1)).toBe("Authorized")
        const [token] = await h.call("emulator.view", { id: emulator.id, what: "tokens" })
        expect(redacted(readJson(tokenFile(home)).accessToken)).toEqual(token.accessToken)
        const counts = await h.call("emulator.view", { id: emulator.id, what: "counts" })
        for (const reader of editions) {
          const read = await harness(reader).call("token", { home: home.home, session: "corp", endpoint: emulator.url })
          expect([reader, read.accessToken]).toEqual([reader, token.accessToken])
        }
        expect(await h.call("emulator.view", { id: emulator.id, what: "counts" })).toEqual(counts)
      } finally {
        await h.call("emulator.stop", { id: emulator.id })
      }
    }, 60_000)
  }
})
