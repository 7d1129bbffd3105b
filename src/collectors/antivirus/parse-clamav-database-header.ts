/**
 * The header of a ClamAV signature database (`daily.cvd`, `daily.cld`, `main.cvd`, ...): its first
 * 512 bytes are ASCII, padded with spaces, `ClamAV-VDB:<build time>:<version>:<signatures>:
 * <functionality level>:<MD5>:<signature>:<builder>:<build time in seconds>` (libclamav cvd.c
 * cl_cvdhead and cl_cvdparse; sigtool writes the build time as `%d %b %Y %H-%M %z`). Files from
 * before the last field existed carry only the text build time.
 */
import { AgentError } from '../../shared/errors.js';

export interface ClamavDatabaseHeader {
  version: number;
  signatures: number;
  functionalityLevel: number;
  builder: string;
  /** When the database was built, ISO 8601 in UTC. */
  builtAt: string;
}

const MAGIC = 'ClamAV-VDB';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** sigtool's `%d %b %Y %H-%M %z`, e.g. `16 Apr 2020 07-58 -0400`. */
const BUILD_TIME = /^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2})-(\d{2}) ([+-])(\d{2})(\d{2})$/;

function refuse(why: string): never {
  throw new AgentError('ERR_PARSE', `The ClamAV database header could not be read: ${why}.`);
}

function buildTimeFromText(text: string): Date | null {
  const match = BUILD_TIME.exec(text.trim());
  const month = match ? MONTHS.indexOf(match[2]!) : -1;
  if (!match || month < 0) return null;
  const offsetMinutes = (match[6] === '-' ? -1 : 1) * (Number(match[7]) * 60 + Number(match[8]));
  const utc = Date.UTC(Number(match[3]), month, Number(match[1]), Number(match[4]), Number(match[5])) - offsetMinutes * 60_000;
  return Number.isNaN(utc) ? null : new Date(utc);
}

function count(field: string | undefined, what: string): number {
  if (field === undefined || !/^\d+$/.test(field)) refuse(`the ${what} is "${field ?? ''}", not a number`);
  return Number(field);
}

export function parseClamavDatabaseHeader(text: string): ClamavDatabaseHeader {
  // As libclamav reads it: up to the first line break, trailing padding removed.
  const header = text.split(/[\r\n]/, 1)[0]!.replace(/[ \0]+$/, '');
  if (header === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'The ClamAV database file is empty.');
  const fields = header.split(':');
  if (fields[0] !== MAGIC) refuse(`it starts "${header.slice(0, 20)}", not "${MAGIC}:"`);
  const version = count(fields[2], 'version');
  const signatures = count(fields[3], 'number of signatures');
  const functionalityLevel = count(fields[4], 'functionality level');
  const seconds = fields[8] !== undefined && /^\d+$/.test(fields[8]) && Number(fields[8]) > 0 ? Number(fields[8]) : null;
  const builtAt = seconds !== null ? new Date(seconds * 1000) : buildTimeFromText(fields[1] ?? '');
  if (builtAt === null) refuse(`the build time "${fields[1] ?? ''}" is not "DD Mon YYYY HH-MM +ZZZZ"`);
  return { version, signatures, functionalityLevel, builder: fields[7] ?? '', builtAt: builtAt.toISOString() };
}
