#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
Stops and removes the "\Posture Agent" scheduled task.

.DESCRIPTION
Stops the running daemon (if any) and unregisters the task. Does nothing, successfully, when the
task is not registered, so the Windows uninstaller can run it unconditionally. The agent's state
(device key, enrolment) in %ProgramData%\PostureAgent is left alone: removing it is a separate,
deliberate step, because a new key means enrolling the device again.
Equivalent by hand: schtasks /End /TN "Posture Agent" and schtasks /Delete /TN "Posture Agent" /F
#>
[CmdletBinding()]
param()

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$TaskName = 'Posture Agent'
$TaskPath = '\'

$task = Get-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -ErrorAction SilentlyContinue
if ($null -eq $task) {
    Write-Output "The scheduled task '$TaskPath$TaskName' is not registered; nothing to do."
    return
}

if ($task.State -eq 'Running') {
    Stop-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath
}
Unregister-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -Confirm:$false
Write-Output "Removed the scheduled task '$TaskPath$TaskName'."
