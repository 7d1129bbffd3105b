/**
 * One local check: collect, evaluate against the policy, remember when rules started failing. The
 * daemon evaluates what it collects the same way (evaluateRemembering), so `check`, the daemon's
 * status and the tray show one grace deadline for a rule, whichever looked first.
 */
import { collectPosture, type CollectOptions, type Host } from '../collectors/index.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { Evaluation, Policy } from '../policy/types.js';
import { isAgentError, messageOf } from '../shared/errors.js';
import type { PostureReport } from '../collectors/report.js';
import { readFailingSince, writeFailingSince, type FailingSinceByPolicy } from './grace-state.js';

export interface CheckInput {
  host: Host;
  policy: Policy;
  /** Resolves the device id; a failure is reported in the report's errors, not thrown. */
  deviceId: () => Promise<string>;
  /** Where grace memory lives; null to keep none. */
  stateDir: string | null;
  now?: Date;
  collect?: Omit<CollectOptions, 'deviceId' | 'now'>;
}

export interface CheckOutput {
  report: PostureReport;
  evaluation: Evaluation;
  /** Things the user should know that did not stop the check (printed on stderr), each ending with its [ERR_*] code. */
  notes: string[];
}

/** The grace memory could not be read or saved: the check stands, but deadlines count from this check. */
async function memoryNote(stateDir: string, error: unknown): Promise<string> {
  const code = isAgentError(error) ? error.code : 'ERR_STATE_DIR';
  // Only this rare path needs the state directory's error wording (and what it loads).
  const why = isAgentError(error) ? error.message : (await import('./state-dir.js')).stateDirError(stateDir, error).message;
  return `The grace-period memory was not kept, so grace deadlines count from this check: ${why} [${code}]`;
}

/** What is remembered; none (and a note) when it cannot be read. */
function readMemory(stateDir: string | null, notes: string[]): Promise<FailingSinceByPolicy> {
  if (!stateDir) return Promise.resolve({});
  return readFailingSince(stateDir).catch(async (error: unknown): Promise<FailingSinceByPolicy> => {
    notes.push(await memoryNote(stateDir, error));
    return {};
  });
}

export interface RememberingEvaluation {
  evaluation: Evaluation;
  /** Notes so far (the memory could not be read), and those remember() adds. */
  notes: string[];
  /** Stores when each rule started failing; a failure to store becomes a note, never an error. */
  remember: () => Promise<void>;
}

/**
 * Evaluates a report as `check` does: grace counts from the remembered first failure of each rule
 * (failing-since.json, per policy id); remember() then stores the failures of this evaluation.
 * `check` and the daemon both evaluate this way, so they show one grace deadline for a rule.
 */
export async function evaluateRemembering(input: { policy: Policy; report: PostureReport; now: Date; stateDir: string | null }): Promise<RememberingEvaluation> {
  const { policy, stateDir } = input;
  const notes: string[] = [];
  const memory = await readMemory(stateDir, notes);
  const evaluation = evaluatePolicy(policy, input.report, { now: input.now, failingSince: memory[policy.id] ?? {} });
  const remember = async (): Promise<void> => {
    if (!stateDir) return;
    try {
      await writeFailingSince(stateDir, { ...memory, [policy.id]: evaluation.failingSince });
    } catch (error) {
      // One note is enough when reading already failed for the same reason.
      if (notes.length === 0) notes.push(await memoryNote(stateDir, error));
    }
  };
  return { evaluation, notes, remember };
}

export async function runCheck(input: CheckInput): Promise<CheckOutput> {
  const now = input.now ?? new Date();
  const deviceId = await input.deviceId().then(
    (id) => ({ id, error: null }),
    (error: unknown) => ({ id: null, error }),
  );
  const report = await collectPosture(input.host, { ...input.collect, deviceId: deviceId.id, now });
  if (deviceId.error !== null) {
    report.errors.push({
      signal: 'device',
      code: isAgentError(deviceId.error) ? deviceId.error.code : 'ERR_MACHINE_ID',
      message: messageOf(deviceId.error),
    });
  }
  const { evaluation, notes, remember } = await evaluateRemembering({ policy: input.policy, report, now, stateDir: input.stateDir });
  await remember();
  return { report, evaluation, notes };
}
