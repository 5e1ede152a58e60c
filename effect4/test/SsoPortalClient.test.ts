/**
 * The SSO portal client over a scripted `HttpClient` and the in-process
 * emulator: what goes on the wire for each operation, how the portal's errors
 * are read, which failures are retried (virtual time, the jitter fixed with
 * `utils/random.ts`, Effect 3's `Random.fixed`), the paginated streams, and
 * that the access token never shows in errors, logs or spans.
 */
import { HttpClient } from "effect/http"
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Clock,
  ConfigProvider,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Logger,
  Redacted,
  References,
  Result,
  Stream,
  Tracer
} from "effect"
import { TestClock } from "effect/testing"
import * as Util from "node:util"
import * as SsoOidcClient from "../src/SsoOidcClient.js"
import { GrantType } from "../src/SsoOidcSchema.js"
import * as SsoPortalClient from "../src/SsoPortalClient.js"
import * as Emulator from "../src/testing/Emulator.js"
import * as Mock from "../src/testing/ScriptedHttpClient.js"
import * as RandomFixed from "./utils/random.js"

const TOKEN = "aoaSECRETACCESSTOKENvalue0123456789abcdef"
const accessToken = Redacted.make(TOKEN)
const ACCOUNT = "111111111111"

type Call = (client: SsoPortalClient.Service) => Effect.Effect<unknown, unknown>

const calls = {
  getRoleCredentials: (client) => client.getRoleCredentials({ accessToken, accountId: ACCOUNT, roleName: "ReadOnly" }),
  listAccounts: (client) => client.listAccounts({ accessToken }),
  listAccountRoles: (client) => client.listAccountRoles({ accessToken, accountId: ACCOUNT }),
  logout: (client) => client.logout({ accessToken })
} satisfies Record<string, Call>

/** Runs `f` with a portal client over `mock` (region us-east-1). */
const withClient = <A, E>(
  mock: Mock.ScriptedHttpClient,
  f: (client: SsoPortalClient.Service) => Effect.Effect<A, E>,
  options: SsoPortalClient.Options = {}
): Effect.Effect<A, E> =>
  Effect.flatMap(SsoPortalClient.SsoPortalClient, f).pipe(
    Effect.provide(
      SsoPortalClient.layer({ region: "us-east-1", ...options }).pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client))
      )
    )
  )

/** Runs `effect` in a fiber, lets `advance` of virtual time pass, and returns its exit as an Either. */
const runFor = <A, E>(effect: Effect.Effect<A, E>, advance: Duration.Input = Duration.minutes(10)) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(Effect.result(effect))
    yield* TestClock.adjust(advance)
    return yield* Fiber.join(fiber)
  })

const expectLeft = <A, E>(result: Result.Result<A, E>): E => {
  expect(Result.isFailure(result), "the call failed").toBe(true)
  return (result as Result.Failure<A, E>).failure
}

/** The one request a call sent. */
const sentBy = (call: Call, reply: Mock.Reply = Mock.json({})) =>
  Effect.gen(function*() {
    const mock = yield* Mock.script([reply])
    yield* Effect.ignore(withClient(mock, call, { retry: false }))
    const requests = yield* mock.requests
    expect(requests).toHaveLength(1)
    return requests[0]!
  })

/** An error as the portal sends it: the bare name in `x-amzn-ErrorType`, `{ message }` in the body. */
const portalError = (name: string, status: number, message = "Something happened") =>
  Mock.raw(status, JSON.stringify({ message }), {
    "content-type": "application/json",
    "x-amzn-errortype": name,
    "x-amzn-requestid": "9f1c1a52-0000-4000-8000-000000000000"
  })

const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams)

// -----------------------------------------------------------------------------
// requests
// -----------------------------------------------------------------------------

describe("SsoPortalClient — the requests", () => {
  it.effect("GetRoleCredentials is a GET of /federation/credentials with account_id and role_name, the token in the header, no body", () =>
    Effect.gen(function*() {
      const request = yield* sentBy(calls.getRoleCredentials)
      expect(request.method).toBe("GET")
      expect(new URL(request.url).origin).toBe("https://portal.sso.us-east-1.amazonaws.com")
      expect(new URL(request.url).pathname).toBe("/federation/credentials")
      expect(queryOf(request.url)).toEqual({ account_id: ACCOUNT, role_name: "ReadOnly" })
      expect(request.headers["x-amz-sso_bearer_token"]).toBe(TOKEN)
      expect(request.headers["content-type"]).toBeUndefined()
      expect(request.headers["authorization"]).toBeUndefined()
      expect(request.text).toBe("")
    }))

  it.effect("ListAccounts is a GET of /assignment/accounts with next_token and max_result when given", () =>
    Effect.gen(function*() {
      const bare = yield* sentBy(calls.listAccounts)
      expect(bare.method).toBe("GET")
      expect(new URL(bare.url).pathname).toBe("/assignment/accounts")
      expect(queryOf(bare.url)).toEqual({})
      expect(bare.headers["x-amz-sso_bearer_token"]).toBe(TOKEN)
      expect(bare.text).toBe("")
      const paged = yield* sentBy((client) => client.listAccounts({ accessToken, nextToken: "page/2+=", maxResults: 5 }))
      expect(queryOf(paged.url)).toEqual({ next_token: "page/2+=", max_result: "5" })
    }))

  it.effect("query values are percent-encoded as the SDKs do: a space is %20, never +; + / = ( ) * ! ' escaped", () =>
    Effect.gen(function*() {
      const request = yield* sentBy((client) => client.listAccounts({ accessToken, nextToken: "a b+c/d=e(f)*!'" }))
      expect(new URL(request.url).search).toBe("?next_token=a%20b%2Bc%2Fd%3De%28f%29%2A%21%27")
    }))

  it.effect("ListAccountRoles is a GET of /assignment/roles with account_id, next_token and max_result", () =>
    Effect.gen(function*() {
      const request = yield* sentBy((client) =>
        client.listAccountRoles({ accessToken, accountId: ACCOUNT, nextToken: "t", maxResults: 100 })
      )
      expect(request.method).toBe("GET")
      expect(new URL(request.url).pathname).toBe("/assignment/roles")
      expect(queryOf(request.url)).toEqual({ account_id: ACCOUNT, next_token: "t", max_result: "100" })
      expect(request.headers["x-amz-sso_bearer_token"]).toBe(TOKEN)
      expect(request.text).toBe("")
    }))

  it.effect("Logout is a POST of /logout with the token in the header and nothing in the query", () =>
    Effect.gen(function*() {
      const request = yield* sentBy(calls.logout, Mock.raw(200, ""))
      expect(request.method).toBe("POST")
      expect(new URL(request.url).pathname).toBe("/logout")
      expect(queryOf(request.url)).toEqual({})
      expect(request.headers["x-amz-sso_bearer_token"]).toBe(TOKEN)
      expect(request.text).toBe("")
    }))

  it.effect("the endpoint option replaces the portal's URL, a trailing slash dropped", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({})])
      yield* withClient(mock, calls.listAccounts, { endpoint: "http://127.0.0.1:9999/" })
      expect((yield* mock.requests)[0]!.url).toBe("http://127.0.0.1:9999/assignment/accounts")
    }))

  it.effect("a 200 reply is decoded: role credentials with their secrets Redacted, expiration in milliseconds", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({
        roleCredentials: {
          accessKeyId: "ASIAEXAMPLE0000000",
          secretAccessKey: "secret-access-key-0000000000000000000000",
          sessionToken: "session-token-000000000000000000000000",
          expiration: 1_700_000_000_000
        }
      })])
      const reply = yield* withClient(mock, (client) => client.getRoleCredentials({ accessToken, accountId: ACCOUNT, roleName: "R" }))
      expect(reply.roleCredentials?.accessKeyId).toBe("ASIAEXAMPLE0000000")
      expect(Redacted.isRedacted(reply.roleCredentials?.secretAccessKey)).toBe(true)
      expect(Redacted.isRedacted(reply.roleCredentials?.sessionToken)).toBe(true)
      expect(reply.roleCredentials?.expiration).toBe(1_700_000_000_000)
    }))

  it.effect("Logout's empty 200 succeeds", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.raw(200, "")])
      expect(yield* withClient(mock, calls.logout)).toBeUndefined()
    }))
})

// -----------------------------------------------------------------------------
// input checks
// -----------------------------------------------------------------------------

describe("SsoPortalClient — invalid input", () => {
  const invalid: ReadonlyArray<readonly [string, Call]> = [
    ["an account id of 11 digits", (client) => client.getRoleCredentials({ accessToken, accountId: "11111111111", roleName: "R" })],
    ["an account id with letters", (client) => client.listAccountRoles({ accessToken, accountId: "11111111111a" })],
    ["an empty role name", (client) => client.getRoleCredentials({ accessToken, accountId: ACCOUNT, roleName: "" })],
    ["maxResults 0", (client) => client.listAccounts({ accessToken, maxResults: 0 })],
    ["maxResults 101", (client) => client.listAccountRoles({ accessToken, accountId: ACCOUNT, maxResults: 101 })]
  ]
  for (const [name, call] of invalid) {
    it.effect(`${name} is InvalidInput and nothing is sent`, () =>
      Effect.gen(function*() {
        const mock = yield* Mock.script([Mock.json({})])
        const error: any = yield* Effect.flip(withClient(mock, call))
        expect(error._tag).toBe("InvalidInput")
        expect(yield* mock.requests).toHaveLength(0)
      }))
  }

  for (
    const [name, bad] of [
      ["CR LF", "aoaTOKEN-WITH-CRLF-0123456789\r\nx-injected: 1"],
      ["a NUL", "aoaTOKEN-WITH-NUL-0123456789\u0000"],
      ["a character above U+00FF", "aoaTOKEN-WITH-EURO-0123456789\u20ac"]
    ] as const
  ) {
    it.effect(`an access token with ${name} is InvalidInput naming the member, not the value, and nothing is sent`, () =>
      Effect.gen(function*() {
        const mock = yield* Mock.script([Mock.json({})])
        const error: any = yield* Effect.flip(withClient(mock, (client) => client.listAccounts({ accessToken: Redacted.make(bad) })))
        expect(error._tag).toBe("InvalidInput")
        expect(error.message).toBe("ListAccounts: invalid input: accessToken holds characters that cannot be sent in an HTTP header")
        expect(JSON.stringify(error)).not.toContain("aoaTOKEN")
        expect(yield* mock.requests).toHaveLength(0)
      }))
  }

  it.effect("an invalid account id given to accountRoles fails the stream with InvalidInput before any request", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({ roleList: [] })])
      const error: any = yield* Effect.flip(
        withClient(mock, (client) => Stream.runCollect(client.accountRoles(accessToken, "not-an-account")))
      )
      expect(error._tag).toBe("InvalidInput")
      expect(yield* mock.requests).toHaveLength(0)
    }))
})

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

describe("SsoPortalClient — errors", () => {
  const mapped: ReadonlyArray<readonly [string, number, string]> = [
    ["InvalidRequestException", 400, "SsoPortalInvalidRequest"],
    ["UnauthorizedException", 401, "SsoPortalUnauthorized"],
    ["TooManyRequestsException", 429, "SsoPortalTooManyRequests"],
    ["ResourceNotFoundException", 404, "SsoPortalResourceNotFound"],
    ["ForbiddenException", 403, "SsoPortalForbidden"]
  ]
  for (const [wireName, status, tag] of mapped) {
    it.effect(`${wireName} (HTTP ${status}) is ${tag}, with the message, status and request id`, () =>
      Effect.gen(function*() {
        const mock = yield* Mock.script([portalError(wireName, status, "Session token not found or invalid")])
        const error: any = yield* Effect.flip(withClient(mock, calls.getRoleCredentials, { retry: false }))
        expect(error._tag).toBe(tag)
        expect(error.description).toBe("Session token not found or invalid")
        expect(error.status).toBe(status)
        expect(error.requestId).toBe("9f1c1a52-0000-4000-8000-000000000000")
        expect(error.message).toContain("Session token not found or invalid")
      }))
  }

  it.effect("the coral suffix some fronts add to x-amzn-ErrorType is read off", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([
        portalError("UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/", 401)
      ])
      const error: any = yield* Effect.flip(withClient(mock, calls.listAccounts))
      expect(error._tag).toBe("SsoPortalUnauthorized")
    }))

  it.effect("an undeclared error name is ServiceError carrying the name and the message", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([portalError("SomethingNewException", 400, "new")])
      const error: any = yield* Effect.flip(withClient(mock, calls.listAccountRoles))
      expect(error._tag).toBe("ServiceError")
      expect(error.errorType).toBe("SomethingNewException")
      expect(error.error_description).toBe("new")
      expect(error.status).toBe(400)
    }))

  it.effect("ResourceNotFoundException from Logout (which does not declare it) is ServiceError", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([portalError("ResourceNotFoundException", 404)])
      const error: any = yield* Effect.flip(withClient(mock, calls.logout))
      expect(error._tag).toBe("ServiceError")
      expect(error.errorType).toBe("ResourceNotFoundException")
    }))

  it.effect("an error name that is an Object.prototype member is ServiceError, not a crash", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([portalError("constructor", 400)])
      const error: any = yield* Effect.flip(withClient(mock, calls.listAccounts))
      expect(error._tag).toBe("ServiceError")
    }))

  for (const name of ["getRoleCredentials", "listAccounts", "listAccountRoles"] as const) {
    it.effect(`an empty 200 to ${name} is ResponseDecodeError "empty body", not a success with nothing in it`, () =>
      Effect.gen(function*() {
        const mock = yield* Mock.script([Mock.raw(200, "")])
        const call: Call = calls[name]
        const error: any = yield* Effect.flip(withClient(mock, call))
        expect(error._tag).toBe("ResponseDecodeError")
        expect(error.description).toBe("empty body")
        expect(yield* mock.requests).toHaveLength(1)
      }))
  }

  it.effect("a 200 that is not JSON is ResponseDecodeError", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.raw(200, "<html>", { "content-type": "text/html" })])
      const error: any = yield* Effect.flip(withClient(mock, calls.listAccounts))
      expect(error._tag).toBe("ResponseDecodeError")
      expect(error.operation).toBe("ListAccounts")
    }))

  it.effect("a 200 of the wrong shape is ResponseDecodeError", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({ accountList: "nope" })])
      const error: any = yield* Effect.flip(withClient(mock, calls.listAccounts))
      expect(error._tag).toBe("ResponseDecodeError")
    }))

  for (const status of [301, 302, 307, 308]) {
    it.effect(`a ${status} redirect is refused (UnexpectedRedirect), not followed, not retried`, () =>
      Effect.gen(function*() {
        const mock = yield* Mock.script([Mock.raw(status, "", { location: "https://elsewhere.example/steal" })])
        const error: any = yield* Effect.flip(withClient(mock, calls.getRoleCredentials))
        expect(error._tag).toBe("UnexpectedRedirect")
        expect(yield* mock.requests).toHaveLength(1)
      }))
  }
})

// -----------------------------------------------------------------------------
// retries
// -----------------------------------------------------------------------------

describe("SsoPortalClient — retries (virtual time, jitter fixed)", () => {
  const ok = Mock.json({ accountList: [] })

  it.effect("a 429 then a 200 succeeds; with the jitter at its floor the retry goes at exactly 50 ms", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([portalError("TooManyRequestsException", 429), ok])
      const result = yield* runFor(withClient(mock, calls.listAccounts).pipe(RandomFixed.withFixed([0])))
      expect(Result.isSuccess(result)).toBe(true)
      expect((yield* mock.requests).map((r) => r.at)).toEqual([0, 50])
    }))

  it.effect("429s until the retries are spent: 4 attempts at 0, 50, 150 and 350 ms, then SsoPortalTooManyRequests", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([portalError("TooManyRequestsException", 429)])
      const error: any = expectLeft(
        yield* runFor(withClient(mock, calls.getRoleCredentials).pipe(RandomFixed.withFixed([0])))
      )
      expect(error._tag).toBe("SsoPortalTooManyRequests")
      expect((yield* mock.requests).map((r) => r.at)).toEqual([0, 50, 150, 350])
    }))

  it.effect("with the jitter at its ceiling the delays are 100, 200 and 400 ms", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([portalError("TooManyRequestsException", 429)])
      expectLeft(yield* runFor(withClient(mock, calls.listAccountRoles).pipe(RandomFixed.withFixed([1]))))
      expect((yield* mock.requests).map((r) => r.at)).toEqual([0, 100, 300, 700])
    }))

  it.effect("the retry is not sent before the backoff has elapsed", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([portalError("TooManyRequestsException", 429), ok])
      const fiber = yield* Effect.forkChild(withClient(mock, calls.listAccounts).pipe(RandomFixed.withFixed([0])))
      yield* TestClock.adjust(Duration.millis(49))
      expect(yield* mock.requests).toHaveLength(1)
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust(Duration.millis(1))
      yield* Fiber.join(fiber)
      expect(yield* mock.requests).toHaveLength(2)
    }))

  for (const [name, reply] of [
    ["HTTP 500", Mock.json({ message: "boom" }, 500)],
    ["HTTP 503", Mock.raw(503, "")],
    ["a transport failure", Mock.transportFailure()]
  ] as const) {
    it.effect(`${name} is retried`, () =>
      Effect.gen(function*() {
        const mock = yield* Mock.script([reply, ok])
        const result = yield* runFor(withClient(mock, calls.listAccounts))
        expect(Result.isSuccess(result)).toBe(true)
        expect(yield* mock.requests).toHaveLength(2)
      }))
  }

  for (
    const [wireName, status] of [
      ["UnauthorizedException", 401],
      ["ResourceNotFoundException", 404],
      ["InvalidRequestException", 400],
      ["ForbiddenException", 403]
    ] as const
  ) {
    it.effect(`${wireName} (HTTP ${status}) is never retried`, () =>
      Effect.gen(function*() {
        const mock = yield* Mock.script([portalError(wireName, status), ok])
        expectLeft(yield* runFor(withClient(mock, calls.getRoleCredentials)))
        expect(yield* mock.requests).toHaveLength(1)
      }))
  }

  it.effect("retry: false makes one attempt at a 429", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([portalError("TooManyRequestsException", 429), ok])
      const error: any = expectLeft(yield* runFor(withClient(mock, calls.logout, { retry: false })))
      expect(error._tag).toBe("SsoPortalTooManyRequests")
      expect(yield* mock.requests).toHaveLength(1)
    }))

  it.effect("a retried request is sent again unchanged", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([portalError("TooManyRequestsException", 429), ok])
      yield* runFor(withClient(mock, (client) => client.listAccounts({ accessToken, maxResults: 3, nextToken: "n" })))
      const [first, second] = yield* mock.requests
      expect(second!.url).toBe(first!.url)
      expect(second!.headers["x-amz-sso_bearer_token"]).toBe(TOKEN)
      expect(second!.method).toBe("GET")
    }))
})

// -----------------------------------------------------------------------------
// pagination
// -----------------------------------------------------------------------------

/** A device login against the in-process emulator, approved by the test; the access token. */
const signIn = Effect.gen(function*() {
  const emulator = yield* Emulator.Emulator
  const client = yield* SsoOidcClient.SsoOidcClient
  const registered = yield* client.registerClient({ clientName: "portal", clientType: "public" })
  const clientId = registered.clientId!
  const clientSecret = registered.clientSecret!
  const started = yield* client.startDeviceAuthorization({
    clientId,
    clientSecret,
    startUrl: "https://my-sso-portal.awsapps.com/start"
  })
  yield* emulator.approve(started.userCode!)
  const token = yield* client.createToken({
    clientId,
    clientSecret,
    grantType: GrantType.DeviceCode,
    deviceCode: started.deviceCode!
  })
  return token.accessToken!
})

const accounts: ReadonlyArray<Emulator.Account> = Array.from({ length: 5 }, (_, i) => ({
  accountId: String(i + 1).repeat(12),
  accountName: `Account ${i + 1}`,
  emailAddress: `a${i + 1}@example.com`,
  roles: ["RoleA", "RoleB", "RoleC"]
}))

const withEmulator = (options: Emulator.Options = {}) =>
  Layer.mergeAll(
    SsoPortalClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1", retry: false }),
    SsoOidcClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1", retry: false })
  ).pipe(Layer.provideMerge(Emulator.layerInProcess({ accounts, ...options })))

describe("SsoPortalClient — accounts and accountRoles (the emulator)", () => {
  it.effect("accounts walks every page of the emulator (5 accounts, pages of 2: 3 requests)", () =>
    Effect.gen(function*() {
      const token = yield* signIn
      const portal = yield* SsoPortalClient.SsoPortalClient
      const all = yield* Stream.runCollect(portal.accounts(token, { pageSize: 2 }))
      expect(all.map((a) => a.accountId)).toEqual(accounts.map((a) => a.accountId))
      expect((yield* (yield* Emulator.Emulator).counts).ListAccounts).toBe(3)
    }).pipe(Effect.provide(withEmulator())))

  it.effect("accountRoles walks every page of one account's roles", () =>
    Effect.gen(function*() {
      const token = yield* signIn
      const portal = yield* SsoPortalClient.SsoPortalClient
      const roles = yield* Stream.runCollect(portal.accountRoles(token, "333333333333", { pageSize: 1 }))
      expect(roles).toEqual([
        { roleName: "RoleA", accountId: "333333333333" },
        { roleName: "RoleB", accountId: "333333333333" },
        { roleName: "RoleC", accountId: "333333333333" }
      ])
      expect((yield* (yield* Emulator.Emulator).counts).ListAccountRoles).toBe(3)
    }).pipe(Effect.provide(withEmulator())))

  it.effect("the streams are lazy: Stream.take(1) sends one request", () =>
    Effect.gen(function*() {
      const token = yield* signIn
      const portal = yield* SsoPortalClient.SsoPortalClient
      const first = yield* Stream.runCollect(Stream.take(portal.accounts(token, { pageSize: 1 }), 1))
      expect(first.map((a) => a.accountId)).toEqual(["111111111111"])
      const firstRole = yield* Stream.runCollect(Stream.take(portal.accountRoles(token, "222222222222", { pageSize: 1 }), 1))
      expect(firstRole.length).toBe(1)
      const counts = yield* (yield* Emulator.Emulator).counts
      expect(counts.ListAccounts).toBe(1)
      expect(counts.ListAccountRoles).toBe(1)
    }).pipe(Effect.provide(withEmulator())))

  it.effect("a role of an account the user does not have is SsoPortalResourceNotFound from the stream", () =>
    Effect.gen(function*() {
      const token = yield* signIn
      const portal = yield* SsoPortalClient.SsoPortalClient
      const error: any = yield* Effect.flip(Stream.runCollect(portal.accountRoles(token, "999999999999")))
      expect(error._tag).toBe("SsoPortalResourceNotFound")
    }).pipe(Effect.provide(withEmulator())))

  it.effect("after Logout the token is SsoPortalUnauthorized", () =>
    Effect.gen(function*() {
      const token = yield* signIn
      const portal = yield* SsoPortalClient.SsoPortalClient
      yield* portal.logout({ accessToken: token })
      const error: any = yield* Effect.flip(portal.listAccounts({ accessToken: token }))
      expect(error._tag).toBe("SsoPortalUnauthorized")
    }).pipe(Effect.provide(withEmulator())))

  it.effect("GetRoleCredentials returns the credentials the emulator issued", () =>
    Effect.gen(function*() {
      const token = yield* signIn
      const portal = yield* SsoPortalClient.SsoPortalClient
      const reply = yield* portal.getRoleCredentials({ accessToken: token, accountId: "444444444444", roleName: "RoleB" })
      const [issued] = yield* (yield* Emulator.Emulator).roleCredentials
      expect(reply.roleCredentials?.accessKeyId).toBe(issued!.accessKeyId)
      expect(Redacted.value(reply.roleCredentials!.secretAccessKey!)).toBe(Redacted.value(issued!.secretAccessKey))
      expect(reply.roleCredentials?.expiration).toBe(3_600_000)
    }).pipe(Effect.provide(withEmulator())))
})

const withEmulatorRetrying = (options: Emulator.Options = {}) =>
  Layer.mergeAll(
    SsoPortalClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1" }),
    SsoOidcClient.layer({ endpoint: Emulator.inProcessUrl, region: "us-east-1", retry: false })
  ).pipe(Layer.provideMerge(Emulator.layerInProcess(options)))

describe("SsoPortalClient — the emulator's portal faults (virtual time, jitter fixed)", () => {
  it.effect("TooManyRequestsException ×2 on GetRoleCredentials: credentials after retries at exactly 50 and 150 ms", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const token = yield* signIn
      const portal = yield* SsoPortalClient.SsoPortalClient
      yield* emulator.setFaults([{
        operation: "GetRoleCredentials",
        fault: Emulator.Fault.status(429, { errorName: "TooManyRequestsException" }),
        count: 2
      }])
      const start = yield* Clock.currentTimeMillis
      const fiber = yield* Effect.forkChild(
        portal.getRoleCredentials({ accessToken: token, accountId: "111111111111", roleName: "RoleA" }).pipe(
          RandomFixed.withFixed([0])
        )
      )
      yield* TestClock.adjust(Duration.millis(149))
      expect(yield* emulator.roleCredentials).toHaveLength(0)
      yield* TestClock.adjust(Duration.millis(1))
      const reply = yield* Fiber.join(fiber)
      const [issued] = yield* emulator.roleCredentials
      expect(reply.roleCredentials?.accessKeyId).toBe(issued!.accessKeyId)
      expect(issued!.issuedAt.getTime() - start).toBe(150)
      expect((yield* emulator.counts).GetRoleCredentials).toBe(3)
    }).pipe(Effect.provide(withEmulatorRetrying({ accounts }))))

  it.effect("ForbiddenException (403, as the real service sends it) is SsoPortalForbidden at once, with its message", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const token = yield* signIn
      const portal = yield* SsoPortalClient.SsoPortalClient
      yield* emulator.setFaults([{
        operation: "GetRoleCredentials",
        fault: Emulator.Fault.status(403, { errorName: "ForbiddenException", description: "No access" })
      }])
      const error: any = yield* Effect.flip(
        portal.getRoleCredentials({ accessToken: token, accountId: "111111111111", roleName: "RoleA" })
      )
      expect(error._tag).toBe("SsoPortalForbidden")
      expect(error.status).toBe(403)
      expect(error.description).toBe("No access")
      expect((yield* emulator.counts).GetRoleCredentials).toBe(1)
    }).pipe(Effect.provide(withEmulatorRetrying({ accounts }))))

  it.effect("a ListAccounts reply slower than the timeout is retried; the stream still yields every account", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const token = yield* signIn
      const portal = yield* SsoPortalClient.SsoPortalClient
      yield* emulator.setFaults([{ operation: "ListAccounts", fault: Emulator.Fault.delay("60 seconds"), count: 1 }])
      const fiber = yield* Effect.forkChild(Stream.runCollect(portal.accounts(token, { pageSize: 2 })))
      yield* TestClock.adjust(Duration.minutes(2))
      const all = yield* Fiber.join(fiber)
      expect(all.map((a) => a.accountId)).toEqual(accounts.map((a) => a.accountId))
      expect((yield* emulator.counts).ListAccounts).toBe(4)
    }).pipe(Effect.provide(withEmulatorRetrying({ accounts }))))
})

describe("SsoPortalClient — pagination over a scripted server", () => {
  const page = (ids: ReadonlyArray<string>, nextToken?: string) =>
    Mock.json({ accountList: ids.map((accountId) => ({ accountId })), ...(nextToken === undefined ? {} : { nextToken }) })

  it.effect("each page's nextToken is sent as next_token of the next request, pageSize as max_result", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([page(["1"], "t1"), page(["2"], "t2"), page(["3"])])
      const all = yield* withClient(mock, (client) => Stream.runCollect(client.accounts(accessToken, { pageSize: 7 })))
      expect(all.map((a) => a.accountId)).toEqual(["1", "2", "3"])
      expect((yield* mock.requests).map((r) => queryOf(r.url))).toEqual([
        { max_result: "7" },
        { max_result: "7", next_token: "t1" },
        { max_result: "7", next_token: "t2" }
      ])
    }))

  it.effect("the same stream value run twice walks every page both times", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.make((_, index) => index % 2 === 0 ? page(["1"], "t1") : page(["2"]))
      const both = yield* withClient(mock, (client) => {
        const stream = client.accounts(accessToken)
        return Effect.zip(Stream.runCollect(stream), Stream.runCollect(stream))
      })
      expect(both.map((chunk) => chunk.map((a) => a.accountId))).toEqual([["1", "2"], ["1", "2"]])
      expect(yield* mock.requests).toHaveLength(4)
    }))

  it.effect("a repeated nextToken ends the walk instead of looping", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([page(["1"], "a"), page(["2"], "b"), page(["3"], "a")])
      const all = yield* withClient(mock, (client) => Stream.runCollect(client.accounts(accessToken)))
      expect(all.map((a) => a.accountId)).toEqual(["1", "2", "3"])
      expect(yield* mock.requests).toHaveLength(3)
    }))

  it.effect("a server that hands back the same nextToken forever is asked twice, not forever", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([page(["x"], "same")])
      const all = yield* withClient(mock, (client) => Stream.runCollect(client.accounts(accessToken)))
      expect(all.length).toBe(2)
      expect(yield* mock.requests).toHaveLength(2)
    }))

  it.effect("an empty nextToken, or a null one, ends the walk", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([page(["1"], ""), page(["2"])])
      expect((yield* withClient(mock, (client) => Stream.runCollect(client.accounts(accessToken)))).length).toBe(1)
      const nulls = yield* Mock.script([Mock.json({ accountList: null, nextToken: null }), page(["2"])])
      expect((yield* withClient(nulls, (client) => Stream.runCollect(client.accounts(accessToken)))).length).toBe(0)
      expect(yield* nulls.requests).toHaveLength(1)
    }))

  it.effect("an error on a later page fails the stream after the earlier items", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([page(["1"], "t1"), portalError("UnauthorizedException", 401)])
      const seen: Array<string> = []
      const error: any = yield* Effect.flip(
        withClient(mock, (client) =>
          Stream.runForEach(client.accounts(accessToken), (a) => Effect.sync(() => seen.push(a.accountId!))))
      )
      expect(seen).toEqual(["1"])
      expect(error._tag).toBe("SsoPortalUnauthorized")
    }))

  it.effect("accountRoles sends account_id on every page", () =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([
        Mock.json({ roleList: [{ roleName: "A" }], nextToken: "n" }),
        Mock.json({ roleList: [{ roleName: "B" }] })
      ])
      const all = yield* withClient(mock, (client) => Stream.runCollect(client.accountRoles(accessToken, ACCOUNT)))
      expect(all.map((r) => r.roleName)).toEqual(["A", "B"])
      expect((yield* mock.requests).map((r) => queryOf(r.url))).toEqual([
        { account_id: ACCOUNT },
        { account_id: ACCOUNT, next_token: "n" }
      ])
    }))
})

// -----------------------------------------------------------------------------
// the access token stays secret
// -----------------------------------------------------------------------------

describe("SsoPortalClient — the access token never shows", () => {
  it.effect("not in errors, logs or spans (the platform's http.client spans included), for every operation and failure", () => {
    const texts: Array<string> = []
    const spans: Array<{ name: string; attributes: Map<string, unknown>; exit?: Exit.Exit<unknown, unknown> }> = []
    const render = (value: unknown) => {
      for (const f of [() => JSON.stringify(value), () => String(value), () => Util.inspect(value, { depth: 12 })]) {
        try {
          const text = f()
          if (typeof text === "string") texts.push(text)
        } catch {
          // not renderable this way
        }
      }
    }
    const logger = Logger.make((options) => {
      texts.push(Logger.formatSimple.log(options), Logger.formatLogFmt.log(options), Logger.formatJson.log(options))
      render(options.message)
      if (options.cause.reasons.length > 0) texts.push(Cause.pretty(options.cause))
    })
    const tracer = Tracer.make({
      span: ({ annotations, kind, links, name, parent, startTime }) => {
        const record: { name: string; attributes: Map<string, unknown>; exit?: Exit.Exit<unknown, unknown> } = {
          name,
          attributes: new Map()
        }
        spans.push(record)
        return {
          _tag: "Span",
          name,
          spanId: `s${spans.length}`,
          traceId: "t",
          parent,
          annotations,
          links: [...links],
          sampled: true,
          kind,
          status: { _tag: "Started", startTime },
          attributes: record.attributes,
          attribute: (key, value) => record.attributes.set(key, value),
          event: (eventName, _time, attributes) => render({ eventName, attributes }),
          addLinks: () => {},
          end: (_endTime, exit) => {
            record.exit = exit
          }
        } satisfies Tracer.Span
      }
    })
    const replies: ReadonlyArray<Mock.Reply> = [
      Mock.json({}),
      portalError("UnauthorizedException", 401, "Session token not found or invalid"),
      portalError("TooManyRequestsException", 429),
      portalError("SomethingNewException", 418),
      Mock.raw(302, "", { location: "https://elsewhere.example/" }),
      Mock.raw(200, "not json"),
      Mock.json({ accountList: 1, roleList: 1, roleCredentials: 1 }),
      Mock.transportFailure(),
      Mock.hang
    ]
    return Effect.gen(function*() {
      let failures = 0
      for (const reply of replies) {
        const all: ReadonlyArray<Call> = [...Object.values(calls), (c) => Stream.runCollect(c.accounts(accessToken))]
        for (const call of all) {
          const mock = yield* Mock.script([reply])
          const exit = yield* runFor(
            withClient(mock, call, { retry: { times: 1 }, timeout: Duration.seconds(5) }).pipe(
              Effect.tapCause((cause) => Effect.logDebug("portal call failed", cause)),
              Effect.tap((value) => Effect.logDebug("portal call succeeded", value)),
              Effect.withSpan("app.portal")
            )
          )
          if (Result.isFailure(exit)) {
            failures++
            const error = exit.failure as any
            texts.push(error.message, String(error), JSON.stringify(error), Util.inspect(error, { depth: 12 }))
            if (typeof error.stack === "string") texts.push(error.stack)
          }
        }
      }
      for (const span of spans) {
        texts.push(span.name)
        for (const [key, value] of span.attributes) {
          texts.push(key)
          render(value)
        }
        if (span.exit !== undefined && Exit.isFailure(span.exit)) texts.push(Cause.pretty(span.exit.cause))
      }
      expect(failures).toBeGreaterThan(20)
      // The platform's client span: Effect 4 names it after the method alone (Effect 3: `http.client POST`).
      expect(spans.some((span) => span.name === "POST" && span.attributes.has("http.request.method"))).toBe(true)
      expect(spans.some((span) => span.name === "SsoPortalClient.getRoleCredentials")).toBe(true)
      // The header is there, redacted, so the scan looked where the token would be.
      expect(texts.some((text) => text.includes("x-amz-sso_bearer_token"))).toBe(true)
      const leaks = texts.filter((text) => text.includes(TOKEN))
      expect(leaks.map((text) => text.slice(0, 300))).toEqual([])
    }).pipe(
      Effect.provideService(References.MinimumLogLevel, "Debug"),
      // Effect 4 records no header in the client span unless told to: record them all, so the redaction is what hides the token.
      Effect.provideService(HttpClient.TracerHeaderFilter, () => true),
      Effect.provide(Logger.layer([logger])),
      Effect.withTracer(tracer)
    )
  })
})

// -----------------------------------------------------------------------------
// layerConfig
// -----------------------------------------------------------------------------

describe("SsoPortalClient — layerConfig", () => {
  /** The URL a ListAccounts call goes to, with `env` as the environment. */
  const urlWith = (env: Record<string, string>, options: SsoPortalClient.Options = {}) =>
    Effect.gen(function*() {
      const mock = yield* Mock.script([Mock.json({})])
      yield* Effect.flatMap(SsoPortalClient.SsoPortalClient, calls.listAccounts).pipe(
        Effect.provide(
          SsoPortalClient.layerConfig({ retry: false, ...options }).pipe(
            Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client))
          )
        ),
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env)),
        Effect.ignore
      )
      const requests = yield* mock.requests
      return requests.length === 0 ? undefined : requests[0]!.url
    })

  it.effect("AWS_ENDPOINT_URL_SSO wins over AWS_ENDPOINT_URL; the region alone gives the portal's own URL", () =>
    Effect.gen(function*() {
      expect(yield* urlWith({ AWS_REGION: "eu-west-1" })).toBe("https://portal.sso.eu-west-1.amazonaws.com/assignment/accounts")
      expect(yield* urlWith({ AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: "https://global.lan:1" })).toBe(
        "https://global.lan:1/assignment/accounts"
      )
      expect(
        yield* urlWith({ AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: "https://global.lan:1", AWS_ENDPOINT_URL_SSO: "https://sso.lan:2" })
      ).toBe("https://sso.lan:2/assignment/accounts")
    }))

  it.effect("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores both; an endpoint in the options wins over the environment", () =>
    Effect.gen(function*() {
      expect(
        yield* urlWith({ AWS_REGION: "us-west-2", AWS_ENDPOINT_URL_SSO: "https://sso.lan:2", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" })
      ).toBe("https://portal.sso.us-west-2.amazonaws.com/assignment/accounts")
      expect(yield* urlWith({ AWS_ENDPOINT_URL_SSO: "https://sso.lan:2" }, { endpoint: "https://mine.lan:3" })).toBe(
        "https://mine.lan:3/assignment/accounts"
      )
    }))
})
