/**
 * `softwareupdate --list [--no-scan]` (macOS). After the `Software Update Tool` banner (older
 * releases add a copyright line) and, when it scans, `Finding available software`, either
 * `No new software available.` or `Software Update found the following new or updated software:`
 * and one entry per update, in one of two formats:
 * - macOS 10.15 and later (shared fixtures auto-update/01, /15):
 *       * Label: macOS Ventura 13.3.1-22E261
 *       <TAB>Title: macOS Ventura 13.3.1, Version: 13.3.1, Size: 868648KiB, Recommended: YES, Action: restart,
 * - up to macOS 10.14: `   * <label>` (or `   - <label>` for a not recommended one) then
 *       <TAB>OS X El Capitan Update (10.11.6), 471282K [recommended] [restart]
 *   where the title is in the user's language.
 * A failed scan prints `Scan finished with error: ...` (auto-update/09). Scanning contacts Apple's
 * catalogue and can take a minute; `--no-scan` lists what the last background check found. Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface SoftwareUpdateListEntry {
  label: string;
  title: string | null;
  version: string | null;
  recommended: boolean;
  /** Installing it restarts (or shuts down) the Mac. */
  restart: boolean;
}

const BANNER = /^Software Update Tool$/;
const NONE = /^No new software available\.?$/;
const FOUND = /^Software Update found the following new or updated software:?$/;
const SCAN_ERROR = /^Scan finished with error:?\s*(.*)$/;
const NEW_LABEL = /^\*\s+Label:\s*(.+)$/;
const OLD_LABEL = /^([*-])\s+(.+)$/;
const NEW_DETAIL = /^Title:\s*(.*?),\s*Version:\s*(.*?),(.*)$/;
const OLD_DETAIL = /^(.*?),?\s*\(([^()]*)\),\s*\d+\s*[KMG]i?B?\b(.*)$/;

export function parseSoftwareupdateList(text: string): SoftwareUpdateListEntry[] {
  const all = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (all.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'softwareupdate --list printed nothing.');
  const error = all.map((line) => SCAN_ERROR.exec(line)).find((match) => match !== null);
  if (error) throw new AgentError('ERR_COMMAND_FAILED', `softwareupdate could not check for updates: ${error[1]!.slice(0, 300)}`);
  if (!all.some((line) => BANNER.test(line))) throw new AgentError('ERR_PARSE', `softwareupdate --list printed something else: "${all[0]!.slice(0, 120)}"`);
  if (all.some((line) => NONE.test(line))) return [];
  const start = all.findIndex((line) => FOUND.test(line));
  if (start < 0) throw new AgentError('ERR_PARSE', 'softwareupdate --list neither listed updates nor said there are none.');

  const entries: SoftwareUpdateListEntry[] = [];
  for (const line of all.slice(start + 1)) {
    const label = NEW_LABEL.exec(line) ?? OLD_LABEL.exec(line);
    if (label) {
      const isNew = label.length === 2;
      entries.push({ label: (isNew ? label[1] : label[2])!.trim(), title: null, version: null, recommended: isNew ? false : label[1] === '*', restart: false });
      continue;
    }
    const entry = entries.at(-1);
    if (!entry || entry.title !== null) throw new AgentError('ERR_PARSE', `softwareupdate --list printed an unexpected line: "${line.slice(0, 120)}"`);
    const modern = NEW_DETAIL.exec(line);
    if (modern) {
      entry.title = modern[1]!.trim();
      entry.version = modern[2]!.trim();
      entry.recommended = /Recommended:\s*YES/i.test(modern[3]!);
      entry.restart = /Action:\s*(restart|shut down)/i.test(modern[3]!);
      continue;
    }
    const old = OLD_DETAIL.exec(line);
    if (!old) throw new AgentError('ERR_PARSE', `softwareupdate --list printed an update line it does not understand: "${line.slice(0, 120)}"`);
    entry.title = old[1]!.trim();
    entry.version = old[2]!.trim();
    entry.recommended = /\[recommended\]/i.test(old[3]!);
    entry.restart = /\[(restart|shut down)\]/i.test(old[3]!);
  }
  if (entries.length === 0) throw new AgentError('ERR_PARSE', 'softwareupdate --list announced updates but listed none.');
  return entries;
}
