/**
 * The one place a Daemon is wired for real use, by `posture-agent run` and by the tray's
 * in-process agent: the machine (the real host unless given), the device key store, the device id
 * from the OS machine id, the configuration (files, environment, flags, managed locations), the
 * state directory and a bounded JSON log in it with secrets redacted. The configuration is loaded
 * first, so one that does not load stops everything before anything is written or listens.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { getDeviceId } from '../../attest/device-id.js';
import { FileKeyStore } from '../../attest/file-key-store.js';
import type { KeyStore } from '../../attest/key-store.js';
import type { Host } from '../../collectors/index.js';
import { readRawMachineId } from '../../exec/machine-id.js';
import { createRealHost } from '../../exec/real-host.js';
import type { AgentConfig, ConfigLayer } from '../config/agent-config.js';
import { loadAgentConfig } from '../config/load-config.js';
import { prepareStateDir } from '../state-dir.js';
import { BoundedLogFile } from './bounded-log.js';
import { Daemon, type DaemonDeps } from './daemon.js';

/** Log fields whose values never reach the log file. */
export const REDACTED_LOG_FIELDS = ['token', 'enrollmentToken', 'result', 'secret', 'authorization'];

export interface CreateDaemonOptions {
  stateDir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The machine (default: the real host of this OS). */
  host?: Host;
  /** The device key (default: device-key.json in the state directory, 0600). */
  keyStore?: KeyStore;
  /** The OS machine id the device id is derived from (default: this machine's). */
  readRawMachineId?: () => Promise<string>;
  /** Command-line flags, each named as the user typed it, e.g. { '--interval': { checkIntervalSeconds: 60 } }. */
  flags?: Readonly<Record<string, ConfigLayer>>;
  /** The user's configuration file (default: config.json in the state directory). */
  userConfigFile?: string;
  /** The log file's name in the state directory and the `service` of each line. */
  log: { file: string; service: string };
  now?: () => Date;
  /** A system daemon publishes its local API here for every local user's tray. */
  sharedStatusFile?: string;
  /** Told whenever the status may have changed (the tray's in-process agent). */
  onChange?: () => void;
}

export interface CreatedDaemon {
  daemon: Daemon;
  /** The configuration at start (the daemon follows changes itself). */
  config: AgentConfig;
  logFile: BoundedLogFile;
}

export async function createDaemon(options: CreateDaemonOptions): Promise<CreatedDaemon> {
  const { stateDir } = options;
  const host = options.host ?? createRealHost();
  const readMachineId = options.readRawMachineId ?? readRawMachineId;
  const loadConfig = () => loadAgentConfig({ host, env: options.env, flags: options.flags ?? {}, userConfigFile: options.userConfigFile ?? join(stateDir, 'config.json') });
  const { config } = await loadConfig();
  // Before anything is written or listens: a state directory this user cannot write is one clear line.
  await prepareStateDir(stateDir);
  const logFile = new BoundedLogFile({ path: join(stateDir, options.log.file) });
  const log = pino({ level: config.logLevel, base: { service: options.log.service }, redact: { paths: REDACTED_LOG_FIELDS, censor: '[redacted]' } }, logFile);
  const deps: DaemonDeps = {
    stateDir,
    host,
    keyStore: options.keyStore ?? new FileKeyStore(stateDir),
    deviceId: () => getDeviceId({ platform: host.platform, readRawMachineId: readMachineId }),
    loadConfig,
    log,
    ...(options.now ? { now: options.now } : {}),
    ...(options.sharedStatusFile === undefined ? {} : { sharedStatusFile: options.sharedStatusFile }),
    ...(options.onChange ? { onChange: options.onChange } : {}),
  };
  return { daemon: new Daemon(deps), config, logFile };
}
