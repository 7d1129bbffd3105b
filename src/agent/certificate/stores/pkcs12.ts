/**
 * The PKCS#12 file the stores import: made by `openssl pkcs12 -export` from the PEM pair, the
 * one-time password read from a 0600 file (`-passout file:`), never passed on the command line.
 */
import { join } from 'node:path';
import type { Host } from '../../../collectors/host.js';
import type { CertificateFiles } from '../certificate-files.js';
import { oneTimePassword, runChecked, writeSecretFile } from './certificate-store.js';

export interface Pkcs12 {
  file: string;
  passwordFile: string;
  password: string;
}

export async function exportPkcs12(host: Host, store: string, openssl: string, files: CertificateFiles, name: string, dir: string): Promise<Pkcs12> {
  const password = oneTimePassword();
  const passwordFile = join(dir, 'password');
  const file = join(dir, 'device.p12');
  await writeSecretFile(passwordFile, password);
  await runChecked(
    host,
    store,
    openssl,
    ['pkcs12', '-export', '-inkey', files.keyFile, '-in', files.certificateFile, '-name', name, '-out', file, '-passout', `file:${passwordFile}`],
    'package the certificate as PKCS#12',
  );
  return { file, passwordFile, password };
}
