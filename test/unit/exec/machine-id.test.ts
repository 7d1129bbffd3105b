import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeMachineId from 'node-machine-id';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLinuxMachineIdFiles, readRawMachineId } from '../../../src/exec/machine-id.js';

describe('the raw machine id on Linux, read without a shell', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'posture-machine-id-'));
    await writeFile(file('dbus'), '0123456789abcdef0123456789abcdef\n');
    await writeFile(file('etc'), 'fedcba9876543210fedcba9876543210\n');
    await writeFile(file('empty'), '');
    await writeFile(file('no-newline'), 'aaaa');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints what `cat dbus etc | head -n 1` prints: the first line of the files that exist', async () => {
    expect(await readLinuxMachineIdFiles([file('dbus'), file('etc')])).toBe('0123456789abcdef0123456789abcdef');
    expect(await readLinuxMachineIdFiles([file('missing'), file('etc')])).toBe('fedcba9876543210fedcba9876543210');
    expect(await readLinuxMachineIdFiles([file('empty'), file('etc')])).toBe('fedcba9876543210fedcba9876543210');
    expect(await readLinuxMachineIdFiles([file('no-newline'), file('etc')])).toBe('aaaafedcba9876543210fedcba9876543210');
  });

  it('says there is none when neither file can be read (node-machine-id answers then)', async () => {
    expect(await readLinuxMachineIdFiles([file('missing'), join(dir, 'nope', 'machine-id')])).toBeNull();
  });

  it.runIf(process.platform === 'linux')('gives this machine the same id as node-machine-id', async () => {
    expect(await readRawMachineId()).toBe((await nodeMachineId.machineId(true)).trim());
  });
});
