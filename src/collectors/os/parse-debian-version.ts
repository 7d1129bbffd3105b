/**
 * `/etc/debian_version` (base-files): one line, the point release of a stable Debian (`12.7`,
 * `11.11`, `7.11`) or `<codename>/sid` on testing and unstable (`trixie/sid`), which have no
 * release yet. Debian 13 also states the point release in os-release's DEBIAN_VERSION_FULL.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface DebianVersion {
  /** `12.7`; null on testing/unstable. */
  release: string | null;
  /** `trixie` from `trixie/sid`; null on a stable release. */
  codename: string | null;
}

export function parseDebianVersion(text: string): DebianVersion {
  const content = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', '/etc/debian_version is empty.');
  const [value] = content;
  if (content.length > 1) throw new AgentError('ERR_PARSE', `/etc/debian_version has more than one line (first: "${value!}").`);
  if (/^\d+(?:\.\d+)*$/.test(value!)) return { release: value!, codename: null };
  const testing = /^([a-z][a-z0-9-]*)\/sid$/.exec(value!);
  if (testing) return { release: null, codename: testing[1]! };
  throw new AgentError('ERR_PARSE', `/etc/debian_version says "${value!}", which is neither a release number nor <codename>/sid.`);
}
