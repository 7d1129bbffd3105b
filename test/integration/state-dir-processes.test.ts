// The real command line in real processes on state directories it cannot use, and two daemons on
// one state directory. A directory this user cannot write is a real one: as root the commands run
// as nobody on a root-owned folder (file modes do not stop root); otherwise the folder is closed
// with chmod.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/agent/state-dir.js';
import { AGENT_BIN, runAgent, tempDir } from '../support/service-process.js';
import { until } from '../support/until.js';

const NOBODY = 65_534;
const asRoot = process.getuid?.() === 0;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** posture-agent in a child process (as nobody when this is root and `unprivileged`), its output collected. */
function agent(args: string[], options: { unprivileged?: boolean } = {}): { child: ChildProcess; finished: Promise<Finished>; stderr: () => string } {
  const drop = options.unprivileged === true && asRoot ? { uid: NOBODY, gid: NOBODY } : {};
  const child = spawn(process.execPath, [AGENT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', HOME: '/tmp' }, ...drop });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const finished = new Promise<Finished>((resolve) => child.once('exit', (code) => resolve({ code, stdout: out.join(''), stderr: err.join('') })));
  return { child, finished, stderr: () => err.join('') };
}

/** Resolves with how the process ended, or fails if it is still running after `ms`. */
async function exitWithin(run: { child: ChildProcess; finished: Promise<Finished> }, ms: number): Promise<Finished> {
  const timer = new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms).unref());
  const outcome = await Promise.race([run.finished, timer]);
  if (outcome === 'running') {
    run.child.kill('SIGKILL');
    throw new Error(`posture-agent ${run.child.spawnargs.slice(2).join(' ')} was still running after ${ms} ms`);
  }
  return outcome;
}

let root: Awaited<ReturnType<typeof tempDir>>;
/** A folder the (unprivileged) agent may not write. */
let closed: string;
const running: ChildProcess[] = [];

beforeAll(async () => {
  root = await tempDir('posture-state-dir-');
  await chmod(root.path, 0o755);
  closed = join(root.path, 'closed');
  await mkdir(closed);
  await chmod(closed, asRoot ? 0o755 : 0o555);
});
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});
afterAll(async () => {
  await chmod(closed, 0o755);
  await root.remove();
});

describe.runIf(process.platform === 'linux')('posture-agent on a state directory it cannot use', () => {
  it('run exits 2 at once with one ERR_STATE_DIR line naming the directory, and never listens', async () => {
    const result = await exitWithin(agent(['run', '--state-dir', closed], { unprivileged: true }), 10_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^posture-agent: The state directory ${closed} cannot be used: permission denied\\..*--state-dir.*\\[ERR_STATE_DIR\\]\\n$`));
    for (const dir of ['/sys', '/proc/posture-agent-test']) {
      const other = await exitWithin(agent(['run', '--state-dir', dir]), 10_000);
      expect(other.code, dir).toBe(2);
      expect(other.stderr).toMatch(/^posture-agent: The state directory .* cannot be used: .*\[ERR_STATE_DIR\]\n$/);
    }
  });

  it('key says it is a permission problem, naming the directory, instead of an internal error', async () => {
    const result = await exitWithin(agent(['key', '--state-dir', closed], { unprivileged: true }), 10_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `posture-agent: Cannot write ${closed}/device-key.json: permission denied. Use a folder this user can write (for the agent: --state-dir), or fix the permissions of ${closed}. [ERR_FILE_PERMISSIONS]\n`,
    );
  });

  it('check prints its result, exits by it, and notes with a code that the grace memory was not kept', async () => {
    const result = await exitWithin(agent(['check', '--state-dir', closed], { unprivileged: true }), 60_000);
    expect([0, 1]).toContain(result.code);
    expect(result.stdout).toMatch(/COMPLIANT/);
    expect(result.stderr).toMatch(new RegExp(`^posture-agent: note: The grace-period memory was not kept.*${closed}.*\\[ERR_STATE_DIR\\]\\n$`));
  });
});

describe('two daemons on one state directory', () => {
  it('the second exits 2 saying which daemon holds it; a daemon killed outright leaves a lock the next one takes over', async () => {
    const stateDir = await tempDir('posture-two-daemons-');
    try {
      const first = agent(['run', '--state-dir', stateDir.path]);
      running.push(first.child);
      await until('the first daemon', () => first.stderr().includes('daemon running'));
      const published = await readFile(join(stateDir.path, 'local-api.json'), 'utf8');

      const second = await exitWithin(agent(['run', '--state-dir', stateDir.path]), 10_000);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(new RegExp(`^posture-agent: Another posture-agent daemon \\(pid ${first.child.pid}, running since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\) uses the state directory ${stateDir.path}.*\\[ERR_STATE_DIR_LOCKED\\]\\n$`));
      expect(await readFile(join(stateDir.path, 'local-api.json'), 'utf8')).toBe(published);
      expect((await runAgent(stateDir.path, 'status', '--json')).code).not.toBe(2);

      first.child.kill('SIGKILL');
      await first.finished;
      expect(JSON.parse(await readFile(join(stateDir.path, LOCK_FILE), 'utf8'))).toMatchObject({ pid: first.child.pid });
      const third = agent(['run', '--state-dir', stateDir.path]);
      running.push(third.child);
      await until('the daemon that took the lock over', () => third.stderr().includes('daemon running'));
      expect(JSON.parse(await readFile(join(stateDir.path, LOCK_FILE), 'utf8'))).toMatchObject({ pid: third.child.pid });

      third.child.kill('SIGTERM');
      expect((await third.finished).code).toBe(0);
      await expect(stat(join(stateDir.path, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await stateDir.remove();
    }
  }, 60_000);

  it('a leftover temporary file of an interrupted state write is gone once a daemon has started', async () => {
    const stateDir = await tempDir('posture-leftovers-');
    try {
      const leftover = join(stateDir.path, '.agent-state.json.0a1b2c3d4e5f.tmp');
      await writeFile(leftover, '{"format":"posture-agent-state/v1","chec');
      const hourAgo = new Date(Date.now() - 3_600_000);
      await utimes(leftover, hourAgo, hourAgo);
      const daemon = agent(['run', '--state-dir', stateDir.path]);
      running.push(daemon.child);
      await until('the daemon', () => daemon.stderr().includes('daemon running'));
      await expect(stat(leftover)).rejects.toMatchObject({ code: 'ENOENT' });
      daemon.child.kill('SIGTERM');
      await daemon.finished;
    } finally {
      await stateDir.remove();
    }
  });
});
