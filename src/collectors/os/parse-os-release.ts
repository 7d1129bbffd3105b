/**
 * `/etc/os-release` (freedesktop os-release(5)): shell-style `KEY=value` lines; values unquoted,
 * double-quoted (with `\"`, `\\`, `\$`, `` \` `` escapes) or single-quoted; `#` comments and blank
 * lines. Variations (shared fixtures README, L1): ID_LIKE is a space-separated list; the point
 * release may appear only in VERSION (Ubuntu `24.04.3 LTS`) or in DEBIAN_VERSION_FULL (Debian 13);
 * rolling releases (Arch: BUILD_ID=rolling) have no release, and the Arch Docker image's
 * VERSION_ID is an image date stamp.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export interface OsRelease {
  id: string | null;
  idLike: string[];
  name: string | null;
  prettyName: string | null;
  /** VERSION_ID as written. */
  versionId: string | null;
  /** The most precise release the file states; null on rolling releases. */
  version: string | null;
  build: string | null;
  codename: string | null;
  supportEnd: string | null;
  rolling: boolean;
  /** True when the release came from a key more precise than VERSION_ID (VERSION or DEBIAN_VERSION_FULL). */
  pointRelease: boolean;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Distributions without releases; their VERSION_ID, when present, is a snapshot or image stamp. */
const ROLLING_IDS = new Set(['arch', 'archarm', 'manjaro', 'endeavouros', 'artix', 'opensuse-tumbleweed', 'gentoo', 'void']);

function unquoteDouble(body: string, line: string): string {
  let value = '';
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index]!;
    if (char === '\\' && index + 1 < body.length) {
      value += body[index + 1]!;
      index += 1;
    } else if (char === '"') {
      if (body.slice(index + 1).trim() !== '') break;
      return value;
    } else {
      value += char;
    }
  }
  throw new AgentError('ERR_PARSE', `os-release has an unterminated or malformed quoted value: ${line}`);
}

function unquote(raw: string, line: string): string {
  if (raw.startsWith('"')) return unquoteDouble(raw.slice(1), line);
  if (raw.startsWith("'")) {
    if (raw.length < 2 || !raw.endsWith("'")) throw new AgentError('ERR_PARSE', `os-release has an unterminated quoted value: ${line}`);
    return raw.slice(1, -1);
  }
  return raw.replace(/\\(.)/g, '$1');
}

/** Every `KEY=value` assignment; comments and blank lines skipped. */
export function osReleaseFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const rawLine of lines(text)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const separator = line.indexOf('=');
    const key = separator > 0 ? line.slice(0, separator) : '';
    if (!KEY.test(key)) throw new AgentError('ERR_PARSE', `os-release has a line that is not KEY=value: ${line}`);
    fields.set(key, unquote(line.slice(separator + 1), line));
  }
  return fields;
}

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** VERSION's leading number when it refines VERSION_ID (`24.04.3 LTS` refines `24.04`). */
function refinedByVersion(version: string | null, versionId: string | null): string | null {
  const leading = version === null ? null : /^\d+(?:\.\d+)+/.exec(version)?.[0] ?? null;
  if (leading === null || versionId === null) return null;
  return leading.startsWith(`${versionId}.`) ? leading : null;
}

export function parseOsRelease(text: string): OsRelease {
  if (text.trim() === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'os-release is empty.');
  const fields = osReleaseFields(text);
  const id = nonEmpty(fields.get('ID'));
  const name = nonEmpty(fields.get('NAME'));
  if (id === null && name === null && !fields.has('VERSION_ID')) {
    throw new AgentError('ERR_PARSE', 'os-release names no distribution (no ID, NAME or VERSION_ID).');
  }
  const idLike = nonEmpty(fields.get('ID_LIKE'))?.split(/\s+/) ?? [];
  const build = nonEmpty(fields.get('BUILD_ID'));
  const versionId = nonEmpty(fields.get('VERSION_ID'));
  const rolling = build === 'rolling' || (id !== null && ROLLING_IDS.has(id));
  const precise = nonEmpty(fields.get('DEBIAN_VERSION_FULL')) ?? refinedByVersion(nonEmpty(fields.get('VERSION')), versionId);
  return {
    id,
    idLike,
    name,
    prettyName: nonEmpty(fields.get('PRETTY_NAME')),
    versionId,
    version: rolling ? null : (precise ?? versionId),
    build,
    codename: nonEmpty(fields.get('VERSION_CODENAME')),
    supportEnd: nonEmpty(fields.get('SUPPORT_END')),
    rolling,
    pointRelease: !rolling && precise !== null,
  };
}
