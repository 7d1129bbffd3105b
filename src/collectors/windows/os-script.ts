/**
 * The os fallback probe, used only when `reg.exe query` could not be read: Win32_OperatingSystem
 * plus the registry values CIM does not carry. Parsed by os/parse-os-json.ts.
 */
import { powerShellProbe } from './powershell-prelude.js';

export const OS_SCRIPT = powerShellProbe(String.raw`
# Section operatingSystem: Caption is the marketed, localised name ("Microsoft Windows 11 Pro");
# Version is major.minor.build (learn.microsoft.com/windows/win32/cimwin32prov/win32-operatingsystem).
$operatingSystem = Invoke-Section {
  Get-CimInstance -ClassName Win32_OperatingSystem | ForEach-Object {
    [ordered]@{ caption = $_.Caption; version = $_.Version; buildNumber = $_.BuildNumber }
  }
}

# Section currentVersion: the update revision (UBR) and release name, which only the registry holds.
$currentVersion = Invoke-Section {
  Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' | ForEach-Object {
    [ordered]@{ displayVersion = $_.DisplayVersion; releaseId = $_.ReleaseId; ubr = (ConvertTo-Number $_.UBR) }
  }
}

Write-ProbeDocument ([ordered]@{ probe = 'os'; operatingSystem = $operatingSystem; currentVersion = $currentVersion })
`);
