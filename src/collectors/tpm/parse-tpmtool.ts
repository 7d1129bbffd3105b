/**
 * `tpmtool getdeviceinformation` (Windows 10 1703 and later; answers a standard user). One
 * `-Label: value` line per fact, a tab-indented block under "-Lockout Information:", CRLF:
 *
 *   -TPM Present: True
 *   -TPM Version: 2.0
 *   -TPM Manufacturer ID: INTC
 *   -TPM Manufacturer Full Name: Intel
 *   -TPM Manufacturer Version: 600.18.0.0
 *   -PPI Version: 1.3
 *   -Is Initialized: True
 *   -Ready For Storage: True
 *   ...
 *
 * Labels AND values are localised (French: `-TPM présent : Vrai`, `-Version du TPM : 2.0`,
 * `-Prêt pour le stockage : Vrai`, with a space, possibly a no-break space, before the colon),
 * and the text arrives in the console code page, so an accented letter may be one stray character:
 * labels are compared with every non-ASCII character as `.` (windows/localized-words.ts). In a
 * language whose labels are not in the table, only the first three facts are read, by position
 * and shape (a yes/no word, `n.n`, a short vendor code); readiness then stays unknown.
 *
 * No TPM: `-TPM Present: False` and nothing else. tpmtool does not tell whether the TPM is enabled.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';
import { lookupWord, type WordTable } from '../windows/localized-words.js';
import { absentTpm, deriveTpmStatus, specVersionOf, type Tpm } from './schema.js';
import { manufacturerOfCode, registeredManufacturer } from './vendors.js';

export const TPMTOOL_SOURCE = 'tpmtool getdeviceinformation';

type Fact = 'present' | 'version' | 'manufacturerId' | 'manufacturerName' | 'readyForStorage';

/** Labels lower-cased with every non-ASCII character as `.`: English (Dasharo docs) and French (windows-itpro-docs#5429). */
const LABELS: WordTable<Fact> = [
  ['present', /^(tpm present|tpm pr.sent)$/],
  ['version', /^(tpm version|version du tpm)$/],
  ['manufacturerId', /^(tpm manufacturer id|id du fabricant du tpm)$/],
  ['manufacturerName', /^(tpm manufacturer full name|nom complet du fabricant du tpm)$/],
  ['readyForStorage', /^(ready for storage|pr.t pour le stockage)$/],
];

const BOOLEANS: WordTable<boolean> = [
  [true, /^(true|vrai|wahr|verdadero|vero|verdadeiro|waar)$/],
  [false, /^(false|faux|falsch|falso|onwaar)$/],
];

const ACCESS_DENIED = /access (is )?denied|acc.s refus.|zugriff verweigert/i;

interface Line {
  label: string;
  value: string;
}

/** Lower case, non-ASCII as `.`, without the spaces and stray characters before the colon. */
function normalizeLabel(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^\x20-\x7e]/g, '.')
    .replace(/[\s.]+$/, '')
    .trim();
}

/** The top-level `-Label: value` lines (the indented lockout block is skipped). */
function factLines(text: string): Line[] {
  const found: Line[] = [];
  for (const raw of lines(text)) {
    const match = /^-(.+?):(.*)$/.exec(raw.trimEnd());
    if (match) found.push({ label: normalizeLabel(match[1]!), value: match[2]!.replace(/^[\s\u00a0]+/, '').trim() });
  }
  return found;
}

function byLabel(facts: readonly Line[]): Partial<Record<Fact, string>> {
  const values: Partial<Record<Fact, string>> = {};
  for (const { label, value } of facts) {
    const fact = lookupWord(label, LABELS);
    if (fact !== null && values[fact] === undefined) values[fact] = value;
  }
  return values;
}

/** An unknown language: the first three facts by position, each only when its value has the expected shape. */
function byPosition(facts: readonly Line[]): Partial<Record<Fact, string>> {
  const values: Partial<Record<Fact, string>> = {};
  const [present, version, manufacturerId] = facts;
  if (present && lookupWord(present.value, BOOLEANS) !== null) values.present = present.value;
  if (version && /^\d+\.\d+$/.test(version.value)) values.version = version.value;
  if (manufacturerId && /^[A-Z0-9]{2,4}$/.test(manufacturerId.value)) values.manufacturerId = manufacturerId.value;
  return values;
}

export function parseTpmtool(text: string): Tpm {
  if (lines(text).every((line) => line.trim() === '')) throw new AgentError('ERR_EMPTY_OUTPUT', 'tpmtool printed nothing.');
  const facts = factLines(text);
  const labelled = byLabel(facts);
  const values = labelled.present !== undefined ? labelled : byPosition(facts);
  const present = values.present === undefined ? null : lookupWord(values.present, BOOLEANS);
  if (present === null) {
    const first = lines(text).find((line) => line.trim() !== '')!.trim().slice(0, 200);
    if (ACCESS_DENIED.test(text)) throw new AgentError('ERR_ACCESS_DENIED', `tpmtool was refused: ${first}`);
    throw new AgentError('ERR_PARSE', `tpmtool did not say whether a TPM is present: ${first}`);
  }
  if (!present) return absentTpm(`${TPMTOOL_SOURCE} (TPM Present False)`);
  const ready = values.readyForStorage === undefined ? null : lookupWord(values.readyForStorage, BOOLEANS);
  return {
    status: deriveTpmStatus(true),
    kind: 'tpm',
    specVersion: specVersionOf(values.version),
    // The registry's name for a registered code, else tpmtool's own full name, else the code itself.
    manufacturer: registeredManufacturer(values.manufacturerId) ?? (values.manufacturerName?.trim() || null) ?? manufacturerOfCode(values.manufacturerId),
    enabled: null,
    ready,
    source: TPMTOOL_SOURCE,
  };
}
