/** Policy files as text: YAML or JSON (JSON is YAML), then the schema of parse-policy.ts. */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { AgentError } from '../shared/errors.js';
import { validatePolicy } from './parse-policy.js';
import type { Policy } from './types.js';

function parseDocument(text: string, source: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 100 }) as unknown;
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}` : 'somewhere';
      throw new AgentError('ERR_POLICY_INVALID', `Policy ${source} is not valid YAML or JSON (${where}): ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
}

/** Parses and validates a policy file's text. `source` names the file in error messages. */
export function parsePolicy(text: string, source: string): Policy {
  return validatePolicy(parseDocument(text, source), source);
}
