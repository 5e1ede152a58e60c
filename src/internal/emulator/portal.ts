/**
 * The SSO portal side of the emulator: the core's transitions
 * (`core/emulator/portal.ts`) with this edition's member reader and input
 * schemas (the operations table).
 */
import * as Core from "../../core/emulator/portal.js"
import type { State } from "../../core/emulator/state.js"
import * as Operations from "../operations.js"
import { decodeMembers, readMembers } from "./input.js"

export type { AccountRecord, PortalSettings } from "../../core/emulator/portal.js"

const input: Core.PortalInput = {
  read: (name, request) => readMembers(Operations.portalOperations[name], request),
  // The schemas decode to the shapes the core reads (secrets as Redacted, which it does not read).
  decode: (name, members) => decodeMembers(Operations.portalOperations[name], members) as Core.InputRead<any>
}

/** Serves one portal operation (see {@link Core.handle}). */
export const handle = (
  state: State,
  name: Operations.SsoPortalOperationName,
  request: Core.RequestParts,
  now: number,
  accounts: ReadonlyArray<Core.AccountRecord>,
  fresh: Core.FreshRoleCredentials,
  settings: Core.PortalSettings
): readonly [Core.PortalOutcome, State] => Core.handle(state, name, request, now, accounts, fresh, settings, input)
