import { describe, expect, it } from 'vitest';
import { specVersionOf } from '../../../src/collectors/tpm/schema.js';
import { manufacturerOfCode, manufacturerOfId, parseHexId, registeredManufacturer, vendorCodeOfId } from '../../../src/collectors/tpm/vendors.js';

describe('TPM vendor ids', () => {
  it('decodes a 32-bit id into its four ASCII characters, padding removed', () => {
    expect(vendorCodeOfId(0x49465800)).toBe('IFX');
    expect(vendorCodeOfId(0x53544d20)).toBe('STM');
    expect(vendorCodeOfId(1229870147)).toBe('INTC');
    expect(vendorCodeOfId(0)).toBeNull();
    expect(vendorCodeOfId(0x22010203)).toBeNull();
  });

  it('names registered makers and returns an unregistered code as it is', () => {
    expect(manufacturerOfId(1229346816)).toBe('Infineon');
    expect(manufacturerOfId(0x4e544300)).toBe('Nuvoton');
    expect(manufacturerOfCode('IBM ')).toBe('IBM');
    expect(manufacturerOfCode('XYZ')).toBe('XYZ');
    expect(registeredManufacturer('XYZ')).toBeNull();
    expect(manufacturerOfCode('')).toBeNull();
  });

  it('reads sysfs hex ids with or without leading zeros', () => {
    expect(parseHexId('0x53544d20')).toBe(0x53544d20);
    expect(parseHexId('0x0')).toBe(0);
    expect(parseHexId('53544d20')).toBeNull();
  });

  it('keeps only the spec versions the schema knows', () => {
    expect(specVersionOf('2.0, 0, 1.38')).toBe('2.0');
    expect(specVersionOf('1.2, 2, 3')).toBe('1.2');
    expect(specVersionOf('1.1')).toBeNull();
    expect(specVersionOf(null)).toBeNull();
  });
});
