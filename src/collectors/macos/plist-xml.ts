/**
 * XML property lists (the `plist` package, pure). Binary plists (`bplist00...`) cannot be read as
 * text, so they are refused rather than decoded from mangled characters.
 */
import { parse, type PlistValue } from 'plist';
import { AgentError, messageOf } from '../../shared/errors.js';

export type PlistDict = Readonly<Record<string, PlistValue>>;

function isDict(value: PlistValue): value is Record<string, PlistValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

/** The top-level dictionary of an XML plist; `source` names the file in error messages. */
export function parseXmlPlistDict(text: string, source: string): PlistDict {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') throw new AgentError('ERR_EMPTY_OUTPUT', `${source} is empty.`);
  if (trimmed.startsWith('bplist')) {
    throw new AgentError('ERR_PARSE', `${source} is a binary property list, which cannot be read as text.`);
  }
  // Checked first so that truncated or foreign text is refused without the XML parser's console noise.
  if (!trimmed.startsWith('<') || !trimmed.endsWith('</plist>')) {
    throw new AgentError('ERR_PARSE', `${source} is not a complete XML property list.`);
  }
  let value: PlistValue;
  try {
    value = parse(trimmed);
  } catch (error) {
    throw new AgentError('ERR_PARSE', `${source} is not a valid XML property list: ${messageOf(error)}`, { cause: error });
  }
  if (!isDict(value)) throw new AgentError('ERR_PARSE', `${source} does not hold a dictionary.`);
  return value;
}

/** A string value, or null when the key is absent or blank; any other type is refused. */
export function plistText(dict: PlistDict, key: string, source: string): string | null {
  const value = dict[key];
  if (value === undefined) return null;
  if (typeof value !== 'string') throw new AgentError('ERR_PARSE', `${source} holds ${key} as a ${typeof value}, not a string.`);
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
