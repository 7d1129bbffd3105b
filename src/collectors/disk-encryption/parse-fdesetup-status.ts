/**
 * `fdesetup status` (fdesetup(8); runs without root). The first line is `FileVault is On.` or
 * `FileVault is Off.`, or `FileVault is Off, but will be enabled after the next restart.`; more
 * lines may follow (shared fixtures README, M2):
 *   `Encryption in progress: Percent completed = NN` (NN may have decimals; `Decryption ...` too),
 *   `Encryption in progress: Pending` (waiting, e.g. on battery),
 *   `Deferred enablement appears to be active for user 'name'.`,
 *   `FileVault master keychain appears to be installed.` (an institutional recovery key).
 * `FileVault is On.` alone does not prove the conversion is complete: the second line decides, and
 * the exit status 2 ("On but busy", used by the collector) too. Lines not listed here are refused.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface FileVaultConversion {
  direction: 'encrypting' | 'decrypting';
  /** Percent of the conversion done; null while it is pending. */
  percent: number | null;
}

export interface FdesetupStatus {
  fileVault: 'on' | 'off';
  conversion: FileVaultConversion | null;
  /** FileVault is off but turns on at the next restart, or at a deferred user's next login. */
  pendingEnablement: 'restart' | 'deferred' | null;
  deferredUser: string | null;
  institutionalKey: boolean;
  /** The lines as printed, joined, for the report's `state`. */
  state: string;
}

const HEADLINE = /^FileVault is (On|Off)(?:\.|, but will be enabled after the next restart\.)$/;
const PROGRESS = /^(Encryption|Decryption) in progress: (?:Percent completed? = (\d+(?:\.\d+)?)|(Pending))$/i;
const DEFERRED = /^Deferred enablement appears to be active for user (?:'([^']*)'|"([^"]*)"|(\S+?))\.?$/;
const MASTER_KEYCHAIN = /^FileVault master keychain appears to be installed\.?$/;

interface Reading {
  fileVault: 'on' | 'off' | null;
  conversion: FileVaultConversion | null;
  pendingEnablement: 'restart' | 'deferred' | null;
  deferredUser: string | null;
  institutionalKey: boolean;
}

function readLine(line: string, reading: Reading): void {
  const headline = HEADLINE.exec(line);
  if (headline) {
    reading.fileVault = headline[1] === 'On' ? 'on' : 'off';
    if (line.includes('next restart')) reading.pendingEnablement = 'restart';
    return;
  }
  const progress = PROGRESS.exec(line);
  if (progress) {
    const percent = progress[2] === undefined ? null : Number(progress[2]);
    if (percent !== null && percent > 100) throw new AgentError('ERR_PARSE', `fdesetup status reported ${percent} percent: "${line}".`);
    reading.conversion = { direction: progress[1]!.toLowerCase() === 'encryption' ? 'encrypting' : 'decrypting', percent };
    return;
  }
  const deferred = DEFERRED.exec(line);
  if (deferred) {
    reading.pendingEnablement = 'deferred';
    reading.deferredUser = deferred[1] ?? deferred[2] ?? deferred[3] ?? null;
    return;
  }
  if (MASTER_KEYCHAIN.test(line)) {
    reading.institutionalKey = true;
    return;
  }
  throw new AgentError('ERR_PARSE', `fdesetup status printed a line it does not document: "${line}".`);
}

/**
 * Without a headline (some versions print only the progress or deferral line), an encryption in
 * progress means FileVault is being turned on, a decryption or a deferred enablement that it is off.
 */
function impliedFileVault(reading: Reading): 'on' | 'off' | null {
  if (reading.fileVault !== null) return reading.fileVault;
  if (reading.conversion) return reading.conversion.direction === 'encrypting' ? 'on' : 'off';
  return reading.pendingEnablement === 'deferred' ? 'off' : null;
}

export function parseFdesetupStatus(text: string): FdesetupStatus {
  const printed = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (printed.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'fdesetup status printed nothing.');
  const reading: Reading = { fileVault: null, conversion: null, pendingEnablement: null, deferredUser: null, institutionalKey: false };
  for (const line of printed) readLine(line, reading);
  const fileVault = impliedFileVault(reading);
  if (fileVault === null) throw new AgentError('ERR_PARSE', `fdesetup status did not say whether FileVault is on: "${printed.join(' ')}".`);
  return { ...reading, fileVault, state: printed.join(' ') };
}
