/**
 * The firewall probe. Parsed by firewall/parse-firewall-json.ts.
 */
import { powerShellProbe } from './powershell-prelude.js';

export const FIREWALL_SCRIPT = powerShellProbe(String.raw`
# Section profiles: the Domain, Private and Public profiles as enforced. The ActiveStore merges local
# and Group Policy settings (Get-NetFirewallProfile docs: "To view enforced settings, view the
# firewall settings from the ActiveStore"). Enabled is a GpoBoolean: 0 False, 1 True, 2 NotConfigured.
$profiles = Invoke-Section {
  Get-NetFirewallProfile -PolicyStore ActiveStore | ForEach-Object {
    [ordered]@{ name = [string]$_.Name; enabled = (ConvertTo-Number $_.Enabled) }
  }
}

# Section thirdParty: firewalls registered with Windows Security Center; a third-party firewall that
# takes over is visible only here. Workstations only: Windows Server has no root/SecurityCenter2.
$thirdParty = Invoke-Section {
  Get-CimInstance -Namespace 'root/SecurityCenter2' -ClassName FirewallProduct | ForEach-Object {
    [ordered]@{ displayName = $_.displayName; productState = (ConvertTo-Number $_.productState) }
  }
}

Write-ProbeDocument ([ordered]@{ probe = 'firewall'; profiles = $profiles; thirdParty = $thirdParty })
`);
