/**
 * The Effect-free parts of the editions' `testing/Emulator` module: the fault
 * constructors (src/core/emulator/faults.ts), the default data and the
 * controls' error texts (src/core/emulator/model.ts).
 */
import { describe, expect, it } from "vitest"
import * as Faults from "../../../src/core/emulator/faults.js"
import * as Model from "../../../src/core/emulator/model.js"

describe("core emulator model", () => {
  it("the fault constructors and their defaults", () => {
    const F = Faults.faultConstructors
    expect(F.status(503)).toEqual({ _tag: "Status", status: 503 })
    expect(F.status(400, { errorName: "SlowDownException", error: "slow_down" })).toEqual({
      _tag: "Status",
      status: 400,
      errorName: "SlowDownException",
      error: "slow_down"
    })
    expect(F.unknownError()).toEqual({ _tag: "UnknownError", name: "EmulatorInjectedException", status: 400 })
    expect(F.reset()).toEqual({ _tag: "Reset" })
    expect(F.emptyBody()).toEqual({ _tag: "EmptyBody", status: 200 })
    expect(F.notJson(502)).toEqual({ _tag: "NotJson", status: 502 })
    expect(F.wrongShape()).toEqual({ _tag: "WrongShape", status: 200 })
    expect(F.hugeBody()).toEqual({ _tag: "HugeBody", status: 200, bytes: 10 * 1024 * 1024 })
    expect(F.redirect()).toEqual({
      _tag: "Redirect",
      status: 307,
      location: "https://attacker.invalid/steal?from=emulator"
    })
    expect(F.wrongContentType()).toEqual({ _tag: "WrongContentType", contentType: "text/html; charset=utf-8" })
  })

  it("the default data: test account ids of 12 digits, a loopback redirect URI, AWS-style test keys", () => {
    expect(Model.defaultRegion).toBe("us-east-1")
    expect(Model.defaultAccounts.map((account) => account.accountId)).toEqual(["111111111111", "222222222222"])
    expect(Model.defaultAccounts.every((account) => /^\d{12}$/.test(account.accountId))).toBe(true)
    expect(Model.defaultApplication.redirectUris).toEqual(["http://127.0.0.1/oauth/callback"])
    expect(Model.defaultIamKeys.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/)
  })

  it("the controls' error texts", () => {
    expect(Model.unknownUserCodeText("BCDF-GHJK")).toBe("No device authorization has the user code BCDF-GHJK")
    expect(Model.authorizationNotPendingText("BCDF-GHJK", "denied")).toBe(
      "The device authorization BCDF-GHJK is denied, not pending"
    )
    expect(Model.unknownAuthorizationRequestText("r1")).toBe("No authorization request has the id r1")
    expect(Model.authorizationRequestNotPendingText("r1", "expired")).toBe(
      "The authorization request r1 is expired, not pending"
    )
    expect(Model.requestStatuses).toEqual(["pending", "approved", "denied", "consumed", "expired"])
  })
})
