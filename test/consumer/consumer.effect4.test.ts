/**
 * The Effect 4 edition (effect4/, the package's next major) as its users get it: see suite.ts.
 * Its peers are effect 4 (the HTTP client is `effect/http`) and, for `./node`, @effect/platform-node
 * 4, which needs Node >= 22.19: the emulator's server runs on Node 24, and the app signs in on
 * Node 22 and 24, Bun and Deno. It ships no bin (the one `sso-oidc` binary is the root package's).
 */
import * as Path from "node:path"
import * as H from "./harness.js"
import { consumerSuite, warnIfUnbuilt } from "./suite.js"

const packageDir = Path.join(H.repoRoot, "effect4")
warnIfUnbuilt(packageDir)

consumerSuite({
  name: "the Effect 4 edition",
  packageDir,
  fixtures: "effect4",
  outPrefix: "effect4-",
  peers: { effect: ["4", "4."] },
  nodePeers: { "@effect/platform-node": ["4", "4."] },
  peerRanges: {
    "@effect/platform-node": /^\^4\./,
    effect: /^\^4\./,
    undici: /^\^8\./
  },
  bin: false,
  serverRuntime: "node24",
  loginRuntimes: ["node22", "node24", "bun", "deno"],
  typesNodeFrom: Path.join(H.repoRoot, "effect4/node_modules/@types/node/package.json")
})
