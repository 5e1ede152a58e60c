/**
 * The Effect 3 edition (the root package) as its users get it: see suite.ts. Its app signs in on
 * this process's Node (20), Node 22 and 24, Bun and Deno; it ships the `sso-oidc` bin.
 */
import * as Path from "node:path"
import * as H from "./harness.js"
import { consumerSuite, warnIfUnbuilt } from "./suite.js"

warnIfUnbuilt(H.packageDir)

consumerSuite({
  name: "the Effect 3 edition",
  packageDir: H.packageDir,
  fixtures: "effect3",
  outPrefix: "",
  peers: { effect: ["3", "3."], "@effect/platform": ["0.97", "0.97."] },
  nodePeers: { "@effect/platform-node": ["0.108", "0.108."] },
  peerRanges: {
    "@effect/platform": /^\^0\.97\./,
    "@effect/platform-node": /^\^0\.108\./,
    effect: /^\^3\./,
    undici: /^\^7\./
  },
  bin: true,
  serverRuntime: "self",
  loginRuntimes: ["self", "node22", "node24", "bun", "deno"],
  typesNodeFrom: Path.join(H.repoRoot, "node_modules/@types/node/package.json")
})
