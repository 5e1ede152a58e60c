/**
 * The seam between CreateTokenWithIAM and its SigV4 signer (aws4fetch), so
 * that a bundle which never provides AWS credentials does not carry the
 * signer: `SsoOidcClient` calls {@link sign}, and `AwsCredentials.ts`
 * installs the signer when it loads. Every program that can provide the
 * `AwsCredentials` service the signed call requires has loaded that module
 * (its tag lives there), so the signer is always installed before it is
 * needed; a program that never can need not bundle it.
 *
 * @internal
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import type { AwsCredentials, CredentialsError } from "../AwsCredentials.js"

/** Signs a request with the credentials of the `AwsCredentials` service in context. */
export type Sign = (
  request: HttpClientRequest.HttpClientRequest,
  body: string,
  options: { readonly region: string; readonly service: string }
) => Effect.Effect<HttpClientRequest.HttpClientRequest, CredentialsError, AwsCredentials>

let installed: Sign | undefined

/** Called once by `AwsCredentials.ts` as it loads. */
export const install = (signer: Sign): void => {
  installed = signer
}

/**
 * The installed signer. None installed means `AwsCredentials.ts` never
 * loaded, so no `AwsCredentials` service can be in context: the same
 * defect as Effect's own for a missing service.
 */
export const sign: Sign = (request, body, options) =>
  installed === undefined
    ? Effect.dieMessage("Service not found: effect-sso-oidc/AwsCredentials")
    : installed(request, body, options)
