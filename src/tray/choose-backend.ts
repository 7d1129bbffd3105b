/**
 * Which agent the tray shows. A daemon the user runs (`posture-agent run`) comes first; then the
 * system's daemon (the one the installers start), through the file it shares with every local
 * user, even while it does not answer (the tray says so rather than start a second agent that
 * would enrol the device again with another key); only without either does the agent core run
 * inside the tray.
 */
import type { LocalApiClient } from '../api/local-api-client.js';
import { DaemonBackend, type AgentBackend, type DaemonConnector } from './agent-backends.js';

export interface BackendSources {
  /** The user's own daemon (its state directory); null or a failure when there is none. */
  userDaemon: DaemonConnector;
  /** The system daemon's shared status file: null when there is none, a failure when it is refused. */
  systemDaemon: DaemonConnector;
  inProcess(): Promise<AgentBackend>;
  pollMs?: number;
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
  if (systemInstalled) return new DaemonBackend(sources.systemDaemon, sources.pollMs);
  return sources.inProcess();
}
