/**
 * Windows: the user's certificate store `Cert:\CurrentUser\My` (Edge, Chrome, Firefox with
 * security.enterprise_roots / osclientcerts), through one PowerShell probe. PowerShell itself
 * joins the PEM pair into a PFX (CngKey PKCS#8 import, CopyWithPrivateKey), protects it with a
 * password that exists only as a SecureString in that process, imports it with
 * Import-PfxCertificate (without -Exportable: the key is not exportable), deletes the PFX, names
 * the certificate and removes this device's older ones.
 */
import type { Host } from '../../../collectors/host.js';
import { outputText, powerShellArguments } from '../../../collectors/windows/powershell.js';
import { WIN32_COMMANDS } from '../../../exec/commands-win32.js';
import { certificateNickname, runChecked, storeError, type CertificateStore, type InstallInput, type StoreOptions } from './certificate-store.js';

/** A PowerShell single-quoted string (typographic single quotes count as quotes too). */
export function psQuote(text: string): string {
  return `'${text.replace(/['\u2018\u2019\u201a\u201b]/g, (quote) => quote + quote)}'`;
}

const STORE = 'Cert:\\CurrentUser\\My';

export function installScript(input: InstallInput, name: string): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    `$name = ${psQuote(name)}`,
    "function Get-Der([string]$path, [string]$label) { $text = [IO.File]::ReadAllText($path); $body = ($text -replace \"-----(BEGIN|END) $label-----\", '') -replace '\\s', ''; return ,[Convert]::FromBase64String($body) }",
    `$key = [Security.Cryptography.CngKey]::Import((Get-Der ${psQuote(input.keyFile)} 'PRIVATE KEY'), [Security.Cryptography.CngKeyBlobFormat]::Pkcs8PrivateBlob)`,
    `$cert = New-Object Security.Cryptography.X509Certificates.X509Certificate2 (,(Get-Der ${psQuote(input.certificateFile)} 'CERTIFICATE'))`,
    '$pair = [Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::CopyWithPrivateKey($cert, (New-Object Security.Cryptography.ECDsaCng $key))',
    '$password = New-Object Security.SecureString',
    'foreach ($c in [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::Create().GetBytes(24)).ToCharArray()) { $password.AppendChar($c) }',
    "$pfx = Join-Path ([IO.Path]::GetTempPath()) ('posture-agent-' + [Guid]::NewGuid().ToString('N') + '.pfx')",
    'try {',
    '  [IO.File]::WriteAllBytes($pfx, $pair.Export([Security.Cryptography.X509Certificates.X509ContentType]::Pfx, $password))',
    `  $imported = Import-PfxCertificate -FilePath $pfx -CertStoreLocation ${STORE} -Password $password`,
    '} finally { Remove-Item -LiteralPath $pfx -Force -ErrorAction SilentlyContinue }',
    '$imported.FriendlyName = $name',
    `Get-ChildItem ${STORE} | Where-Object { $_.FriendlyName -eq $name -and $_.Thumbprint -ne $imported.Thumbprint } | Remove-Item -DeleteKey`,
    'Write-Output $imported.Thumbprint',
  ].join('\n');
}

export function removeScript(name: string): string {
  return ["$ErrorActionPreference = 'Stop'", `Get-ChildItem ${STORE} | Where-Object { $_.FriendlyName -eq ${psQuote(name)} } | Remove-Item -DeleteKey`].join('\n');
}

export class WindowsCertStore implements CertificateStore {
  readonly name = `windows:${STORE}`;
  readonly #host: Host;
  readonly #nickname: string;

  constructor(options: Pick<StoreOptions, 'host' | 'deviceId'>) {
    this.#host = options.host;
    this.#nickname = certificateNickname(options.deviceId);
  }

  async install(input: InstallInput): Promise<void> {
    const result = await runChecked(this.#host, this.name, WIN32_COMMANDS.powershell, powerShellArguments(installScript(input, this.#nickname)), 'import the certificate');
    const thumbprint = outputText(result).trim().split(/\r?\n/).pop()?.trim().toUpperCase();
    if (thumbprint !== input.certificate.sha1) throw storeError(this.name, `the import did not report the certificate ${input.certificate.sha1} as installed.`);
  }

  async remove(): Promise<void> {
    await runChecked(this.#host, this.name, WIN32_COMMANDS.powershell, powerShellArguments(removeScript(this.#nickname)), 'remove the device certificates');
  }
}
