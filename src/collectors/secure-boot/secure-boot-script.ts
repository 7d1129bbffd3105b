/**
 * The Secure Boot probe, run only when the registry does not already say "on" (see win32.ts).
 * Parsed by parse-secure-boot-json.ts. Sections:
 * - state: HKLM\SYSTEM\CurrentControlSet\Control\SecureBoot\State UEFISecureBootEnabled, which
 *   Windows records at boot on UEFI machines; readable by a standard user.
 * - firmware: HKLM\SYSTEM\CurrentControlSet\Control PEFirmwareType, 1 = BIOS, 2 = UEFI (the values
 *   of FIRMWARE_TYPE, learn.microsoft.com winnt.h; the value WinPE's `wpeutil UpdateBootInfo`
 *   documents); readable by a standard user, absent on some installations.
 * - confirm: Confirm-SecureBootUEFI. True/False on UEFI; PlatformNotSupportedException "Cmdlet not
 *   supported on this platform: 0xC0000002" on BIOS or firmware without Secure Boot; "Variable is
 *   currently undefined: 0xC0000100" when the firmware defines no SecureBoot variable;
 *   UnauthorizedAccessException "Unable to set proper privileges. Access was denied." without
 *   administrator rights (it needs SeSystemEnvironmentPrivilege). Messages are localised; the
 *   parser goes by exception type and status code.
 * - setupMode: Get-SecureBootUEFI -Name SetupMode, one byte (1 = Setup Mode); administrators only.
 */
import { powerShellProbe } from '../windows/powershell-prelude.js';

export const SECURE_BOOT_PROBE = 'secureBoot';

export const SECURE_BOOT_SCRIPT = powerShellProbe(String.raw`
$state = Invoke-Section {
  Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\SecureBoot\State' | ForEach-Object {
    [ordered]@{ uefiSecureBootEnabled = (ConvertTo-Number $_.UEFISecureBootEnabled) }
  }
}

$firmware = Invoke-Section {
  Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control' -Name PEFirmwareType | ForEach-Object {
    [ordered]@{ peFirmwareType = (ConvertTo-Number $_.PEFirmwareType) }
  }
}

$confirm = Invoke-Section {
  [ordered]@{ enabled = [bool](Confirm-SecureBootUEFI) }
}

$setupMode = Invoke-Section {
  Get-SecureBootUEFI -Name SetupMode | ForEach-Object {
    [ordered]@{ bytes = @($_.Bytes | ForEach-Object { [int]$_ }) }
  }
}

Write-ProbeDocument ([ordered]@{ probe = 'secureBoot'; state = $state; firmware = $firmware; confirm = $confirm; setupMode = $setupMode })
`);
