/**
 * `effect-sso-oidc/node`: what Node provides to the platform-neutral root.
 *
 * @since 0.2.0
 */

/**
 * @since 0.2.0
 */
export * as NodeEmulator from "./node/NodeEmulator.js"

/**
 * @since 0.2.0
 */
export * as NodeSso from "./node/NodeSso.js"
