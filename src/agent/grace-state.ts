/**
 * The agent's memory of when each rule started failing, so a grace period counts from the first
 * failure and not from every check. Kept per policy id in the state directory. The service keeps
 * its own, authoritative memory; this one only lets the employee see the same deadline.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ensurePrivateDir, writeFileAtomic } from '../shared/atomic-write.js';
import { systemErrorCode } from '../shared/errors.js';

const FILE_NAME = 'failing-since.json';
const stateSchema = z.record(z.string(), z.record(z.string(), z.iso.datetime()));

export type FailingSinceByPolicy = z.infer<typeof stateSchema>;

/** What was stored; an absent, torn or foreign file counts as no memory (it is rewritten next time). */
export async function readFailingSince(stateDir: string): Promise<FailingSinceByPolicy> {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(await readFile(join(stateDir, FILE_NAME), 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch (error) {
    // ENOTDIR: a part of the path is a file, so there is no memory there either.
    if (systemErrorCode(error) === 'ENOENT' || systemErrorCode(error) === 'ENOTDIR' || error instanceof SyntaxError) return {};
    throw error;
  }
}

export async function writeFailingSince(stateDir: string, state: FailingSinceByPolicy): Promise<void> {
  await ensurePrivateDir(stateDir);
  await writeFileAtomic(join(stateDir, FILE_NAME), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}
