/**
 * The osUpdates probe: one powershell.exe, one JSON document (parsed by parse-os-updates-json.ts).
 * Every section is readable by a standard user: HKLM policy and settings keys grant Users read,
 * and the Windows Update Agent's AutoUpdate and SystemInfo objects answer without elevation. No
 * section searches for updates (IUpdateSearcher contacts the update service and can take minutes).
 */
import { powerShellProbe } from '../windows/powershell-prelude.js';

export const OS_UPDATES_SCRIPT = powerShellProbe(String.raw`
# A registry key's values as a record, or no record when the key does not exist (not an error:
# most machines have no Windows Update policy at all).
function Read-Key([string]$path, [string[]]$names) {
  if (Test-Path -LiteralPath $path) {
    $item = Get-ItemProperty -LiteralPath $path
    $record = [ordered]@{}
    foreach ($name in $names) {
      $value = $item.PSObject.Properties[$name]
      $record[$name] = if ($null -eq $value) { $null } elseif ($value.Value -is [int] -or $value.Value -is [long]) { [long]$value.Value } else { [string]$value.Value }
    }
    $record
  }
}

# Section policy: Group Policy "Configure Automatic Updates" (NoAutoUpdate, AUOptions 2-5/7) and the
# update source (WSUS) (learn.microsoft.com: Configure Group Policy settings for Automatic Updates).
$policy = Invoke-Section {
  Read-Key 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU' @('NoAutoUpdate', 'AUOptions', 'ScheduledInstallDay', 'ScheduledInstallTime', 'UseWUServer')
}
$wsus = Invoke-Section {
  Read-Key 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' @('WUServer', 'DisableWindowsUpdateAccess')
}

# Section mdm: the Policy CSP's Update/AllowAutoUpdate (0 notify to download, 1-4 install
# automatically, 5 off) as an MDM such as Intune sets it.
$mdm = Invoke-Section {
  Read-Key 'HKLM:\SOFTWARE\Microsoft\PolicyManager\current\device\Update' @('AllowAutoUpdate')
}

# Section pause: updates paused from Settings (or by policy) until these UTC times.
$pause = Invoke-Section {
  Read-Key 'HKLM:\SOFTWARE\Microsoft\WindowsUpdate\UX\Settings' @('PauseUpdatesExpiryTime', 'PauseQualityUpdatesEndTime', 'PauseFeatureUpdatesEndTime')
}

# Section service: the Windows Update service's start type (2 automatic, 3 manual, 4 disabled).
$service = Invoke-Section {
  Read-Key 'HKLM:\SYSTEM\CurrentControlSet\Services\wuauserv' @('Start')
}

# Section autoUpdate: IAutomaticUpdatesSettings.NotificationLevel (0 not configured, 1 disabled,
# 2 notify before download, 3 notify before installation, 4 scheduled installation), whether a
# policy sets it (ReadOnly), and when the last search and installation succeeded.
$autoUpdate = Invoke-Section {
  $au = New-Object -ComObject 'Microsoft.Update.AutoUpdate'
  [ordered]@{
    notificationLevel = (ConvertTo-Number $au.Settings.NotificationLevel)
    readOnly = [bool]$au.Settings.ReadOnly
    serviceEnabled = [bool]$au.ServiceEnabled
    lastSearchSuccessDate = (ConvertTo-IsoDate $au.Results.LastSearchSuccessDate)
    lastInstallationSuccessDate = (ConvertTo-IsoDate $au.Results.LastInstallationSuccessDate)
  }
}

# Section reboot: Windows Update's own flag key, and ISystemInformation.RebootRequired.
$reboot = Invoke-Section {
  [ordered]@{ rebootRequiredKey = (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') }
}
$systemInfo = Invoke-Section {
  [ordered]@{ rebootRequired = [bool](New-Object -ComObject 'Microsoft.Update.SystemInfo').RebootRequired }
}

Write-ProbeDocument ([ordered]@{
  probe = 'osUpdates'; policy = $policy; wsus = $wsus; mdm = $mdm; pause = $pause; service = $service
  autoUpdate = $autoUpdate; reboot = $reboot; systemInfo = $systemInfo
})
`);
