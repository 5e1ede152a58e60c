/** The other runtimes the bench needs, from the test suite's cache (scripts/runtimes.mjs). */
import { ensureRuntime } from "../scripts/runtimes.mjs"

/** Node 24, which the Effect 4 edition's scripts under effect4/bench run on. */
export const node24 = async (): Promise<string> => (await ensureRuntime("node24")) as string
