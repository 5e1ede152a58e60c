import * as HttpClientRequest from "effect/http/HttpClientRequest"
import { AwsV4Signer } from "aws4fetch"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { type Credentials, CredentialsError } from "../AwsCredentials.js"
import * as Signing from "../core/signing.js"

/** `YYYYMMDDTHHMMSSZ`, the SigV4 date, from a Clock reading. */
export const amzDate: (millis: number) => string = Signing.amzDate

/**
 * Signs a request with SigV4 (aws4fetch, over WebCrypto): `host` and the
 * headers we send (content-type, accept) are signed; `user-agent` is not, as
 * in the AWS SDKs. The time comes from the caller (Clock), so signing is
 * reproducible under TestClock.
 */
export const signRequest = (
  request: HttpClientRequest.HttpClientRequest,
  body: string,
  options: { readonly credentials: Credentials; readonly region: string; readonly service: string; readonly now: number }
): Effect.Effect<HttpClientRequest.HttpClientRequest, CredentialsError> =>
  Effect.tryPromise({
    try: () => {
      const { credentials } = options
      // The platform sends the body's content type as a header: sign it too.
      const bodyType = request.body._tag === "Uint8Array" || request.body._tag === "Raw"
        ? request.body.contentType
        : undefined
      const headers = Signing.headersToSign(request.headers, bodyType)
      return new AwsV4Signer({
        method: request.method,
        url: request.url,
        headers,
        body,
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: Redacted.value(credentials.secretAccessKey),
        ...(credentials.sessionToken === undefined ? {} : { sessionToken: Redacted.value(credentials.sessionToken) }),
        service: options.service,
        region: options.region,
        datetime: amzDate(options.now),
        // aws4fetch leaves content-type unsigned by default; the AWS SDKs sign it.
        // We pass only the headers to sign (user-agent and content-length are left out above).
        allHeaders: true
      }).sign()
    },
    catch: (cause) =>
      new CredentialsError({
        source: "signing",
        description: cause instanceof Error ? cause.message : "SigV4 signing failed"
      })
  }).pipe(
    Effect.map((signed) =>
      HttpClientRequest.setHeaders(request, Signing.signatureHeaders((name) => signed.headers.get(name)))
    )
  )
