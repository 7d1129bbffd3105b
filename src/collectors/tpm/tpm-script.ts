/**
 * The Windows TPM probe (one powershell.exe). Parsed by tpm/parse-tpm-json.ts. Both sections need
 * administrator rights (Get-Tpm and the root\cimv2\Security\MicrosoftTpm namespace); a standard
 * user gets "access denied" in both, and the collector then asks tpmtool.exe instead.
 */
import { powerShellProbe } from '../windows/powershell-prelude.js';

export const TPM_SCRIPT = powerShellProbe(String.raw`
# Section getTpm: Get-Tpm (TrustedPlatformModule module). Builds before Windows 10 1909 or so lack
# TpmEnabled, TpmActivated and TpmOwned (MicrosoftDocs/windows-powershell-docs#1527): a property the
# object does not have is left out of the item, so it reads as null, never as false.
$getTpm = Invoke-Section {
  $tpm = Get-Tpm
  $item = [ordered]@{}
  $names = [ordered]@{
    tpmPresent = 'TpmPresent'; tpmReady = 'TpmReady'; tpmEnabled = 'TpmEnabled'; tpmActivated = 'TpmActivated'
    tpmOwned = 'TpmOwned'; manufacturerId = 'ManufacturerId'; manufacturerIdTxt = 'ManufacturerIdTxt'
    manufacturerVersionFull20 = 'ManufacturerVersionFull20'
  }
  foreach ($key in $names.Keys) {
    $property = $tpm.PSObject.Properties[$names[$key]]
    if ($null -ne $property) { $item[$key] = $property.Value }
  }
  $item
}

# Section win32Tpm: the WMI class behind Get-Tpm, for SpecVersion ("2.0, 0, 1.38": version, level,
# revision; learn.microsoft.com/windows/win32/secprov/win32-tpm). No instance when there is no TPM.
# IsReady is a method: asked only when Get-Tpm, which reports TpmReady, did not answer.
$win32Tpm = Invoke-Section {
  Get-CimInstance -Namespace 'root/cimv2/Security/MicrosoftTpm' -ClassName Win32_Tpm | ForEach-Object {
    $ready = $null
    if ($null -ne $getTpm.error) {
      try {
        $answer = Invoke-CimMethod -InputObject $_ -MethodName IsReady
        if ($answer.ReturnValue -eq 0) { $ready = $answer.IsReady }
      } catch { }
    }
    [ordered]@{
      specVersion = $_.SpecVersion; manufacturerId = (ConvertTo-Number $_.ManufacturerId); manufacturerIdTxt = $_.ManufacturerIdTxt
      enabled = $_.IsEnabled_InitialValue; activated = $_.IsActivated_InitialValue; owned = $_.IsOwned_InitialValue; ready = $ready
    }
  }
}

Write-ProbeDocument ([ordered]@{ probe = 'tpm'; getTpm = $getTpm; win32Tpm = $win32Tpm })
`);
