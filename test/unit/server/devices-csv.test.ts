import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, deviceCsv } from '../../../src/server/console/devices-csv.js';
import type { DeviceListItem } from '../../../src/server/device-directory.js';

function device(id: string, overrides: Partial<DeviceListItem> = {}): DeviceListItem {
  return {
    id, hostname: 'laptop', serial: null, owner: null, platform: 'linux', os: { name: 'Ubuntu', version: '24.04' }, enrolledAt: '2026-12-01T00:00:00.000Z',
    lastSeenAt: null, revokedAt: null, state: 'compliant', latest: null, failing: [], ...overrides,
  };
}

describe('the devices CSV', () => {
  it('quotes as RFC 4180 says: only fields with a comma, quote or line break, quotes doubled', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(null)).toBe('');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvLine(['a', null, 'b c'])).toBe('a,,b c\r\n');
  });

  it('keeps spreadsheet formulas as text', () => {
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(formula).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=HYPERLINK("http://evil.example")')).toBe('"\'=HYPERLINK(""http://evil.example"")"');
    expect(csvCell('alice@example.com')).toBe('alice@example.com');
  });

  it('streams the header and then every page, fetching the next page by its cursor', async () => {
    const cursors: string[] = [];
    const chunks: string[] = [];
    const pages = deviceCsv({ devices: [device('a', { owner: 'x, y', failing: ['fw', 'disk'] })], nextCursor: 'c1' }, (cursor) => {
      cursors.push(cursor);
      return Promise.resolve({ devices: [device('b', { state: 'revoked', revokedAt: '2026-12-02T00:00:00.000Z' })], nextCursor: null });
    });
    for await (const chunk of pages) chunks.push(chunk);
    expect(cursors).toEqual(['c1']);
    const lines = chunks.join('').split('\r\n');
    expect(lines).toEqual([
      'id,hostname,serial,owner,platform,os_name,os_version,state,status,policy,appraised_at,last_seen_at,enrolled_at,revoked_at,failing',
      'a,laptop,,"x, y",linux,Ubuntu,24.04,compliant,,,,,2026-12-01T00:00:00.000Z,,fw disk',
      'b,laptop,,,linux,Ubuntu,24.04,revoked,,,,,2026-12-01T00:00:00.000Z,2026-12-02T00:00:00.000Z,',
      '',
    ]);
  });
});
