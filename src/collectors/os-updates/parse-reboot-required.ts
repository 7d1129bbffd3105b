/**
 * /var/run/reboot-required.pkgs: one package name per line, appended by each package whose
 * installation asked for a restart (update-notifier's notify-reboot-required, or unattended-
 * upgrades' /etc/kernel/postinst.d hook, which appends without duplicates). The file
 * /var/run/reboot-required itself is only a flag: Ubuntu writes "*** System restart required ***"
 * into it, Debian's unattended-upgrades creates it empty. Pure.
 */
import { lines } from '../parse-text.js';

/** The packages, once each, in the order they asked. */
export function parseRebootRequiredPackages(text: string): string[] {
  const names: string[] = [];
  for (const line of lines(text)) {
    const name = line.trim();
    if (name !== '' && !names.includes(name)) names.push(name);
  }
  return names;
}
