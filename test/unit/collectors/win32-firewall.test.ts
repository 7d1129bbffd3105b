import { describe, expect, it } from 'vitest';
import { collectFirewallWin32 } from '../../../src/collectors/firewall/win32.js';
import { checkWith, CIM_ACCESS_DENIED, errorCodes, printed, probe, ran, recordingContext, windowsHost, type CommandName } from '../../fixtures/win32/windows-host.js';
import type { CommandAnswer } from '../../support/fake-host.js';

const codes = (errors: { code: string }[]): string[] => errors.map((error) => error.code);

async function collect(answers: Partial<Record<CommandName, CommandAnswer | undefined>>) {
  const host = windowsHost(answers);
  const { ctx, errors } = recordingContext();
  const result = await collectFirewallWin32(host, ctx);
  return { result, errors, ran: ran(host) };
}

const probeFixture = (name: string): CommandAnswer => printed('powershell-firewall', name);
const netshFixture = (name: string): CommandAnswer => printed('netsh-advfirewall', name);

describe('collectFirewallWin32', () => {
  it('is enabled when every profile is on, listing the three profiles', async () => {
    const { result, errors, ran } = await collect({ firewallProbe: probeFixture('all-profiles-on') });
    expect(result).toEqual({
      status: 'enabled',
      products: [
        { name: 'Windows Firewall (Domain)', enabled: true, state: 'True' },
        { name: 'Windows Firewall (Private)', enabled: true, state: 'True' },
        { name: 'Windows Firewall (Public)', enabled: true, state: 'True' },
      ],
    });
    expect(errors).toEqual([]);
    expect(ran).toEqual(['firewallProbe']);
  });

  it('is disabled when one profile is off and no third-party firewall is on', async () => {
    const { result } = await collect({ firewallProbe: probeFixture('public-profile-off') });
    expect(result.status).toBe('disabled');
  });

  it('is enabled when a registered third-party firewall took over from the Windows profiles', async () => {
    const { result } = await collect({ firewallProbe: probeFixture('third-party-firewall-took-over') });
    expect(result.status).toBe('enabled');
    expect(result.products.at(-1)).toEqual({ name: 'ESET Firewall', enabled: true, state: 'On' });
  });

  it('is disabled when the third-party firewall is snoozed and a profile is off', async () => {
    const { result } = await collect({ firewallProbe: probeFixture('third-party-firewall-snoozed') });
    expect(result.status).toBe('disabled');
  });

  it('treats a missing Security Center (Windows Server) as "no third-party firewall"', async () => {
    const { result, errors } = await collect({ firewallProbe: probeFixture('server-without-security-center') });
    expect(result.status).toBe('enabled');
    expect(errors).toEqual([]);
  });

  it('is unknown, not disabled, when a profile is off but the third-party list was refused', async () => {
    const { result, errors } = await collect({
      firewallProbe: probe({
        probe: 'firewall',
        profiles: { data: [{ name: 'Domain', enabled: 0 }, { name: 'Private', enabled: 1 }, { name: 'Public', enabled: 1 }] },
        thirdParty: CIM_ACCESS_DENIED,
      }),
    });
    expect(result.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('is unknown and says why when a profile is NotConfigured', async () => {
    const { result, errors } = await collect({ firewallProbe: probeFixture('not-configured-and-unknown-values') });
    expect(result.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
    expect(errors[0]!.message).toContain('Windows Firewall (Private): NotConfigured');
  });

  it('falls back to netsh for the profiles when Get-NetFirewallProfile is refused', async () => {
    const { result, errors, ran } = await collect({ firewallProbe: probeFixture('profiles-refused'), netsh: netshFixture('english-public-off') });
    expect(result.status).toBe('disabled');
    expect(result.products[2]).toEqual({ name: 'Windows Firewall (Public)', enabled: false, state: 'OFF' });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
    expect(ran).toEqual(['firewallProbe', 'netsh']);
  });

  it('falls back to netsh when PowerShell is missing; all profiles on is enough', async () => {
    const { result, errors } = await collect({ firewallProbe: undefined, netsh: netshFixture('german-code-page-850') });
    expect(result.status).toBe('enabled');
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('cannot call a profile off from netsh alone: third-party firewalls were not read', async () => {
    const { result } = await collect({ firewallProbe: undefined, netsh: netshFixture('german-private-off') });
    expect(result.status).toBe('unknown');
  });

  it('lists profiles netsh did not print as unknown', async () => {
    const { result, errors } = await collect({ firewallProbe: probeFixture('not-json'), netsh: netshFixture('w5-03-french-domain-profile') });
    expect(result.status).toBe('unknown');
    expect(result.products).toEqual([
      { name: 'Windows Firewall (Domain)', enabled: true, state: 'Actif' },
      { name: 'Windows Firewall (Private)', enabled: null, state: 'not read' },
      { name: 'Windows Firewall (Public)', enabled: null, state: 'not read' },
    ]);
    expect(codes(errors)).toEqual(['ERR_PARSE', 'ERR_SIGNAL_UNAVAILABLE']);
  });

  it('is unknown when neither PowerShell nor netsh exists', async () => {
    const { result, errors } = await collect({ firewallProbe: undefined });
    expect(result.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND', 'ERR_COMMAND_NOT_FOUND', 'ERR_SIGNAL_UNAVAILABLE']);
  });

  it("reports netsh's own error when the firewall service does not answer", async () => {
    const { result, errors } = await collect({ firewallProbe: undefined, netsh: netshFixture('firewall-service-not-running') });
    expect(result.status).toBe('unknown');
    expect(codes(errors).slice(0, 2)).toEqual(['ERR_COMMAND_NOT_FOUND', 'ERR_COMMAND_FAILED']);
  });
});

describe('the firewall signal in a whole check', () => {
  it('is unknown with ERR_COMMAND_TIMEOUT when the probe hangs, while the other signals still answer', async () => {
    const report = await checkWith({ firewallProbe: { hang: true } });
    expect(report.firewall.status).toBe('unknown');
    expect(errorCodes(report, 'firewall')).toEqual([
      'ERR_COMMAND_TIMEOUT',
      'ERR_COMMAND_NOT_FOUND',
      'ERR_SIGNAL_UNAVAILABLE',
    ]);
    expect(report.antivirus.products).toHaveLength(1);
    expect(report.diskEncryption.status).toBe('encrypted');
  });
});
