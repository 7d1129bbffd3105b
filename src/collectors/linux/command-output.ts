/** What a parser should read from a finished command. */
import type { CommandResult } from '../host.js';

/** stdout, or stderr when stdout is empty (ufw, nft and firewall-cmd print refusals and `not running` there). */
export function commandOutput(result: CommandResult): string {
  return result.stdout.trim() !== '' ? result.stdout : result.stderr;
}
