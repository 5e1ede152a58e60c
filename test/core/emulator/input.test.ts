/**
 * The Effect-free half of the emulator's member reader
 * (src/core/emulator/input.ts). Decoding with the input schemas is tested
 * per edition (Emulator.portal.test.ts).
 */
import { describe, expect, it } from "vitest"
import * as Input from "../../../src/core/emulator/input.js"
import { locationOf, operations, portalOperations } from "../../../src/core/operations.js"

const listAccounts = portalOperations.ListAccounts
const members = (operation: typeof listAccounts | typeof operations.CreateToken, names: ReadonlyArray<string>) =>
  names.map((name) => ({ name, location: locationOf(operation, name) }))

describe("core emulator input", () => {
  it("reads query and header members where the table binds them; digits become a number for numeric members", () => {
    const read = Input.readRawMembers(
      members(listAccounts, ["nextToken", "maxResults", "accessToken"]),
      new Set(["maxResults"]),
      { query: { max_result: "5", next_token: "7" }, headers: { "X-Amz-Sso_Bearer_Token": "tok" }, bodyText: "{" }
    )
    // The body is never parsed when no member lives there (it is not JSON here).
    expect(read).toEqual({ _tag: "Ok", value: { nextToken: "7", maxResults: 5, accessToken: "tok" } })
    const text = Input.readRawMembers(members(listAccounts, ["maxResults"]), new Set(["maxResults"]), {
      query: { max_result: "5x" },
      headers: {},
      bodyText: ""
    })
    expect(text).toEqual({ _tag: "Ok", value: { maxResults: "5x" } })
  })

  it("reads body members from a JSON object, and refuses a body that is not one", () => {
    const parts = (bodyText: string) => ({ query: {}, headers: {}, bodyText })
    const body = members(operations.CreateToken, ["clientId", "grantType"])
    expect(Input.readRawMembers(body, new Set(), parts(`{"clientId":"c","grantType":null}`))).toEqual({
      _tag: "Ok",
      value: { clientId: "c" }
    })
    expect(Input.readRawMembers(body, new Set(), parts("  "))).toEqual({ _tag: "Ok", value: {} })
    expect(Input.readRawMembers(body, new Set(), parts("{nope"))).toEqual({
      _tag: "Err",
      problem: { member: undefined, reason: "invalid", message: "The request body is not valid JSON" }
    })
    expect(Input.readRawMembers(body, new Set(), parts("[1]"))).toEqual({
      _tag: "Err",
      problem: { member: undefined, reason: "invalid", message: "The request body must be a JSON object" }
    })
  })

  it("a problem names the member as it travels, and keeps the schema's text for query members only", () => {
    expect(Input.memberProblem(listAccounts, { member: "accessToken", missing: true, message: "x" })).toEqual({
      member: "accessToken",
      reason: "missing",
      message: "Missing required parameter: x-amz-sso_bearer_token"
    })
    expect(Input.memberProblem(listAccounts, { member: "maxResults", missing: false, message: "at most 100" }))
      .toEqual({ member: "maxResults", reason: "invalid", message: "Invalid value for max_result: at most 100" })
    expect(Input.memberProblem(listAccounts, { member: "accessToken", missing: false, message: "secret-ish" }))
      .toEqual({ member: "accessToken", reason: "invalid", message: "Invalid value for x-amz-sso_bearer_token" })
    expect(Input.memberProblem(listAccounts, { member: undefined, missing: false, message: "x" })).toEqual({
      member: undefined,
      reason: "invalid",
      message: "The request is not valid"
    })
  })
})
