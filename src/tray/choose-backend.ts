/**
 * Which agent the tray shows. A daemon the user runs (`posture-agent run`) comes first; then the
 * system's daemon (the one the installers start), through the file it shares with every local
 * user, even while it does not answer (the tray says so rather than start a second agent that
 * would enrol the device again with another key); only without either does the agent core run
 * inside the tray.
 */
import type { LocalApiClient } from '../api/local-api-client.js';
import type { SessionHandOver } from '../api/local-api-types.js';
import { AgentError } from '../shared/errors.js';
import { DaemonBackend, type AgentBackend, type DaemonConnector } from './agent-backends.js';

export interface BackendSources {
  /** The user's own daemon (its state directory); null or a failure when there is none. */
  userDaemon: DaemonConnector;
  /** The system daemon's shared status file: null when there is none, a failure when it is refused. */
  systemDaemon: DaemonConnector;
  inProcess(): Promise<AgentBackend>;
  pollMs?: number;
  /**
   * With the system's daemon, the tray is the user-session part of the agent: it hands this
   * session's per-user signals (screen lock) to the daemon, which cannot read them as root/SYSTEM.
   */
  handOverSession?: (handOver: (body: SessionHandOver) => Promise<unknown>) => { stop(): void };
}

async function answers(connect: DaemonConnector): Promise<boolean> {
  const client: LocalApiClient | null = await connect().catch(() => null);
  if (!client) return false;
  return client.status().then(
    () => true,
    () => false,
  );
}

export async function chooseBackend(sources: BackendSources): Promise<AgentBackend> {
  if (await answers(sources.userDaemon)) return new DaemonBackend(sources.userDaemon, sources.pollMs);
  const systemInstalled = await sources.systemDaemon().then(
    (client) => client !== null,
    () => true,
  );
  if (!systemInstalled) return sources.inProcess();
  const reporter = sources.handOverSession?.(async (body) => {
    const client = await sources.systemDaemon();
    if (!client) throw new AgentError('ERR_DAEMON_UNREACHABLE', 'The system\'s posture agent does not publish its local API.');
    return client.handOver(body);
  });
  return new DaemonBackend(sources.systemDaemon, sources.pollMs, () => reporter?.stop());
}
