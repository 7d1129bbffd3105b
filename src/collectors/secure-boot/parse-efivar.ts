/**
 * One file of efivarfs (/sys/firmware/efi/efivars/<Name>-<VendorGuid>, kernel
 * Documentation/filesystems/efivarfs.rst): the variable's attributes as a 32-bit little-endian
 * number, then its data. SecureBoot and SetupMode (EFI global variable GUID) and shim's
 * MokSBStateRT each hold one byte, 0 or 1 (`06 00 00 00 01` is SecureBoot on: attributes
 * BOOTSERVICE_ACCESS | RUNTIME_ACCESS, value 1). Like mokutil, a 2- or 4-byte value is read as a
 * little-endian number (some firmware stores wider values).
 *
 * The Host reads files as UTF-8 text: a byte below 0x80 arrives as the character with that code.
 * Every defined attribute bit is below 0x80 (NON_VOLATILE 0x1 ... APPEND_WRITE 0x40) and these
 * values are 0 or 1, so their files arrive intact. A byte from 0x80 up arrives as U+FFFD (or merged
 * into another character), and such a file is refused rather than guessed at. Text read as latin1
 * (one character per byte) is accepted too. Pure.
 */
import { AgentError } from '../../shared/errors.js';

export interface EfiVariable {
  /** EFI_VARIABLE_* bits. */
  attributes: number;
  /** The data as a little-endian number. */
  value: number;
  /** How many bytes of data the file held. */
  size: number;
}

const ATTRIBUTE_BYTES = 4;
const VALUE_SIZES = [1, 2, 4];

function bytesOf(text: string): number[] {
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code > 0xff) {
      throw new AgentError(
        'ERR_PARSE',
        `The EFI variable file did not arrive as raw bytes (character U+${code.toString(16).toUpperCase().padStart(4, '0')} at offset ${index}): it holds a byte that is not plain ASCII.`,
      );
    }
    bytes.push(code);
  }
  return bytes;
}

function littleEndian(bytes: readonly number[]): number {
  return bytes.reduceRight((value, byte) => value * 256 + byte, 0);
}

export function parseEfiVariable(text: string): EfiVariable {
  if (text.length === 0) throw new AgentError('ERR_EMPTY_OUTPUT', 'The EFI variable file is empty.');
  const bytes = bytesOf(text);
  if (bytes.length <= ATTRIBUTE_BYTES) {
    throw new AgentError('ERR_PARSE', `The EFI variable file holds ${bytes.length} bytes: the 4 attribute bytes and no value.`);
  }
  const data = bytes.slice(ATTRIBUTE_BYTES);
  if (!VALUE_SIZES.includes(data.length)) {
    throw new AgentError('ERR_PARSE', `The EFI variable holds ${data.length} bytes of data; a flag variable holds 1 (or 2 or 4 on some firmware).`);
  }
  return { attributes: littleEndian(bytes.slice(0, ATTRIBUTE_BYTES)), value: littleEndian(data), size: data.length };
}

/** A flag variable's value as a boolean: 1 true, 0 false; anything else is refused. */
export function efiFlag(variable: EfiVariable, name: string): boolean {
  if (variable.value === 0 || variable.value === 1) return variable.value === 1;
  throw new AgentError('ERR_PARSE', `The EFI variable ${name} holds ${variable.value}, not 0 or 1.`);
}
