/**
 * `sw_vers` prints `Label:<one or two tabs>value` lines (spaces in some published copies):
 * ProductName, ProductVersion, then ProductVersionExtra only after a Rapid Security Response,
 * BuildVersion, and ReleaseType on newer versions (Apple's sw_vers.c). Split on the first colon and
 * match whole labels: `grep ProductVersion` also matches ProductVersionExtra (shared fixtures M1).
 * A missing value prints as `(null)` (printf of a NULL string). Shell noise such as
 * `zsh: command not found` is not data.
 */
import { AgentError } from '../../shared/errors.js';
import { checkedMacVersion, type MacVersion } from '../macos/mac-version.js';
import { keyValues, lines } from '../parse-text.js';

const SOURCE = 'sw_vers';

export function parseSwVers(text: string): MacVersion {
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'sw_vers printed nothing.');
  const values = keyValues(text);
  const value = (label: string): string | null => {
    const found = values.get(label);
    return found === undefined || found === '' || found === '(null)' ? null : found;
  };
  if (!values.has('ProductVersion')) {
    const firstLine = lines(text.trim())[0] ?? '';
    throw new AgentError('ERR_PARSE', `sw_vers printed no ProductVersion line (first line: "${firstLine}").`);
  }
  return checkedMacVersion(
    { name: value('ProductName'), version: value('ProductVersion'), build: value('BuildVersion'), versionExtra: value('ProductVersionExtra') },
    SOURCE,
  );
}
