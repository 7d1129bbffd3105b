/**
 * Ubuntu's /var/lib/update-notifier/updates-available: the text the login banner shows, written
 * by update-notifier-common (apt-check --human-readable, after each apt update and daily). It is
 * translated into the system language (gettext domain update-notifier), so it is read by its
 * SHAPE, never by its words:
 *
 *     [Expanded Security Maintenance for Applications is not enabled.]
 *     <blank>
 *     N updates can be applied immediately.              <- the first line that starts with a number
 *     [K of these updates are ESM Apps security updates.] <- numbered lines right below it are the
 *     [M of these updates are standard security updates.]    security updates among the N
 *     [To see these additional updates run: apt list --upgradable]
 *     <blank>
 *     [X additional security updates can be applied with ESM Apps.]  <- a later block: updates that
 *     [Learn more about enabling ESM Apps service at https://ubuntu.com/esm]   cannot be installed
 *     [The list of available updates is more than a week old.   <- the count is stale
 *      To check for new updates run: sudo apt update]
 *
 * Older releases wrote `N packages can be updated.` / `M updates are security updates.` (always
 * both lines) and 20.04 briefly `N updates can be installed immediately.` / `M of these updates are
 * security updates.`; the shape is the same. No security line means none of the N is a security
 * update (apt-check prints it only when there are some). Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface UpdatesAvailable {
  /** Updates that can be installed now (apt-check's upgrades, security ones included). */
  pending: number;
  /** Of those, security updates (standard and, where ESM is enabled, ESM ones). */
  pendingSecurity: number;
  /** The file says the package lists are more than a week old (its `apt update` hint is present). */
  listsOutdated: boolean;
}

const COUNT_LINE = /^(\d+)\s+\S/;
/** ESM lines about updates that need Ubuntu Pro are not among the installable ones. */
const ESM = /\bESM\b|Extended Security Maintenance|Expanded Security Maintenance/;
/** The stale-list hint is the only line that tells the reader to run `apt update` (in every language). */
const STALE = /\bapt(?:-get)? update\b/;

export function parseUpdatesAvailable(text: string): UpdatesAvailable {
  const all = lines(text).map((line) => line.trim());
  if (all.every((line) => line === '')) throw new AgentError('ERR_EMPTY_OUTPUT', 'The update-notifier file updates-available is empty.');
  const first = all.findIndex((line) => COUNT_LINE.test(line) && !ESM.test(line));
  if (first < 0) {
    throw new AgentError('ERR_PARSE', `The update-notifier file updates-available has no count of updates: "${all.find((line) => line !== '')!.slice(0, 120)}"`);
  }
  const pending = Number(COUNT_LINE.exec(all[first]!)![1]);
  let pendingSecurity = 0;
  for (const line of all.slice(first + 1)) {
    const match = COUNT_LINE.exec(line);
    if (!match) break;
    const count = Number(match[1]);
    if (count > pending) throw new AgentError('ERR_PARSE', `updates-available says ${count} of ${pending} updates are security updates.`);
    pendingSecurity += count;
  }
  if (pendingSecurity > pending) throw new AgentError('ERR_PARSE', `updates-available counts ${pendingSecurity} security updates among ${pending}.`);
  return { pending, pendingSecurity, listsOutdated: all.some((line) => STALE.test(line) && !COUNT_LINE.test(line)) };
}
