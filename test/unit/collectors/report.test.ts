import { describe, expect, it } from 'vitest';
import { parsePostureReport } from '../../../src/collectors/report.js';
import { makeReport } from '../../support/report.js';

describe('parsePostureReport', () => {
  it('reads a signal an older agent did not send as unknown, saying so in the errors', () => {
    const { screenLock: _screenLock, tpm: _tpm, ...older } = makeReport();
    const parsed = parsePostureReport(older)!;
    expect(parsed.screenLock.status).toBe('unknown');
    expect(parsed.tpm.status).toBe('unknown');
    expect(parsed.secureBoot.status).toBe('enabled');
    expect(parsed.errors.filter((error) => error.code === 'ERR_SIGNAL_NOT_REPORTED').map((error) => error.signal)).toEqual(['screenLock', 'tpm']);
  });

  it('refuses a report without a signal of the first version, or with a status the signal does not have', () => {
    const { firewall: _firewall, ...withoutFirewall } = makeReport();
    expect(parsePostureReport(withoutFirewall)).toBeNull();
    expect(parsePostureReport({ ...makeReport(), secureBoot: { status: 'maybe', setupMode: null, detail: null, source: null } })).toBeNull();
  });

  it('accepts a complete report as it is', () => {
    const report = makeReport();
    expect(parsePostureReport(report)).toEqual(report);
  });
});
