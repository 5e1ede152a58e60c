/**
 * The Effect-free parts of the editions' public `testing/Emulator` module:
 * the shapes of an account and an application, the default data an emulator
 * starts with, and the texts of its controls' errors. Each edition re-exports
 * the shapes and wraps the data (its `Redacted` for the IAM secret key).
 */

/**
 * An AWS account the emulator's portal assigns to the user (every token
 * sees the same accounts), with the roles the user may take in it.
 */
export interface Account {
  /** 12 digits. */
  readonly accountId: string
  readonly accountName: string
  readonly emailAddress: string
  /** The role names (permission sets) assigned in the account, in listing order. */
  readonly roles: ReadonlyArray<string>
}

/**
 * An IAM Identity Center application, the `clientId` of CreateTokenWithIAM
 * (and of `/authorize` for its authorization code grant).
 */
export interface Application {
  /** The application ARN, e.g. `arn:aws:sso::123456789012:application/ssoins-…/apl-…`. */
  readonly applicationArn: string
  /** Shown on the `/authorize` page. Default: the ARN. */
  readonly name?: string | undefined
  /** Where `/authorize` may send the browser back (loopback `http://127.0.0.1/…` matches any port). */
  readonly redirectUris: ReadonlyArray<string>
  /** The scopes the application grants, and from which a request may downscope. */
  readonly scopes: ReadonlyArray<string>
}

/** The region an emulator stands for unless told otherwise. */
export const defaultRegion = "us-east-1"

/**
 * The AWS keys an emulator accepts on CreateTokenWithIAM unless told
 * otherwise: test values (in AWS's documentation style) that no AWS account knows.
 */
export const defaultIamKeys = {
  accessKeyId: "AKIAEMULATOREXAMPLE1",
  secretAccessKey: "emulatorSecretAccessKey/EXAMPLEKEY0000000000"
} as const

/**
 * The application an emulator serves on CreateTokenWithIAM unless told
 * otherwise: the ARN of the model's examples, the loopback redirect URI of
 * the AWS CLI and the default scopes of an application.
 */
export const defaultApplication: Application = {
  applicationArn: "arn:aws:sso::123456789012:application/ssoins-111111111111/apl-222222222222",
  name: "Emulator application",
  redirectUris: ["http://127.0.0.1/oauth/callback"],
  scopes: ["openid", "aws", "sts:identity_context"]
}

/**
 * The accounts an emulator's portal assigns unless told otherwise: two
 * accounts (test ids no AWS account has) with a few roles each.
 */
export const defaultAccounts: ReadonlyArray<Account> = [
  {
    accountId: "111111111111",
    accountName: "Development",
    emailAddress: "dev@example.com",
    roles: ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"]
  },
  {
    accountId: "222222222222",
    accountName: "Production",
    emailAddress: "prod@example.com",
    roles: ["ReadOnlyAccess"]
  }
]

/** The statuses a device authorization or an `/authorize` request can be in, as the controls' errors carry them. */
export const requestStatuses = ["pending", "approved", "denied", "consumed", "expired"] as const

/** UnknownUserCode's message. */
export const unknownUserCodeText = (userCode: string): string => `No device authorization has the user code ${userCode}`

/** AuthorizationNotPending's message. */
export const authorizationNotPendingText = (userCode: string, status: string): string =>
  `The device authorization ${userCode} is ${status}, not pending`

/** UnknownAuthorizationRequest's message. */
export const unknownAuthorizationRequestText = (id: string): string => `No authorization request has the id ${id}`

/** AuthorizationRequestNotPending's message. */
export const authorizationRequestNotPendingText = (id: string, status: string): string =>
  `The authorization request ${id} is ${status}, not pending`
