// Which agent the tray shows, against real local API servers on 127.0.0.1 and real discovery
// files: the user's own daemon, else the system daemon's shared file (even while it is down),
// else the agent core in the tray.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalApiClient } from '../../../src/api/local-api-client.js';
import { startLocalApi, type LocalApi } from '../../../src/api/local-api-server.js';
import type { DaemonStatus } from '../../../src/api/local-api-types.js';
import { writeSharedStatusFile } from '../../../src/api/shared-status-file.js';
import { AgentError } from '../../../src/shared/errors.js';
import type { AgentBackend } from '../../../src/tray/agent-backends.js';
import { chooseBackend } from '../../../src/tray/choose-backend.js';
import { daemonStatus } from '../../support/daemon-status.js';

const me = process.getuid?.() ?? 0;
let dir: string;
let servers: LocalApi[];
let backends: AgentBackend[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-choose-'));
  servers = [];
  backends = [];
});
afterEach(async () => {
  for (const backend of backends) await backend.stop();
  for (const server of servers) await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A system daemon: a local API with a shared secret, published in a shared status file. */
async function systemDaemon(status: DaemonStatus): Promise<{ file: string; server: LocalApi; checks: () => number }> {
  let checks = 0;
  const sharedSecret = randomBytes(32).toString('base64url');
  const server = await startLocalApi({
    host: '127.0.0.1',
    port: 0,
    secret: randomBytes(32).toString('base64url'),
    sharedSecret,
    handlers: { status: () => status, check: () => ((checks += 1), Promise.resolve({ ...status, lastCheckAt: '2026-11-22T10:09:00.000Z' })), token: () => null },
  });
  servers.push(server);
  const file = join(dir, 'run', 'local-api-shared.json');
  await writeSharedStatusFile(file, { url: server.url, pid: process.pid, startedAt: '2026-11-22T10:00:00.000Z', secret: sharedSecret });
  return { file, server, checks: () => checks };
}

function inProcessMarker(): { start: () => Promise<AgentBackend>; started: () => boolean } {
  let started = false;
  const backend: AgentBackend = {
    kind: 'in-process',
    status: () => Promise.resolve(daemonStatus()),
    checkNow: () => Promise.resolve(daemonStatus()),
    subscribe: () => () => undefined,
    stop: () => Promise.resolve(),
  };
  return { start: () => ((started = true), Promise.resolve(backend)), started: () => started };
}

const noUserDaemon = () => LocalApiClient.fromStateDir(join(dir, 'no-daemon-here'));

describe('chooseBackend', () => {
  it('runs the agent core in the tray when no daemon runs and none is installed', async () => {
    const inProcess = inProcessMarker();
    const backend = await chooseBackend({ userDaemon: noUserDaemon, systemDaemon: () => LocalApiClient.fromSharedFile(join(dir, 'none.json'), me), inProcess: inProcess.start });
    expect(backend.kind).toBe('in-process');
    expect(inProcess.started()).toBe(true);
  });

  it('shows the system daemon through its shared file, status and "check now", without starting a second agent', async () => {
    const system = await systemDaemon(daemonStatus({ state: 'warning' }));
    const inProcess = inProcessMarker();
    const backend = await chooseBackend({ userDaemon: noUserDaemon, systemDaemon: () => LocalApiClient.fromSharedFile(system.file, me), inProcess: inProcess.start });
    backends.push(backend);
    expect(backend.kind).toBe('daemon');
    expect(inProcess.started()).toBe(false);
    expect((await backend.status()).state).toBe('warning');
    expect((await backend.checkNow()).lastCheckAt).toBe('2026-11-22T10:09:00.000Z');
    expect(system.checks()).toBe(1);
  });

  it('stays with the system daemon while it is down, saying so, and finds it again after it restarts', async () => {
    const system = await systemDaemon(daemonStatus());
    await system.server.close();
    const inProcess = inProcessMarker();
    const backend = await chooseBackend({ userDaemon: noUserDaemon, systemDaemon: () => LocalApiClient.fromSharedFile(system.file, me), inProcess: inProcess.start, pollMs: 60_000 });
    backends.push(backend);
    expect(inProcess.started()).toBe(false);
    const down = await backend.status();
    expect(down).toMatchObject({ state: 'unknown', verdicts: [], lastError: { code: 'ERR_DAEMON_UNREACHABLE' } });
    await expect(backend.checkNow()).rejects.toMatchObject({ code: 'ERR_DAEMON_UNREACHABLE' });

    // Restarted: a new port and a new shared secret in the same file.
    await systemDaemon(daemonStatus({ state: 'noncompliant' }));
    expect((await backend.status()).state).toBe('noncompliant');
  });

  it('surfaces a shared file it refuses (another user could have written it) instead of starting a second agent', async () => {
    const system = await systemDaemon(daemonStatus());
    const inProcess = inProcessMarker();
    const backend = await chooseBackend({ userDaemon: noUserDaemon, systemDaemon: () => LocalApiClient.fromSharedFile(system.file, me + 1), inProcess: inProcess.start });
    backends.push(backend);
    expect(inProcess.started()).toBe(false);
    const status = await backend.status();
    expect(status.state).toBe('unknown');
    expect(status.lastError?.code).toBe('ERR_FILE_OWNER');
    expect(status.lastError?.message).toContain(system.file);
  });

  it('prefers a daemon the user runs, when it answers', async () => {
    const system = await systemDaemon(daemonStatus({ state: 'warning' }));
    const userServer = await startLocalApi({ host: '127.0.0.1', port: 0, secret: 'user-secret', handlers: { status: () => daemonStatus({ state: 'compliant' }), check: () => Promise.resolve(daemonStatus()), token: () => null } });
    servers.push(userServer);
    const backend = await chooseBackend({
      userDaemon: () => Promise.resolve(new LocalApiClient(userServer.url, 'user-secret')),
      systemDaemon: () => LocalApiClient.fromSharedFile(system.file, me),
      inProcess: inProcessMarker().start,
    });
    backends.push(backend);
    expect((await backend.status()).state).toBe('compliant');
  });

  it('passes over a user daemon that does not answer', async () => {
    const system = await systemDaemon(daemonStatus({ state: 'warning' }));
    const backend = await chooseBackend({
      userDaemon: () => Promise.reject(new AgentError('ERR_DAEMON_UNREACHABLE', 'not running')),
      systemDaemon: () => LocalApiClient.fromSharedFile(system.file, me),
      inProcess: inProcessMarker().start,
    });
    backends.push(backend);
    expect((await backend.status()).state).toBe('warning');
  });
});
