import { describe, expect, it } from 'vitest';
import { collectAntivirusWin32 } from '../../../src/collectors/antivirus/win32.js';
import { checkWith, CIM_ACCESS_DENIED, errorCodes, printed, probe, ran, recordingContext, windowsHost } from '../../fixtures/win32/windows-host.js';
import type { CommandAnswer } from '../../support/fake-host.js';

const codes = (errors: { code: string }[]): string[] => errors.map((error) => error.code);

/** MSFT_MpComputerStatus of a Defender that runs normally, as the probe prints it. */
const DEFENDER_NORMAL = {
  amRunningMode: 'Normal', amServiceEnabled: true, antivirusEnabled: true, realTimeProtectionEnabled: true, antivirusSignatureAge: 0,
  antivirusSignatureLastUpdated: '2026-11-21T07:00:00Z', defenderSignaturesOutOfDate: false, amProductVersion: '4.18.25080.5',
};

/** The signal when the probe gives `answer`: a fixture name of powershell-antivirus, or an answer itself. */
async function collect(answer: string | CommandAnswer | undefined) {
  const { ctx, errors } = recordingContext();
  const antivirusProbe = typeof answer === 'string' ? printed('powershell-antivirus', answer) : answer;
  const result = await collectAntivirusWin32(windowsHost({ antivirusProbe }), ctx);
  return { result, errors };
}

describe('collectAntivirusWin32', () => {
  it('is protected by a third-party product while Defender is passive, and lists both', async () => {
    const { result, errors } = await collect('w3-01-bitdefender-with-defender-passive');
    expect(result.status).toBe('protected');
    expect(result.products.map((product) => [product.name, product.state, product.realTime])).toEqual([
      ['Bitdefender Antivirus', 'On', true],
      ['Microsoft Defender Antivirus', 'Passive Mode', false],
    ]);
    expect(errors).toEqual([]);
  });

  it('runs one PowerShell process for the signal', async () => {
    const host = windowsHost();
    const { ctx } = recordingContext();
    await collectAntivirusWin32(host, ctx);
    expect(ran(host)).toEqual(['antivirusProbe']);
  });

  it('is unprotected when the only product has real-time protection off', async () => {
    const { result, errors } = await collect('w4-05-defender-real-time-off');
    expect(result.status).toBe('unprotected');
    expect(result.products[0]).toMatchObject({ realTime: false, definitionsUpdatedAt: '2025-10-16T07:07:36.000Z' });
    expect(errors).toEqual([]);
  });

  it('is unprotected when Defender runs with outdated signatures', async () => {
    const { result } = await collect('defender-signatures-out-of-date');
    expect(result.status).toBe('unprotected');
  });

  it("dates Defender's definitions from AntivirusSignatureAge when the probe has no date (W4/01's copy is cut before it)", async () => {
    const { result, errors } = await collect('w4-01-server-age-without-date');
    // recordingContext's clock: 2026-11-22T10:00:00Z, less 2 days.
    expect(result.products[0]).toMatchObject({ upToDate: true, definitionsUpdatedAt: '2026-11-20T10:00:00.000Z' });
    expect(result.status).toBe('protected');
    expect(errors).toEqual([]);
  });

  it('dates the definitions from their age when the date is unreadable or the FILETIME epoch, however a time zone shifted it', async () => {
    for (const date of ['1601-01-01T00:00:00Z', '1600-12-31T18:00:00Z', '2024/06/01 09:40:35', '']) {
      const { result } = await collect(probe({ probe: 'antivirus', securityCenter: { data: [] }, defender: { data: [{ ...DEFENDER_NORMAL, antivirusSignatureAge: 9, antivirusSignatureLastUpdated: date }] } }));
      expect(result.products[0]!.definitionsUpdatedAt, date).toBe('2026-11-13T10:00:00.000Z');
    }
  });

  it('keeps the date the probe read, and invents none when the age is a "no signatures" sentinel', async () => {
    const dated = await collect(probe({ probe: 'antivirus', securityCenter: { data: [] }, defender: { data: [{ ...DEFENDER_NORMAL, antivirusSignatureAge: 9 }] } }));
    expect(dated.result.products[0]!.definitionsUpdatedAt).toBe('2026-11-21T07:00:00.000Z');
    for (const age of [65535, 4294967295, null]) {
      const { result } = await collect(probe({ probe: 'antivirus', securityCenter: { data: [] }, defender: { data: [{ ...DEFENDER_NORMAL, antivirusSignatureAge: age, antivirusSignatureLastUpdated: null }] } }));
      expect(result.products[0]!.definitionsUpdatedAt, String(age)).toBeNull();
    }
  });

  it('lets Defender alone decide on Windows Server, where Security Center does not exist', async () => {
    const { result, errors } = await collect('w4-01-server-defender-normal');
    expect(result.status).toBe('protected');
    expect(errors).toEqual([]);
  });

  it('is unknown on Windows Server when Defender is not running: another product may protect it unseen', async () => {
    const { result, errors } = await collect('w4-09-server-defender-not-running');
    expect(result.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED']);
    expect(errors[0]!.message).toContain('Security Center');
  });

  it("keeps Security Center's verdict when Defender's own status is refused", async () => {
    const { result, errors } = await collect('w3-03-huorong-defender-status-refused');
    expect(result.status).toBe('protected');
    expect(result.products.map((product) => product.name)).toEqual(['Windows Defender', '火绒安全软件']);
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('is unknown, never unprotected, when Security Center is refused and Defender does not protect', async () => {
    const notRunning = { amRunningMode: 'Not running', amServiceEnabled: false, antivirusEnabled: false, realTimeProtectionEnabled: false, antivirusSignatureAge: 65535, antivirusSignatureLastUpdated: null, defenderSignaturesOutOfDate: false, amProductVersion: '4.18.24090.11' };
    const { result, errors } = await collect(probe({ probe: 'antivirus', securityCenter: CIM_ACCESS_DENIED, defender: { data: [notRunning] } }));
    expect(result.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('is unknown with both refusals reported when nothing could be read', async () => {
    const { result, errors } = await collect('both-sources-refused');
    expect(result).toEqual({ status: 'unknown', products: [] });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']);
  });

  it('does not complain that Defender is missing when Security Center lists the products', async () => {
    const { result, errors } = await collect('security-center-states-without-defender');
    expect(result.status).toBe('unprotected');
    expect(errors).toEqual([]);
  });

  it('says which product could not be decoded when that leaves the status unknown', async () => {
    const { result, errors } = await collect('edr-block-mode-and-undefined-state-bits');
    expect(result.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
    expect(errors[0]!.message).toContain('CrowdStrike Falcon Sensor');
  });

  it('is unknown when PowerShell is missing', async () => {
    const { result, errors } = await collect(undefined);
    expect(result).toEqual({ status: 'unknown', products: [] });
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('is unknown on malformed output', async () => {
    const { result, errors } = await collect('not-json');
    expect(result.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_PARSE']);
  });
});

describe('the antivirus signal in a whole check', () => {
  it('is unknown with ERR_COMMAND_TIMEOUT when the probe hangs, while the other signals still answer', async () => {
    const report = await checkWith({ antivirusProbe: { hang: true } });
    expect(report.antivirus).toEqual({ status: 'unknown', products: [] });
    expect(errorCodes(report, 'antivirus')).toEqual(['ERR_COMMAND_TIMEOUT']);
    expect(report.diskEncryption.status).toBe('encrypted');
    expect(report.os.name).toBe('Windows 11 Pro');
  });
});
