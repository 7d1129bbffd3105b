import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFailingSince, writeFailingSince } from '../../../src/agent/grace-state.js';

describe('the grace-period memory file (failing-since.json)', () => {
  let dir: string;
  const file = () => join(dir, 'failing-since.json');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'posture-grace-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads back what was written', async () => {
    const memory = { 'posture-agent-default': { antivirus: '2026-11-22T10:00:00.000Z' }, other: {} };
    await writeFailingSince(dir, memory);
    expect(await readFailingSince(dir)).toEqual(memory);
  });

  it('counts a file of another shape, or with times that are not ISO 8601 UTC, as no memory', async () => {
    for (const foreign of [
      [],
      { policy: [] },
      { policy: { antivirus: 'yesterday' } },
      { policy: { antivirus: '2026-11-22 10:00' } },
      { policy: { antivirus: '2026-11-22T10:00:00+02:00' } },
      { policy: { antivirus: '2026-13-45T10:00:00.000Z' } },
      { policy: { antivirus: 1796365177046 } },
      'text',
      null,
    ]) {
      await writeFile(file(), JSON.stringify(foreign));
      expect(await readFailingSince(dir), JSON.stringify(foreign)).toEqual({});
    }
  });

  it('counts a torn file or none as no memory', async () => {
    await writeFile(file(), '{"policy": {"antivirus": "2026-11-');
    expect(await readFailingSince(dir)).toEqual({});
    await rm(file());
    expect(await readFailingSince(dir)).toEqual({});
  });
});
