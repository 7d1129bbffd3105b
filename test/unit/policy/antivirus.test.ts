import { describe, expect, it } from 'vitest';
import { collectPosture } from '../../../src/collectors/index.js';
import { mdatpProduct, parseMdatpHealth } from '../../../src/collectors/antivirus/parse-mdatp-health.js';
import { DEFAULT_POLICY } from '../../../src/policy/default-policy.js';
import { evaluatePolicy } from '../../../src/policy/evaluate.js';
import type { PostureReport } from '../../../src/collectors/report.js';
import { probe, windowsHost } from '../../fixtures/win32/windows-host.js';
import { makeReport } from '../../support/report.js';
import { NOW, verdictOf } from './check-harness.js';

const CHECK = 'antivirus.active';
const DAY_MS = 86_400_000;

/** MSFT_MpComputerStatus of a Defender that runs normally and says its own signatures are NOT out of date. */
function defender(fields: { antivirusSignatureAge: number; antivirusSignatureLastUpdated: string | null }) {
  return {
    amRunningMode: 'Normal',
    amServiceEnabled: true,
    antivirusEnabled: true,
    realTimeProtectionEnabled: true,
    defenderSignaturesOutOfDate: false,
    amProductVersion: '4.18.24040.4',
    ...fields,
  };
}

/** A whole Windows check (Windows Server: no Security Center, as W4/01) evaluated with the built-in policy. */
async function defaultPolicyVerdict(defenderStatus: ReturnType<typeof defender>) {
  const antivirusProbe = probe({
    probe: 'antivirus',
    securityCenter: { error: { type: 'Microsoft.Management.Infrastructure.CimException', hresult: -2146233088, category: 'MetadataError', id: 'HRESULT 0x8004100e', message: 'Invalid namespace ', native: 'InvalidNamespace' } },
    defender: { data: [defenderStatus] },
  });
  const report: PostureReport = await collectPosture(windowsHost({ antivirusProbe }), { now: NOW });
  const verdict = evaluatePolicy(DEFAULT_POLICY, report, { now: NOW }).verdicts.find((candidate) => candidate.id === 'antivirus')!;
  return { report, verdict };
}

describe('antivirus.active with Defender, end to end (collector -> report -> built-in policy)', () => {
  it('fails definitions older than the policy allows although Defender does not call them out of date, when the probe has only their age', async () => {
    // W4/01: the published copy ends at AntivirusSignatureAge; here the age is 10 days (the built-in policy allows 7 on Windows).
    const { report, verdict } = await defaultPolicyVerdict(defender({ antivirusSignatureAge: 10, antivirusSignatureLastUpdated: null }));
    expect(report.antivirus.products[0]).toMatchObject({ upToDate: true, definitionsUpdatedAt: new Date(NOW.getTime() - 10 * DAY_MS).toISOString() });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe('Microsoft Defender Antivirus definitions are 10 days old (at most 7 allowed).');
  });

  it('fails them when the probe has their date too', async () => {
    const updated = new Date(NOW.getTime() - 10 * DAY_MS - 3_600_000).toISOString().replace('.000Z', 'Z');
    const { verdict } = await defaultPolicyVerdict(defender({ antivirusSignatureAge: 10, antivirusSignatureLastUpdated: updated }));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('definitions are 10 days old (at most 7 allowed)');
  });

  it('fails them when the date is the FILETIME epoch but the age is real', async () => {
    const { verdict } = await defaultPolicyVerdict(defender({ antivirusSignatureAge: 30, antivirusSignatureLastUpdated: '1601-01-01T00:00:00Z' }));
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('30 days old');
  });

  it('passes definitions within the limit', async () => {
    const { verdict } = await defaultPolicyVerdict(defender({ antivirusSignatureAge: 2, antivirusSignatureLastUpdated: null }));
    expect(verdict.status).toBe('pass');
  });

  it('never passes Defender without signatures (age 65535, no date); on a server another product may protect unseen, so unknown', async () => {
    const { verdict } = await defaultPolicyVerdict(defender({ antivirusSignatureAge: 65535, antivirusSignatureLastUpdated: null }));
    expect(verdict.status).toBe('unknown');
    expect(verdict.reason).toContain('Microsoft Defender Antivirus has out-of-date definitions');
  });
});

describe('antivirus.active on reports', () => {
  const windows = (definitionsUpdatedAt: string | null) =>
    makeReport({
      os: { platform: 'win32' },
      antivirus: { status: 'protected', products: [{ name: 'Microsoft Defender Antivirus', enabled: true, realTime: true, upToDate: true, definitionsUpdatedAt, state: 'Normal' }] },
    });

  it("judges the age against the policy's maximum even when the product calls itself up to date", () => {
    const old = new Date(NOW.getTime() - 8 * DAY_MS).toISOString();
    const verdict = verdictOf(CHECK, { maxDefinitionsAgeDays: { win32: 7, darwin: 30, linux: 7 } }, windows(old));
    expect(verdict).toMatchObject({ status: 'fail' });
    expect(verdict.reason).toBe('Microsoft Defender Antivirus definitions are 8 days old (at most 7 allowed).');
    expect(verdictOf(CHECK, { maxDefinitionsAgeDays: 7 }, windows(new Date(NOW.getTime() - 7 * DAY_MS).toISOString())).status).toBe('pass');
  });

  it('leaves the age to the product without a maximum in the policy', () => {
    expect(verdictOf(CHECK, undefined, windows(new Date(NOW.getTime() - 400 * DAY_MS).toISOString())).status).toBe('pass');
  });
});

describe('antivirus.active with Defender for Endpoint whose output lacks healthy and licensed', () => {
  const trimmed = ['passive_mode_enabled                        : false', 'real_time_protection_enabled                : true', 'real_time_protection_available              : true', 'definitions_updated_minutes_ago             : 30', 'definitions_status                          : "up_to_date"'].join('\n');

  it('passes a product that scans in real time, not passive, with current definitions', () => {
    const product = mdatpProduct(parseMdatpHealth(trimmed), NOW);
    const report = makeReport({ antivirus: { status: 'protected', products: [product] } });
    expect(verdictOf(CHECK, { maxDefinitionsAgeDays: 7 }, report).status).toBe('pass');
  });
});
