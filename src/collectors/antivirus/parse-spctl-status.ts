/**
 * `spctl --status` prints `assessments enabled` or `assessments disabled`: whether Gatekeeper
 * assesses software before it runs (shared fixtures M4). Other lines decide nothing.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface GatekeeperStatus {
  assessmentsEnabled: boolean;
}

const ASSESSMENTS = /^assessments (enabled|disabled)$/i;

export function parseSpctlStatus(text: string): GatekeeperStatus {
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'spctl --status printed nothing.');
  const states = lines(text).flatMap((line) => {
    const match = ASSESSMENTS.exec(line.trim());
    return match ? [match[1]!.toLowerCase() === 'enabled'] : [];
  });
  if (states.length === 0) throw new AgentError('ERR_PARSE', `spctl --status printed no assessments line: "${text.trim()}".`);
  if (new Set(states).size > 1) throw new AgentError('ERR_PARSE', 'spctl --status printed contradicting assessments lines.');
  return { assessmentsEnabled: states[0]! };
}
