import { DARWIN_COMMANDS } from '../../../src/exec/commands-darwin.js';
import { describe, expect, it } from 'vitest';
import { collectTpmDarwin } from '../../../src/collectors/tpm/darwin.js';
import { codes, collect, darwinFixture, healthyMac } from '../../fixtures/darwin/healthy-mac.js';
import type { CommandAnswer } from '../../support/fake-host.js';

const SYSCTL = `${DARWIN_COMMANDS.sysctl} hw.model hw.optional.arm64`;
const PROFILER = `${DARWIN_COMMANDS.systemProfiler} SPiBridgeDataType`;
const UNKNOWN_OID = "sysctl: unknown oid 'hw.optional.arm64'\n";

/** What sysctl prints on an Intel Mac: the model on stdout, then it stops at the arm64 OID (exit 1). */
const intel = (model: string): CommandAnswer => ({ stdout: `hw.model: ${model}\n`, stderr: UNKNOWN_OID, exitCode: 1 });
const appleSilicon = (model: string): CommandAnswer => ({ stdout: `hw.model: ${model}\nhw.optional.arm64: 1\n` });
const profiler = (name: string): CommandAnswer => ({ stdout: darwinFixture('tpm-spibridge', name) });

function mac(answers: { sysctl?: CommandAnswer; profiler?: CommandAnswer }) {
  const script = healthyMac();
  if (answers.sysctl) script.commands[SYSCTL] = answers.sysctl;
  if (answers.profiler) script.commands[PROFILER] = answers.profiler;
  return script;
}

const ran = (calls: readonly { file: string }[]) => calls.map((call) => call.file);

describe('collectTpmDarwin', () => {
  it('finds the Secure Enclave of an Apple silicon Mac with one sysctl', async () => {
    const { value, errors, host } = await collect(collectTpmDarwin, mac({ sysctl: appleSilicon('Mac15,3'), profiler: profiler('intel-without-controller-empty') }));
    expect(value).toEqual({
      status: 'present',
      kind: 'secure-enclave',
      specVersion: null,
      manufacturer: 'Apple',
      enabled: null,
      ready: null,
      source: 'sysctl hw.optional.arm64 (Apple silicon)',
    });
    expect(errors).toEqual([]);
    expect(ran(host.calls)).toEqual([DARWIN_COMMANDS.sysctl]);
  });

  it('knows an Intel Mac with a T2 by its model, without system_profiler', async () => {
    const { value, errors, host } = await collect(collectTpmDarwin, mac({ sysctl: intel('MacBookPro15,1') }));
    expect(value).toMatchObject({ status: 'present', kind: 'secure-enclave', source: 'sysctl hw.model MacBookPro15,1 (Apple T2 Security Chip)' });
    expect(errors).toEqual([]);
    expect(ran(host.calls)).toEqual([DARWIN_COMMANDS.sysctl]);
  });

  it('counts the T1 of a 2016-2017 MacBook Pro with Touch Bar', async () => {
    const { value } = await collect(collectTpmDarwin, mac({ sysctl: intel('MacBookPro14,3') }));
    expect(value).toMatchObject({ status: 'present', source: 'sysctl hw.model MacBookPro14,3 (Apple T1 Security Chip)' });
  });

  it('is absent on an Intel Mac without a T1/T2, confirmed by system_profiler showing no controller', async () => {
    const { value, errors, host } = await collect(collectTpmDarwin, mac({ sysctl: intel('iMac19,1'), profiler: profiler('intel-without-controller-empty') }));
    expect(value).toEqual({
      status: 'absent',
      kind: null,
      specVersion: null,
      manufacturer: null,
      enabled: null,
      ready: null,
      source: 'system_profiler SPiBridgeDataType (no T1/T2 controller on iMac19,1)',
    });
    expect(errors).toEqual([]);
    expect(ran(host.calls)).toEqual([DARWIN_COMMANDS.sysctl, DARWIN_COMMANDS.systemProfiler]);
  });

  it('believes system_profiler over the model list when an unlisted Intel model shows a T2', async () => {
    const { value } = await collect(collectTpmDarwin, mac({ sysctl: intel('MacBookPro99,1'), profiler: profiler('t2-security-chip-later-wording') }));
    expect(value).toMatchObject({ status: 'present', source: 'system_profiler SPiBridgeDataType (Apple T2 Security Chip)' });
  });

  it('is unknown with the reason in a macOS virtual machine', async () => {
    const { value, errors, host } = await collect(collectTpmDarwin, mac({ sysctl: appleSilicon('VirtualMac2,1') }));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_UNSUPPORTED']);
    expect(ran(host.calls)).toEqual([DARWIN_COMMANDS.sysctl]);
  });

  it('asks system_profiler when sysctl fails, and keeps the failure in the errors', async () => {
    const { value, errors } = await collect(collectTpmDarwin, mac({ sysctl: { error: 'ERR_COMMAND_TIMEOUT' }, profiler: profiler('t03-mosl-4-t2-macbook-pro-2018') }));
    expect(value).toMatchObject({ status: 'present', source: 'system_profiler SPiBridgeDataType (Apple T2 chip)' });
    expect(codes(errors)).toEqual(['ERR_COMMAND_TIMEOUT']);
  });

  it('reads an Apple silicon controller block from system_profiler', async () => {
    const { value } = await collect(collectTpmDarwin, mac({ sysctl: { stdout: '', stderr: 'sysctl: sysctl fmt -1 1024 1: Operation not permitted\n', exitCode: 1 }, profiler: profiler('sb03-apple-silicon-mac15-9') }));
    expect(value).toMatchObject({ status: 'present', kind: 'secure-enclave', source: 'system_profiler SPiBridgeDataType (Mac15,9)' });
  });

  it('is unknown, never absent, when neither sysctl nor system_profiler answers', async () => {
    const { value, errors } = await collect(collectTpmDarwin, mac({ sysctl: { error: 'ERR_COMMAND_TIMEOUT' }, profiler: { error: 'ERR_COMMAND_TIMEOUT' } }));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_COMMAND_TIMEOUT', 'ERR_COMMAND_TIMEOUT']);
  });

  it('is unknown when sysctl is refused and system_profiler prints something it cannot read', async () => {
    const { value, errors } = await collect(collectTpmDarwin, mac({ sysctl: { stderr: 'sysctl: sysctl fmt -1 1024 1: Operation not permitted\n', exitCode: 1 }, profiler: profiler('wrong-data-type-hardware-overview') }));
    expect(value.status).toBe('unknown');
    expect(codes(errors)).toEqual(['ERR_ACCESS_DENIED', 'ERR_PARSE']);
  });
});
