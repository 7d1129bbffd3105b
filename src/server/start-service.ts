/**
 * Puts the policy service together (store, migrations, policy, signing keys, device CA, device status, HTTP)
 * and takes it apart again gracefully: stop accepting, finish what is in flight, close the store.
 */
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadPolicy } from '../policy/policy-file.js';
import { AuthzEngine } from './authz.js';
import { prepareDataDir } from './data-dir.js';
import { DEVICE_CA_FILE, DeviceCa } from './device-ca.js';
import { loadKeyEncryptionKey } from './key-encryption-key.js';
import { KeySetVault } from './key-set-vault.js';
import { HistoryPruner } from './history-pruner.js';
import { DeviceDirectory } from './device-directory.js';
import { DeviceStatusTable } from './device-status.js';
import type { ServeConfig } from './config.js';
import { buildApp } from './http/app.js';
import { createConsoleSetup } from './console/console-setup.js';
import { resolveOidcSettings } from './console/console-config.js';
import { EventDispatcher } from './events/event-dispatcher.js';
import { loadEventsConfig } from './events/events-config.js';
import { ServiceMetrics } from './http/metrics.js';
import { PostureService } from './posture-service.js';
import { createReloader } from './service-reload.js';
import { SERVICE_KEYS_FILE, ServiceKeys } from './service-keys.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';

export interface RunningService {
  app: FastifyInstance;
  /** The URL it signs Results as (their issuer) and expects as the Evidence audience: --url, or the address it listens on. */
  publicUrl: string;
  service: PostureService;
  store: Store;
  keys: ServiceKeys;
  deviceCa: DeviceCa;
  /** Each device's revocation and latest appraisal, as forward-auth decides on them. */
  deviceStatus: DeviceStatusTable;
  /** Sends device state changes to the webhooks and SSF receivers of the events file. */
  events: EventDispatcher;
  /** Reads the policy file and the signing keys again (SIGHUP); logs what is in force, never rejects. */
  reload(): Promise<boolean>;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  address: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where JSON logs go (stdout by default). */
  logStream?: Writable;
  clock?: () => Date;
}

const CLEANUP_INTERVAL_MS = 60_000;
/** How often an instance looks whether another one rotated the signing keys or the device CA (one tiny query). */
const KEY_POLL_INTERVAL_MS = 2_000;

/**
 * Without --url the service is named by the address it listens on, so the URL agents use to reach
 * it is the one it signs as; an every-interface listener has no such name and falls back to localhost.
 */
export function defaultPublicUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://localhost:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A free port on `host`, for `--port 0` (tests): asked of the OS, then released. */
async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startService(requested: ServeConfig, options: StartOptions = {}): Promise<RunningService> {
  const port = requested.port === 0 ? await freePort(requested.host) : requested.port;
  const publicUrl = requested.publicUrl ?? defaultPublicUrl(requested.host, port);
  const config = { ...requested, port, publicUrl };
  // Without a configured public URL the service is known only by its loopback names: accept Evidence for any of them.
  const audienceAliases = requested.publicUrl === null
    ? [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`].filter((alias) => alias !== publicUrl)
    : [];
  const policy = await loadPolicy(config.policyFile);
  const eventsConfig = await loadEventsConfig(config.eventsFile);
  await prepareDataDir(config.dataDir);
  const store = await openStore(config.database);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  let keys: ServiceKeys;
  let deviceCa: DeviceCa;
  try {
    const kek = await loadKeyEncryptionKey({ value: config.keyEncryptionKey, file: config.keyEncryptionKeyFile, dataDir: config.dataDir });
    keys = await ServiceKeys.open(new KeySetVault(store, kek, 'result-signing'), {
      publishRetiredMs: (config.resultLifetimeSeconds + 60) * 1000, importFile: join(config.dataDir, SERVICE_KEYS_FILE),
    });
    deviceCa = await DeviceCa.open(new KeySetVault(store, kek, 'device-ca'), {
      certificateLifetimeSeconds: config.certificateLifetimeSeconds, importFile: join(config.dataDir, DEVICE_CA_FILE),
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  let logDeviceStatusError = (_error: unknown): void => undefined;
  const deviceStatus = new DeviceStatusTable(store, { pollIntervalMs: config.revocationRefreshMs, onError: (error) => logDeviceStatusError(error) });
  try {
    await deviceStatus.start();
  } catch (error) {
    await deviceStatus.stop();
    await store.close();
    throw error;
  }

  const clock = options.clock ?? (() => new Date());
  const service = new PostureService({
    store,
    policy,
    keys,
    deviceCa,
    clock,
    settings: {
      publicUrl: config.publicUrl,
      audienceAliases,
      resultAudience: config.resultAudience,
      resultLifetimeSeconds: config.resultLifetimeSeconds,
      nonceLifetimeSeconds: config.nonceLifetimeSeconds,
    },
    onAppraised: (deviceId, latest) => deviceStatus.appraised(deviceId, latest),
  });
  const devices = new DeviceDirectory(store, {
    clock,
    maxPostureAgeMs: config.maxPostureAgeMs,
    onRevocationChanged: (deviceId, revoked) => deviceStatus.revocationChanged(deviceId, revoked),
  });
  const authz = new AuthzEngine({
    keys,
    issuer: config.publicUrl,
    audience: config.resultAudience,
    tiers: new Set(Object.keys(policy.tiers)),
    devices: deviceStatus,
    deviceCa: { trustedCertificates: () => deviceCa.trustedCertificates(clock()) },
    tierRules: () => service.policy.tiers,
    maxPostureAgeMs: config.maxPostureAgeMs,
    clock,
  });
  const metrics = new ServiceMetrics();
  const consoleOidc = config.console.oidc === null ? null : await resolveOidcSettings(config.console.oidc).catch(async (error: unknown) => {
    await deviceStatus.stop();
    await store.close();
    throw error;
  });
  const consoleSetup = createConsoleSetup({
    store, publicUrl: config.publicUrl, clock, config: { ...config.console, oidc: consoleOidc },
    log: (error, message) => app.log.warn({ message: error instanceof Error ? error.message : String(error) }, message),
  });
  const app = buildApp({
    service,
    devices,
    authz,
    keys,
    deviceCa,
    store,
    metrics,
    authzRateLimit: config.authzRateLimit,
    enrollRateLimit: config.enrollRateLimit,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    maxConnections: config.maxConnections,
    requestTimeoutMs: config.requestTimeoutMs,
    trustProxy: config.trustProxy,
    console: consoleSetup,
    logger: {
      level: config.logLevel,
      base: { service: 'posture-service' },
      redact: { paths: ['req.headers.authorization', 'req.headers["x-posture-token"]', 'req.headers["x-posture-gateway-key"]', 'req.headers.cookie'], censor: '[redacted]' },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
  });

  let warnedDeviceStatusAt = 0;
  logDeviceStatusError = (error) => {
    if (Date.now() - warnedDeviceStatusAt < 60_000) return;
    warnedDeviceStatusAt = Date.now();
    app.log.warn({ err: error }, 'could not read device changes from the database; decisions use the last known state');
  };

  const pruner = new HistoryPruner(store, { retentionMs: config.historyRetentionMs, clock, onError: (error) => app.log.warn({ err: error }, 'could not prune appraisal history') });
  const cleanup = setInterval(() => {
    store.deleteExpired(clock()).catch((error: unknown) => app.log.warn({ err: error }, 'could not delete expired nonces'));
    store.deleteExpiredConsoleSignIns(clock(), new Date(clock().getTime() - config.console.sessionIdleMs)).catch((error: unknown) => app.log.warn({ err: error }, 'could not delete ended console sessions'));
    void pruner.run();
  }, CLEANUP_INTERVAL_MS);
  cleanup.unref();
  const events = new EventDispatcher({
    store, config: eventsConfig, keys, issuer: config.publicUrl, clock, staleAfterMs: config.maxPostureAgeMs,
    onError: (error, message) => app.log.warn({ err: error }, message),
  });
  let keyPoll: Promise<unknown> = Promise.resolve();
  const keyPoller = setInterval(() => {
    keyPoll = Promise.all([
      keys.reloadIfChanged().catch((error: unknown) => app.log.error({ err: error }, 'could not reload the signing keys')),
      deviceCa.reloadIfChanged().catch((error: unknown) => app.log.error({ err: error }, 'could not reload the device CA')),
    ]);
  }, KEY_POLL_INTERVAL_MS);
  keyPoller.unref();

  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    clearInterval(cleanup);
    clearInterval(keyPoller);
    await deviceStatus.stop();
    await store.close();
    throw error;
  }
  app.log.info({ address, url: config.publicUrl, database: store.dialect, policy: `${policy.id}@${policy.version}` }, 'posture-service listening');
  events.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    publicUrl: config.publicUrl,
    service,
    store,
    keys,
    deviceCa,
    deviceStatus,
    events,
    address,
    reload: createReloader({ policyFile: config.policyFile, service, authz, keys, deviceCa, log: app.log }),
    close: () =>
      (closing ??= (async () => {
        clearInterval(cleanup);
        clearInterval(keyPoller);
        await deviceStatus.stop();
        await app.close();
        await Promise.all([keyPoll, pruner.stop(), events.stop()]);
        await store.close();
      })()),
  };
}
