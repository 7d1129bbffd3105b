import { describe, expect, it } from 'vitest';
import { deriveOsUpdatesStatus, joinDetail, UNKNOWN_OS_UPDATES } from '../../../src/collectors/os-updates/schema.js';
import { osUpdatesSchema } from '../../../src/collectors/os-updates/zod-schema.js';

describe('osUpdates schema', () => {
  it('needs both an automatic check and automatic installation to be enabled; unknown is never enabled', () => {
    expect(deriveOsUpdatesStatus(true, true)).toBe('enabled');
    expect(deriveOsUpdatesStatus(true, false)).toBe('disabled');
    expect(deriveOsUpdatesStatus(false, true)).toBe('disabled');
    expect(deriveOsUpdatesStatus(false, null)).toBe('disabled');
    expect(deriveOsUpdatesStatus(true, null)).toBe('unknown');
    expect(deriveOsUpdatesStatus(null, true)).toBe('unknown');
    expect(deriveOsUpdatesStatus(null, null)).toBe('unknown');
  });

  it('accepts the unknown value and refuses a wrong status or a negative count', () => {
    expect(osUpdatesSchema.parse(UNKNOWN_OS_UPDATES)).toEqual(UNKNOWN_OS_UPDATES);
    expect(osUpdatesSchema.safeParse({ ...UNKNOWN_OS_UPDATES, status: 'on' }).success).toBe(false);
    expect(osUpdatesSchema.safeParse({ ...UNKNOWN_OS_UPDATES, pending: -1 }).success).toBe(false);
  });

  it('keeps a long detail inside the report limit', () => {
    const detail = joinDetail([`pending: ${'macOS Sonoma 14.3, '.repeat(200)}`]);
    expect(detail!.length).toBe(1000);
    expect(osUpdatesSchema.safeParse({ ...UNKNOWN_OS_UPDATES, detail }).success).toBe(true);
    expect(joinDetail([null, false, '  ', undefined])).toBeNull();
  });
});
