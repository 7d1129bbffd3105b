/**
 * `clamscan --version` (also clamdscan and freshclam): `ClamAV <engine>/<daily db version>/<db
 * build date>`, the date in C ctime(3) format with a space-padded day (`Tue Aug  6 10:18:15 2019`)
 * and in local time; just `ClamAV <engine>` when no virus database is installed (shared fixtures
 * README, L3). ctime is not localised, whatever the locale.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface ClamavVersion {
  engine: string;
  /** The daily database's version; null without a database. */
  databaseVersion: number | null;
  /** The database's build time, local wall-clock `YYYY-MM-DDTHH:MM:SS`; null without a database. */
  databaseDate: string | null;
}

const VERSION_LINE = /^ClamAV (\S+?)(?:\/(\d+)\/(.+))?$/;
const CTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function ctimeToLocal(text: string): string {
  const match = CTIME.exec(text.trim());
  if (!match) throw new AgentError('ERR_PARSE', `ClamAV printed a database date "${text}" that is not in ctime format.`);
  const month = String(MONTHS.indexOf(match[1]!) + 1).padStart(2, '0');
  return `${match[6]}-${month}-${match[2]!.padStart(2, '0')}T${match[3]}:${match[4]}:${match[5]}`;
}

export function parseClamavVersion(text: string): ClamavVersion {
  const content = lines(text).map((line) => line.trim()).filter((line) => line !== '');
  if (content.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'clamscan --version printed nothing.');
  const line = content.find((candidate) => candidate.startsWith('ClamAV '));
  const match = line === undefined ? null : VERSION_LINE.exec(line);
  if (!match) throw new AgentError('ERR_PARSE', `clamscan --version printed "${content[0]!}", not "ClamAV <version>".`);
  return {
    engine: match[1]!,
    databaseVersion: match[2] === undefined ? null : Number(match[2]),
    databaseDate: match[3] === undefined ? null : ctimeToLocal(match[3]),
  };
}
