/**
 * The policy a command or the service runs with: a policy file named on the command line or in
 * configuration, or the built-in one. One loader for the agent's `check` and the service (both sit
 * above src/policy). The file is read by src/shared/text-file.ts: the evaluator and the parsers here
 * stay pure.
 */
import { readTextFile } from '../shared/text-file.js';
import { DEFAULT_POLICY } from './default-policy.js';
import type { Policy } from './types.js';

/** The policy in `path`, or the built-in default policy when no path is given. */
export async function loadPolicy(path: string | undefined): Promise<Policy> {
  if (path === undefined) return DEFAULT_POLICY;
  const text = await readTextFile(path, 'policy file');
  const { parsePolicy } = await import('./parse-policy-text.js');
  return parsePolicy(text, path);
}
