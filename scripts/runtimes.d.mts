// Types of scripts/runtimes.mjs, for the TypeScript tests that import it.
export type RuntimeName = "node22" | "node24" | "bun" | "deno"
export declare const repoRoot: string
export declare const cacheDir: string
/** Environment the runtimes run with (DENO_NO_UPDATE_CHECK=1, ...). */
export declare const runtimeEnv: Readonly<Record<string, string>>
export declare const runtimeNames: ReadonlyArray<RuntimeName>
/** Installs one runtime if needed; resolves to the absolute path of its binary. */
export declare const ensureRuntime: (runtime: RuntimeName) => Promise<string>
/** Installs the runtimes (all by default) in parallel; resolves to their binaries' paths. */
export declare const ensureRuntimes: <N extends RuntimeName = RuntimeName>(names?: ReadonlyArray<N>) => Promise<Record<N, string>>
export declare const cleanRuntimeCache: () => Promise<void>
