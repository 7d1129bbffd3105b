import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveDeviceId, getDeviceId, machineIdBytes, POSTURE_AGENT_APP_ID } from '../../../src/attest/device-id.js';
import { AgentError } from '../../../src/shared/errors.js';

const LINUX_ID = '3d1219c7c4c5404aaa1f6d2a48adfda4';
const WINDOWS_GUID = 'b5d4f6a2-1c3e-4f7a-9b8d-2e6f0a1c3d5e';
const MAC_UUID = '6F1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D';

function refusal(work: () => unknown): AgentError {
  try {
    work();
  } catch (error) {
    if (error instanceof AgentError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('deriveDeviceId', () => {
  it('is stable for a machine and shaped as a version-4 UUID', () => {
    const id = deriveDeviceId(LINUX_ID, 'linux');
    expect(id).toBe(deriveDeviceId(LINUX_ID, 'linux'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id.replace(/-/g, '')).not.toBe(LINUX_ID);
  });

  it('matches systemd\'s app-specific id algorithm (HMAC-SHA256 keyed by the machine id over the app id)', () => {
    const app = 'a3e3c7b1d5f94a0e8c2b6d4f1e3a5c7b';
    const expected = execFileSync('python3', ['-c', `
import hmac, hashlib, uuid
d = bytearray(hmac.new(bytes.fromhex('${LINUX_ID}'), bytes.fromhex('${app}'), hashlib.sha256).digest()[:16])
d[6] = (d[6] & 0x0F) | 0x40
d[8] = (d[8] & 0x3F) | 0x80
print(uuid.UUID(bytes=bytes(d)))`]).toString().trim();
    expect(deriveDeviceId(LINUX_ID, 'linux', app)).toBe(expected);
  });

  it('differs for another application key and another machine', () => {
    const ours = deriveDeviceId(LINUX_ID, 'linux');
    expect(deriveDeviceId(LINUX_ID, 'linux', '00112233445566778899aabbccddeeff')).not.toBe(ours);
    expect(deriveDeviceId('3d1219c7c4c5404aaa1f6d2a48adfda5', 'linux')).not.toBe(ours);
  });

  it('reads Windows GUIDs and macOS UUIDs in either case', () => {
    expect(deriveDeviceId(WINDOWS_GUID, 'win32')).toBe(deriveDeviceId(WINDOWS_GUID.toUpperCase(), 'win32'));
    expect(machineIdBytes(MAC_UUID, 'darwin')).toHaveLength(16);
  });

  it('refuses a hostname (node-machine-id\'s Linux fallback) with a clear error', () => {
    const error = refusal(() => deriveDeviceId('laptop-42.corp.example', 'linux'));
    expect(error.code).toBe('ERR_MACHINE_ID');
    expect(error.message).toContain('looks like a host name');
    expect(error.message).toContain('systemd-machine-id-setup');
  });

  it('refuses empty, placeholder and wrong-shape ids', () => {
    for (const [raw, platform] of [
      ['', 'linux'],
      ['uninitialized', 'linux'],
      ['00000000000000000000000000000000', 'linux'],
      [LINUX_ID, 'win32'],
      [WINDOWS_GUID.replace(/-/g, ''), 'darwin'],
      ['3d1219c7c4c5404aaa1f6d2a48adfd', 'linux'],
    ] as const) {
      expect(refusal(() => deriveDeviceId(raw, platform)).code).toBe('ERR_MACHINE_ID');
    }
  });
});

describe('getDeviceId', () => {
  it('derives this machine\'s id from /etc/machine-id, the same in another process', async () => {
    const raw = readFileSync('/etc/machine-id', 'utf8').trim();
    const id = await getDeviceId({ platform: 'linux', readRawMachineId: () => Promise.resolve(raw) });
    const script = `import('${join(process.cwd(), 'dist/attest/device-id.js')}').then((m) => console.log(m.deriveDeviceId('${raw}', 'linux')))`;
    expect(execFileSync(process.execPath, ['-e', script]).toString().trim()).toBe(id);
    expect(POSTURE_AGENT_APP_ID).toHaveLength(32);
  });

  it('does not keep a failure: the next call tries again', async () => {
    let calls = 0;
    const source = {
      platform: 'linux' as const,
      appId: 'ffeeddccbbaa99887766554433221100',
      readRawMachineId: () => (++calls === 1 ? Promise.resolve('myhost') : Promise.resolve(LINUX_ID)),
    };
    await expect(getDeviceId(source)).rejects.toMatchObject({ code: 'ERR_MACHINE_ID' });
    await expect(getDeviceId(source)).resolves.toBe(deriveDeviceId(LINUX_ID, 'linux', source.appId));
  });
});
