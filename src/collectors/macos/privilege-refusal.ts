/** How macOS tools and EDR control programs say they need root (checked before any other parsing). */
import { AgentError } from '../../shared/errors.js';

const REFUSAL = /must be (?:run as )?root|requires? (?:root|administrator|elevated|super ?user)|root privileges|run (?:it )?(?:as root|with sudo)|permission denied|operation not permitted|not authori[sz]ed/i;

export function isPrivilegeRefusal(text: string): boolean {
  return REFUSAL.test(text);
}

/**
 * The error for output that lacks what the parser needs: ERR_ACCESS_DENIED when the text is a
 * refusal, ERR_PARSE otherwise. `missing` completes "<command> printed ...".
 */
export function unreadableOutput(text: string, command: string, missing: string): AgentError {
  if (isPrivilegeRefusal(text)) return new AgentError('ERR_ACCESS_DENIED', `${command} was refused: ${text.trim()}`);
  return new AgentError('ERR_PARSE', `${command} printed ${missing}.`);
}
