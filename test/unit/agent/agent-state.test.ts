/**
 * The daemon's state file: written atomically and privately, with a checksum; a torn, edited,
 * foreign or garbage file is never trusted: it is moved aside (kept for a post-mortem, not
 * deleted) and the daemon starts from an empty state.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_STATE, loadAgentState, saveAgentState, STATE_FILE, type AgentState } from '../../../src/agent/daemon/agent-state.js';
import type { AttestResponse } from '../../../src/server/posture-service.js';
import { makeReport } from '../../support/report.js';

const NOW = new Date('2026-11-22T10:30:00.000Z');

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-state-'));
  path = join(dir, STATE_FILE);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const RESULT: AttestResponse = {
  deviceId: 'device-1',
  result: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkZXZpY2UtMSJ9.c2lnbmF0dXJl',
  expiresAt: '2026-11-22T11:00:00.000Z',
  status: 'warning',
  earStatus: 'warning',
  policy: 'default@3',
  tiers: ['basic'],
  verdicts: [
    {
      id: 'firewall',
      check: 'firewall.enabled',
      status: 'fail',
      severity: 'warn',
      reason: 'The firewall is off.',
      remediation: 'Turn on ufw: sudo ufw enable',
      failingSince: '2026-11-22T09:00:00.000Z',
      graceDeadline: null,
      blocking: false,
    },
  ],
};

const STATE: AgentState = {
  lastCheckAt: '2026-11-22T10:00:00.000Z',
  lastDeliveryAt: '2026-11-22T10:00:01.000Z',
  lastReport: makeReport(),
  lastResult: RESULT,
  lastError: { code: 'ERR_SERVICE_UNREACHABLE', message: 'The policy service did not answer.', at: '2026-11-22T09:55:00.000Z', retryable: true },
  consecutiveFailures: 2,
  pausedConfig: null,
};

const sha256 = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe('agent state: a good file', () => {
  it('gives an empty state, creating nothing, when there is no file', async () => {
    const loaded = await loadAgentState(dir, NOW);
    expect(loaded).toEqual({ state: EMPTY_STATE, recovered: null });
    expect(await readdir(dir)).toEqual([]);
  });

  it('round-trips every field', async () => {
    await saveAgentState(dir, STATE);
    const loaded = await loadAgentState(dir, NOW);
    expect(loaded.recovered).toBeNull();
    expect(loaded.state).toEqual(STATE);
  });

  it('writes a private (0600) file in a private (0700) directory, leaving no temporary file', async () => {
    const nested = join(dir, 'state');
    await saveAgentState(nested, STATE);
    expect((await stat(join(nested, STATE_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(nested)).mode & 0o777).toBe(0o700);
    expect(await readdir(nested)).toEqual([STATE_FILE]);
  });

  it('writes the format, a checksum over the state, and the state', async () => {
    await saveAgentState(dir, STATE);
    const file = JSON.parse(await readFile(path, 'utf8')) as { format: string; checksum: string; state: unknown };
    expect(file.format).toBe('posture-agent-state/v1');
    expect(file.checksum).toBe(sha256(STATE));
    expect(file.state).toEqual(STATE);
  });

  it('replaces the previous state whole', async () => {
    await saveAgentState(dir, STATE);
    await saveAgentState(dir, { ...EMPTY_STATE, consecutiveFailures: 7 });
    const loaded = await loadAgentState(dir, NOW);
    expect(loaded).toEqual({ state: { ...EMPTY_STATE, consecutiveFailures: 7 }, recovered: null });
  });

  it('returns a fresh empty state, not the shared constant', async () => {
    const loaded = await loadAgentState(dir, NOW);
    loaded.state.consecutiveFailures = 3;
    expect(EMPTY_STATE.consecutiveFailures).toBe(0);
  });
});

describe('agent state: a bad file is never trusted', () => {
  const movedTo = (): string => join(dir, `${STATE_FILE}.corrupt-${NOW.getTime()}`);

  /** Loads the bad file and checks: empty state, the file moved (bytes intact), not deleted. */
  async function expectRecovered(bad: Buffer, reason: string): Promise<void> {
    await writeFile(path, bad);
    const loaded = await loadAgentState(dir, NOW);
    expect(loaded.state).toEqual(EMPTY_STATE);
    expect(loaded.recovered).toEqual({ reason, movedTo: movedTo() });
    expect((await readdir(dir)).sort()).toEqual([`${STATE_FILE}.corrupt-${NOW.getTime()}`]);
    expect(await readFile(movedTo())).toEqual(bad);
    // Once moved aside, the next start is a clean one.
    expect(await loadAgentState(dir, NOW)).toEqual({ state: EMPTY_STATE, recovered: null });
  }

  async function savedBytes(): Promise<Buffer> {
    await saveAgentState(dir, STATE);
    return readFile(path);
  }

  it('a torn (truncated) file', async () => {
    const whole = await savedBytes();
    await expectRecovered(whole.subarray(0, Math.floor(whole.length / 2)), 'it is not a complete state file');
  });

  it('a file torn to nothing', async () => {
    await expectRecovered(Buffer.alloc(0), 'it is not a complete state file');
  });

  it('an edited file whose checksum no longer matches', async () => {
    const text = (await savedBytes()).toString('utf8');
    const edited = text.replace('"consecutiveFailures":2', '"consecutiveFailures":0');
    expect(edited).not.toBe(text);
    JSON.parse(edited); // still valid JSON: only the checksum gives it away
    await expectRecovered(Buffer.from(edited), 'its checksum does not match its content');
  });

  it('an edited file where a verdict was flipped to pass', async () => {
    const text = (await savedBytes()).toString('utf8');
    const edited = text.replace('"status":"fail"', '"status":"pass"');
    expect(edited).not.toBe(text);
    await expectRecovered(Buffer.from(edited), 'its checksum does not match its content');
  });

  it('valid JSON of another shape', async () => {
    await expectRecovered(Buffer.from(JSON.stringify({ devices: ['a', 'b'], version: 2 })), 'it is not a complete state file');
  });

  it('a file of another format version', async () => {
    const state = { ...EMPTY_STATE };
    const foreign = { format: 'posture-agent-state/v0', checksum: sha256(state), state };
    await expectRecovered(Buffer.from(JSON.stringify(foreign)), 'it is not a complete state file');
  });

  it('a file whose checksum matches but whose state is not in the expected form', async () => {
    const state = { ...EMPTY_STATE, consecutiveFailures: -1, extra: true };
    const file = { format: 'posture-agent-state/v1', checksum: sha256(state), state };
    await expectRecovered(Buffer.from(JSON.stringify(file)), 'its content is not in the expected form');
  });

  it('garbage bytes', async () => {
    await expectRecovered(Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x7b]), randomBytes(256)]), 'it is not a complete state file');
  });

  it('JSON null', async () => {
    await expectRecovered(Buffer.from('null'), 'it is not a complete state file');
  });
});
