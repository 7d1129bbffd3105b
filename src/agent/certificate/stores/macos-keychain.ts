/**
 * macOS: the user's login keychain (Safari, Chrome, Edge, and Firefox with
 * security.osclientcerts.autoload), through /usr/bin/security. The key is imported with -x (not
 * extractable), no application is pre-authorised (-T/-A left out: the first browser to use the key
 * asks the user once), and with a gateway URL configured an identity preference picks this
 * certificate for it, so no certificate chooser appears.
 *
 * Limitation: `security import` takes the PKCS#12 password only on its command line (-P) or from
 * an interactive prompt. The password is a one-time random one for a file that lives, 0600 in a
 * 0700 folder, only while the import runs: seeing it in the process list gives nothing.
 */
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { DARWIN_COMMANDS } from '../../../exec/commands-darwin.js';
import { certificateNickname, runChecked, withPrivateTempDir, type CertificateStore, type InstallInput, type StoreOptions } from './certificate-store.js';
import { exportPkcs12 } from './pkcs12.js';

const { security, openssl } = DARWIN_COMMANDS;

export interface MacosKeychainOptions extends StoreOptions {
  /** Gateway URLs (https://app.example.com/) that should use this certificate without asking. */
  identityUrls?: readonly string[];
}

export class MacosKeychainStore implements CertificateStore {
  readonly name: string;
  readonly #options: MacosKeychainOptions;
  readonly #keychain: string;

  constructor(options: MacosKeychainOptions) {
    this.#options = options;
    this.#keychain = join(options.home, 'Library', 'Keychains', 'login.keychain-db');
    this.name = `keychain:${this.#keychain}`;
  }

  /** SHA-1 hashes (uppercase hex) of this device's certificates in the keychain. */
  async #hashes(): Promise<string[]> {
    const { host, deviceId } = this.#options;
    const found = await host.run(security, ['find-certificate', '-a', '-c', deviceId, '-Z', '-p', this.#keychain]);
    if (found.exitCode !== 0) return [];
    const hashes: string[] = [];
    // Each match: "SHA-256 hash: …", "SHA-1 hash: …", attributes, then its PEM (-p).
    for (const block of found.stdout.split(/^SHA-256 hash:/m).slice(1)) {
      const sha1 = /^SHA-1 hash: ([0-9A-F]{40})$/m.exec(block)?.[1];
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(block)?.[0];
      if (!sha1 || !pem) continue;
      try {
        // -c matches a substring of the name: only certificates naming exactly this device are ours.
        if (new X509Certificate(pem).subject === `CN=${deviceId}`) hashes.push(sha1);
      } catch {
        // not a certificate we can read: not ours
      }
    }
    return hashes;
  }

  async #delete(sha1: string): Promise<void> {
    await runChecked(this.#options.host, this.name, security, ['delete-identity', '-Z', sha1, this.#keychain], 'delete an older device certificate');
  }

  async install(input: InstallInput): Promise<void> {
    const { host, deviceId } = this.#options;
    await withPrivateTempDir(this.#options.tempDir, async (dir) => {
      const p12 = await exportPkcs12(host, this.name, openssl, input, certificateNickname(deviceId), dir);
      await runChecked(host, this.name, security, ['import', p12.file, '-k', this.#keychain, '-f', 'pkcs12', '-x', '-P', p12.password], 'import the certificate');
    });
    for (const url of this.#options.identityUrls ?? []) {
      await runChecked(host, this.name, security, ['set-identity-preference', '-Z', input.certificate.sha1, '-s', url, this.#keychain], `set the certificate for ${url}`);
    }
    for (const sha1 of await this.#hashes()) if (sha1 !== input.certificate.sha1) await this.#delete(sha1);
  }

  async remove(): Promise<void> {
    for (const sha1 of await this.#hashes()) await this.#delete(sha1);
  }
}
