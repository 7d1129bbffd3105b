/** Policy files as text: YAML or JSON (JSON is YAML), then the schema of parse-policy.ts. */
import { isScalar, parseDocument as parseYamlDocument, visit, YAMLParseError } from 'yaml';
import { AgentError } from '../shared/errors.js';
import { validatePolicy } from './parse-policy.js';
import type { Policy } from './types.js';

function parseDocument(text: string, source: string): unknown {
  try {
    const document = parseYamlDocument(text);
    if (document.errors.length > 0) throw document.errors[0]!;
    // Keys are names, never numbers: a release table's `24.10:` stays "24.10" rather than becoming 24.1.
    visit(document, {
      Pair(_, pair) {
        if (isScalar(pair.key) && typeof pair.key.value === 'number' && typeof pair.key.source === 'string') pair.key.value = pair.key.source;
      },
    });
    return document.toJS({ maxAliasCount: 100 }) as unknown;
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
