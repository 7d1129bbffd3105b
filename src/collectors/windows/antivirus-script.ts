/**
 * The antivirus probe. Parsed by antivirus/parse-antivirus-json.ts.
 */
import { powerShellProbe } from './powershell-prelude.js';

export const ANTIVIRUS_SCRIPT = powerShellProbe(String.raw`
# Section securityCenter: every antivirus product registered with Windows Security Center.
# Workstations only: Windows Server has no root/SecurityCenter2 namespace ("Invalid namespace").
$securityCenter = Invoke-Section {
  Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName AntiVirusProduct | ForEach-Object {
    [ordered]@{
      displayName = $_.displayName
      productState = (ConvertTo-Number $_.productState)
      pathToSignedProductExe = $_.pathToSignedProductExe
    }
  }
}

# Section defender: Microsoft Defender Antivirus through MSFT_MpComputerStatus, the CIM class behind
# Get-MpComputerStatus (it answers on Windows Server too). Dates as UTC ISO 8601.
$defender = Invoke-Section {
  Get-CimInstance -Namespace 'root/Microsoft/Windows/Defender' -ClassName MSFT_MpComputerStatus | ForEach-Object {
    [ordered]@{
      amRunningMode = $_.AMRunningMode
      amServiceEnabled = $_.AMServiceEnabled
      antivirusEnabled = $_.AntivirusEnabled
      realTimeProtectionEnabled = $_.RealTimeProtectionEnabled
      antivirusSignatureAge = (ConvertTo-Number $_.AntivirusSignatureAge)
      antivirusSignatureLastUpdated = (ConvertTo-IsoDate $_.AntivirusSignatureLastUpdated)
      defenderSignaturesOutOfDate = $_.DefenderSignaturesOutOfDate
      amProductVersion = $_.AMProductVersion
    }
  }
}

Write-ProbeDocument ([ordered]@{ probe = 'antivirus'; securityCenter = $securityCenter; defender = $defender })
`);
