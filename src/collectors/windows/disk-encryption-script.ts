/**
 * The diskEncryption probe. Parsed by disk-encryption/parse-bitlocker-json.ts.
 */
import { powerShellProbe } from './powershell-prelude.js';

export const DISK_ENCRYPTION_SCRIPT = powerShellProbe(String.raw`
# Section fixedVolumes: every fixed volume (Win32_LogicalDisk DriveType 3, "Local Disk") with the
# BitLocker state Explorer shows, the shell property System.Volume.BitLockerProtection. A standard
# user can read both.
$fixedVolumes = Invoke-Section {
  $shell = New-Object -ComObject Shell.Application
  Get-CimInstance -ClassName Win32_LogicalDisk -Filter 'DriveType = 3' | ForEach-Object {
    $folder = $shell.NameSpace($_.DeviceID + '\')
    [ordered]@{
      drive = $_.DeviceID
      protection = $(if ($folder) { $folder.Self.ExtendedProperty('System.Volume.BitLockerProtection') } else { $null })
    }
  }
}

# Section bitLocker: Get-BitLockerVolume, for administrators and SYSTEM only (a standard user gets
# "access denied" or nothing at all, so it is not even tried unelevated). Enums as numbers; key
# protectors by type only, never their secrets. EncryptionPercentage stays as it is (a fraction may
# follow the point), $null for a locked volume.
$bitLocker = Invoke-Section {
  $principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
  if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw (New-Object UnauthorizedAccessException 'Get-BitLockerVolume needs administrator rights; this process is not elevated.')
  }
  # A volume without a drive letter makes Get-BitLockerVolume report an error but still list the others.
  $volumes = @(Get-BitLockerVolume -ErrorAction SilentlyContinue -ErrorVariable failures)
  if ($volumes.Count -eq 0 -and $failures.Count -gt 0) { throw $failures[0] }
  $volumes | ForEach-Object {
    [ordered]@{
      mountPoint = $_.MountPoint
      volumeType = (ConvertTo-Number $_.VolumeType)
      volumeStatus = (ConvertTo-Number $_.VolumeStatus)
      protectionStatus = (ConvertTo-Number $_.ProtectionStatus)
      lockStatus = (ConvertTo-Number $_.LockStatus)
      encryptionPercentage = $_.EncryptionPercentage
      encryptionMethod = (ConvertTo-Number $_.EncryptionMethod)
      keyProtectorTypes = @($_.KeyProtector | ForEach-Object { ConvertTo-Number $_.KeyProtectorType })
    }
  }
}

Write-ProbeDocument ([ordered]@{
  probe = 'diskEncryption'
  systemDrive = $env:SystemDrive
  fixedVolumes = $fixedVolumes
  bitLocker = $bitLocker
})
`);
