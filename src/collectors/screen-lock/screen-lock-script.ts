/**
 * The screen-lock probe, run as the logged-in user (HKCU is that user's hive). One document,
 * parsed by parse-screen-lock-json.ts. Registry value names are case-insensitive
 * (RegistryKey.GetValue matches them so); an absent key is an empty section, not an error.
 */
import { powerShellProbe } from '../windows/powershell-prelude.js';

export const SCREEN_LOCK_SCRIPT = powerShellProbe(String.raw`
# The named values of one key as found ($null when absent); nothing when the key does not exist.
function Read-RegistryValues([string]$path, [string[]]$names) {
  try { $key = Get-Item -LiteralPath $path } catch [System.Management.Automation.ItemNotFoundException] { return }
  $values = [ordered]@{}
  foreach ($name in $names) { $values[$name] = $key.GetValue($name) }
  $values
}

# powercfg's answer as printed (its labels are localised; the parser reads GUIDs and hex values).
function Invoke-Powercfg([string[]]$arguments) {
  $exe = Join-Path $env:SystemRoot 'System32\powercfg.exe'
  if (-not (Test-Path -LiteralPath $exe)) { throw (New-Object System.Management.Automation.CommandNotFoundException "$exe does not exist.") }
  $ErrorActionPreference = 'Continue'
  $lines = & $exe @arguments 2>&1 | ForEach-Object { "$_" }
  [ordered]@{ exitCode = $LASTEXITCODE; output = ($lines -join "` + '`' + String.raw`n") }
}

# Section machinePolicy: "Interactive logon: Machine inactivity limit" (0 or absent: not set).
$machinePolicy = Invoke-Section {
  Read-RegistryValues 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System' @('InactivityTimeoutSecs')
}

# Sections userDesktop and policyDesktop: the user's screen saver and the Group Policy that overrides it.
$desktopNames = @('ScreenSaveActive', 'ScreenSaverIsSecure', 'ScreenSaveTimeOut', 'SCRNSAVE.EXE')
$userDesktop = Invoke-Section { Read-RegistryValues 'HKCU:\Control Panel\Desktop' $desktopNames }
$policyDesktop = Invoke-Section { Read-RegistryValues 'HKCU:\Software\Policies\Microsoft\Windows\Control Panel\Desktop' $desktopNames }

# Section powerPolicy: Group Policy's "Require a password when a computer wakes" (CONSOLELOCK) and
# "Specify the system sleep timeout" (STANDBYIDLE), which override the power scheme.
$powerPolicy = Invoke-Section {
  foreach ($setting in @('0e796bdb-100d-47d6-a2d5-f7d2daa51f51', '29f6c1db-86da-48c5-9fdb-f2b67b1f44da')) {
    $values = Read-RegistryValues "HKLM:\SOFTWARE\Policies\Microsoft\Power\PowerSettings\$setting" @('ACSettingIndex', 'DCSettingIndex')
    if ($values) { [ordered]@{ setting = $setting; ac = $values['ACSettingIndex']; dc = $values['DCSettingIndex'] } }
  }
}

# Sections consoleLock and standbyIdle: the active power scheme's password-on-wake and sleep timeout.
$consoleLock = Invoke-Section { Invoke-Powercfg @('/qh', 'SCHEME_CURRENT', 'SUB_NONE', 'CONSOLELOCK') }
$standbyIdle = Invoke-Section { Invoke-Powercfg @('/qh', 'SCHEME_CURRENT', 'SUB_SLEEP', 'STANDBYIDLE') }

Write-ProbeDocument ([ordered]@{
  probe = 'screen-lock'; machinePolicy = $machinePolicy; userDesktop = $userDesktop; policyDesktop = $policyDesktop
  powerPolicy = $powerPolicy; consoleLock = $consoleLock; standbyIdle = $standbyIdle
})
`);
