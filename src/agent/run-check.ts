/** One local check: collect, evaluate against the policy, remember when rules started failing. */
import { collectPosture, type CollectOptions, type Host } from '../collectors/index.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { Evaluation, Policy } from '../policy/types.js';
import { isAgentError, messageOf } from '../shared/errors.js';
import type { PostureReport } from '../shared/report.js';
import { readFailingSince, writeFailingSince, type FailingSinceByPolicy } from './grace-state.js';
import { stateDirError } from './state-dir.js';

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
function memoryNote(stateDir: string, error: unknown): string {
  const code = isAgentError(error) ? error.code : 'ERR_STATE_DIR';
  const why = isAgentError(error) ? error.message : stateDirError(stateDir, error).message;
  return `The grace-period memory was not kept, so grace deadlines count from this check: ${why} [${code}]`;
}

export async function runCheck(input: CheckInput): Promise<CheckOutput> {
  const now = input.now ?? new Date();
  const notes: string[] = [];
  const [deviceId, memory] = await Promise.all([
    input.deviceId().then(
      (id) => ({ id, error: null }),
      (error: unknown) => ({ id: null, error }),
    ),
    input.stateDir
      ? readFailingSince(input.stateDir).catch((error: unknown): FailingSinceByPolicy => {
          notes.push(memoryNote(input.stateDir!, error));
          return {};
        })
      : Promise.resolve<FailingSinceByPolicy>({}),
  ]);
  const report = await collectPosture(input.host, { ...input.collect, deviceId: deviceId.id, now });
  if (deviceId.error !== null) {
    report.errors.push({
      signal: 'device',
      code: isAgentError(deviceId.error) ? deviceId.error.code : 'ERR_MACHINE_ID',
      message: messageOf(deviceId.error),
    });
  }
  const evaluation = evaluatePolicy(input.policy, report, { now, failingSince: memory[input.policy.id] ?? {} });
  if (input.stateDir) {
    try {
      await writeFailingSince(input.stateDir, { ...memory, [input.policy.id]: evaluation.failingSince });
    } catch (error) {
      // One note is enough when reading already failed for the same reason.
      if (notes.length === 0) notes.push(memoryNote(input.stateDir, error));
    }
  }
  return { report, evaluation, notes };
}
