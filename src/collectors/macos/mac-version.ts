/** The macOS version as SystemVersion.plist and `sw_vers` state it, checked the same way for both. */
import { AgentError } from '../../shared/errors.js';

export interface MacVersion {
  /** `macOS`, or `Mac OS X` on Catalina and older. */
  name: string | null;
  /** `14.6.1`, `14.0`, `26.1`. */
  version: string;
  /** `23G93`; a Rapid Security Response build ends in a lowercase letter (`22E772610a`). */
  build: string | null;
  /** The Rapid Security Response suffix, `(a)`. */
  versionExtra: string | null;
}

/** Two or three numeric components: `14.0`, `13.2.1`, `26.1` (the numbering jumps from 15 to 26). */
const VERSION = /^\d+\.\d+(?:\.\d+)?$/;
/**
 * Big Sur and later show software that asks for compatibility (SYSTEM_VERSION_COMPAT=1, old SDKs)
 * `10.16` instead of the real version, even through reads of SystemVersion.plist
 * (osquery/osquery#6840, dylanaraps/neofetch#1607). No macOS release is numbered 10.16.
 */
const COMPATIBILITY_VERSION = '10.16';

export function checkedMacVersion(fields: Omit<MacVersion, 'version'> & { version: string | null }, source: string): MacVersion {
  const { version } = fields;
  if (version === null) throw new AgentError('ERR_PARSE', `${source} names no ProductVersion.`);
  if (!VERSION.test(version)) throw new AgentError('ERR_PARSE', `${source} gives ProductVersion "${version}", which is not a macOS version number.`);
  if (version === COMPATIBILITY_VERSION) {
    throw new AgentError('ERR_PARSE', `${source} gives the compatibility version 10.16 (SYSTEM_VERSION_COMPAT), not the real macOS version.`);
  }
  return { ...fields, version };
}
