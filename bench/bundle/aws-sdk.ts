// The AWS SDK doing the same three calls of a device login (no polling loop).
import {
  CreateTokenCommand,
  RegisterClientCommand,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"

const client = new SSOOIDCClient({ region: "us-east-1" })
export const login = async () => {
  const registration = await client.send(new RegisterClientCommand({ clientName: "x", clientType: "public" }))
  const authorization = await client.send(new StartDeviceAuthorizationCommand({
    clientId: registration.clientId!,
    clientSecret: registration.clientSecret!,
    startUrl: "https://example.awsapps.com/start"
  }))
  return client.send(new CreateTokenCommand({
    clientId: registration.clientId!,
    clientSecret: registration.clientSecret!,
    grantType: "urn:ietf:params:oauth:grant-type:device_code",
    deviceCode: authorization.deviceCode!
  }))
}
