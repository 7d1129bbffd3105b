/**
 * An OS certificate store the device certificate goes into, for browsers and desktop apps. Every
 * store reaches the machine only through the Host (allow-listed programs); temporary files (a
 * PKCS#12 and its one-time password) live in a 0700 folder of their own and are deleted after use.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandResult, Host } from '../../../collectors/host.js';
import { AgentError, isAgentError, messageOf } from '../../../shared/errors.js';
import type { CertificateFiles, CertificateInfo } from '../certificate-files.js';

export interface InstallInput extends CertificateFiles {
  certificate: CertificateInfo;
}

export interface CertificateStore {
  /** Names the store and where it is, e.g. `nss:/home/u/.pki/nssdb`. */
  readonly name: string;
  /** Installs the certificate with its key, then removes this device's older ones. */
  install(files: InstallInput): Promise<void>;
  /** Removes every certificate of this device (revocation). */
  remove(): Promise<void>;
}

export interface StoreOptions {
  host: Host;
  /** The home folder of the user whose store this is. */
  home: string;
  deviceId: string;
  /** Where temporary folders are made (default: the OS's). */
  tempDir?: string;
}

/** The nickname (NSS), label or friendly name (Windows) of this device's certificate. */
export function certificateNickname(deviceId: string): string {
  return `posture-agent device ${deviceId}`;
}

export function storeError(store: string, message: string, cause?: unknown): AgentError {
  return new AgentError('ERR_CERTIFICATE_STORE', `${store}: ${message}`, cause === undefined ? undefined : { cause });
}

function firstLine(result: CommandResult): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/)[0] ?? '';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Runs a program and insists on exit 0; a failure names the program and its first line of output
 * (never the arguments: one of them may be a password).
 */
export async function runChecked(host: Host, store: string, file: string, args: string[], what: string): Promise<CommandResult> {
  let result: CommandResult;
  try {
    result = await host.run(file, args, { timeoutMs: 30_000 });
  } catch (error) {
    const reason = isAgentError(error) && error.code === 'ERR_COMMAND_NOT_FOUND' ? `${file} is not installed` : messageOf(error);
    throw storeError(store, `could not ${what}: ${reason}.`, error);
  }
  if (result.exitCode !== 0) throw storeError(store, `could not ${what}: ${file} exited with ${result.exitCode}${firstLine(result) ? ` (${firstLine(result)})` : ''}.`);
  return result;
}

export function oneTimePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Runs `work` with a fresh private folder (0700) that is deleted afterwards, whatever happens. */
export async function withPrivateTempDir<T>(tempDir: string | undefined, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tempDir ?? tmpdir(), 'posture-agent-cert-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function writeSecretFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600, flag: 'wx' });
}

/** The PEM certificates in a text, in order. */
export function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}
