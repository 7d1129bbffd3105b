#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
Registers the "\Posture Agent" scheduled task, which runs the Posture Agent daemon as SYSTEM at
every boot, and starts it now.

.DESCRIPTION
Reads the task definition (posture-agent-task.xml, next to this script unless -TaskXml names
another file), checks that it is well-formed XML and that the launcher it runs is installed,
closes the state folder %ProgramData%\PostureAgent to everyone but SYSTEM and Administrators
(its "shared" subfolder stays readable by Users, for the tray app), then registers it with Register-ScheduledTask -Xml (replacing an earlier registration) and starts it.
Run from an elevated PowerShell; the Windows installer runs it after copying the app.
Equivalent by hand: schtasks /Create /XML "<absolute path>\posture-agent-task.xml" /TN "Posture Agent" /F

.PARAMETER TaskXml
Path of the task definition. Used only as a literal path: it is never expanded or executed.

.PARAMETER NoStart
Register the task without starting it (it then starts at the next boot).
#>
[CmdletBinding()]
param(
    [Parameter()]
    [ValidateNotNullOrEmpty()]
    [string] $TaskXml = (Join-Path -Path $PSScriptRoot -ChildPath 'posture-agent-task.xml'),

    [Parameter()]
    [switch] $NoStart
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$TaskName = 'Posture Agent'
$TaskPath = '\'

# The 64-bit Program Files, as the Task Scheduler service expands %ProgramFiles%, even when this
# script runs in a 32-bit PowerShell (where $env:ProgramFiles is "Program Files (x86)").
$programFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }
$launcher = Join-Path -Path $programFiles -ChildPath 'Posture Agent\posture-agent.cmd'
if (-not (Test-Path -LiteralPath $launcher -PathType Leaf)) {
    throw "The Posture Agent launcher '$launcher' is missing: install the Posture Agent app first."
}

# The daemon's state (device key, enrolment): SYSTEM and Administrators only, nothing inherited
# from ProgramData (where every user may read). Its "shared" folder, where the daemon publishes
# the status for every user's tray app, is readable by Users. SIDs, not names: names are localised.
$icacls = Join-Path -Path $env:SystemRoot -ChildPath 'System32\icacls.exe'
$stateDir = Join-Path -Path $env:ProgramData -ChildPath 'PostureAgent'
$sharedDir = Join-Path -Path $stateDir -ChildPath 'shared'
$null = New-Item -ItemType Directory -Force -Path $sharedDir
& $icacls $stateDir /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' /Q
if ($LASTEXITCODE -ne 0) { throw "icacls could not restrict '$stateDir' (exit $LASTEXITCODE)." }
& $icacls $sharedDir /grant:r '*S-1-5-32-545:(OI)(CI)RX' /Q
if ($LASTEXITCODE -ne 0) { throw "icacls could not open '$sharedDir' to Users (exit $LASTEXITCODE)." }

$definitionPath = (Resolve-Path -LiteralPath $TaskXml).ProviderPath
# The file is ASCII (see packaging/README.md); read it as UTF-8, which ASCII is a subset of.
$definition = [System.IO.File]::ReadAllText($definitionPath, [System.Text.Encoding]::UTF8)
# Refuse a damaged file before Task Scheduler sees it.
$null = [xml] $definition

Register-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -Xml $definition -Force | Out-Null
Write-Output "Registered the scheduled task '$TaskPath$TaskName' from '$definitionPath'."

if (-not $NoStart) {
    Start-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath
    Write-Output "Started '$TaskPath$TaskName'."
}
