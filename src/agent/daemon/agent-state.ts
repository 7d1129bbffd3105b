/**
 * What the daemon remembers between checks and restarts: the last report, the current Result and
 * verdicts, and how delivery is going. Written atomically (temporary file, fsync, rename) with a
 * checksum over its content, so a torn or edited file is detected and never trusted: it is moved
 * aside and the daemon starts from a clean state (it re-checks at once).
 */
import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { AttestResponse } from '../../wire/service.js';
import { systemErrorCode, type ErrorCode } from '../../shared/errors.js';
import type { PostureReport } from '../../collectors/report.js';
import { writePrivateFile } from '../../shared/private-file.js';

export const STATE_FILE = 'agent-state.json';
const FORMAT = 'posture-agent-state/v1';

export interface DeliveryError {
  code: ErrorCode;
  message: string;
  at: string;
  /** False when retrying cannot change the answer (revoked, bad request): delivery pauses. */
  retryable: boolean;
}

export interface AgentState {
  lastCheckAt: string | null;
  lastDeliveryAt: string | null;
  lastReport: PostureReport | null;
  lastResult: AttestResponse | null;
  lastError: DeliveryError | null;
  consecutiveFailures: number;
  /**
   * While delivery is paused on a final answer: a fingerprint of the configuration that got it. A
   * daemon started with another configuration tries again (it is a configuration change).
   */
  pausedConfig: string | null;
}

export const EMPTY_STATE: AgentState = {
  lastCheckAt: null,
  lastDeliveryAt: null,
  lastReport: null,
  lastResult: null,
  lastError: null,
  consecutiveFailures: 0,
  pausedConfig: null,
};

const bodySchema = z.strictObject({
  lastCheckAt: z.string().nullable(),
  lastDeliveryAt: z.string().nullable(),
  lastReport: z.record(z.string(), z.unknown()).nullable(),
  lastResult: z.record(z.string(), z.unknown()).nullable(),
  lastError: z.strictObject({ code: z.string(), message: z.string(), at: z.string(), retryable: z.boolean() }).nullable(),
  consecutiveFailures: z.number().int().min(0),
  // Absent in files written before it existed: such a pause is retried once.
  pausedConfig: z.string().nullable().default(null),
});
const fileSchema = z.strictObject({ format: z.literal(FORMAT), checksum: z.string(), state: z.unknown() });

function checksum(state: unknown): string {
  return createHash('sha256').update(JSON.stringify(state)).digest('hex');
}

export type LoadedState = { state: AgentState; recovered: null } | { state: AgentState; recovered: { reason: string; movedTo: string } };

/** The saved state; a torn, altered or foreign file is moved aside and an empty state returned. */
export async function loadAgentState(stateDir: string, now: Date = new Date()): Promise<LoadedState> {
  const path = join(stateDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return { state: { ...EMPTY_STATE }, recovered: null };
    throw error;
  }
  let reason: string | null = null;
  try {
    const file = fileSchema.parse(JSON.parse(text));
    if (checksum(file.state) !== file.checksum) reason = 'its checksum does not match its content';
    else {
      const body = bodySchema.safeParse(file.state);
      if (body.success) return { state: body.data as unknown as AgentState, recovered: null };
      reason = 'its content is not in the expected form';
    }
  } catch {
    reason = 'it is not a complete state file';
  }
  const movedTo = `${path}.corrupt-${now.getTime()}`;
  await rename(path, movedTo);
  return { state: { ...EMPTY_STATE }, recovered: { reason, movedTo } };
}

export async function saveAgentState(stateDir: string, state: AgentState): Promise<void> {
  const file = { format: FORMAT, checksum: checksum(state), state };
  await writePrivateFile(join(stateDir, STATE_FILE), `${JSON.stringify(file)}\n`);
}
