// A peer of the behaviour suite: the AWS SDK for JavaScript's `fromSSO` credential provider
// (@aws-sdk/credential-providers) resolves a profile's role credentials from ~/.aws/sso/cache through
// the portal. argv: <profile>. The environment gives HOME, AWS_CONFIG_FILE and AWS_ENDPOINT_URL_SSO.
// Prints `RESULT {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}` (a test's fake
// credentials, from the emulator), or `ERROR <name> <message>` with exit code 2.
import { fromSSO } from "@aws-sdk/credential-providers"

try {
  const credentials = await fromSSO({ profile: process.argv[2] })()
  process.stdout.write(
    `RESULT ${JSON.stringify({
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration?.getTime()
    })}\n`
  )
} catch (error) {
  process.stdout.write(`ERROR ${error?.name} ${error?.message}\n`)
  process.exitCode = 2
}
