/**
 * /sys/class/tpm/tpmX/device/caps, which the kernel writes for a TPM 1.x only (Documentation/ABI/
 * stable/sysfs-class-tpm; drivers/char/tpm/tpm-sysfs.c tpm_show_caps):
 *
 *   Manufacturer: 0x53544d20
 *   TCG version: 1.2
 *   Firmware version: 8.16
 *
 * Manufacturer is printed with `0x%x`, so without leading zeros. A TPM 2.0 has no caps file; a caps
 * file the kernel could not fill (the TPM did not answer TPM_GetCapability) is empty.
 */
import { AgentError } from '../../shared/errors.js';
import { keyValues, lines } from '../parse-text.js';
import { manufacturerOfId, parseHexId } from './vendors.js';

export interface TpmCaps {
  manufacturerId: number | null;
  manufacturer: string | null;
  /** "1.2" or "1.1" as the chip reports it. */
  tcgVersion: string | null;
  firmwareVersion: string | null;
}

export function parseTpmCaps(text: string): TpmCaps {
  if (lines(text).every((line) => line.trim() === '')) throw new AgentError('ERR_EMPTY_OUTPUT', 'The TPM caps file is empty: the kernel could not read the TPM\'s capabilities.');
  const values = keyValues(text);
  const manufacturerText = values.get('Manufacturer');
  const tcgVersion = values.get('TCG version') ?? null;
  if (manufacturerText === undefined && tcgVersion === null) {
    throw new AgentError('ERR_PARSE', `The TPM caps file has neither "Manufacturer:" nor "TCG version:": ${lines(text)[0]!.slice(0, 200)}`);
  }
  const manufacturerId = manufacturerText === undefined ? null : parseHexId(manufacturerText);
  if (manufacturerText !== undefined && manufacturerId === null) {
    throw new AgentError('ERR_PARSE', `The TPM caps file's manufacturer "${manufacturerText}" is not a hexadecimal vendor id.`);
  }
  return {
    manufacturerId,
    manufacturer: manufacturerOfId(manufacturerId),
    tcgVersion: tcgVersion !== null && /^\d+\.\d+$/.test(tcgVersion) ? tcgVersion : null,
    firmwareVersion: values.get('Firmware version') ?? null,
  };
}
