/**
 * The emulator's SSO portal (`portal.sso`): GetRoleCredentials, ListAccounts,
 * ListAccountRoles and Logout with the portal's wire format — `GET`s with
 * query members, the access token in `x-amz-sso_bearer_token`, errors as
 * `x-amzn-ErrorType: <Name>` and `{ "message" }` — for the access tokens the
 * emulator's OIDC side issued. In-process and in virtual time (TestClock
 * starts at 0), raw HTTP through the in-process HttpClient; one test on a
 * real socket with `fetch`.
 */
import { HttpClient, HttpClientRequest } from "effect/http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import * as AwsCredentials from "../src/AwsCredentials.js"
import * as NodeEmulator from "../src/node/NodeEmulator.js"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import { GrantType } from "../src/SsoOidcSchema.js"
import * as Emulator from "../src/testing/Emulator.js"

const startUrl = "https://my-sso-portal.awsapps.com/start"
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const dev = Emulator.defaultAccounts[0]!
const prod = Emulator.defaultAccounts[1]!

/** An error as plain data: chai's `inspect` can recurse without end on Effect's span-carrying errors. */
const plain = (u: unknown): unknown => JSON.parse(JSON.stringify(u))

const setup = (options: Emulator.Options = {}) =>
  SsoOidcClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1", retry: false }).pipe(
    Layer.provideMerge(Emulator.layerInProcess(options))
  )

/** A device login through our OIDC client, approved by the test: the tokens, as plain strings. */
const signIn = Effect.gen(function*() {
  const emulator = yield* Emulator.Emulator
  const client = yield* SsoOidcClient.SsoOidcClient
  const registered = yield* client.registerClient({
    clientName: "portal-test",
    clientType: "public",
    scopes: ["sso:account:access"]
  })
  const clientId = registered.clientId!
  const clientSecret = registered.clientSecret!
  const authorization = yield* client.startDeviceAuthorization({ clientId, clientSecret, startUrl })
  yield* emulator.approve(authorization.userCode!)
  const token = yield* client.createToken({
    clientId,
    clientSecret,
    grantType: GrantType.DeviceCode,
    deviceCode: authorization.deviceCode!
  })
  return {
    accessToken: Redacted.value(token.accessToken!),
    refreshToken: token.refreshToken!,
    refresh: client.createToken({
      clientId,
      clientSecret,
      grantType: GrantType.RefreshToken,
      refreshToken: token.refreshToken!
    })
  }
})

interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly json: any
}

/** A raw portal request through the in-process HttpClient: query members and the bearer header, as the SDKs send them. */
const portal = (
  method: "GET" | "POST",
  path: string,
  query: Readonly<Record<string, string>>,
  token: string | undefined
): Effect.Effect<Reply, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const url = new URL(Emulator.inProcessUrl + path)
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value)
    const request = HttpClientRequest.make(method)(url.toString()).pipe(
      HttpClientRequest.setHeaders(token === undefined ? {} : { "x-amz-sso_bearer_token": token })
    )
    const response = yield* http.execute(request)
    const text = yield* response.text
    let json: any = undefined
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json }
  }).pipe(Effect.orDie)

const getRoleCredentials = (token: string | undefined, query: Record<string, string>) =>
  portal("GET", "/federation/credentials", query, token)
const listAccounts = (token: string | undefined, query: Record<string, string> = {}) =>
  portal("GET", "/assignment/accounts", query, token)
const listAccountRoles = (token: string | undefined, query: Record<string, string>) =>
  portal("GET", "/assignment/roles", query, token)
const logout = (token: string | undefined) => portal("POST", "/logout", {}, token)

/** The portal's error shape: status, the bare name in `x-amzn-ErrorType`, a request id and a body of just `message`. */
const expectPortalError = (reply: Reply, status: number, name: string, message?: string | RegExp) => {
  expect(reply.status).toBe(status)
  expect(reply.headers["x-amzn-errortype"]).toBe(name)
  expect(reply.headers["x-amzn-requestid"]).toMatch(uuid)
  expect(reply.headers["content-type"]).toBe("application/json")
  expect(Object.keys(reply.json)).toEqual(["message"])
  if (typeof message === "string") expect(reply.json.message).toBe(message)
  else if (message !== undefined) expect(reply.json.message).toMatch(message)
}

const unauthorized = "Session token not found or invalid"

// -----------------------------------------------------------------------------
// wire format
// -----------------------------------------------------------------------------

describe("Emulator portal — the wire format", () => {
  it.effect("GetRoleCredentials is GET /federation/credentials with account_id, role_name and the bearer header; expiration is epoch milliseconds", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust("90 seconds")
      const { accessToken } = yield* signIn
      const reply = yield* getRoleCredentials(accessToken, { account_id: dev.accountId, role_name: "ReadOnlyAccess" })
      expect(reply.status).toBe(200)
      expect(reply.headers["content-type"]).toBe("application/json")
      expect(reply.headers["x-amzn-requestid"]).toMatch(uuid)
      expect(reply.headers["x-amzn-errortype"]).toBeUndefined()
      expect(Object.keys(reply.json)).toEqual(["roleCredentials"])
      const credentials = reply.json.roleCredentials
      expect(Object.keys(credentials)).toEqual(["accessKeyId", "secretAccessKey", "sessionToken", "expiration"])
      expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
      expect(credentials.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/)
      expect(credentials.sessionToken.length).toBeGreaterThan(100)
      expect(credentials.expiration).toBe(90_000 + 3_600_000)

      const em = yield* Emulator.Emulator
      const [view] = yield* em.roleCredentials
      expect(view!.accountId).toBe(dev.accountId)
      expect(view!.roleName).toBe("ReadOnlyAccess")
      expect(view!.accessKeyId).toBe(credentials.accessKeyId)
      expect(Redacted.value(view!.secretAccessKey)).toBe(credentials.secretAccessKey)
      expect(Redacted.value(view!.sessionToken)).toBe(credentials.sessionToken)
      expect(view!.issuedAt.getTime()).toBe(90_000)
      expect(view!.expiresAt.getTime()).toBe(90_000 + 3_600_000)
      expect(String(view!.secretAccessKey)).not.toContain(credentials.secretAccessKey)

      const records = yield* em.requests
      const record = records[records.length - 1]!
      expect(record).toMatchObject({ kind: "GetRoleCredentials", method: "GET", path: "/federation/credentials", status: 200 })
      const logged = JSON.stringify(records)
      for (const secret of [accessToken, credentials.secretAccessKey, credentials.sessionToken]) {
        expect(logged).not.toContain(secret)
      }
    }).pipe(Effect.provide(setup())))

  it.effect("roleCredentialsExpiresIn sets the expiration", () =>
    Effect.gen(function*() {
      const { accessToken } = yield* signIn
      const reply = yield* getRoleCredentials(accessToken, { account_id: prod.accountId, role_name: "ReadOnlyAccess" })
      expect(reply.json.roleCredentials.expiration).toBe(15 * 60 * 1000)
    }).pipe(Effect.provide(setup({ roleCredentialsExpiresIn: "15 minutes" }))))

  it.effect("ListAccounts and ListAccountRoles list the default accounts and their roles with the model's members", () =>
    Effect.gen(function*() {
      const { accessToken } = yield* signIn
      const accounts = yield* listAccounts(accessToken)
      expect(accounts.status).toBe(200)
      expect(accounts.headers["x-amzn-requestid"]).toMatch(uuid)
      expect(accounts.json).toEqual({
        accountList: [
          { accountId: "111111111111", accountName: "Development", emailAddress: "dev@example.com" },
          { accountId: "222222222222", accountName: "Production", emailAddress: "prod@example.com" }
        ]
      })
      const roles = yield* listAccountRoles(accessToken, { account_id: dev.accountId })
      expect(roles.status).toBe(200)
      expect(roles.json).toEqual({
        roleList: [
          { roleName: "AdministratorAccess", accountId: "111111111111" },
          { roleName: "PowerUserAccess", accountId: "111111111111" },
          { roleName: "ReadOnlyAccess", accountId: "111111111111" }
        ]
      })
    }).pipe(Effect.provide(setup())))

  it.effect("accounts come from the options, and setAccounts changes them at run time", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const { accessToken } = yield* signIn
      expect((yield* listAccounts(accessToken)).json.accountList.map((a: any) => a.accountId)).toEqual(["333333333333"])
      expect((yield* getRoleCredentials(accessToken, { account_id: "333333333333", role_name: "Billing" })).status)
        .toBe(200)
      yield* em.setAccounts([{ accountId: "444444444444", accountName: "New", emailAddress: "new@example.com", roles: [] }])
      expect(yield* em.accounts).toEqual([
        { accountId: "444444444444", accountName: "New", emailAddress: "new@example.com", roles: [] }
      ])
      expect((yield* listAccounts(accessToken)).json.accountList.map((a: any) => a.accountId)).toEqual(["444444444444"])
      expect((yield* listAccountRoles(accessToken, { account_id: "444444444444" })).json).toEqual({ roleList: [] })
      expectPortalError(
        yield* getRoleCredentials(accessToken, { account_id: "333333333333", role_name: "Billing" }),
        404,
        "ResourceNotFoundException"
      )
    }).pipe(Effect.provide(setup({
      accounts: [{ accountId: "333333333333", accountName: "Billing", emailAddress: "billing@example.com", roles: ["Billing"] }]
    }))))

  it.effect("a missing or unknown token is 401 UnauthorizedException, with the real service's message", () =>
    Effect.gen(function*() {
      const query = { account_id: dev.accountId, role_name: "ReadOnlyAccess" }
      expectPortalError(yield* getRoleCredentials(undefined, query), 401, "UnauthorizedException", unauthorized)
      expectPortalError(yield* getRoleCredentials("", query), 401, "UnauthorizedException", unauthorized)
      expectPortalError(yield* getRoleCredentials("aoaNotOneOfOurs", query), 401, "UnauthorizedException", unauthorized)
      expectPortalError(yield* listAccounts(undefined), 401, "UnauthorizedException", unauthorized)
      expectPortalError(yield* listAccountRoles("nope", { account_id: dev.accountId }), 401, "UnauthorizedException")
      expectPortalError(yield* logout(undefined), 401, "UnauthorizedException", unauthorized)
      // the token is checked before the other members
      expectPortalError(yield* getRoleCredentials(undefined, {}), 401, "UnauthorizedException")
    }).pipe(Effect.provide(setup())))

  it.effect("missing or malformed members are 400 InvalidRequestException naming the query parameter", () =>
    Effect.gen(function*() {
      const { accessToken } = yield* signIn
      const invalid = (reply: Reply, message: string | RegExp) =>
        expectPortalError(reply, 400, "InvalidRequestException", message)
      invalid(yield* getRoleCredentials(accessToken, { role_name: "ReadOnlyAccess" }), "Missing required parameter: account_id")
      invalid(yield* getRoleCredentials(accessToken, { account_id: dev.accountId }), "Missing required parameter: role_name")
      invalid(
        yield* getRoleCredentials(accessToken, { account_id: "12345", role_name: "ReadOnlyAccess" }),
        "Invalid value for account_id: an AWS account id is 12 digits"
      )
      invalid(
        yield* getRoleCredentials(accessToken, { account_id: "1111111111111", role_name: "ReadOnlyAccess" }),
        /^Invalid value for account_id/
      )
      invalid(yield* getRoleCredentials(accessToken, { account_id: dev.accountId, role_name: "" }), /^Invalid value for role_name/)
      invalid(yield* listAccountRoles(accessToken, {}), "Missing required parameter: account_id")
      for (const max of ["0", "101", "-1", "2.5", "abc", ""]) {
        invalid(yield* listAccounts(accessToken, { max_result: max }), /^Invalid value for max_result/)
        invalid(yield* listAccountRoles(accessToken, { account_id: dev.accountId, max_result: max }), /^Invalid value for max_result/)
      }
      expect((yield* listAccounts(accessToken, { max_result: "1" })).status).toBe(200)
      expect((yield* listAccounts(accessToken, { max_result: "100" })).status).toBe(200)
    }).pipe(Effect.provide(setup())))

  it.effect("an account or role not assigned is 404 ResourceNotFoundException", () =>
    Effect.gen(function*() {
      const { accessToken } = yield* signIn
      const notFound = (reply: Reply) => expectPortalError(reply, 404, "ResourceNotFoundException")
      notFound(yield* getRoleCredentials(accessToken, { account_id: "999999999999", role_name: "ReadOnlyAccess" }))
      notFound(yield* getRoleCredentials(accessToken, { account_id: prod.accountId, role_name: "AdministratorAccess" }))
      notFound(yield* listAccountRoles(accessToken, { account_id: "999999999999" }))
      expect(yield* (yield* Emulator.Emulator).roleCredentials).toEqual([])
    }).pipe(Effect.provide(setup())))

  it.effect("routing is by method and path: the portal's paths with another method are unknown operations", () =>
    Effect.gen(function*() {
      const { accessToken } = yield* signIn
      const wrong = yield* portal("POST", "/federation/credentials", {}, accessToken)
      expect(wrong.status).toBe(404)
      expect(wrong.headers["x-amzn-errortype"]).toMatch(/^UnknownOperationException/)
      expect((yield* portal("GET", "/logout", {}, accessToken)).status).toBe(404)
      const counts = yield* (yield* Emulator.Emulator).counts
      expect(counts).toMatchObject({ GetRoleCredentials: 0, Logout: 0, ListAccounts: 0, ListAccountRoles: 0, Unknown: 2 })
    }).pipe(Effect.provide(setup())))
})

// -----------------------------------------------------------------------------
// tokens
// -----------------------------------------------------------------------------

describe("Emulator portal — which access tokens it accepts", () => {
  it.effect("an access token is accepted until it expires, in Clock time", () =>
    Effect.gen(function*() {
      const { accessToken } = yield* signIn
      yield* TestClock.adjust(59_999)
      expect((yield* listAccounts(accessToken)).status).toBe(200)
      yield* TestClock.adjust(1)
      expectPortalError(yield* listAccounts(accessToken), 401, "UnauthorizedException", unauthorized)
    }).pipe(Effect.provide(setup({ tokenExpiresIn: "60 seconds" }))))

  it.effect("Logout replies 200 with an empty body and revokes the access token and its refresh token", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const signedIn = yield* signIn
      const other = yield* signIn
      const query = { account_id: dev.accountId, role_name: "ReadOnlyAccess" }
      expect((yield* getRoleCredentials(signedIn.accessToken, query)).status).toBe(200)
      yield* TestClock.adjust("5 seconds")
      const out = yield* logout(signedIn.accessToken)
      expect(out.status).toBe(200)
      expect(out.text).toBe("")
      expect(out.headers["x-amzn-requestid"]).toMatch(uuid)

      expectPortalError(yield* getRoleCredentials(signedIn.accessToken, query), 401, "UnauthorizedException", unauthorized)
      expectPortalError(yield* logout(signedIn.accessToken), 401, "UnauthorizedException")
      expect(plain(yield* Effect.flip(signedIn.refresh))).toMatchObject({ _tag: "InvalidGrant", status: 400 })

      const views = yield* em.tokens
      const revoked = views.find((view) => Redacted.value(view.accessToken) === signedIn.accessToken)!
      expect(revoked.revokedAt?.getTime()).toBe(5_000)
      expect(revoked.refreshTokenActive).toBe(false)
      // another sign-in is not affected
      expect((yield* getRoleCredentials(other.accessToken, query)).status).toBe(200)
      const kept = views.find((view) => Redacted.value(view.accessToken) === other.accessToken)!
      expect(kept.revokedAt).toBeUndefined()
      expect(kept.refreshTokenActive).toBe(true)
      expect(Redacted.value((yield* other.refresh).accessToken!)).toMatch(/^aoa/)
    }).pipe(Effect.provide(setup())))

  it.effect("a refreshed access token is accepted; Logout with it revokes the new refresh token", () =>
    Effect.gen(function*() {
      const signedIn = yield* signIn
      const refreshed = yield* signedIn.refresh
      const accessToken = Redacted.value(refreshed.accessToken!)
      expect((yield* listAccounts(accessToken)).status).toBe(200)
      expect((yield* logout(accessToken)).status).toBe(200)
      expectPortalError(yield* listAccounts(accessToken), 401, "UnauthorizedException")
      const client = yield* SsoOidcClient.SsoOidcClient
      const em = yield* Emulator.Emulator
      const [registration] = yield* em.registrations
      const again = client.createToken({
        clientId: registration!.clientId,
        clientSecret: registration!.clientSecret,
        grantType: GrantType.RefreshToken,
        refreshToken: refreshed.refreshToken!
      })
      expect(plain(yield* Effect.flip(again))).toMatchObject({ _tag: "InvalidGrant" })
    }).pipe(Effect.provide(setup())))

  it.effect("an access token from CreateTokenWithIAM is accepted too, and a revoked one cannot be exchanged", () =>
    Effect.gen(function*() {
      const client = yield* SsoOidcClient.SsoOidcClient
      const token = yield* client.createTokenWithIam({
        clientId: Emulator.defaultApplication.applicationArn,
        grantType: GrantType.JwtBearer,
        assertion: Redacted.make("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln")
      })
      const accessToken = Redacted.value(token.accessToken!)
      expect((yield* listAccounts(accessToken)).status).toBe(200)
      expect((yield* logout(accessToken)).status).toBe(200)
      const exchange = client.createTokenWithIam({
        clientId: Emulator.defaultApplication.applicationArn,
        grantType: GrantType.TokenExchange,
        subjectToken: token.accessToken!,
        subjectTokenType: "urn:ietf:params:oauth:token-type:access_token"
      })
      expect(plain(yield* Effect.flip(exchange))).toMatchObject({ _tag: "InvalidGrant" })
    }).pipe(
      Effect.provide(Layer.merge(setup(), AwsCredentials.layerStatic(Emulator.defaultIamCredentials)))
    ))
})

// -----------------------------------------------------------------------------
// pagination
// -----------------------------------------------------------------------------

const fiveAccounts: ReadonlyArray<Emulator.Account> = ["1", "2", "3", "4", "5"].map((digit) => ({
  accountId: digit.repeat(12),
  accountName: `Account ${digit}`,
  emailAddress: `account${digit}@example.com`,
  roles: ["A", "B", "C", "D", "E"].map((letter) => `Role${letter}`)
}))

describe("Emulator portal — pagination", () => {
  it.effect("ListAccounts with max_result=2 walks 3 pages; the last has no nextToken", () =>
    Effect.gen(function*() {
      const { accessToken } = yield* signIn
      const pages: Array<ReadonlyArray<string>> = []
      let nextToken: string | undefined = undefined
      do {
        const reply: Reply = yield* listAccounts(accessToken, {
          max_result: "2",
          ...(nextToken === undefined ? {} : { next_token: nextToken })
        })
        expect(reply.status).toBe(200)
        pages.push(reply.json.accountList.map((account: any) => account.accountId))
        nextToken = reply.json.nextToken
        if (nextToken !== undefined) expect(nextToken).not.toMatch(/^\d+$/)
        else expect(Object.keys(reply.json)).toEqual(["accountList"])
      } while (nextToken !== undefined && pages.length < 10)
      expect(pages).toEqual([
        ["111111111111", "222222222222"],
        ["333333333333", "444444444444"],
        ["555555555555"]
      ])
    }).pipe(Effect.provide(setup({ accounts: fiveAccounts }))))

  it.effect("ListAccountRoles pages too, and pageSize is the default page size", () =>
    Effect.gen(function*() {
      const { accessToken } = yield* signIn
      const first = yield* listAccountRoles(accessToken, { account_id: "333333333333" })
      expect(first.json.roleList).toEqual([
        { roleName: "RoleA", accountId: "333333333333" },
        { roleName: "RoleB", accountId: "333333333333" },
        { roleName: "RoleC", accountId: "333333333333" }
      ])
      const second = yield* listAccountRoles(accessToken, { account_id: "333333333333", next_token: first.json.nextToken })
      expect(second.json).toEqual({
        roleList: [{ roleName: "RoleD", accountId: "333333333333" }, { roleName: "RoleE", accountId: "333333333333" }]
      })
      const accounts = yield* listAccounts(accessToken)
      expect(accounts.json.accountList).toHaveLength(3)
      expect(typeof accounts.json.nextToken).toBe("string")
    }).pipe(Effect.provide(setup({ accounts: fiveAccounts, pageSize: 3 }))))

  it.effect("a bad nextToken is InvalidRequest: made up, edited, of another listing or of another account", () =>
    Effect.gen(function*() {
      const { accessToken } = yield* signIn
      const accountsToken: string = (yield* listAccounts(accessToken, { max_result: "2" })).json.nextToken
      const rolesToken: string = (yield* listAccountRoles(accessToken, { account_id: "111111111111", max_result: "2" }))
        .json.nextToken
      const edited = (accountsToken[0] === "A" ? "B" : "A") + accountsToken.slice(1)
      const bad = (reply: Reply) =>
        expectPortalError(reply, 400, "InvalidRequestException", "Invalid value for next_token: not a token of this listing")
      bad(yield* listAccounts(accessToken, { next_token: "2" }))
      bad(yield* listAccounts(accessToken, { next_token: "" }))
      bad(yield* listAccounts(accessToken, { next_token: edited }))
      bad(yield* listAccounts(accessToken, { next_token: rolesToken }))
      bad(yield* listAccountRoles(accessToken, { account_id: "111111111111", next_token: accountsToken }))
      bad(yield* listAccountRoles(accessToken, { account_id: "222222222222", next_token: rolesToken }))
      // the genuine tokens still work
      expect((yield* listAccounts(accessToken, { next_token: accountsToken })).status).toBe(200)
      expect((yield* listAccountRoles(accessToken, { account_id: "111111111111", next_token: rolesToken })).status)
        .toBe(200)
    }).pipe(Effect.provide(setup({ accounts: fiveAccounts }))))

  it.effect("a page token of another emulator is refused", () =>
    Effect.gen(function*() {
      const fromOther = yield* Effect.gen(function*() {
        const { accessToken } = yield* signIn
        return (yield* listAccounts(accessToken, { max_result: "1" })).json.nextToken as string
      }).pipe(Effect.provide(setup()))
      const { accessToken } = yield* signIn
      expectPortalError(yield* listAccounts(accessToken, { next_token: fromOther }), 400, "InvalidRequestException")
    }).pipe(Effect.provide(setup())))
})

// -----------------------------------------------------------------------------
// faults, counts, records
// -----------------------------------------------------------------------------

describe("Emulator portal — fault injection, counts and records", () => {
  it.effect("a 429 TooManyRequestsException fault has the portal's error shape and leaves the state alone", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const { accessToken } = yield* signIn
      yield* em.setFaults([{
        operation: "GetRoleCredentials",
        fault: Emulator.Fault.status(429, { errorName: "TooManyRequestsException" }),
        count: 1
      }])
      const query = { account_id: dev.accountId, role_name: "ReadOnlyAccess" }
      const throttled = yield* getRoleCredentials(accessToken, query)
      expectPortalError(throttled, 429, "TooManyRequestsException", "Injected fault: TooManyRequestsException")
      expect(yield* em.roleCredentials).toEqual([])
      expect((yield* listAccounts(accessToken)).status).toBe(200) // the rule targets GetRoleCredentials only
      expect((yield* getRoleCredentials(accessToken, query)).status).toBe(200) // count 1: used up
      const records = (yield* em.requests).filter((record) => record.kind === "GetRoleCredentials")
      expect(records.map((record) => [record.status, record.errorName, record.faults])).toEqual([
        [429, "TooManyRequestsException", ["Status"]],
        [200, undefined, []]
      ])
    }).pipe(Effect.provide(setup())))

  it.effect("an undeclared error (ForbiddenException) and an unknown one are portal-shaped too; \"*\" reaches the portal", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const { accessToken } = yield* signIn
      yield* em.setFaults([{ operation: "ListAccounts", fault: Emulator.Fault.status(403, { errorName: "ForbiddenException", description: "No access" }) }])
      expectPortalError(yield* listAccounts(accessToken), 403, "ForbiddenException", "No access")
      yield* em.setFaults([{ fault: Emulator.Fault.unknownError() }])
      expectPortalError(yield* logout(accessToken), 400, "EmulatorInjectedException")
      yield* em.setFaults([{ operation: ["ListAccountRoles"], fault: Emulator.Fault.wrongShape() }])
      const shape = yield* listAccountRoles(accessToken, { account_id: dev.accountId })
      expect(shape.status).toBe(200)
      expect(Array.isArray(shape.json.roleList)).toBe(false)
      yield* em.clearFaults
      // the injected Logout never ran: the token still works
      expect((yield* listAccounts(accessToken)).status).toBe(200)
    }).pipe(Effect.provide(setup())))

  it.effect("counts include the portal's operations", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      expect(yield* em.counts).toMatchObject({ GetRoleCredentials: 0, ListAccounts: 0, ListAccountRoles: 0, Logout: 0 })
      const { accessToken } = yield* signIn
      yield* listAccounts(accessToken)
      yield* listAccounts(accessToken)
      yield* listAccountRoles(accessToken, { account_id: dev.accountId })
      yield* getRoleCredentials(accessToken, { account_id: dev.accountId, role_name: "ReadOnlyAccess" })
      yield* logout(accessToken)
      expect(yield* em.counts).toEqual({
        RegisterClient: 1,
        StartDeviceAuthorization: 1,
        CreateToken: 1,
        CreateTokenWithIAM: 0,
        GetRoleCredentials: 1,
        ListAccounts: 2,
        ListAccountRoles: 1,
        Logout: 1,
        VerificationPage: 0,
        AuthorizationPage: 0,
        Unknown: 0
      })
    }).pipe(Effect.provide(setup())))
})

// -----------------------------------------------------------------------------
// a real socket
// -----------------------------------------------------------------------------

const fetchJson = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { status: response.status, headers: response.headers, text, json: text === "" ? undefined : JSON.parse(text) }
  })

describe("Emulator portal — on a real socket (NodeEmulator.layer)", () => {
  it.live("fetch signs in, gets role credentials with the bearer header, logs out and is then refused", () =>
    Effect.gen(function*() {
      const em = yield* Emulator.Emulator
      const post = (path: string, body: unknown) =>
        fetchJson(`${em.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body)
        })
      const registered = (yield* post("/client/register", { clientName: "fetch", clientType: "public" })).json
      const authorization = (yield* post("/device_authorization", {
        clientId: registered.clientId,
        clientSecret: registered.clientSecret,
        startUrl
      })).json
      yield* em.approve(authorization.userCode)
      const token = (yield* post("/token", {
        clientId: registered.clientId,
        clientSecret: registered.clientSecret,
        grantType: GrantType.DeviceCode,
        deviceCode: authorization.deviceCode
      })).json
      const bearer = { "x-amz-sso_bearer_token": token.accessToken }

      const accounts = yield* fetchJson(`${em.url}/assignment/accounts?max_result=1`, { headers: bearer })
      expect(accounts.status).toBe(200)
      expect(accounts.json.accountList).toEqual([
        { accountId: "111111111111", accountName: "Development", emailAddress: "dev@example.com" }
      ])
      const rest = yield* fetchJson(
        `${em.url}/assignment/accounts?max_result=1&next_token=${encodeURIComponent(accounts.json.nextToken)}`,
        { headers: bearer }
      )
      expect(rest.json).toEqual({
        accountList: [{ accountId: "222222222222", accountName: "Production", emailAddress: "prod@example.com" }]
      })

      const before = Date.now()
      const credentials = yield* fetchJson(
        `${em.url}/federation/credentials?account_id=111111111111&role_name=AdministratorAccess`,
        { headers: bearer }
      )
      expect(credentials.status).toBe(200)
      expect(credentials.headers.get("content-type")).toBe("application/json")
      expect(credentials.headers.get("x-amzn-requestid")).toMatch(uuid)
      expect(credentials.json.roleCredentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
      // epoch milliseconds, an hour ahead of the server's clock
      expect(credentials.json.roleCredentials.expiration).toBeGreaterThanOrEqual(before + 3_600_000)
      expect(credentials.json.roleCredentials.expiration).toBeLessThan(Date.now() + 3_600_000 + 1)

      const out = yield* fetchJson(`${em.url}/logout`, { method: "POST", headers: bearer })
      expect(out.status).toBe(200)
      expect(out.text).toBe("")
      const refused = yield* fetchJson(
        `${em.url}/federation/credentials?account_id=111111111111&role_name=AdministratorAccess`,
        { headers: bearer }
      )
      expect(refused.status).toBe(401)
      expect(refused.headers.get("x-amzn-errortype")).toBe("UnauthorizedException")
      expect(refused.json).toEqual({ message: unauthorized })
      const missing = yield* fetchJson(`${em.url}/assignment/roles`, { headers: bearer })
      expect(missing.status).toBe(401)
    }).pipe(Effect.provide(NodeEmulator.layer({ port: 0 }))))
})
