/** The typed client of the daemon's local API, used by `posture-agent status` and the tray. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError, ERROR_CODES, systemErrorCode, type ErrorCode } from '../shared/errors.js';
import { readPrivateFile } from '../shared/private-file.js';
import { LOCAL_API_FILE, LOCAL_API_SECRET_FILE, type CurrentResult, type DaemonStatus, type LocalApiDiscovery, type SessionHandOver, type SessionHandOverAnswer } from './local-api-types.js';
import { isLoopbackUrl, readSharedStatusFile } from './shared-status-file.js';

const NOT_RUNNING = 'The posture agent daemon is not running: start it with "posture-agent run" (or its system service).';

export class LocalApiClient {
  readonly url: string;
  readonly #secret: string;
  readonly #timeoutMs: number;

  constructor(url: string, secret: string, timeoutMs = 90_000) {
    this.url = url;
    this.#secret = secret;
    this.#timeoutMs = timeoutMs;
  }

  /** Finds the daemon through its state directory (local-api.json and the secret next to it). */
  static async fromStateDir(stateDir: string): Promise<LocalApiClient> {
    let discovery: LocalApiDiscovery;
    try {
      discovery = JSON.parse(await readFile(join(stateDir, LOCAL_API_FILE), 'utf8')) as LocalApiDiscovery;
    } catch (error) {
      if (systemErrorCode(error) === 'ENOENT') throw new AgentError('ERR_DAEMON_UNREACHABLE', `${NOT_RUNNING} (No daemon has run with the state directory ${stateDir}.)`);
      throw new AgentError('ERR_DAEMON_UNREACHABLE', `${NOT_RUNNING} (${join(stateDir, LOCAL_API_FILE)} is unreadable.)`);
    }
    // The secret goes only to a loopback address, whatever the discovery file says.
    if (!isLoopbackUrl(discovery.url)) {
      throw new AgentError('ERR_DAEMON_UNREACHABLE', `${NOT_RUNNING} (${join(stateDir, LOCAL_API_FILE)} does not name a loopback address.)`);
    }
    const secret = await readPrivateFile(join(stateDir, LOCAL_API_SECRET_FILE), 'local API secret');
    if (!secret) throw new AgentError('ERR_DAEMON_UNREACHABLE', NOT_RUNNING);
    return new LocalApiClient(discovery.url, secret.toString('utf8').trim());
  }

  /**
   * A system daemon through the shared status file it published for every local user (status and
   * checks only), or null when no system daemon publishes one.
   */
  static async fromSharedFile(path: string, owner?: number): Promise<LocalApiClient | null> {
    const discovery = await readSharedStatusFile(path, owner);
    return discovery ? new LocalApiClient(discovery.url, discovery.secret) : null;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#secret}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch {
      throw new AgentError('ERR_DAEMON_UNREACHABLE', NOT_RUNNING);
    }
    const body = (await response.json().catch(() => null)) as (T & { error?: { code?: string; message?: string } }) | null;
    if (response.ok && body) return body;
    const code = body?.error?.code;
    throw new AgentError(
      typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'ERR_DAEMON_UNREACHABLE',
      body?.error?.message ?? `The daemon answered HTTP ${response.status}.`,
    );
  }

  status(): Promise<DaemonStatus> {
    return this.#call('GET', '/v0/status');
  }

  check(): Promise<DaemonStatus> {
    return this.#call('POST', '/v0/check');
  }

  token(): Promise<CurrentResult> {
    return this.#call('POST', '/v0/token');
  }

  /** Hands this session's per-user signals (screen lock) to a system daemon. */
  handOver(body: SessionHandOver): Promise<SessionHandOverAnswer> {
    return this.#call('POST', '/v0/session', body);
  }
}
