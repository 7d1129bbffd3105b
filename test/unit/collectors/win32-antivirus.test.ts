import { describe, expect, it } from 'vitest';
import { collectAntivirusWin32 } from '../../../src/collectors/antivirus/win32.js';
import { checkWith, CIM_ACCESS_DENIED, errorCodes, printed, probe, ran, recordingContext, windowsHost } from '../../fixtures/win32/windows-host.js';
import type { CommandAnswer } from '../../support/fake-host.js';

const codes = (errors: { code: string }[]): string[] => errors.map((error) => error.code);

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
