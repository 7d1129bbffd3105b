import type { CommandResult } from '../host.js';

/**
 * What a macOS tool answered: stdout, or stderr when stdout is blank (`spctl --status` writes to
 * stderr on some versions; `defaults read` reports a missing key on stderr).
 */
export function commandText(result: CommandResult): string {
  return result.stdout.trim() === '' ? result.stderr : result.stdout;
}
