/** The device-certificate stores of every OS with fake hosts: the exact programs and arguments. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { certificateFiles, describeCertificate, generateTlsKey, type CertificateInfo } from '../../../src/agent/certificate/certificate-files.js';
import { LinuxNssStore } from '../../../src/agent/certificate/stores/linux-nss.js';
import { MacosKeychainStore } from '../../../src/agent/certificate/stores/macos-keychain.js';
import { WindowsCertStore, installScript, psQuote } from '../../../src/agent/certificate/stores/windows-cert-store.js';
import type { CommandResult, RunOptions } from '../../../src/collectors/host.js';
import { createFakeHost, type FakeHost } from '../../support/fake-host.js';
import { createTestCa } from '../../support/test-device-ca.js';

const DEVICE = 'dev-1234';
const NICK = `posture-agent device ${DEVICE}`;
let temp: string;
let current: CertificateInfo;
let older: CertificateInfo;

beforeEach(async () => {
  temp = await mkdtemp(join(tmpdir(), 'stores-'));
  const ca = await createTestCa();
  const now = Date.now();
  older = describeCertificate((await ca.issue({ deviceId: DEVICE, tlsKey: generateTlsKey().publicJwk, notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 86_400_000) })).pem);
  current = describeCertificate((await ca.issue({ deviceId: DEVICE, tlsKey: generateTlsKey().publicJwk, notBefore: new Date(now), notAfter: new Date(now + 7 * 86_400_000) })).pem);
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** A fake host whose certutil -L answers from a list the -F/-D calls shrink. */
function nssHost(initial: CertificateInfo[], options: { dbExists?: boolean; importFails?: boolean } = {}): FakeHost {
  const db = '/home/u/.pki/nssdb';
  const inDb = [...initial];
  const fake = createFakeHost({ platform: 'linux', dirs: options.dbExists === false ? {} : { [db]: ['cert9.db', 'key4.db', 'pkcs11.txt'] }, commands: { '/usr/bin/openssl': {}, '/usr/bin/certutil': {}, '/usr/bin/pk12util': {} } });
  const run = fake.run.bind(fake);
  fake.run = async (file: string, args: string[], opts?: RunOptions): Promise<CommandResult> => {
    await run(file, args, opts);
    if (file === '/usr/bin/pk12util') {
      if (options.importFails) return { stdout: '', stderr: 'pk12util: PKCS12 decode failed', exitCode: 255 };
      inDb.push(current);
      return { stdout: 'pk12util: PKCS12 IMPORT SUCCESSFUL', stderr: '', exitCode: 0 };
    }
    if (file === '/usr/bin/certutil' && args[0] === '-L') return inDb.length === 0 ? { stdout: '', stderr: 'Could not find cert', exitCode: 255 } : { stdout: inDb.map((c) => c.pem).join('\n'), stderr: '', exitCode: 0 };
    if (file === '/usr/bin/certutil' && args[0] === '-F') inDb.shift();
    return { stdout: '', stderr: '', exitCode: 0 };
  };
  return fake;
}

const files = () => ({ ...certificateFiles('/state'), certificate: current });
const tempArg = (name: string): unknown => expect.stringMatching(new RegExp(`posture-agent-cert-[^/]+/${name}$`));

describe('Linux NSS store', () => {
  it('deletes the older certificate, imports the new one from a PKCS#12 whose password is in a file, never on argv', async () => {
    const host = nssHost([older]);
    const store = new LinuxNssStore({ host, home: '/home/u', deviceId: DEVICE, tempDir: temp });
    expect(store.name).toBe('nss:/home/u/.pki/nssdb');
    await store.install(files());
    expect(host.calls).toEqual([
      { file: '/usr/bin/openssl', args: ['pkcs12', '-export', '-inkey', '/state/tls-key.pem', '-in', '/state/tls-cert.pem', '-name', NICK, '-out', tempArg('device.p12'), '-passout', expect.stringMatching(/^file:.*\/password$/)], timeoutMs: 30_000 },
      { file: '/usr/bin/certutil', args: ['-L', '-d', 'sql:/home/u/.pki/nssdb', '-n', NICK, '-a'] },
      { file: '/usr/bin/certutil', args: ['-L', '-d', 'sql:/home/u/.pki/nssdb', '-n', NICK, '-a'] },
      { file: '/usr/bin/certutil', args: ['-F', '-d', 'sql:/home/u/.pki/nssdb', '-n', NICK] },
      { file: '/usr/bin/certutil', args: ['-L', '-d', 'sql:/home/u/.pki/nssdb', '-n', NICK, '-a'] },
      { file: '/usr/bin/pk12util', args: ['-i', tempArg('device.p12'), '-d', 'sql:/home/u/.pki/nssdb', '-w', tempArg('password')], timeoutMs: 30_000 },
      { file: '/usr/bin/certutil', args: ['-L', '-d', 'sql:/home/u/.pki/nssdb', '-n', NICK, '-a'] },
    ]);
  });

  it('creates a missing database with an empty password first', async () => {
    const home = join(temp, 'home');
    const host = nssHost([], { dbExists: false });
    await new LinuxNssStore({ host, home, deviceId: DEVICE, tempDir: temp }).install(files());
    expect(host.calls[0]).toEqual({ file: '/usr/bin/certutil', args: ['-N', '-d', `sql:${home}/.pki/nssdb`, '--empty-password'], timeoutMs: 30_000 });
    expect(host.calls.filter((call) => call.args[0] === '-F')).toEqual([]);
  });

  it('reports a failed import as ERR_CERTIFICATE_STORE naming the store, without arguments', async () => {
    const store = new LinuxNssStore({ host: nssHost([], { importFails: true }), home: '/home/u', deviceId: DEVICE, tempDir: temp });
    await expect(store.install(files())).rejects.toMatchObject({ code: 'ERR_CERTIFICATE_STORE', message: 'nss:/home/u/.pki/nssdb: could not import the certificate: /usr/bin/pk12util exited with 255 (pk12util: PKCS12 decode failed).' });
  });

  it('removes every certificate of the device on revocation', async () => {
    const host = nssHost([older, current]);
    await new LinuxNssStore({ host, home: '/home/u', deviceId: DEVICE, tempDir: temp }).remove();
    expect(host.calls.filter((call) => call.args[0] === '-F')).toHaveLength(2);
  });
});

describe('macOS login keychain', () => {
  const keychain = '/Users/u/Library/Keychains/login.keychain-db';
  const found = (certs: CertificateInfo[]) => certs.map((c) => `SHA-256 hash: ${'A'.repeat(64)}\nSHA-1 hash: ${c.sha1}\nkeychain: "${keychain}"\n${c.pem}\n`).join('');

  it('imports non-extractable, sets the identity preference, and deletes the older identity by hash', async () => {
    const host = createFakeHost({
      platform: 'darwin',
      commands: { '/usr/bin/openssl': {}, [`/usr/bin/security find-certificate -a -c ${DEVICE} -Z -p ${keychain}`]: { stdout: found([older, current]) }, '/usr/bin/security': {} },
    });
    const store = new MacosKeychainStore({ host, home: '/Users/u', deviceId: DEVICE, identityUrls: ['https://app.example.com/'], tempDir: temp });
    await store.install(files());
    expect(host.calls.slice(1)).toEqual([
      { file: '/usr/bin/security', args: ['import', tempArg('device.p12'), '-k', keychain, '-f', 'pkcs12', '-x', '-P', expect.stringMatching(/^[\w-]{32}$/)], timeoutMs: 30_000 },
      { file: '/usr/bin/security', args: ['set-identity-preference', '-Z', current.sha1, '-s', 'https://app.example.com/', keychain], timeoutMs: 30_000 },
      { file: '/usr/bin/security', args: ['find-certificate', '-a', '-c', DEVICE, '-Z', '-p', keychain] },
      { file: '/usr/bin/security', args: ['delete-identity', '-Z', older.sha1, keychain], timeoutMs: 30_000 },
    ]);
    expect(host.calls[0]!.args).toContain('-passout');
  });

  it('removes every identity of the device on revocation', async () => {
    const host = createFakeHost({ platform: 'darwin', commands: { [`/usr/bin/security find-certificate -a -c ${DEVICE} -Z -p ${keychain}`]: { stdout: found([older, current]) }, '/usr/bin/security': {} } });
    await new MacosKeychainStore({ host, home: '/Users/u', deviceId: DEVICE }).remove();
    expect(host.calls.filter((call) => call.args[0] === 'delete-identity').map((call) => call.args[2])).toEqual([older.sha1, current.sha1]);
  });
});

describe('Windows certificate store', () => {
  const powershell = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
  const decoded = (host: FakeHost) => Buffer.from(host.calls[0]!.args.at(-1)!, 'base64').toString('utf16le');

  it('imports into CurrentUser\\My without -Exportable, names it and removes older ones by friendly name', async () => {
    const host = createFakeHost({ platform: 'win32', commands: { [powershell]: { stdout: `${current.sha1}\r\n` } } });
    const store = new WindowsCertStore({ host, deviceId: DEVICE });
    expect(store.name).toBe('windows:Cert:\\CurrentUser\\My');
    await store.install({ ...files(), keyFile: "C:\\Users\\o'neil\\state\\tls-key.pem" });
    expect(host.calls[0]!.args.slice(0, -1)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    const script = decoded(host);
    expect(script).toContain("Import-PfxCertificate -FilePath $pfx -CertStoreLocation Cert:\\CurrentUser\\My -Password $password");
    expect(script).not.toContain('-Exportable');
    expect(script).toContain("(Get-Der 'C:\\Users\\o''neil\\state\\tls-key.pem' 'PRIVATE KEY')");
    expect(script).toContain(`$name = '${NICK}'`);
    expect(script).toContain('$_.FriendlyName -eq $name -and $_.Thumbprint -ne $imported.Thumbprint } | Remove-Item -DeleteKey');
  });

  it('fails when PowerShell does not report the new certificate', async () => {
    const host = createFakeHost({ platform: 'win32', commands: { [powershell]: { stdout: 'ABCDEF\r\n' } } });
    await expect(new WindowsCertStore({ host, deviceId: DEVICE }).install(files())).rejects.toMatchObject({ code: 'ERR_CERTIFICATE_STORE' });
  });

  it('removes by friendly name on revocation', async () => {
    const host = createFakeHost({ platform: 'win32', commands: { [powershell]: {} } });
    await new WindowsCertStore({ host, deviceId: DEVICE }).remove();
    expect(decoded(host)).toContain(`Where-Object { $_.FriendlyName -eq ${psQuote(NICK)} } | Remove-Item -DeleteKey`);
    expect(installScript(files(), NICK)).toContain('Remove-Item -LiteralPath $pfx');
  });
});
