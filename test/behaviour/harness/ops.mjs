// The behaviour harnesses' ops, written once against what both editions share: their public names
// (the same in both) and the Effect APIs that did not change between Effect 3 and 4. Each edition's
// harness (./effect3.mjs, effect4/test/behaviour/harness/effect4.mjs) passes in its own modules, imported
// from its BUILT package, its own `effect`, and the four things that differ: `decodeUnknown` (Schema),
// `failureOf` (the typed error of a Cause), `fromEither` (an Either, or a Result, as an Effect) and
// `FetchHttpClient`. Secrets leave as SHA-256 fingerprints,
// but for `credential-process`, which plays the AWS CLI's credential_process and so must print them.
import { join } from "node:path"
import { describeFailure, fingerprint, HarnessError } from "./protocol.mjs"

/** The ops and their shutdown, over one edition's modules. */
export const makeOps = (lib) => {
  const {
    edition,
    effectVersion,
    decodeUnknown,
    failureOf,
    fromEither,
    FetchHttpClient,
    Cause,
    Duration,
    Effect,
    Exit,
    Layer,
    ManagedRuntime,
    Option,
    Redacted,
    Stream,
    AwsCredentials,
    DeviceLogin,
    Endpoint,
    SsoConfig,
    SsoCredentials,
    SsoOidcClient,
    SsoOidcSchema,
    SsoPortalClient,
    SsoPortalSchema,
    SsoTokenProvider,
    TokenCache,
    NodeEmulator,
    NodeSso,
    Emulator
  } = lib

  // -----------------------------------------------------------------------------
  // values out: secrets as fingerprints, dates as ISO strings, durations in millis
  // -----------------------------------------------------------------------------

  const reveal = (value) => {
    if (Redacted.isRedacted(value)) return { $redacted: fingerprint(Redacted.value(value)) }
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? { $date: null } : { $date: value.toISOString() }
    if (Duration.isDuration(value)) return { $millis: Duration.toMillis(value) }
    if (Option.isOption(value)) return Option.isSome(value) ? { $some: reveal(value.value) } : { $none: true }
    if (Array.isArray(value)) return value.map(reveal)
    if (value !== null && typeof value === "object") {
      const out = {}
      for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = reveal(inner)
      return out
    }
    return value
  }

  /** Runs an effect: its value, or throws `{ failure }` with the typed error (or the defect) described. */
  const run = async (effect) => {
    const exit = await Effect.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) return exit.value
    const failure = failureOf(exit.cause)
    throw {
      failure: Option.isSome(failure)
        ? describeFailure(failure.value)
        : { _tag: "Defect", message: Cause.pretty(exit.cause), string: Cause.pretty(exit.cause), json: "" }
    }
  }

  const millis = (n) => (n === undefined ? undefined : Duration.millis(n))

  // -----------------------------------------------------------------------------
  // emulators, each in a ManagedRuntime of its own until emulator.stop
  // -----------------------------------------------------------------------------

  const emulators = new Map()
  let nextEmulator = 1

  const faultOf = (rule) => {
    const { fault, ...rest } = rule
    // Delays travel in millis; every other fault is plain data already.
    return fault._tag === "Delay" ? { ...rest, fault: Emulator.Fault.delay(Duration.millis(fault.millis)) } : rule
  }

  const emulatorOf = (id) => {
    const entry = emulators.get(id)
    if (entry === undefined) throw new HarnessError(`no emulator ${id}`)
    return entry
  }

  const views = {
    counts: (e) => e.counts,
    authorizations: (e) =>
      Effect.map(e.authorizations, (all) =>
        all.map((a) => ({
          userCode: a.userCode,
          clientId: a.clientId,
          startUrl: a.startUrl,
          status: a.status,
          intervalMillis: Duration.toMillis(a.interval),
          polls: a.polls,
          slowDowns: a.slowDowns,
          deviceCode: reveal(a.deviceCode)
        }))),
    registrations: (e) =>
      Effect.map(e.registrations, (all) =>
        all.map((r) => ({
          clientId: r.clientId,
          clientSecret: reveal(r.clientSecret),
          clientName: r.clientName,
          clientType: r.clientType,
          scopes: r.scopes,
          grantTypes: r.grantTypes,
          issuerUrl: r.issuerUrl ?? null
        }))),
    tokens: (e) =>
      Effect.map(e.tokens, (all) =>
        all.map((t) => ({
          accessToken: reveal(t.accessToken),
          refreshToken: t.refreshToken === undefined ? null : reveal(t.refreshToken),
          refreshTokenActive: t.refreshTokenActive,
          clientId: t.clientId,
          grantType: t.grantType,
          scopes: t.scopes,
          expiresAt: t.expiresAt.toISOString(),
          revoked: t.revokedAt !== undefined
        }))),
    roleCredentials: (e) =>
      Effect.map(e.roleCredentials, (all) =>
        all.map((c) => ({
          accountId: c.accountId,
          roleName: c.roleName,
          accessKeyId: c.accessKeyId,
          secretAccessKey: reveal(c.secretAccessKey),
          sessionToken: reveal(c.sessionToken),
          expiresAt: c.expiresAt.getTime()
        }))),
    requests: (e) =>
      Effect.map(e.requests, (all) =>
        all.map((r) => ({
          kind: r.kind,
          method: r.method,
          path: r.path,
          status: r.status ?? null,
          errorName: r.errorName ?? null,
          faults: r.faults
        }))),
    accounts: (e) => Effect.map(e.accounts, (all) => all.map((a) => ({ ...a, roles: [...a.roles] })))
  }

  // -----------------------------------------------------------------------------
  // the clients
  // -----------------------------------------------------------------------------

  const clientOptions = (args) => ({
    ...(args.endpoint === undefined ? {} : { endpoint: args.endpoint }),
    region: args.region ?? "us-east-1",
    retry: args.retry === undefined || args.retry === false
      ? false
      : { times: args.retry.times, base: Duration.millis(args.retry.baseMillis ?? 5) },
    ...(args.timeoutMillis === undefined ? {} : { timeout: Duration.millis(args.timeoutMillis) })
  })

  /** `registerClient` → `RegisterClientRequest`, `createTokenWithIam` → `CreateTokenWithIamRequest`. */
  const requestSchema = (module, operation) => {
    const schema = module[`${operation[0].toUpperCase()}${operation.slice(1)}Request`]
    if (schema === undefined) throw new HarnessError(`no request schema for ${operation}`)
    return schema
  }

  const oidcCall = (args) => {
    const schema = requestSchema(SsoOidcSchema, args.operation)
    const program = Effect.gen(function*() {
      const input = yield* decodeUnknown(schema)(args.input)
      const client = yield* SsoOidcClient.SsoOidcClient
      return yield* client[args.operation](input)
    })
    const credentials = args.credentials === undefined
      ? Layer.empty
      : AwsCredentials.layerStatic({
        accessKeyId: args.credentials.accessKeyId,
        secretAccessKey: Redacted.make(args.credentials.secretAccessKey),
        ...(args.credentials.sessionToken === undefined ? {} : { sessionToken: Redacted.make(args.credentials.sessionToken) })
      })
    return program.pipe(
      Effect.provide(SsoOidcClient.layer(clientOptions(args)).pipe(Layer.provide(FetchHttpClient.layer))),
      Effect.provide(credentials)
    )
  }

  const portalLayer = (args) => SsoPortalClient.layer(clientOptions(args)).pipe(Layer.provide(FetchHttpClient.layer))

  const portalCall = (args) => {
    const schema = requestSchema(SsoPortalSchema, args.operation)
    return Effect.gen(function*() {
      const input = yield* decodeUnknown(schema)(args.input)
      const client = yield* SsoPortalClient.SsoPortalClient
      return yield* client[args.operation](input)
    }).pipe(Effect.provide(portalLayer(args)))
  }

  /** The answer of a call: the output with secrets fingerprinted, and the output as `JSON.stringify` shows it. */
  const output = (value) => ({ output: reveal(value ?? null), shown: JSON.stringify(value ?? null) ?? "null" })

  // -----------------------------------------------------------------------------
  // a HOME of the AWS CLI's layout: HOME/.aws/config, HOME/.aws/sso/cache, HOME/.aws/cli/cache
  // -----------------------------------------------------------------------------

  const homeLayers = (args) => {
    const cache = TokenCache.layer({ directory: join(args.home, ".aws", "sso", "cache") })
    const config = SsoConfig.layer({ path: join(args.home, ".aws", "config") })
    const provider = SsoTokenProvider.layer({
      client: { ...(args.endpoint === undefined ? {} : { endpoint: args.endpoint }), retry: false }
    })
    const base = Layer.mergeAll(cache, config).pipe(
      Layer.provideMerge(FetchHttpClient.layer),
      Layer.provideMerge(NodeSso.layer)
    )
    return provider.pipe(Layer.provideMerge(base))
  }

  const accessTokenOut = (token) => ({
    accessToken: reveal(token.accessToken),
    expiresAt: token.expiresAt.toISOString(),
    ...reveal(Object.fromEntries(Object.entries(token).filter(([key]) => !["accessToken", "expiresAt"].includes(key))))
  })

  const roleCredentials = (args) =>
    SsoCredentials.get(args.profile).pipe(
      Effect.provide(
        SsoCredentials.layerService({
          cacheDirectory: join(args.home, ".aws", "cli", "cache"),
          portal: { ...(args.endpoint === undefined ? {} : { endpoint: args.endpoint }), retry: false }
        }).pipe(Layer.provide(homeLayers(args)))
      )
    )

  const cachedTokenOf = (wire) => ({
    startUrl: wire.startUrl,
    region: wire.region,
    accessToken: Redacted.make(wire.accessToken),
    expiresAt: new Date(wire.expiresAt),
    clientId: wire.clientId,
    clientSecret: wire.clientSecret === undefined ? undefined : Redacted.make(wire.clientSecret),
    registrationExpiresAt: wire.registrationExpiresAt === undefined ? undefined : new Date(wire.registrationExpiresAt),
    refreshToken: wire.refreshToken === undefined ? undefined : Redacted.make(wire.refreshToken)
  })

  const cacheLayer = (args) =>
    TokenCache.layer({ directory: join(args.home, ".aws", "sso", "cache") }).pipe(Layer.provide(NodeSso.layer))

  const keyOf = (args) => args.key ?? TokenCache.tokenKey(args.session)

  // -----------------------------------------------------------------------------
  // ops
  // -----------------------------------------------------------------------------

  const ops = {
    edition: async () => ({ edition, effect: effectVersion }),

    "emulator.start": async (args) => {
      const runtime = ManagedRuntime.make(
        NodeEmulator.layer({
          port: args.port ?? 0,
          ...(args.intervalMillis === undefined ? {} : { interval: millis(args.intervalMillis) }),
          ...(args.autoApproveAfterMillis === undefined ? {} : { autoApproveAfter: millis(args.autoApproveAfterMillis) }),
          ...(args.faults === undefined ? {} : { faults: args.faults.map(faultOf) })
        })
      )
      // `yield*` of the tag, not the tag as an Effect: an Effect 4 service tag is not one.
      const exit = await runtime.runPromiseExit(Effect.gen(function*() {
        return yield* Emulator.Emulator
      }))
      if (Exit.isFailure(exit)) {
        await runtime.dispose()
        await run(Effect.failCause(exit.cause))
      }
      const id = String(nextEmulator++)
      emulators.set(id, { runtime, emulator: exit.value })
      return { id, url: exit.value.url }
    },
    "emulator.stop": async ({ id }) => {
      const { runtime } = emulatorOf(id)
      emulators.delete(id)
      await runtime.dispose()
      return { stopped: id }
    },
    "emulator.approve": ({ id, userCode }) => run(emulatorOf(id).emulator.approve(userCode)).then(() => ({})),
    "emulator.deny": ({ id, userCode }) => run(emulatorOf(id).emulator.deny(userCode)).then(() => ({})),
    "emulator.view": ({ id, what }) => {
      const view = views[what]
      if (view === undefined) throw new HarnessError(`no view ${what}`)
      return run(view(emulatorOf(id).emulator))
    },
    "emulator.setFaults": ({ id, faults }) => run(emulatorOf(id).emulator.setFaults(faults.map(faultOf))).then(() => ({})),
    "emulator.clearFaults": ({ id }) => run(emulatorOf(id).emulator.clearFaults).then(() => ({})),

    /** Endpoint.resolve (service "oidc") or resolvePortal ("portal"): the URL, or the typed error. */
    endpoint: async ({ service, params }) => ({
      url: await run(fromEither(service === "portal" ? Endpoint.resolvePortal(params) : Endpoint.resolve(params)))
    }),
    oidc: async (args) => output(await run(oidcCall(args))),
    portal: async (args) => output(await run(portalCall(args))),
    "portal.accounts": async (args) =>
      output(
        await run(
          Effect.gen(function*() {
            const client = yield* SsoPortalClient.SsoPortalClient
            const accounts = yield* Stream.runCollect(client.accounts(Redacted.make(args.accessToken), { pageSize: args.pageSize }))
            return [...accounts]
          }).pipe(Effect.provide(portalLayer(args)))
        )
      ),

    /** DeviceLogin.deviceLogin's events, in order, and the token. */
    deviceLogin: async (args) => {
      const events = await run(
        Stream.runCollect(
          DeviceLogin.deviceLogin({
            startUrl: args.startUrl,
            ...(args.scopes === undefined ? {} : { scopes: args.scopes }),
            ...(args.clientName === undefined ? {} : { clientName: args.clientName })
          })
        ).pipe(
          Effect.map((chunk) => [...chunk]),
          Effect.provide(SsoOidcClient.layer(clientOptions(args)).pipe(Layer.provide(FetchHttpClient.layer)))
        )
      )
      return { events: events.map(reveal) }
    },

    /** SsoTokenProvider.loginToCache: the device login, writing HOME/.aws/sso/cache as `aws sso login` does. */
    login: async (args) =>
      accessTokenOut(await run(SsoTokenProvider.loginToCache(args.session).pipe(Effect.provide(homeLayers(args))))),
    /** SsoTokenProvider.token: the session's token from the cache, refreshed when near expiry. */
    token: async (args) =>
      accessTokenOut(await run(SsoTokenProvider.token(args.session).pipe(Effect.provide(homeLayers(args))))),

    "cache.readToken": async (args) =>
      output(
        await run(
          Effect.gen(function*() {
            const cache = yield* TokenCache.TokenCache
            return Option.getOrNull(yield* cache.getToken(keyOf(args)))
          }).pipe(Effect.provide(cacheLayer(args)))
        )
      ),
    "cache.readRegistration": async (args) =>
      output(
        await run(
          Effect.gen(function*() {
            const cache = yield* TokenCache.TokenCache
            return Option.getOrNull(yield* cache.getRegistration(args.key))
          }).pipe(Effect.provide(cacheLayer(args)))
        )
      ),
    "cache.writeToken": async (args) => {
      const path = await run(
        Effect.gen(function*() {
          const cache = yield* TokenCache.TokenCache
          yield* cache.setToken(keyOf(args), cachedTokenOf(args.token))
          return cache.pathOf(keyOf(args))
        }).pipe(Effect.provide(cacheLayer(args)))
      )
      return { path }
    },
    "cache.writeRegistration": async (args) => {
      const registration = {
        clientId: args.registration.clientId,
        clientSecret: Redacted.make(args.registration.clientSecret),
        expiresAt: new Date(args.registration.expiresAt),
        scopes: args.registration.scopes,
        grantTypes: args.registration.grantTypes
      }
      const path = await run(
        Effect.gen(function*() {
          const cache = yield* TokenCache.TokenCache
          yield* cache.setRegistration(args.key, registration)
          return cache.pathOf(args.key)
        }).pipe(Effect.provide(cacheLayer(args)))
      )
      return { path }
    },
    "cache.tokenKey": async ({ identifier }) => ({ key: TokenCache.tokenKey(identifier) }),

    /** SsoCredentials: a profile's role credentials from the portal, with the token of the cache. */
    credentials: async (args) => output(await run(roleCredentials(args))),
    /** The AWS CLI's credential_process contract: `{ Version: 1, AccessKeyId, … }` on stdout, secrets included. */
    "credential-process": async (args) => {
      const credentials = await run(roleCredentials(args))
      return {
        Version: 1,
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: Redacted.value(credentials.secretAccessKey),
        SessionToken: Redacted.value(credentials.sessionToken),
        Expiration: credentials.expiration.toISOString()
      }
    }
  }

  const shutdown = async () => {
    const all = [...emulators.values()]
    emulators.clear()
    await Promise.allSettled(all.map(({ runtime }) => runtime.dispose()))
  }

  return { ops, shutdown }
}
