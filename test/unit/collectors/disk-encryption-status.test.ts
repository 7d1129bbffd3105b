import { describe, expect, it } from 'vitest';
import { deriveEncryptionStatus, summarizeEncryption, type EncryptedVolume } from '../../../src/collectors/disk-encryption/schema.js';
import { diskEncryptionSchema } from '../../../src/collectors/disk-encryption/zod-schema.js';

const system = (fields: Partial<EncryptedVolume> = {}): EncryptedVolume => ({ mount: '/', system: true, encrypted: true, method: 'LUKS2', state: 'LUKS2 (nvme0n1p3)', ...fields });
const data = (fields: Partial<EncryptedVolume> = {}): EncryptedVolume => ({ mount: '/home', system: false, encrypted: true, method: 'LUKS2', state: 'LUKS2 (nvme0n1p4)', ...fields });

describe('deriveEncryptionStatus (one rule for every OS)', () => {
  it('is unknown without a system volume, or when the system volume could not be read', () => {
    expect(deriveEncryptionStatus([])).toBe('unknown');
    expect(deriveEncryptionStatus([data()])).toBe('unknown');
    expect(deriveEncryptionStatus([system({ encrypted: null }), data()])).toBe('unknown');
  });

  it('is encrypted, unencrypted or partial by the volumes whose state is known', () => {
    expect(deriveEncryptionStatus([system(), data()])).toBe('encrypted');
    expect(deriveEncryptionStatus([system({ encrypted: false }), data({ encrypted: false })])).toBe('unencrypted');
    expect(deriveEncryptionStatus([system(), data({ encrypted: false })])).toBe('partial');
    expect(deriveEncryptionStatus([system({ encrypted: false }), data()])).toBe('partial');
  });

  it('is not partial for a known system volume next to an unreadable data volume', () => {
    expect(deriveEncryptionStatus([system(), data({ encrypted: null })])).toBe('encrypted');
    expect(deriveEncryptionStatus([system({ encrypted: false }), data({ encrypted: null })])).toBe('unencrypted');
    expect(deriveEncryptionStatus([system(), data({ encrypted: false }), data({ mount: '/srv', encrypted: null })])).toBe('partial');
  });

  it("is the system volume's conversion while it runs, whatever the other volumes are", () => {
    expect(deriveEncryptionStatus([system({ encrypted: false, conversion: 'encrypting' }), data()])).toBe('encrypting');
    expect(deriveEncryptionStatus([system({ encrypted: false, conversion: 'decrypting' }), data({ encrypted: false })])).toBe('decrypting');
    expect(deriveEncryptionStatus([system({ encrypted: null, conversion: 'encrypting' })])).toBe('encrypting');
  });

  it("leaves a data volume's conversion to that volume: an encrypted system volume next to it is partial", () => {
    expect(deriveEncryptionStatus([system(), data({ encrypted: false, conversion: 'encrypting' })])).toBe('partial');
  });

  it('never reads the free-text state', () => {
    expect(deriveEncryptionStatus([system({ encrypted: false, state: 'Encryption in progress 45%', conversion: null })])).toBe('unencrypted');
  });
});

describe('summarizeEncryption', () => {
  it("adds the system volume's percentage only while it converts, and the report schema accepts it", () => {
    const encrypting = summarizeEncryption([system({ encrypted: false, conversion: 'encrypting', percentEncrypted: 45 }), data({ percentEncrypted: 100 })]);
    expect(encrypting).toMatchObject({ status: 'encrypting', percentEncrypted: 45 });
    expect(diskEncryptionSchema.parse(encrypting)).toEqual(encrypting);
    expect(summarizeEncryption([system({ encrypted: false, conversion: 'decrypting' })])).toMatchObject({ status: 'decrypting', percentEncrypted: null });
    expect(summarizeEncryption([system()])).toEqual({ status: 'encrypted', volumes: [system()] });
  });

  it('is accepted by the schema without the new fields (older agents)', () => {
    expect(diskEncryptionSchema.safeParse({ status: 'partial', volumes: [system(), data({ encrypted: false })] }).success).toBe(true);
    expect(diskEncryptionSchema.safeParse({ status: 'converting', volumes: [] }).success).toBe(false);
  });
});
