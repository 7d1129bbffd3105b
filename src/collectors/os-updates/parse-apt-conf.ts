/**
 * APT's configuration language (apt.conf(5)), parsed the way apt-pkg's ReadConfigFile does
 * (apt-pkg/contrib/configuration.cc, Debian/apt):
 * - `Name "value";` statements; a name is `::`-separated and case-insensitive; a value is one or
 *   more double-quoted strings (joined with a space) or one bare word;
 * - blocks: `APT { Periodic { Unattended-Upgrade "1"; }; };` prefixes the names inside;
 * - list items: a value without a name inside a block (`Origins-Pattern { "a"; "b"; };`), or a name
 *   ending in `::` (`Dir::Ignore-Files-Silently:: "~$";`), is appended, never replaced;
 * - comments: `//` to the end of the line and `#` to the end of the line (both only outside a
 *   quoted string), and `/* ... *\/` across lines;
 * - directives at the top level: `#clear Name;` removes a setting and everything under it,
 *   `#include "path";` reads another file (or, with a final `/`, a directory) at that point;
 * - a statement may span lines; a later setting of the same name replaces an earlier one.
 * A syntax error makes apt refuse every command (apt-config, the daily job), so it is ERR_PARSE here.
 * Pure: text in, statements out.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';

export type AptConfStatement =
  | { kind: 'set'; key: string; value: string }
  | { kind: 'append'; key: string; value: string }
  | { kind: 'clear'; key: string }
  | { kind: 'include'; path: string };

/** The directives apt reads after a `#` instead of treating it as a comment. */
const DIRECTIVES = ['clear', 'include', 'x-apt-configure-index'];

function isSpace(char: string | undefined): boolean {
  return char !== undefined && /\s/.test(char);
}

function quotesBefore(text: string, index: number): number {
  let count = 0;
  for (let i = 0; i < index; i += 1) if (text[i] === '"') count += 1;
  return count;
}

/** The line without its `//` or `#` comment (a `#` starting a directive is kept). */
function stripLineComment(line: string): string {
  let start = 0;
  for (;;) {
    const at = line.indexOf('//', start);
    if (at < 0) break;
    if (quotesBefore(line, at) % 2 !== 0) {
      start = at + 1;
      continue;
    }
    line = line.slice(0, at);
    break;
  }
  start = 0;
  for (;;) {
    const at = line.indexOf('#', start);
    if (at < 0) break;
    const directive = DIRECTIVES.some((name) => line.startsWith(name, at + 1));
    if (quotesBefore(line, at) % 2 !== 0 || directive) {
      start = at + 1;
      continue;
    }
    line = line.slice(0, at);
    break;
  }
  return line;
}

interface Word {
  word: string;
  rest: string;
}

/** apt's ParseQuoteWord: one word up to unquoted whitespace; quotes and [brackets] group, %XX decodes, quotes are dropped. */
function parseQuoteWord(text: string): Word | null {
  let i = 0;
  while (isSpace(text[i])) i += 1;
  if (i >= text.length) return null;
  const start = i;
  while (i < text.length && !isSpace(text[i])) {
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return null;
      i = close;
    } else if (text[i] === '[') {
      const close = text.indexOf(']', i + 1);
      if (close < 0) return null;
      i = close;
    }
    i += 1;
  }
  const raw = text.slice(start, i);
  const word = raw.replace(/%([0-9a-fA-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))).replaceAll('"', '');
  while (isSpace(text[i])) i += 1;
  return { word, rest: text.slice(i) };
}

/** apt's ParseCWord: only double-quoted strings separated by whitespace, joined with one space. */
function parseCWord(text: string): Word | null {
  let i = 0;
  while (text[i] === ' ') i += 1;
  if (i >= text.length) return null;
  let word = '';
  for (; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return null;
      word += text.slice(i + 1, close);
      i = close;
      continue;
    }
    if (i > 0 && isSpace(char) && isSpace(text[i - 1])) continue;
    if (!isSpace(char)) return null;
    word += ' ';
  }
  return { word, rest: '' };
}

class Parser {
  readonly statements: AptConfStatement[] = [];
  private readonly parents: string[] = [];
  private parent = '';

  constructor(private readonly source: string) {}

  fail(lineNumber: number, message: string): never {
    throw new AgentError('ERR_PARSE', `${this.source}:${lineNumber}: ${message} (apt would refuse this file).`);
  }

  private leave(): void {
    this.parent = this.parents.pop() ?? '';
  }

  /** One statement ended by `{`, `;` or `}`. */
  statement(buffer: string, terminator: string, lineNumber: number): void {
    if (terminator === '{' && buffer === '') this.fail(lineNumber, 'a block starts with no name');
    if (buffer === '') {
      if (terminator === '}') this.leave();
      return;
    }
    const tagWord = parseQuoteWord(buffer);
    if (!tagWord) this.fail(lineNumber, `malformed name in "${buffer}"`);
    let tag = tagWord.word;
    let rest = tagWord.rest;
    let word: string | null = null;
    const value = parseCWord(rest) ?? parseQuoteWord(rest);
    if (value) {
      word = value.word;
      rest = value.rest;
    } else if (terminator !== '{') {
      word = tag;
      tag = '';
    }
    if (rest.length !== 0) this.fail(lineNumber, `extra text after the value in "${buffer}"`);

    if (terminator === '{') {
      this.parents.push(this.parent);
      this.parent = this.parent === '' ? tag : `${this.parent}::${tag}`;
      tag = '';
    }
    let item: string;
    if (this.parent === '') item = tag;
    else item = terminator !== '{' || tag !== '' ? `${this.parent}::${tag}` : this.parent;

    if (tag.startsWith('#')) {
      if (this.parent !== '') this.fail(lineNumber, 'directives are allowed only at the top level');
      const directive = tag.slice(1);
      if (directive === 'clear') this.statements.push({ kind: 'clear', key: word ?? '' });
      else if (directive === 'include') this.statements.push({ kind: 'include', path: word ?? '' });
      else if (directive !== 'x-apt-configure-index') this.fail(lineNumber, `unsupported directive #${directive}`);
    } else if (tag === '' && word === '#clear') {
      this.fail(lineNumber, '#clear needs the name of the settings to clear');
    } else if (word !== null) {
      if (item.endsWith('::')) this.statements.push({ kind: 'append', key: item.slice(0, -2), value: word });
      else this.statements.push({ kind: 'set', key: item, value: word });
    }
    if (terminator === '}') this.leave();
  }
}

/** The statements of one apt.conf file, in order; `source` names the file in errors. */
export function parseAptConf(text: string, source = 'apt.conf'): AptConfStatement[] {
  const parser = new Parser(source);
  let inComment = false;
  let buffer = '';
  let lineNumber = 0;
  for (const rawLine of lines(text)) {
    lineNumber += 1;
    let line = rawLine.replaceAll('\t', '        ').trim();
    if (inComment) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      line = line.slice(end + 2);
      inComment = false;
    }
    line = stripLineComment(line);
    let fragment = '';
    for (;;) {
      let start = 0;
      let open = -1;
      for (;;) {
        const at = line.indexOf('/*', start);
        if (at < 0) break;
        if (quotesBefore(line, at) % 2 !== 0) {
          start = at + 2;
          continue;
        }
        open = at;
        break;
      }
      if (open < 0) {
        fragment += line;
        break;
      }
      fragment += line.slice(0, open);
      const close = line.indexOf('*/', open + 2);
      if (close < 0) {
        inComment = true;
        break;
      }
      line = line.slice(close + 2);
    }
    if (fragment === '') continue;

    let inQuote = false;
    let start = 0;
    for (let i = 0; i < fragment.length; i += 1) {
      const char = fragment[i]!;
      if (char === '"') inQuote = !inQuote;
      if (inQuote || (char !== '{' && char !== ';' && char !== '}')) continue;
      const piece = fragment.slice(start, i).trim();
      if (buffer !== '' && piece !== '') buffer += ' ';
      buffer += piece;
      start = i + 1;
      const statement = buffer;
      buffer = '';
      parser.statement(statement, char, lineNumber);
    }
    const rest = fragment.slice(start).trim();
    if (rest !== '' && buffer !== '') buffer += ' ';
    buffer += rest;
  }
  if (buffer !== '') parser.fail(lineNumber, `the file ends inside a statement ("${buffer.slice(0, 80)}")`);
  return parser.statements;
}

interface Setting {
  value: string;
  file: string;
}

/** The merged configuration of several files, as apt holds it: names are case-insensitive. */
export class AptConfig {
  private readonly values = new Map<string, Setting>();
  private readonly lists = new Map<string, Setting[]>();

  private static normal(key: string): string {
    return key.toLowerCase().replace(/^::+|::+$/g, '');
  }

  /** Applies one file's statements; `#include` is the caller's (it needs the host). */
  apply(statements: readonly AptConfStatement[], file: string): void {
    for (const statement of statements) {
      switch (statement.kind) {
        case 'set':
          this.values.set(AptConfig.normal(statement.key), { value: statement.value, file });
          break;
        case 'append': {
          const key = AptConfig.normal(statement.key);
          this.lists.set(key, [...(this.lists.get(key) ?? []), { value: statement.value, file }]);
          break;
        }
        case 'clear':
          this.clear(statement.key);
          break;
        case 'include':
          break;
      }
    }
  }

  /** `#clear Name`: the setting and everything below it. */
  clear(name: string): void {
    const key = AptConfig.normal(name);
    for (const map of [this.values, this.lists] as const) {
      for (const existing of [...map.keys()]) if (existing === key || existing.startsWith(`${key}::`)) map.delete(existing);
    }
  }

  get(name: string): Setting | undefined {
    return this.values.get(AptConfig.normal(name));
  }

  list(name: string): Setting[] {
    return this.lists.get(AptConfig.normal(name)) ?? [];
  }
}

/** The settings that decide whether APT updates itself (apt.systemd.daily, unattended-upgrade(8)). */
export const APT_KEYS = {
  enable: 'APT::Periodic::Enable',
  updatePackageLists: 'APT::Periodic::Update-Package-Lists',
  downloadUpgradeablePackages: 'APT::Periodic::Download-Upgradeable-Packages',
  unattendedUpgrade: 'APT::Periodic::Unattended-Upgrade',
  originsPattern: 'Unattended-Upgrade::Origins-Pattern',
  allowedOrigins: 'Unattended-Upgrade::Allowed-Origins',
} as const;

export interface AptUpdateSettings {
  enable: string | null;
  updatePackageLists: string | null;
  downloadUpgradeablePackages: string | null;
  unattendedUpgrade: string | null;
  /** Which origins unattended-upgrade takes packages from; both empty means it installs nothing. */
  originsPattern: string[];
  allowedOrigins: string[];
}

export interface AptUpdateSettingsWithFiles extends AptUpdateSettings {
  /** The file that last set each value (apt reads the parts in order, later files win). */
  setBy: Partial<Record<'enable' | 'updatePackageLists' | 'downloadUpgradeablePackages' | 'unattendedUpgrade', string>>;
}

export function aptUpdateSettings(config: AptConfig): AptUpdateSettingsWithFiles {
  const setBy: AptUpdateSettingsWithFiles['setBy'] = {};
  const read = (name: 'enable' | 'updatePackageLists' | 'downloadUpgradeablePackages' | 'unattendedUpgrade'): string | null => {
    const setting = config.get(APT_KEYS[name]);
    if (!setting) return null;
    setBy[name] = setting.file;
    return setting.value;
  };
  return {
    enable: read('enable'),
    updatePackageLists: read('updatePackageLists'),
    downloadUpgradeablePackages: read('downloadUpgradeablePackages'),
    unattendedUpgrade: read('unattendedUpgrade'),
    originsPattern: config.list(APT_KEYS.originsPattern).map((item) => item.value),
    allowedOrigins: config.list(APT_KEYS.allowedOrigins).map((item) => item.value),
    setBy,
  };
}

/**
 * The update settings one apt.conf file makes on its own (the fixture view of parseAptConf):
 * what apt would hold after reading only this file. Includes and clears are listed as found.
 */
export function parseAptConfUpdateSettings(text: string): AptUpdateSettings & { clears: string[]; includes: string[] } {
  const statements = parseAptConf(text);
  const config = new AptConfig();
  config.apply(statements, 'file');
  const { setBy: _setBy, ...settings } = aptUpdateSettings(config);
  return {
    ...settings,
    clears: statements.flatMap((statement) => (statement.kind === 'clear' ? [statement.key] : [])),
    includes: statements.flatMap((statement) => (statement.kind === 'include' ? [statement.path] : [])),
  };
}

/**
 * An APT::Periodic interval as apt.systemd.daily reads it: exactly "0" (or unset) is off, "always"
 * and any other value (a number of days, or with an s/m/h/d suffix) is on. Not "0d": the daily job
 * compares the text with 0, so "0d" is an interval of no time, which runs every time.
 */
export function intervalIsOn(value: string | null): boolean {
  if (value === null) return false;
  const trimmed = value.trim();
  return trimmed !== '' && trimmed !== '0';
}

/** APT::Periodic::Enable: apt.systemd.daily stops when it is numerically 0 (`[ $x -eq 0 ]`); unset means on. */
export function periodicEnabled(value: string | null): boolean {
  if (value === null) return true;
  return !/^\s*[+-]?0+\s*$/.test(value);
}
