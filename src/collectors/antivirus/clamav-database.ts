/**
 * When ClamAV's virus database was built, read from the database files' headers instead of running
 * `clamscan --version`. The same files it reads (common/misc.c print_version, freshdbdir):
 * daily.cvd and daily.cld in the compiled-in database folders (/var/lib/clamav for distribution
 * packages, /usr/local/share/clamav for source builds) and freshclam.conf's DatabaseDirectory; the
 * daily database with the highest version dates the definitions (main and bytecode change rarely).
 */
import type { CollectContext, Host } from '../host.js';
import { readOptionalFile } from '../host-errors.js';
import { messageOf, systemErrorCode } from '../../shared/errors.js';
import { parseClamavDatabaseHeader, type ClamavDatabaseHeader } from './parse-clamav-database-header.js';
import { parseFreshclamConf } from './parse-freshclam-conf.js';

export const CLAMAV_DATABASE_FOLDERS = ['/var/lib/clamav', '/usr/local/share/clamav'] as const;
export const FRESHCLAM_CONFIGS = ['/etc/clamav/freshclam.conf', '/etc/freshclam.conf', '/usr/local/etc/freshclam.conf'] as const;
const DAILY_FILES = ['daily.cvd', 'daily.cld'] as const;
const HEADER_BYTES = 512;

export interface ClamavDailyDatabase extends ClamavDatabaseHeader {
  file: string;
}

/** Not readable this way (a permission, an I/O error, a host without partial reads): run clamscan --version instead. */
export const UNREADABLE = Symbol('unreadable');

async function configuredFolders(host: Host): Promise<string[] | typeof UNREADABLE> {
  const folders: string[] = [];
  for (const path of FRESHCLAM_CONFIGS) {
    try {
      const text = await readOptionalFile(host, path);
      const folder = text === null ? null : parseFreshclamConf(text).databaseDirectory;
      if (folder !== null) folders.push(folder.replace(/\/+$/, ''));
    } catch {
      return UNREADABLE;
    }
  }
  return folders;
}

async function header(host: Host, ctx: CollectContext, file: string): Promise<ClamavDailyDatabase | null | typeof UNREADABLE> {
  let text: string;
  try {
    text = await host.readFileHead!(file, HEADER_BYTES);
  } catch (error) {
    const code = systemErrorCode(error);
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : UNREADABLE;
  }
  try {
    return { ...parseClamavDatabaseHeader(text), file };
  } catch (error) {
    // libclamav skips a database whose header it cannot parse; so does this, saying so.
    ctx.error('ERR_PARSE', `${file}: ${messageOf(error)}`);
    return null;
  }
}

/** The newest daily database; null when there is none; UNREADABLE when the files cannot be read without a process. */
export async function readClamavDailyDatabase(host: Host, ctx: CollectContext): Promise<ClamavDailyDatabase | null | typeof UNREADABLE> {
  if (!host.readFileHead) return UNREADABLE;
  const configured = await configuredFolders(host);
  if (configured === UNREADABLE) return UNREADABLE;
  const folders = [...new Set([...CLAMAV_DATABASE_FOLDERS, ...configured])];
  const found = await Promise.all(folders.flatMap((folder) => DAILY_FILES.map((name) => header(host, ctx, `${folder}/${name}`))));
  if (found.includes(UNREADABLE)) return UNREADABLE;
  const databases = found.filter((entry): entry is ClamavDailyDatabase => entry !== null && entry !== UNREADABLE);
  return databases.reduce<ClamavDailyDatabase | null>((newest, database) => (newest === null || database.version > newest.version ? database : newest), null);
}
