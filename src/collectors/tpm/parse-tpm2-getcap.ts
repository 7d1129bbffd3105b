/**
 * `tpm2_getcap properties-fixed` (tpm2-tools 4 and later): YAML, one block per property,
 *
 *   TPM2_PT_FAMILY_INDICATOR:
 *     raw: 0x322E3000
 *     value: "2.0"
 *   TPM2_PT_MANUFACTURER:
 *     raw: 0x4E544300
 *     value: "NTC"
 *
 * `value` is absent for plain numbers and may be missing `raw` (TPM2_PT_REVISION on some builds);
 * the manufacturer is decoded from `raw`, which is exact, rather than the quoted text. Failures come
 * from the TSS on stderr: "ERROR:tcti:...Tss2_Tcti_Device_Init() Failed to open specified TCTI
 * device file /dev/tpmrm0: Permission denied" (not root and not in the tss group) or "...: No such
 * file or directory" (no TPM device).
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';
import { specVersionOf, type TpmSpecVersion } from './schema.js';
import { manufacturerOfCode, manufacturerOfId, parseHexId } from './vendors.js';

export interface Tpm2FixedProperties {
  family: TpmSpecVersion | null;
  manufacturerId: number | null;
  manufacturer: string | null;
}

const PROPERTY = /^(TPM2?_PT_[A-Z0-9_]+):\s*$/;
const FIELD = /^\s+(raw|value):\s*(.*?)\s*$/;

function failure(text: string): AgentError | null {
  const first = lines(text).find((line) => /ERROR|fail/i.test(line))?.trim();
  if (first === undefined) return null;
  if (/permission denied/i.test(text)) return new AgentError('ERR_ACCESS_DENIED', `tpm2_getcap could not open the TPM (it needs root or the tss group): ${first.slice(0, 300)}`);
  if (/no such file or directory/i.test(text)) return new AgentError('ERR_NOT_FOUND', `tpm2_getcap found no TPM device: ${first.slice(0, 300)}`);
  return new AgentError('ERR_COMMAND_FAILED', `tpm2_getcap failed: ${first.slice(0, 300)}`);
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

export function parseTpm2GetcapFixed(text: string): Tpm2FixedProperties {
  const all = lines(text);
  if (all.every((line) => line.trim() === '')) throw new AgentError('ERR_EMPTY_OUTPUT', 'tpm2_getcap printed nothing.');
  const properties = new Map<string, { raw?: string; value?: string }>();
  let current: { raw?: string; value?: string } | null = null;
  for (const line of all) {
    const property = PROPERTY.exec(line.trimEnd());
    if (property) {
      current = {};
      if (!properties.has(property[1]!)) properties.set(property[1]!, current);
      continue;
    }
    const field = current ? FIELD.exec(line) : null;
    if (field && current) current[field[1] as 'raw' | 'value'] = field[2]!;
  }
  const family = properties.get('TPM2_PT_FAMILY_INDICATOR');
  const manufacturer = properties.get('TPM2_PT_MANUFACTURER');
  if (!family && !manufacturer) {
    throw failure(text) ?? new AgentError('ERR_PARSE', `tpm2_getcap printed no TPM2_PT_FAMILY_INDICATOR or TPM2_PT_MANUFACTURER: ${all.find((line) => line.trim() !== '')!.trim().slice(0, 200)}`);
  }
  const manufacturerId = manufacturer?.raw === undefined ? null : parseHexId(manufacturer.raw);
  return {
    family: family?.value === undefined ? null : specVersionOf(unquote(family.value)),
    manufacturerId,
    manufacturer: manufacturerId !== null ? manufacturerOfId(manufacturerId) : manufacturerOfCode(manufacturer?.value === undefined ? null : unquote(manufacturer.value)),
  };
}
