// The Effect 4 edition's behaviour harness: drives the BUILT package (effect4/package.json's exports,
// effect4/dist, by self-reference) through its public entry points only, for the root's
// test/behaviour/*.test.ts, which run it on Node 24 (@effect/platform-node 4 needs Node >= 22.19). The
// ops are written once, in test/behaviour/harness/ops.mjs; this file gives them this edition's modules
// and its `effect` (4.x, from effect4/node_modules). Its twin: test/behaviour/harness/effect3.mjs.
import { Cause, Duration, Effect, Exit, Layer, ManagedRuntime, Option, Redacted, Schema, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import effectPackage from "effect/package.json" with { type: "json" }
import * as Library from "effect-sso-oidc"
import { NodeEmulator, NodeSso } from "effect-sso-oidc/node"
import { Emulator } from "effect-sso-oidc/testing"
import { makeOps } from "../../../../test/behaviour/harness/ops.mjs"
import { main } from "../../../../test/behaviour/harness/protocol.mjs"

await main(makeOps({
  ...Library,
  NodeEmulator,
  NodeSso,
  Emulator,
  edition: "effect4",
  effectVersion: effectPackage.version,
  // Effect 4 names the Effect-returning decoder decodeUnknownEffect, and finds a Cause's typed error with findErrorOption.
  decodeUnknown: Schema.decodeUnknownEffect,
  failureOf: Cause.findErrorOption,
  // Effect 4's Endpoint.resolve answers a Result, which is not an Effect.
  fromEither: Effect.fromResult,
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
