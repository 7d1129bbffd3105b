/**
 * `defaults read <domain or plist path>` prints a whole domain in the old-style (OpenStep) property
 * list format:
 *
 *     {
 *         AutomaticCheckEnabled = 1;
 *         LastAttemptSystemVersion = "14.5 (23F79)";
 *         PrimaryLanguages =     (
 *             "en-US",
 *             en
 *         );
 *         RecommendedUpdates =     (
 *                     {
 *                 "Display Name" = Safari;
 *             }
 *         );
 *     }
 *
 * Dictionaries `{ key = value; }`, arrays `( a, b )`, strings quoted (with backslash escapes,
 * `\Uxxxx` included) or bare (letters, digits and `_$+/:.-`), data `<0fbd 7777>`. Numbers, booleans
 * (printed as 1 and 0) and dates (printed as quoted text) are all text here; the caller interprets
 * them. A domain or file that does not exist is reported on stderr as `Domain <name> does not
 * exist` (exit 1). Pure.
 */
import { AgentError } from '../../shared/errors.js';
import { isPrivilegeRefusal } from '../macos/privilege-refusal.js';

export type DefaultsValue = string | DefaultsValue[] | DefaultsDict | { data: string };
export interface DefaultsDict {
  [key: string]: DefaultsValue;
}

const BARE = /[A-Za-z0-9_$+/:.-]/;
const MISSING = /does not exist/i;

class Reader {
  private at = 0;

  constructor(private readonly text: string) {}

  private fail(message: string): never {
    throw new AgentError('ERR_PARSE', `defaults read printed something that is not a property list (${message} at character ${this.at}).`);
  }

  private skip(): void {
    for (;;) {
      while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at += 1;
      if (this.text.startsWith('//', this.at)) {
        const end = this.text.indexOf('\n', this.at);
        this.at = end < 0 ? this.text.length : end;
      } else if (this.text.startsWith('/*', this.at)) {
        const end = this.text.indexOf('*/', this.at + 2);
        if (end < 0) this.fail('an unterminated comment');
        this.at = end + 2;
      } else {
        return;
      }
    }
  }

  private expect(char: string): void {
    this.skip();
    if (this.text[this.at] !== char) this.fail(`expected "${char}"`);
    this.at += 1;
  }

  end(): void {
    this.skip();
    if (this.at < this.text.length) this.fail('text after the end');
  }

  value(): DefaultsValue {
    this.skip();
    const char = this.text[this.at];
    if (char === '{') return this.dict();
    if (char === '(') return this.array();
    if (char === '<') return this.data();
    if (char === '"') return this.quoted();
    if (char !== undefined && BARE.test(char)) return this.bare();
    return this.fail(char === undefined ? 'the text ends early' : `unexpected "${char}"`);
  }

  private dict(): DefaultsDict {
    this.expect('{');
    const dict: DefaultsDict = {};
    for (;;) {
      this.skip();
      if (this.text[this.at] === '}') {
        this.at += 1;
        return dict;
      }
      const key = this.value();
      if (typeof key !== 'string') this.fail('a key that is not text');
      this.expect('=');
      dict[key] = this.value();
      this.expect(';');
    }
  }

  private array(): DefaultsValue[] {
    this.expect('(');
    const items: DefaultsValue[] = [];
    this.skip();
    if (this.text[this.at] === ')') {
      this.at += 1;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.skip();
      const char = this.text[this.at];
      this.at += 1;
      if (char === ')') return items;
      if (char !== ',') this.fail('expected "," or ")"');
      this.skip();
      if (this.text[this.at] === ')') {
        this.at += 1;
        return items;
      }
    }
  }

  private data(): { data: string } {
    this.expect('<');
    const end = this.text.indexOf('>', this.at);
    if (end < 0) this.fail('unterminated data');
    const hex = this.text.slice(this.at, end).replace(/\s+/g, '');
    if (!/^[0-9a-fA-F]*$/.test(hex)) this.fail('data that is not hexadecimal');
    this.at = end + 1;
    return { data: hex.toLowerCase() };
  }

  private bare(): string {
    const start = this.at;
    while (this.at < this.text.length && BARE.test(this.text[this.at]!)) this.at += 1;
    return this.text.slice(start, this.at);
  }

  private quoted(): string {
    this.at += 1;
    let out = '';
    for (;;) {
      if (this.at >= this.text.length) this.fail('an unterminated string');
      const char = this.text[this.at]!;
      this.at += 1;
      if (char === '"') return out;
      if (char !== '\\') {
        out += char;
        continue;
      }
      const next = this.text[this.at] ?? '';
      this.at += 1;
      if (next === 'U' || next === 'u') {
        const hex = /^[0-9a-fA-F]{1,4}/.exec(this.text.slice(this.at))?.[0] ?? '';
        out += String.fromCharCode(Number.parseInt(hex || '0', 16));
        this.at += hex.length;
      } else if (/[0-7]/.test(next)) {
        const octal = next + (/^[0-7]{0,2}/.exec(this.text.slice(this.at))?.[0] ?? '');
        out += String.fromCharCode(Number.parseInt(octal, 8));
        this.at += octal.length - 1;
      } else {
        out += ({ n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' } as Record<string, string>)[next] ?? next;
      }
    }
  }
}

/** The top-level dictionary `defaults read` printed for a domain. */
export function parseDefaultsDomain(text: string, domain = 'the domain'): DefaultsDict {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') throw new AgentError('ERR_EMPTY_OUTPUT', `defaults read ${domain} printed nothing.`);
  if (MISSING.test(body) && !body.startsWith('{')) throw new AgentError('ERR_NOT_FOUND', `defaults read found no ${domain}: ${body.split('\n')[0]!.trim()}`);
  if (!body.startsWith('{')) {
    if (isPrivilegeRefusal(body)) throw new AgentError('ERR_ACCESS_DENIED', `defaults read ${domain} was refused: ${body.split('\n')[0]!.trim()}`);
    throw new AgentError('ERR_PARSE', `defaults read ${domain} printed something other than a dictionary: "${body.slice(0, 120)}"`);
  }
  const reader = new Reader(body);
  const value = reader.value();
  reader.end();
  if (typeof value !== 'object' || Array.isArray(value) || 'data' in value) throw new AgentError('ERR_PARSE', `defaults read ${domain} did not print a dictionary.`);
  return value;
}

/**
 * A preference read as CFPreferencesGetAppBooleanValue would: 1/0, YES/NO, true/false (what
 * `defaults write -bool` and hand-written `-string YES` leave); null when absent; ERR_PARSE otherwise.
 */
export function defaultsBoolean(dict: DefaultsDict, key: string): boolean | null {
  const value = dict[key];
  if (value === undefined) return null;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (word === '1' || word === 'yes' || word === 'true') return true;
    if (word === '0' || word === 'no' || word === 'false') return false;
  }
  throw new AgentError('ERR_PARSE', `${key} is ${JSON.stringify(value)}, not a boolean.`);
}

/** A whole number; null when absent. */
export function defaultsInteger(dict: DefaultsDict, key: string): number | null {
  const value = dict[key];
  if (value === undefined) return null;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  throw new AgentError('ERR_PARSE', `${key} is ${JSON.stringify(value)}, not a whole number.`);
}
