/**
 * `firewall-cmd --state` (firewall-cmd(1)): `running` (exit 0) or `not running` (exit 252, per
 * os-autoinst PR #7092); firewalld before 0.4 printed `FirewallD is not running`. It can say `not
 * running` for a few seconds after the unit starts (firewalld #1571). Not translated.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface FirewalldState {
  running: boolean;
}

export function parseFirewallCmdState(text: string): FirewalldState {
  const content = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'firewall-cmd --state printed nothing.');
  const answer = content[content.length - 1]!;
  if (answer === 'running') return { running: true };
  if (answer === 'not running' || /^FirewallD is not running$/i.test(answer)) return { running: false };
  if (/authori[sz]ation failed|access denied|not authorized/i.test(text)) {
    throw new AgentError('ERR_ACCESS_DENIED', `firewall-cmd --state was refused: ${answer}`);
  }
  throw new AgentError('ERR_PARSE', `firewall-cmd --state printed "${answer}", not "running" or "not running".`);
}
