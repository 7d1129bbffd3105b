/** One local check: collect, evaluate against the policy, remember when rules started failing. */
import { collectPosture, type CollectOptions, type Host } from '../collectors/index.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { Evaluation, Policy } from '../policy/types.js';
import { isAgentError, messageOf } from '../shared/errors.js';
import type { PostureReport } from '../shared/report.js';
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
  /** Things the user should know that did not stop the check (printed on stderr). */
  notes: string[];
}

export async function runCheck(input: CheckInput): Promise<CheckOutput> {
  const now = input.now ?? new Date();
  const notes: string[] = [];
  const [deviceId, memory] = await Promise.all([
    input.deviceId().then(
      (id) => ({ id, error: null }),
      (error: unknown) => ({ id: null, error }),
    ),
    input.stateDir ? readFailingSince(input.stateDir).catch((): FailingSinceByPolicy => ({})) : Promise.resolve<FailingSinceByPolicy>({}),
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
      notes.push(`Could not save check state in ${input.stateDir} (${messageOf(error)}); grace periods will count from the next check.`);
    }
  }
  return { report, evaluation, notes };
}
