/**
 * The daemon's log file is bounded: no file passes maxBytes, `keep` rotated files are kept
 * (newest in .1), the oldest are dropped, and lines are never split or reordered.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BoundedLogFile } from '../../../src/agent/daemon/bounded-log.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-log-'));
  path = join(dir, 'logs', 'agent.log');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function write(log: BoundedLogFile, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    log.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

function end(log: BoundedLogFile): Promise<void> {
  return new Promise((resolve) => log.end(resolve));
}

/** A 32-byte line with its number in it. */
const line = (index: number): string => `{"n":${String(index).padStart(5, '0')},"msg":"checked"}\n`.padStart(32, ' ');

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const size = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

describe('BoundedLogFile', () => {
  it('appends lines to a private file in a private folder it creates', async () => {
    const log = new BoundedLogFile({ path });
    await write(log, line(1));
    await write(log, line(2));
    await end(log);
    expect(read(path)).toBe(line(1) + line(2));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'logs')).mode & 0o777).toBe(0o700);
  });

  it('never lets a file pass maxBytes, keeps `keep` rotated files and drops the oldest', async () => {
    expect(line(1)).toHaveLength(32);
    const maxBytes = 200; // six 32-byte lines per file
    const log = new BoundedLogFile({ path, maxBytes, keep: 2 });
    for (let index = 1; index <= 100; index += 1) {
      await write(log, line(index));
      for (const file of [path, `${path}.1`, `${path}.2`]) expect(size(file), `${file} after line ${index}`).toBeLessThanOrEqual(maxBytes);
    }
    await end(log);
    expect((await readdir(join(dir, 'logs'))).sort()).toEqual(['agent.log', 'agent.log.1', 'agent.log.2']);
    // What is kept is the newest lines, whole and in order: .2 then .1 then the current file.
    const kept = read(`${path}.2`) + read(`${path}.1`) + read(path);
    const keptLines = kept.split('\n').filter((text) => text !== '');
    const first = 100 - keptLines.length + 1;
    expect(kept).toBe(Array.from({ length: keptLines.length }, (_, offset) => line(first + offset)).join(''));
    expect(keptLines.length).toBe(6 + 6 + 4); // two full rotated files and the current one (100 = 16*6 + 4)
    expect(kept).not.toContain(line(1));
  });

  it('keeps as many rotated files as it is told to', async () => {
    const log = new BoundedLogFile({ path, maxBytes: 64, keep: 4 });
    for (let index = 1; index <= 40; index += 1) await write(log, line(index));
    await end(log);
    expect((await readdir(join(dir, 'logs'))).sort()).toEqual(['agent.log', 'agent.log.1', 'agent.log.2', 'agent.log.3', 'agent.log.4']);
    expect(read(path)).toBe(line(39) + line(40));
    expect(read(`${path}.1`)).toBe(line(37) + line(38));
    expect(read(`${path}.4`)).toBe(line(31) + line(32));
  });

  it('keeps one rotated file with keep: 1', async () => {
    const log = new BoundedLogFile({ path, maxBytes: 64, keep: 1 });
    for (let index = 1; index <= 7; index += 1) await write(log, line(index));
    await end(log);
    expect((await readdir(join(dir, 'logs'))).sort()).toEqual(['agent.log', 'agent.log.1']);
    expect(read(`${path}.1`)).toBe(line(5) + line(6));
    expect(read(path)).toBe(line(7));
  });

  it('counts what an earlier run left in the file', async () => {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const earlier = 'e'.repeat(180) + '\n';
    writeFileSync(path, earlier);
    const log = new BoundedLogFile({ path, maxBytes: 200, keep: 2 });
    await write(log, line(1));
    await end(log);
    expect(read(`${path}.1`)).toBe(earlier);
    expect(read(path)).toBe(line(1));
  });

  it('carries structured pino lines, each whole and parseable, within the bound', async () => {
    const file = new BoundedLogFile({ path, maxBytes: 1024, keep: 2 });
    const log = pino({ level: 'info', base: { service: 'posture-agent' } }, file);
    for (let index = 0; index < 200; index += 1) log.info({ check: index, state: 'compliant' }, 'posture checked');
    log.debug('not at this level');
    await end(file);
    const files = [`${path}.2`, `${path}.1`, path];
    for (const name of files) expect(size(name)).toBeLessThanOrEqual(1024);
    const records = files.flatMap((name) =>
      read(name)
        .split('\n')
        .filter((text) => text !== '')
        .map((text) => JSON.parse(text) as { level: number; service: string; check: number; msg: string }),
    );
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => record.level === 30 && record.service === 'posture-agent' && record.msg === 'posture checked')).toBe(true);
    expect(records.at(-1)!.check).toBe(199);
    const checks = records.map((record) => record.check);
    expect(checks).toEqual(Array.from({ length: checks.length }, (_, offset) => 200 - checks.length + offset));
  });
});
