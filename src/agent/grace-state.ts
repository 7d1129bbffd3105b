/**
 * The agent's memory of when each rule started failing, so a grace period counts from the first
 * failure and not from every check. Kept per policy id in the state directory. The service keeps
 * its own, authoritative memory; this one only lets the employee see the same deadline.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../shared/atomic-write.js';
import { systemErrorCode } from '../shared/errors.js';

const FILE_NAME = 'failing-since.json';
/** An ISO 8601 time in UTC, as toISOString() writes it. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** Policy id -> rule id -> when the rule started failing (ISO 8601, UTC). */
export type FailingSinceByPolicy = Record<string, Record<string, string>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): boolean {
  return typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value));
}

/** Checked by hand: a one-shot `check` reads this file, and a schema library would cost more than the whole check. */
function isMemory(value: unknown): value is FailingSinceByPolicy {
  return isRecord(value) && Object.values(value).every((rules) => isRecord(rules) && Object.values(rules).every(isTime));
}

/** What was stored; an absent, torn or foreign file counts as no memory (it is rewritten next time). */
export async function readFailingSince(stateDir: string): Promise<FailingSinceByPolicy> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(stateDir, FILE_NAME), 'utf8'));
    return isMemory(parsed) ? parsed : {};
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
