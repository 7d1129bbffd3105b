/**
 * The agent's state directory: made (0700) when missing and proved writable before anything uses
 * it, so a wrong one is one clear line; held by one daemon at a time through a lock file (made
 * with O_EXCL, holding the owner's pid and start time; a lock whose process is gone is taken
 * over); and cleared, when a daemon starts, of temporary files that interrupted atomic writes left.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, stat, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AgentError, systemErrorCode } from '../shared/errors.js';
import { makeDirectory } from '../shared/make-directory.js';
import { fileSystemReason } from '../shared/private-file.js';

export const LOCK_FILE = 'daemon.lock';
/** Temporary files of src/shared/atomic-write.ts: `.<name>.<12 hex>.tmp`. */
const TEMPORARY = /^\..+\.[0-9a-f]{12}\.tmp$/;
/** A temporary file younger than this may belong to a command writing right now. */
const TEMPORARY_MIN_AGE_MS = 60_000;
/** A lock file without readable content is a daemon that is writing it, unless it is older than this. */
const LOCK_WRITE_GRACE_MS = 5_000;

export function stateDirError(path: string, error: unknown): AgentError {
  const why = fileSystemReason(error) ?? `it cannot be written (${systemErrorCode(error) ?? 'unknown error'})`;
  return new AgentError(
    'ERR_STATE_DIR',
    `The state directory ${path} cannot be used: ${why}. Run as the user it belongs to, or choose a directory this user can write with --state-dir (POSTURE_AGENT_STATE_DIR).`,
    { cause: error },
  );
}

/** Makes the state directory when missing and proves it can be written; ERR_STATE_DIR otherwise. */
export async function prepareStateDir(path: string): Promise<void> {
  const probe = join(path, `.probe.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await makeDirectory(path, 0o700);
    const handle = await open(probe, 'wx', 0o600);
    await handle.close();
  } catch (error) {
    throw stateDirError(path, error);
  }
  await rm(probe, { force: true });
}

export interface LockOwner {
  pid: number;
  startedAt: string;
  /** Linux: the process's start time in clock ticks since boot, so a reused pid is not taken for the owner. */
  processStart?: string;
}

export interface StateDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Locks held by this process (a second Daemon in the same process is refused too). */
const heldHere = new Set<string>();

async function processStart(pid: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses); starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function isRunning(owner: LockOwner, path: string): Promise<boolean> {
  if (owner.pid === process.pid) return heldHere.has(path);
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if (systemErrorCode(error) !== 'EPERM') return false;
  }
  if (owner.processStart === undefined) return true;
  const current = await processStart(owner.pid);
  return current === undefined || current === owner.processStart;
}

async function readOwner(path: string): Promise<LockOwner | 'unreadable' | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && Number.isInteger(owner.pid) && owner.pid > 0 && typeof owner.startedAt === 'string') {
      return { pid: owner.pid, startedAt: owner.startedAt, ...(typeof owner.processStart === 'string' ? { processStart: owner.processStart } : {}) };
    }
  } catch {
    // torn or foreign content: below
  }
  return 'unreadable';
}

function since(iso: string): string {
  return Number.isNaN(Date.parse(iso)) ? 'an unknown time' : `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * Takes the state directory's lock for this daemon, or refuses with ERR_STATE_DIR_LOCKED naming
 * the daemon that holds it. A lock whose process has ended is taken over.
 */
export async function lockStateDir(stateDir: string, now: Date): Promise<StateDirLock> {
  const path = resolve(stateDir, LOCK_FILE);
  const start = await processStart(process.pid);
  const mine: LockOwner = { pid: process.pid, startedAt: now.toISOString(), ...(start === undefined ? {} : { processStart: start }) };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    let handle;
    try {
      handle = await open(path, 'wx', 0o600);
    } catch (error) {
      if (systemErrorCode(error) !== 'EEXIST') throw stateDirError(stateDir, error);
      const owner = await readOwner(path).catch((failure: unknown) => {
        throw stateDirError(stateDir, failure);
      });
      if (owner === 'unreadable') {
        const age = Date.now() - (await stat(path)).mtimeMs;
        if (age < LOCK_WRITE_GRACE_MS) {
          throw new AgentError('ERR_STATE_DIR_LOCKED', `Another posture-agent daemon is starting with the state directory ${stateDir}; only one may use it. Stop the other one first, or use another --state-dir.`);
        }
      } else if (owner !== null && (await isRunning(owner, path))) {
        throw new AgentError(
          'ERR_STATE_DIR_LOCKED',
          `Another posture-agent daemon (pid ${owner.pid}, running since ${since(owner.startedAt)}) uses the state directory ${stateDir}; only one may. Stop it first ("posture-agent status" asks it how it is), or give this one another --state-dir.`,
        );
      }
      // The owner has ended (or never finished writing): take the lock over.
      await rm(path, { force: true });
      continue;
    }
    try {
      await handle.writeFile(`${JSON.stringify(mine)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    heldHere.add(path);
    return {
      path,
      release: async () => {
        heldHere.delete(path);
        const owner = await readOwner(path).catch(() => null);
        if (owner !== null && owner !== 'unreadable' && owner.pid === mine.pid && owner.startedAt === mine.startedAt) await rm(path, { force: true });
      },
    };
  }
  throw new AgentError('ERR_STATE_DIR_LOCKED', `Could not take the lock ${path}: other daemons keep taking it. Run one daemon per state directory.`);
}

/**
 * Removes temporary files that interrupted atomic writes left in the state directory (older than a
 * minute, so a command writing right now keeps its own). Returns the names removed.
 */
export async function removeStaleTemporaries(stateDir: string, now: Date): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(stateDir).catch(() => [])) {
    if (!TEMPORARY.test(name)) continue;
    const path = join(stateDir, name);
    try {
      const info = await stat(path);
      if (!info.isFile() || now.getTime() - info.mtimeMs < TEMPORARY_MIN_AGE_MS) continue;
      await rm(path, { force: true });
      removed.push(name);
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
  return removed;
}
