/**
 * freshclam.conf (freshclam.conf(5)): `Option value` lines, `#` comments. Only `DatabaseDirectory`
 * matters here: where freshclam keeps the signature databases when not in the compiled-in folder
 * (clamscan --version looks there too, common/misc.c freshdbdir). The last one given wins.
 */
import { lines } from '../parse-text.js';

export interface FreshclamConf {
  databaseDirectory: string | null;
}

export function parseFreshclamConf(text: string): FreshclamConf {
  let databaseDirectory: string | null = null;
  for (const line of lines(text)) {
    const match = /^\s*DatabaseDirectory\s+(.+?)\s*$/.exec(line);
    if (match) databaseDirectory = match[1]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return { databaseDirectory };
}
