/**
 * Linux: the user's NSS database `~/.pki/nssdb` (Chrome, Chromium, and Firefox with
 * security.osclientcerts / enterprise policy), through certutil and pk12util (libnss3-tools).
 *
 * NSS gives every certificate of one subject the same nickname and addresses certificates only by
 * nickname, picking the newest: once the new one is imported, the older ones cannot be deleted
 * without hitting it (and `certutil --rename` does not reliably set it aside). So the older ones
 * (key and certificate, `certutil -F`) are deleted after the new PKCS#12 has been made and right
 * before it is imported; if that import fails, the store holds none until the next attempt (the
 * daemon retries after each delivery until a store install succeeds), while the PEM files work.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LINUX_COMMANDS } from '../../../exec/commands-linux.js';
import { describeCertificate } from '../certificate-files.js';
import { certificateNickname, pemBlocks, runChecked, storeError, withPrivateTempDir, type CertificateStore, type InstallInput, type StoreOptions } from './certificate-store.js';
import { exportPkcs12 } from './pkcs12.js';

const { certutil, pk12util, openssl } = LINUX_COMMANDS;
/** More certificates than this under one nickname is not ours to clean up in a loop. */
const MAX_DELETIONS = 50;

export class LinuxNssStore implements CertificateStore {
  readonly name: string;
  readonly #options: StoreOptions;
  readonly #db: string;
  readonly #nickname: string;

  constructor(options: StoreOptions) {
    this.#options = options;
    this.#db = join(options.home, '.pki', 'nssdb');
    this.name = `nss:${this.#db}`;
    this.#nickname = certificateNickname(options.deviceId);
  }

  get #dbArg(): string {
    return `sql:${this.#db}`;
  }

  async #exists(): Promise<boolean> {
    try {
      return (await this.#options.host.readDir(this.#db)).includes('cert9.db');
    } catch {
      return false;
    }
  }

  async #ensureDatabase(): Promise<void> {
    if (await this.#exists()) return;
    try {
      await mkdir(this.#db, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw storeError(this.name, `could not create the folder ${this.#db}.`, error);
    }
    await runChecked(this.#options.host, this.name, certutil, ['-N', '-d', this.#dbArg, '--empty-password'], 'create the NSS database');
  }

  /** Serials (lowercase hex) of the certificates under a nickname; empty when there is none. */
  async #serials(nickname: string): Promise<string[]> {
    const listed = await this.#options.host.run(certutil, ['-L', '-d', this.#dbArg, '-n', nickname, '-a']);
    if (listed.exitCode !== 0) return [];
    return pemBlocks(listed.stdout).map((pem) => describeCertificate(pem).serial);
  }

  async #deleteAll(nickname: string): Promise<void> {
    const { host } = this.#options;
    for (let deleted = 0; (await this.#serials(nickname)).length > 0; deleted += 1) {
      if (deleted >= MAX_DELETIONS) throw storeError(this.name, `more than ${MAX_DELETIONS} certificates are named "${nickname}"; delete them with certutil -D.`);
      // -F deletes the key with its certificate; a certificate whose key is already gone needs -D.
      const withKey = await host.run(certutil, ['-F', '-d', this.#dbArg, '-n', nickname]);
      if (withKey.exitCode !== 0) await runChecked(host, this.name, certutil, ['-D', '-d', this.#dbArg, '-n', nickname], 'delete an older device certificate');
    }
  }

  async install(input: InstallInput): Promise<void> {
    const { host } = this.#options;
    await this.#ensureDatabase();
    await withPrivateTempDir(this.#options.tempDir, async (dir) => {
      const p12 = await exportPkcs12(host, this.name, openssl, input, this.#nickname, dir);
      // Only now, with the new PKCS#12 made: the older ones go (see the top of this file for why first).
      if ((await this.#serials(this.#nickname)).some((serial) => serial !== input.certificate.serial)) await this.#deleteAll(this.#nickname);
      await runChecked(host, this.name, pk12util, ['-i', p12.file, '-d', this.#dbArg, '-w', p12.passwordFile], 'import the certificate');
    });
    const serials = await this.#serials(this.#nickname);
    if (!serials.includes(input.certificate.serial)) throw storeError(this.name, `the certificate ${input.certificate.serial} is not in the database after importing it.`);
  }

  async remove(): Promise<void> {
    if (!(await this.#exists())) return;
    await this.#deleteAll(this.#nickname);
  }
}
