/**
 * The `posture-service` command line (design §5): serve, and the admin chores (enrolment tokens,
 * API keys, devices, signing keys). Secrets it creates are printed alone on stdout, so scripts can
 * capture them; everything else is for people.
 */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { AgentError, systemErrorCode } from '../shared/errors.js';
import { defaultDataDir, type ProcessFacts } from '../shared/app-dirs.js';
import { parseDuration } from '../shared/duration.js';
import { PRODUCT_VERSION } from '../shared/version.js';
import { KEY_ENCRYPTION_KEY_ENV, parseServeConfig, SERVE_SOURCES, type ServeFlags } from '../server/config.js';
import { loadKeyEncryptionKey } from '../server/key-encryption-key.js';
import { KeySetVault, type KeySetPurpose } from '../server/key-set-vault.js';
import { AdminCredentials } from '../server/console/admin-credentials.js';
import { createConsoleLink, DEFAULT_LINK_LIFETIME_MS } from '../server/console/console-links.js';
import type { ConsoleRole } from '../server/store/console-records.js';
import { SERVICE_KEYS_FILE, ServiceKeys } from '../server/service-keys.js';
import { DEFAULT_CERTIFICATE_LIFETIME_SECONDS, DEVICE_CA_FILE, DeviceCa } from '../server/device-ca.js';
import { startService, type RunningService } from '../server/start-service.js';
import { openStore } from '../server/store/open-store.js';
import { deliveryAttemptLine, deliveryAttemptView } from '../server/events/event-routes.js';
import type { ApiKeyRole, Store } from '../server/store/store.js';
import { DeviceDirectory, type Actor, type DeviceListItem } from '../server/device-directory.js';
import type { DeviceListParams } from '../server/device-list-params.js';
import { redactUrl } from '../shared/redact.js';
import type { CliIo } from './cli-io.js';
import { EXIT_OK, runCli, usageError, type CommandOutcome } from './run-cli.js';

export interface ServiceCliDeps {
  io: CliIo;
  facts: ProcessFacts;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `serve` then shuts down gracefully. */
  stopSignal: () => Promise<string>;
  /** Calls `reload` whenever the process is asked to reload (SIGHUP); returns how to stop listening. */
  reloadSignal?: (reload: () => void) => () => void;
  /** Tells the caller the service is up (tests use it to learn the address). */
  onListening?: (service: RunningService) => void;
  now?: () => Date;
}

interface StoreFlags {
  dataDir?: string;
  database?: string;
}

interface DeviceListFlags {
  state?: string;
  platform?: string;
  failing?: string;
  notSeenFor?: string;
  seenWithin?: string;
  search?: string;
  sort: 'id' | 'hostname' | 'last-seen';
  limit: string;
  cursor?: string;
  all?: boolean;
  json?: boolean;
}

interface KeyFlags extends StoreFlags {
  keyEncryptionKeyFile?: string;
}

function keyEncryptionKeyFileOption(): Option {
  return new Option('--key-encryption-key-file <file>', 'the key that encrypts the signing keys in the database (default: key-encryption.key in the data directory, or POSTURE_SERVICE_KEY_ENCRYPTION_KEY)')
    .env('POSTURE_SERVICE_KEY_ENCRYPTION_KEY_FILE');
}

function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'where the database, signing keys and state live').env('POSTURE_SERVICE_DATA_DIR');
}

function databaseOption(): Option {
  return new Option('--database <url>', 'sqlite:PATH or postgres://USER@HOST/DB (default: sqlite in the data directory)').env('POSTURE_SERVICE_DATABASE');
}

function positiveInteger(flag: string) {
  return (text: string): number => {
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1_000_000) throw usageError(`${flag} must be a whole number from 1 to 1000000, not "${text}".`);
    return Number(text);
  };
}

function duration(flag: string) {
  return (text: string): number => {
    const ms = parseDuration(text);
    if (ms === null || ms < 60_000) throw usageError(`${flag} must be a duration such as 30m, 12h or 7d (at least 1m), not "${text}".`);
    return ms;
  };
}

export function createServiceProgram(deps: ServiceCliDeps): Command {
  const { io } = deps;
  const now = () => deps.now?.() ?? new Date();
  const dataDirOf = (flags: StoreFlags) => flags.dataDir ?? defaultDataDir(deps.facts);
  const operator = (): Actor => ({ actor: `cli:${deps.facts.userName ?? deps.facts.env['USER'] ?? 'unknown'}`, source: null });

  /**
   * Opens the database the flags name and says which on stderr. Only commands that make something
   * (tokens, API keys) may create a missing SQLite file: a read or a device action on an empty
   * database would only mislead.
   */
  async function withStore<T>(flags: StoreFlags, work: (store: Store) => Promise<T>, access: { create: boolean } = { create: false }): Promise<T> {
    const database = flags.database ?? `sqlite:${join(dataDirOf(flags), 'posture.db')}`;
    if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(database)) throw usageError('--database must be sqlite:PATH or postgres://USER@HOST/DB.');
    const store = await openStore(database, { mustExist: !access.create });
    io.stderr(`posture-service: database ${redactUrl(database)}\n`);
    try {
      await store.migrate();
      return await work(store);
    } finally {
      await store.close();
    }
  }

  const program = new Command('posture-service')
    .description('Posture policy service: enrols devices, appraises their signed Evidence, and answers gateways.')
    .version(PRODUCT_VERSION, '-V, --version')
    .helpCommand(false);

  const serve = program.command('serve').description('run the policy service (JSON logs on stdout; stops gracefully on SIGINT/SIGTERM; SIGHUP reloads the policy and signing keys)');
  const describe: Record<keyof ServeFlags, string> = {
    host: 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface, behind TLS)',
    port: 'port to listen on (default 8080)',
    url: 'public base URL: Evidence audience and Result issuer (default http://HOST:PORT, the address it listens on)',
    database: 'sqlite:PATH or postgres://USER@HOST/DB (default: sqlite in the data directory)',
    dataDir: 'where the database, signing keys and state live',
    policy: 'policy file (YAML or JSON); default: the built-in policy',
    audience: 'the aud of Results, which gateways check (default posture-gateway)',
    resultTtl: 'how long a Result is valid (default 10m, at most 24h)',
    logLevel: 'fatal, error, warn, info (default), debug or silent',
    trustProxy: 'take the client address from X-Forwarded-For (only behind your own proxy)',
    authzRateLimit: 'forward-auth requests per second per client address (default 5000; 0: off)',
    challengeRateLimit: 'challenge and enrolment requests per second per client address (default 100; 0: off)',
    maxConnectionsPerAddress: 'open connections per client address (default 256; 0: off); more are closed at once',
    maxConnections: 'open connections in all (default 10000; 0: off); keep it below the open-file limit',
    requestTimeout: 'time for a request\'s headers and body to arrive before it is answered 408 and closed (default 15s)',
    maxPostureAge: 'a device whose latest appraisal is older is refused on its client certificate (default 11m: two check intervals and a margin)',
    certificateLifetime: 'how long a device certificate (POST /v1/certificate) is valid (default 7d; 1h to 90d)',
    historyRetention: 'how long appraisal history (state changes) is kept (default 90d); the latest appraisal of each device is always kept',
    keyEncryptionKeyFile: 'file with the key that encrypts the signing keys in the database, the same for every instance (default: key-encryption.key in the data directory; or the key itself in POSTURE_SERVICE_KEY_ENCRYPTION_KEY)',
    // Console sign-in
    consoleSessionLifetime: 'how long a console session lasts at most (default 8h)',
    consoleSessionIdle: 'a console session unused this long ends (default 1h)',
    oidcIssuer: 'OpenID Connect issuer URL of the identity provider for console sign-in (https)',
    oidcClientId: 'the console\'s client id at the identity provider (redirect URI: <url>/console/oidc/callback)',
    oidcClientSecretFile: 'file with the client secret (or the secret itself in POSTURE_SERVICE_OIDC_CLIENT_SECRET)',
    oidcRoleClaim: 'the claim with the user\'s roles or groups (default roles; e.g. groups)',
    oidcAdminValues: 'claim values that make a console administrator, comma-separated',
    oidcViewerValues: 'claim values that make a console viewer (read only), comma-separated',
    oidcName: 'the identity provider\'s name on the sign-in button (default: the issuer\'s host name)',
    // Events
    events: 'file (YAML or JSON) naming the webhooks and Shared Signals receivers that hear of device state changes (docs/events.md)',
  };
  for (const [key, [flag, env]] of Object.entries(SERVE_SOURCES) as [keyof ServeFlags, [string, string]][]) {
    const takesValue = key !== 'trustProxy';
    serve.addOption(new Option(takesValue ? `${flag} <value>` : flag, describe[key]).env(env));
  }
  serve.action(async (flags: ServeFlags) => {
    const config = parseServeConfig({ ...flags, dataDir: flags.dataDir ?? defaultDataDir(deps.facts) }, deps.facts.env);
    let running: RunningService;
    try {
      running = await startService(config);
    } catch (error) {
      const code = systemErrorCode(error);
      if (code === 'EADDRINUSE') throw new AgentError('ERR_CONFIG_INVALID', `Port ${config.port} on ${config.host} is already in use; choose another with --port.`);
      if (code === 'EACCES') throw new AgentError('ERR_CONFIG_INVALID', `Not allowed to listen on ${config.host}:${config.port}; use a port above 1023 or run with the right privileges.`);
      throw error;
    }
    io.stderr(
      `posture-service: listening on ${running.address}; Results are signed as ${running.publicUrl}` +
        `${config.publicUrl === null ? ' (agents enrol with --server set to exactly this URL; give --url for a public name)' : ''}.\n`,
    );
    deps.onListening?.(running);
    const stopReloading = deps.reloadSignal?.(() => void running.reload());
    const signal = await deps.stopSignal();
    stopReloading?.();
    running.app.log.info({ signal }, 'shutting down');
    await running.close();
  });

  const token = program.command('token').description('enrolment tokens');
  token
    .command('create')
    .description('print a new enrolment token, alone on stdout (it is stored hashed: keep it now)')
    .option('--uses <n>', 'how many devices may enrol with it (default 1)', positiveInteger('--uses'), 1)
    .option('--expires <duration>', 'how long it is valid, e.g. 12h or 7d (default 7d)', duration('--expires'), 7 * 86_400_000)
    .option('--note <text>', 'what it is for (shown by token list)')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags & { uses: number; expires: number; note?: string }) => {
      const created = await withStore(flags, (store) =>
        new AdminCredentials(store, now).createEnrollmentToken({ uses: flags.uses, lifetimeMs: flags.expires, note: flags.note ?? null }, operator()),
      { create: true });
      io.stdout(`${created.token}\n`);
    });
  token
    .command('list')
    .description('list enrolment tokens (never their values)')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags) => {
      const tokens = await withStore(flags, (store) => store.listEnrollmentTokens());
      for (const entry of tokens) {
        const state = entry.expiresAt < now() ? 'expired' : `${entry.usesLeft} use(s) left`;
        io.stdout(`${entry.id}  ${state}  expires ${entry.expiresAt.toISOString()}${entry.note ? `  ${entry.note}` : ''}\n`);
      }
    });

  program
    .command('apikey')
    .description('API keys for admins and gateways')
    .command('create')
    .description('print a new API key, alone on stdout (it is stored hashed: keep it now)')
    .addOption(new Option('--role <role>', 'admin (devices, revoke) or gateway (read devices)').choices(['admin', 'gateway']).makeOptionMandatory())
    .option('--name <name>', 'who or what uses it', 'unnamed')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags & { role: ApiKeyRole; name: string }) => {
      const created = await withStore(flags, (store) => new AdminCredentials(store, now).createApiKey({ role: flags.role, name: flags.name }, operator()), { create: true });
      io.stdout(`${created.key}\n`);
    });

  // Console sign-in
  program
    .command('console-link')
    .description('print a one-time sign-in link for the console, alone on stdout (for a first start without an identity provider)')
    .addOption(new Option('--role <role>', 'admin (may change things) or viewer (may only look)').choices(['admin', 'viewer']).default('admin'))
    .option('--expires <duration>', 'how long the link is valid, e.g. 15m or 1h (default 15m)', duration('--expires'), DEFAULT_LINK_LIFETIME_MS)
    .option('--name <text>', 'who it is for (shown in the console and the audit log)')
    .addOption(new Option('--url <url>', 'the service\'s public URL, as given to serve (default http://127.0.0.1:8080)').env('POSTURE_SERVICE_URL'))
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags & { role: ConsoleRole; expires: number; name?: string; url?: string }) => {
      if (flags.expires > 86_400_000) throw usageError(`--expires must be at most 24h for a sign-in link.`);
      const url = flags.url ?? 'http://127.0.0.1:8080';
      if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) throw usageError(`--url must be the service's public base URL such as https://posture.example.com, not "${url}".`);
      if (flags.url === undefined) io.stderr('posture-service: no --url (POSTURE_SERVICE_URL): the link points at http://127.0.0.1:8080.\n');
      const link = await withStore(flags, (store) =>
        createConsoleLink(store, { role: flags.role, lifetimeMs: flags.expires, name: flags.name ?? null }, url, operator(), now()), { create: true });
      io.stdout(`${link}\n`);
    });

  const devices = program.command('devices').description('enrolled devices');
  const directory = (store: Store) => new DeviceDirectory(store, { clock: now });
  devices
    .command('list')
    .description('the enrolled devices, a page at a time (100 by default), with their state and failing rules')
    .option('--state <states>', 'only these states, comma-separated: compliant, warning, noncompliant, stale, revoked, unappraised')
    .option('--platform <platform>', 'only this OS: linux, darwin or win32')
    .option('--failing <rule>', 'only devices whose latest appraisal fails this rule id')
    .option('--not-seen-for <duration>', 'only devices not seen for this long (e.g. 7d)')
    .option('--seen-within <duration>', 'only devices seen within this long (e.g. 1h)')
    .option('--search <prefix>', 'a prefix of the device id, hostname or serial number')
    .addOption(new Option('--sort <order>', 'order').choices(['id', 'hostname', 'last-seen']).default('id'))
    .option('--limit <n>', 'devices per page (1 to 1000)', '100')
    .option('--cursor <cursor>', 'continue after the page that printed this cursor')
    .option('--all', 'every page, not only the first')
    .option('--json', 'print JSON: { devices, nextCursor }')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags & DeviceListFlags) => {
      const params: DeviceListParams = {
        limit: flags.limit,
        sort: flags.sort === 'last-seen' ? 'lastSeen' : flags.sort,
        ...(flags.cursor ? { cursor: flags.cursor } : {}),
        ...(flags.state ? { state: flags.state } : {}),
        ...(flags.platform ? { platform: flags.platform } : {}),
        ...(flags.failing ? { failing: flags.failing } : {}),
        ...(flags.notSeenFor ? { seenBefore: flags.notSeenFor } : {}),
        ...(flags.seenWithin ? { seenSince: flags.seenWithin } : {}),
        ...(flags.search ? { q: flags.search } : {}),
      };
      await withStore(flags, async (store) => {
        const fleet = directory(store);
        let page = await fleet.list(params);
        const printed: DeviceListItem[] = [...page.devices];
        while (flags.all && page.nextCursor !== null) {
          page = await fleet.list({ ...params, cursor: page.nextCursor });
          printed.push(...page.devices);
        }
        if (flags.json) return io.stdout(`${JSON.stringify({ devices: printed, nextCursor: page.nextCursor }, null, 2)}\n`);
        const filtered = Object.keys(params).some((name) => !['limit', 'sort'].includes(name));
        if (printed.length === 0) return io.stdout(filtered ? 'No devices match.\n' : 'No devices are enrolled.\n');
        for (const device of printed) {
          const failing = device.failing.length > 0 ? `  failing ${device.failing.join(',')}` : '';
          io.stdout(`${device.id}  ${device.hostname ?? '-'}  ${device.platform ?? '-'}  ${device.state}  last seen ${device.lastSeenAt ?? 'never'}${failing}\n`);
        }
        if (page.nextCursor !== null) io.stderr(`More devices: add --cursor ${page.nextCursor} (or --all).\n`);
      });
    });
  devices
    .command('show <id>')
    .description('one device, its key and its recent appraisals (JSON)')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (id: string, flags: StoreFlags) => {
      const device = await withStore(flags, (store) => directory(store).show(id));
      io.stdout(`${JSON.stringify(device, null, 2)}\n`);
    });
  devices
    .command('revoke <id>')
    .description('revoke a device: every later decision for it denies, even with an unexpired Result')
    .option('--reason <text>', 'why (kept with the device)')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (id: string, flags: StoreFlags & { reason?: string }) => {
      const device = await withStore(flags, (store) => directory(store).revoke(id, flags.reason ?? null, operator()));
      io.stdout(`Revoked ${device.id} at ${device.revokedAt}.\n`);
    });
  devices
    .command('restore <id>')
    .description('undo a revocation: the device attests and is decided on again with its key (audited)')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (id: string, flags: StoreFlags) => {
      const device = await withStore(flags, (store) => directory(store).restore(id, operator()));
      io.stdout(`Restored ${device.id}: its next appraisal decides its access again.\n`);
    });
  devices
    .command('reset <id>')
    .description('let this device enrol a new key with an enrolment token, once (a re-installed laptop; audited)')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (id: string, flags: StoreFlags) => {
      const device = await withStore(flags, (store) => directory(store).reset(id, operator()));
      io.stdout(`Reset ${device.id}: its next enrolment with a token replaces key ${device.kid}.\n`);
    });

  program
    .command('audit')
    .description('administrative actions, newest first: who, when, what, from where')
    .option('--device <id>', 'only this device')
    .option('--limit <n>', 'how many entries (default 100)', positiveInteger('--limit'), 100)
    .option('--json', 'print JSON')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags & { device?: string; limit: number; json?: boolean }) => {
      const entries = await withStore(flags, async (store) =>
        flags.device === undefined ? directory(store).audit(flags.limit) : (await directory(store).show(flags.device)).audit.slice(0, flags.limit));
      if (flags.json) return io.stdout(`${JSON.stringify({ entries }, null, 2)}\n`);
      if (entries.length === 0) return io.stdout('No administrative actions are recorded.\n');
      for (const entry of entries) {
        const detail = entry.detail ? `  ${Object.entries(entry.detail).map(([key, value]) => `${key}=${value ?? '-'}`).join(' ')}` : '';
        io.stdout(`${entry.at}  ${entry.action}  ${entry.deviceId ?? '-'}  by ${entry.actor}${entry.source ? ` from ${entry.source}` : ''}${detail}\n`);
      }
    });

  // Events
  program
    .command('events')
    .description('device state events sent to webhooks and SSF receivers')
    .command('deliveries')
    .description('the delivery log, newest first: each attempt, its answer, and when it is tried again')
    .option('--device <id>', 'only this device\'s events')
    .option('--limit <n>', 'how many attempts (default 100)', positiveInteger('--limit'), 100)
    .option('--json', 'print JSON')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .action(async (flags: StoreFlags & { device?: string; limit: number; json?: boolean }) => {
      const attempts = await withStore(flags, (store) => store.listDeliveryAttempts({ limit: flags.limit, ...(flags.device === undefined ? {} : { deviceId: flags.device }) }));
      const views = attempts.map(deliveryAttemptView);
      if (flags.json) return io.stdout(`${JSON.stringify({ attempts: views }, null, 2)}\n`);
      if (views.length === 0) return io.stdout('No deliveries have been attempted.\n');
      for (const line of views.map(deliveryAttemptLine)) io.stdout(`${line}\n`);
    });

  /** The key set of `purpose` in the database the flags name, opened with the configured key-encryption key. */
  async function withVault<T>(flags: KeyFlags, purpose: KeySetPurpose, work: (vault: KeySetVault, dataDir: string) => Promise<T>): Promise<T> {
    const dataDir = dataDirOf(flags);
    return withStore(flags, async (store) => {
      const kek = await loadKeyEncryptionKey({ value: deps.facts.env[KEY_ENCRYPTION_KEY_ENV], file: flags.keyEncryptionKeyFile, dataDir });
      return work(new KeySetVault(store, kek, purpose), dataDir);
    });
  }

  const keys = program.command('keys').description('the service\'s Result signing keys (in the database, encrypted)');
  keys
    .command('rotate')
    .description('make a new signing key for every instance; the old one stays published until every Result it signed has expired')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .addOption(keyEncryptionKeyFileOption())
    .action(async (flags: KeyFlags) => {
      const rotated = await withVault(flags, 'result-signing', async (vault, dataDir) => {
        await ServiceKeys.open(vault, { publishRetiredMs: 0, importFile: join(dataDir, SERVICE_KEYS_FILE) });
        return ServiceKeys.rotate(vault, now());
      });
      io.stdout(`New signing key ${rotated.kid}; retired ${rotated.retired.join(', ') || 'none'} (still published until its Results expire). Running instances use it within seconds.\n`);
    });
  keys
    .command('list')
    .description('print the published keys (the JWKS)')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .addOption(keyEncryptionKeyFileOption())
    .action(async (flags: KeyFlags) => {
      const jwks = await withVault(flags, 'result-signing', async (vault, dataDir) =>
        (await ServiceKeys.open(vault, { publishRetiredMs: 86_400_000, importFile: join(dataDir, SERVICE_KEYS_FILE) })).jwks(now()));
      io.stdout(`${JSON.stringify(jwks, null, 2)}\n`);
    });

  const ca = program.command('ca').description('the device CA that signs device certificates (mTLS)');
  ca
    .command('rotate')
    .description('make a new device CA; the old one stays in the trust bundle until every certificate it signed has expired')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .addOption(keyEncryptionKeyFileOption())
    .action(async (flags: KeyFlags) => {
      const rotated = await withVault(flags, 'device-ca', async (vault, dataDir) => {
        await DeviceCa.open(vault, { now: now(), certificateLifetimeSeconds: DEFAULT_CERTIFICATE_LIFETIME_SECONDS, importFile: join(dataDir, DEVICE_CA_FILE) });
        return DeviceCa.rotate(vault, now());
      });
      io.stdout(`New device CA "${rotated.subject}"; retired ${rotated.retired.map((subject) => `"${subject}"`).join(', ') || 'none'} (still trusted until its certificates expire). Give gateways the new bundle: posture-service ca show, or GET /v1/ca.pem.\n`);
    });
  ca
    .command('show')
    .description('print the trust bundle (PEM): every CA certificate gateways should trust, the active one first')
    .addOption(dataDirOption())
    .addOption(databaseOption())
    .addOption(keyEncryptionKeyFileOption())
    .action(async (flags: KeyFlags) => {
      const bundle = await withVault(flags, 'device-ca', async (vault, dataDir) =>
        (await DeviceCa.open(vault, { now: now(), certificateLifetimeSeconds: DEFAULT_CERTIFICATE_LIFETIME_SECONDS, importFile: join(dataDir, DEVICE_CA_FILE) })).bundlePem(now()));
      io.stdout(bundle);
    });

  return program;
}

export async function runServiceCli(argv: readonly string[], deps: ServiceCliDeps): Promise<number> {
  const outcome: CommandOutcome = { exitCode: EXIT_OK };
  return runCli(createServiceProgram(deps), argv, deps.io, outcome);
}
