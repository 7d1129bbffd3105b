import { describe, expect, it } from 'vitest';
import { collectFirewallLinux } from '../../../src/collectors/firewall/linux.js';
import {
  codes,
  collect,
  collectPostureWithHang,
  COMMANDS,
  healthyLinux,
  install,
  linuxFixture,
  remove,
  setProcesses,
  setUid,
  type LinuxScript,
} from '../../fixtures/linux/healthy-linux.js';

const UFW_CONF = '/etc/ufw/ufw.conf';
const LEGACY_TABLES = '/proc/net/ip_tables_names';

function asRoot(): LinuxScript {
  const script = healthyLinux();
  setUid(script, 0);
  script.files[LEGACY_TABLES] = '';
  return script;
}

function ufwSays(script: LinuxScript, name: string): LinuxScript {
  script.commands[`${COMMANDS.ufw} status verbose`] = { stdout: linuxFixture('ufw-status', name) };
  return script;
}

function nftSays(script: LinuxScript, name: string): LinuxScript {
  script.commands[`${COMMANDS.nft} -j list ruleset`] = { stdout: linuxFixture('nft-ruleset', name) };
  return script;
}

describe('collectFirewallLinux', () => {
  it('reads ufw status as root and skips nft once ufw filters', async () => {
    const { value, errors, host } = await collect(collectFirewallLinux, ufwSays(asRoot(), 'vm-active-no-rules'));
    expect(value).toEqual({ status: 'enabled', products: [{ name: 'ufw', enabled: true, state: 'active, default deny (incoming)' }] });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: COMMANDS.ufw, args: ['status', 'verbose'] }]);
  });

  it('reads nftables when ufw is inactive, and calls leftover accept chains disabled', async () => {
    const script = nftSays(ufwSays(asRoot(), 'vm-inactive'), 'vm-ufw-disabled-leftover-chains');
    const { value, errors, host } = await collect(collectFirewallLinux, script);
    expect(value).toEqual({
      status: 'disabled',
      products: [
        { name: 'ufw', enabled: false, state: 'inactive' },
        { name: 'nftables', enabled: false, state: 'ip filter INPUT: policy accept, 0 drop/reject rules; ip6 filter INPUT: policy accept, 0 drop/reject rules' },
      ],
    });
    expect(errors).toEqual([]);
    expect(host.calls.map((call) => call.file)).toEqual([COMMANDS.ufw, COMMANDS.nft]);
  });

  it('as root, reads ufw disabled in ufw.conf without running ufw, then looks at nftables', async () => {
    const script = nftSays(ufwSays(asRoot(), 'vm-active-no-rules'), 'vm-ufw-disabled-leftover-chains');
    script.files[UFW_CONF] = linuxFixture('ufw-conf', 'vm-disabled-default');
    const { value, errors, host } = await collect(collectFirewallLinux, script);
    expect(value.status).toBe('disabled');
    expect(value.products[0]).toEqual({ name: 'ufw', enabled: false, state: `disabled in ${UFW_CONF}` });
    expect(errors).toEqual([]);
    expect(host.calls.map((call) => call.file)).toEqual([COMMANDS.nft]);
  });

  it('reads /etc/ufw/ufw.conf as a normal user without a process', async () => {
    const { value, errors, host } = await collect(collectFirewallLinux, healthyLinux());
    expect(value).toEqual({
      status: 'enabled',
      products: [{ name: 'ufw', enabled: true, state: 'enabled in /etc/ufw/ufw.conf (the loaded rules need root to read)' }],
    });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('does not call a non-root check with ufw disabled "disabled": nftables needs root', async () => {
    const script = healthyLinux();
    script.files[UFW_CONF] = linuxFixture('ufw-conf', 'vm-disabled-default');
    script.files[LEGACY_TABLES] = { error: 'EACCES' };
    const { value, errors, host } = await collect(collectFirewallLinux, script);
    expect(value).toEqual({
      status: 'unknown',
      products: [
        { name: 'ufw', enabled: false, state: 'disabled in /etc/ufw/ufw.conf' },
        { name: 'nftables', enabled: null, state: 'ruleset needs root to read' },
      ],
    });
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED']);
    expect(host.calls).toEqual([]);
  });

  it('finds firewalld running in /proc without a process', async () => {
    const script = healthyLinux();
    remove(script.links, COMMANDS.ufw);
    install(script, '/usr/sbin/firewalld', COMMANDS.firewallCmd);
    setProcesses(script, { 1: 'systemd', 847: 'firewalld' });
    const { value, errors, host } = await collect(collectFirewallLinux, script);
    expect(value).toEqual({ status: 'enabled', products: [{ name: 'firewalld', enabled: true, state: 'running' }] });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([]);
  });

  it('asks firewall-cmd --state when /proc hides the daemon (hidepid)', async () => {
    const script = asRoot();
    remove(script.links, COMMANDS.ufw, COMMANDS.nft);
    install(script, '/usr/sbin/firewalld', COMMANDS.firewallCmd);
    setProcesses(script, { 4021: 'bash' });
    script.commands[COMMANDS.firewallCmd] = { stdout: '', stderr: 'not running\n', exitCode: 252 };
    const { value, errors, host } = await collect(collectFirewallLinux, script);
    expect(value).toEqual({ status: 'disabled', products: [{ name: 'firewalld', enabled: false, state: 'not running' }] });
    expect(errors).toEqual([]);
    expect(host.calls).toEqual([{ file: COMMANDS.firewallCmd, args: ['--state'] }]);
  });

  it('falls back to ufw.conf when ufw cannot be run, and says why', async () => {
    const script = asRoot();
    const { value, errors } = await collect(collectFirewallLinux, script);
    expect(value.products[0]).toEqual({ name: 'ufw', enabled: true, state: 'enabled in /etc/ufw/ufw.conf (the loaded rules need root to read)' });
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_FOUND']);
  });

  it('falls back to ufw.conf when ufw refuses (access denied)', async () => {
    const script = asRoot();
    script.commands[COMMANDS.ufw] = { stdout: '', stderr: linuxFixture('ufw-status', 'vm-not-root'), exitCode: 1 };
    const { value, errors } = await collect(collectFirewallLinux, script);
    expect(value.status).toBe('enabled');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED']);
  });

  it('reports an nft ruleset it cannot parse as unknown with ERR_PARSE', async () => {
    const script = nftSays(ufwSays(asRoot(), 'vm-inactive'), 'truncated-json');
    const { value, errors } = await collect(collectFirewallLinux, script);
    expect(value.status).toBe('unknown');
    expect(value.products[1]).toEqual({ name: 'nftables', enabled: null, state: null });
    expect(codes(errors)).toEqual(['ERR_PARSE']);
  });

  it('treats loaded iptables-legacy filter tables as unknown rather than disabled', async () => {
    const script = nftSays(ufwSays(asRoot(), 'vm-inactive'), 'vm-empty-ruleset');
    script.files[LEGACY_TABLES] = 'filter\nnat\n';
    const { value, errors } = await collect(collectFirewallLinux, script);
    expect(value.status).toBe('unknown');
    expect(value.products.at(-1)).toEqual({ name: 'iptables (legacy)', enabled: null, state: 'legacy filter table loaded; rules not readable with nft' });
    expect(codes(errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
  });

  it('reports nothing installed, as root, as disabled', async () => {
    const script = asRoot();
    remove(script.links, COMMANDS.ufw, COMMANDS.nft);
    const { value, errors } = await collect(collectFirewallLinux, script);
    expect(value).toEqual({ status: 'disabled', products: [] });
    expect(errors).toEqual([]);
  });

  it('cuts off a hung nft: unknown with ERR_COMMAND_TIMEOUT while the other signals keep their values', async () => {
    const script = ufwSays(asRoot(), 'vm-inactive');
    script.commands[COMMANDS.nft] = { hang: true };
    const report = await collectPostureWithHang(script);
    expect(report.firewall.status).toBe('unknown');
    expect(report.errors.filter((error) => error.signal === 'firewall').map((error) => error.code)).toEqual(['ERR_COMMAND_TIMEOUT']);
    expect(report.antivirus.status).toBe('protected');
    expect(report.diskEncryption.status).toBe('encrypted');
  });
});
