// The Effect 3 edition's behaviour harness: drives the BUILT package (the root package.json's exports,
// ./dist, by self-reference) through its public entry points only, for test/behaviour/*.test.ts. The ops
// are written once, in ./ops.mjs; this file gives them this edition's modules. Its twin for the Effect 4
// edition is effect4/test/behaviour/harness/effect4.mjs. Protocol: ./protocol.mjs.
import { FetchHttpClient } from "@effect/platform"
import { Cause, Duration, Effect, Exit, Layer, ManagedRuntime, Option, Redacted, Schema, Stream } from "effect"
import effectPackage from "effect/package.json" with { type: "json" }
import * as Library from "effect-sso-oidc"
import { NodeEmulator, NodeSso } from "effect-sso-oidc/node"
import { Emulator } from "effect-sso-oidc/testing"
import { makeOps } from "./ops.mjs"
import { main } from "./protocol.mjs"

await main(makeOps({
  ...Library,
  NodeEmulator,
  NodeSso,
  Emulator,
  edition: "effect3",
  effectVersion: effectPackage.version,
  decodeUnknown: Schema.decodeUnknown,
  failureOf: Cause.failureOption,
  // An Either is an Effect in Effect 3.
  fromEither: (either) => either,
  FetchHttpClient,
  Cause,
  Duration,
  Effect,
  Exit,
  Layer,
  ManagedRuntime,
  Option,
  Redacted,
  Stream
}))
