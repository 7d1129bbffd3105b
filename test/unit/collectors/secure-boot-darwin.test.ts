import { DARWIN_COMMANDS } from '../../../src/exec/commands-darwin.js';
import { describe, expect, it } from 'vitest';
import { collectSecureBootDarwin } from '../../../src/collectors/secure-boot/darwin.js';
import { SECURE_BOOT_POLICY_VARIABLE } from '../../../src/collectors/secure-boot/parse-nvram-secure-boot-policy.js';
import type { Inventory } from '../../../src/collectors/host.js';
import { codes, collectWith } from '../../support/collect.js';
import { fixture, type CommandAnswer } from '../../support/fake-host.js';

const NOW = new Date('2025-05-20T09:00:00.000Z');
const SYSTEM_PROFILER = `${DARWIN_COMMANDS.systemProfiler} -json SPiBridgeDataType`;
const NVRAM = `${DARWIN_COMMANDS.nvram} ${SECURE_BOOT_POLICY_VARIABLE}`;

const profiler = (name: string): CommandAnswer => ({ stdout: fixture('darwin', 'system-profiler-ibridge-json', name) });
const nvram = (name: string): CommandAnswer => ({ stdout: fixture('darwin', 'nvram-secure-boot-policy', name) });
/** nvram reports a missing variable on stderr and exits 1. */
const nvramMissing: CommandAnswer = { stderr: fixture('darwin', 'nvram-secure-boot-policy', 'variable-not-found'), exitCode: 1 };

const INTEL: Inventory = { hostname: 'mac-1', arch: 'x64', kernel: '23.6.0', manufacturer: 'Apple Inc.', model: 'MacBookPro14,1', serial: null };
const APPLE_SILICON: Inventory = { ...INTEL, arch: 'arm64', model: 'Mac15,9' };

async function collect(commands: Record<string, CommandAnswer>, systemInfo: Inventory | null = APPLE_SILICON) {
  const { value, errors, host } = await collectWith(collectSecureBootDarwin, { platform: 'darwin', commands, ...(systemInfo ? { systemInfo } : {}) }, NOW);
  return { value, errors, ran: host.calls.map((call) => [call.file, ...call.args].join(' ')) };
}

describe('collectSecureBootDarwin', () => {
  it('reads Full Security on Apple silicon from system_profiler alone, without root', async () => {
    const { value, errors, ran } = await collect({ [SYSTEM_PROFILER]: profiler('mac16-5-full-security'), [NVRAM]: nvramMissing });
    expect(value).toEqual({ status: 'enabled', setupMode: null, detail: 'Full Security', source: 'system_profiler' });
    expect(errors).toEqual([]);
    expect(ran).toEqual([SYSTEM_PROFILER]);
  });

  it('counts Reduced Security as enabled (signatures still checked) and keeps the wording', async () => {
    const { value } = await collect({ [SYSTEM_PROFILER]: profiler('apple-silicon-reduced-security') });
    expect(value).toEqual({ status: 'enabled', setupMode: null, detail: 'Reduced Security', source: 'system_profiler' });
  });

  it('is disabled under Permissive Security', async () => {
    const { value, errors } = await collect({ [SYSTEM_PROFILER]: profiler('apple-silicon-permissive-security') });
    expect(value).toEqual({ status: 'disabled', setupMode: null, detail: 'Permissive Security', source: 'system_profiler' });
    expect(errors).toEqual([]);
  });

  it('understands a French Mac ("Sécurité maximale")', async () => {
    const { value } = await collect({ [SYSTEM_PROFILER]: profiler('french-full-security') });
    expect(value).toMatchObject({ status: 'enabled', detail: 'Sécurité maximale' });
  });

  it('does not guess a wording it does not know: unknown with ERR_PARSE naming it', async () => {
    const { value, errors, ran } = await collect({ [SYSTEM_PROFILER]: profiler('unknown-wording'), [NVRAM]: nvramMissing });
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_PARSE']);
    expect(errors[0]!.message).toContain('Ultra Security');
    expect(ran).toEqual([SYSTEM_PROFILER, NVRAM]);
  });

  it('reads a T2 policy from NVRAM when system_profiler (older macOS) does not show it', async () => {
    const { value, errors, ran } = await collect({ [SYSTEM_PROFILER]: profiler('t2-older-macos-no-policy'), [NVRAM]: nvram('t2-medium-security') }, INTEL);
    expect(value).toEqual({ status: 'enabled', setupMode: null, detail: 'AppleSecureBootPolicy 1 (Medium Security)', source: 'nvram' });
    expect(errors).toEqual([]);
    expect(ran).toEqual([SYSTEM_PROFILER, NVRAM]);
  });

  it('is disabled for a T2 set to No Security', async () => {
    const fromProfiler = await collect({ [SYSTEM_PROFILER]: profiler('t2-no-security') }, INTEL);
    expect(fromProfiler.value).toMatchObject({ status: 'disabled', detail: 'No Security' });
    const fromNvram = await collect({ [SYSTEM_PROFILER]: profiler('t2-older-macos-no-policy'), [NVRAM]: nvram('t2-no-security') }, INTEL);
    expect(fromNvram.value).toMatchObject({ status: 'disabled', source: 'nvram' });
  });

  it('is unsupported on an Intel Mac without a T2 chip (no controller, no NVRAM policy)', async () => {
    const { value, errors } = await collect({ [SYSTEM_PROFILER]: profiler('intel-without-t2-empty-list'), [NVRAM]: nvramMissing }, INTEL);
    expect(value).toEqual({ status: 'unsupported', setupMode: null, detail: 'Intel Mac without an Apple T2 chip: no Secure Boot', source: 'system_profiler' });
    expect(errors).toEqual([]);
  });

  it('does not call an empty list "unsupported" on Apple silicon, nor when the architecture is unknown', async () => {
    const arm = await collect({ [SYSTEM_PROFILER]: profiler('intel-without-t2-empty-list'), [NVRAM]: nvramMissing }, APPLE_SILICON);
    expect(arm.value.status).toBe('unknown');
    expect(codes(arm.errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
    const unknownArch = await collect({ [SYSTEM_PROFILER]: profiler('intel-without-t2-empty-list'), [NVRAM]: nvramMissing }, null);
    expect(unknownArch.value.status).toBe('unknown');
  });

  it('is unknown, not unsupported, when nvram could not be asked', async () => {
    const { value, errors } = await collect({ [SYSTEM_PROFILER]: profiler('intel-without-t2-empty-list'), [NVRAM]: { error: 'ERR_COMMAND_NOT_ALLOWED' } }, INTEL);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_NOT_ALLOWED']);
  });

  it('is unknown with both reasons when system_profiler times out and nvram has nothing', async () => {
    const { value, errors } = await collect({ [SYSTEM_PROFILER]: { error: 'ERR_COMMAND_TIMEOUT' }, [NVRAM]: nvramMissing }, INTEL);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_TIMEOUT']);
  });

  it('still answers from NVRAM on a T2 when system_profiler is missing or fails', async () => {
    const { value, errors } = await collect({ [NVRAM]: nvram('opencore-full-security') }, INTEL);
    expect(value).toMatchObject({ status: 'enabled', detail: 'AppleSecureBootPolicy 2 (Full Security)', source: 'nvram' });
    expect(errors).toEqual([]);
  });

  it('is unknown when a T2 lists no policy and nvram has none either', async () => {
    const { value, errors } = await collect({ [SYSTEM_PROFILER]: profiler('t2-older-macos-no-policy'), [NVRAM]: nvramMissing }, INTEL);
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_SIGNAL_UNAVAILABLE']);
    expect(errors[0]!.message).toContain('Apple T2 chip');
  });
});
