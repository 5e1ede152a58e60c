/**
 * `effect-sso-oidc/testing`: what an application's own test suite imports.
 * Platform-neutral: the emulator runs in-process under `TestClock`.
 *
 * @since 0.2.0
 */

/**
 * @since 0.1.0
 */
export * as Emulator from "./testing/Emulator.js"

/**
 * @since 0.2.0
 */
export * as ScriptedHttpClient from "./testing/ScriptedHttpClient.js"
