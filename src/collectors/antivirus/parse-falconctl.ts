/**
 * `/opt/CrowdStrike/falconctl -g --rfm-state --rfm-reason --version` (root only). Each flag prints
 * `key=value`, `key is not set` or `version = X`; several flags come back on one line separated by
 * `, `, `--rfm-reason` prints two pairs (`rfm-reason=None, code=0x0`), the line ends with `.` or
 * `,`, and `version = X` can be glued to the next field (`version = 6.24.12104.0tags=...`) (shared
 * fixtures README, L3; Kolide launcher's falconctl parser; Red Hat insights-core falconctl parsers).
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface FalconctlState {
  /** Reduced Functionality Mode: true means the sensor cannot fully protect (unsupported kernel...). */
  rfm: boolean | null;
  rfmReason: string | null;
  rfmCode: string | null;
  version: string | null;
}

const ACCESS_DENIED = /must be run as root|permission denied|operation not permitted|requires root/i;
const GLUED_VERSION = /^version\s*=\s*(\d+(?:\.\d+)*(?:-\d+)?)(.*)$/;

function pairs(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of lines(text)) {
    for (const raw of line.split(/,\s*/)) {
      let part = raw.trim().replace(/[.,]$/, '').trim();
      const glued = GLUED_VERSION.exec(part);
      if (glued) {
        fields.set('version', glued[1]!);
        part = glued[2]!.trim();
      }
      if (part === '') continue;
      const notSet = /^(\S+) is not set$/.exec(part);
      if (notSet) {
        fields.set(notSet[1]!, '');
        continue;
      }
      const separator = part.indexOf('=');
      if (separator > 0) fields.set(part.slice(0, separator).trim(), part.slice(separator + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
  }
  return fields;
}

export function parseFalconctl(text: string): FalconctlState {
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'falconctl printed nothing.');
  if (ACCESS_DENIED.test(text)) throw new AgentError('ERR_ACCESS_DENIED', 'falconctl refused: it must be run as root.');
  const fields = pairs(text);
  const state = fields.get('rfm-state');
  if (state === undefined && !fields.has('version')) {
    throw new AgentError('ERR_PARSE', `falconctl printed neither rfm-state nor version: "${lines(text)[0]!.trim()}"`);
  }
  if (state !== undefined && state !== '' && state !== 'true' && state !== 'false') {
    throw new AgentError('ERR_PARSE', `falconctl printed rfm-state=${state}, which is not true or false.`);
  }
  const reason = fields.get('rfm-reason');
  return {
    rfm: state === 'true' ? true : state === 'false' ? false : null,
    rfmReason: reason === undefined || reason === '' || reason === 'None' ? null : reason,
    rfmCode: fields.get('code') ?? null,
    version: fields.get('version') || null,
  };
}
