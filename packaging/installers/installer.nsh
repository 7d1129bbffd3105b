; Posture Agent: hooks for electron-builder's NSIS installer (nsis.include in electron-builder.yml).
;
; The installer is per-machine (elevated) and installs the app in "$PROGRAMFILES64\Posture Agent".
; win.extraFiles ships, next to "Posture Agent.exe":
;   posture-agent.cmd                 the posture-agent command (packaging/installers/windows)
;   service\posture-agent-task.xml    the daemon's scheduled task        (packaging/windows)
;   service\install-task.ps1          registers the task and starts it   (packaging/windows)
;   service\uninstall-task.ps1        stops and removes the task         (packaging/windows)
; These hooks run the two scripts: install-task.ps1 after the files are installed, and
; uninstall-task.ps1 before they are removed. An upgrade runs the old version's uninstaller
; first (which removes the task) and then this installer (which registers it again, for the new
; files). A failing script does not abort the installation or the uninstallation: the app works
; without the daemon; the message says how to run the script by hand.
; The MSI target has no such hooks: after an MSI installation run install-task.ps1, before an MSI
; removal uninstall-task.ps1 (packaging/README.md).

; Runs one of the service scripts with the 64-bit Windows PowerShell (the installer itself is a
; 32-bit program, whose System32 is redirected to SysWOW64).
!macro PostureAgentRunScript SCRIPT WHAT
  Push $0
  ${If} ${RunningX64}
    ${DisableX64FSRedirection}
  ${EndIf}
  DetailPrint "Posture Agent: ${WHAT}"
  nsExec::ExecToLog '"$WINDIR\System32\WindowsPowerShell\v1.0\powershell.exe" -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "$INSTDIR\service\${SCRIPT}"'
  Pop $0
  ${If} ${RunningX64}
    ${EnableX64FSRedirection}
  ${EndIf}
  ${If} $0 != 0
    DetailPrint "Posture Agent: ${SCRIPT} failed ($0)"
    MessageBox MB_OK|MB_ICONEXCLAMATION "Posture Agent could not ${WHAT} (${SCRIPT} returned $0).$\r$\nRun it again from an elevated PowerShell:$\r$\n$INSTDIR\service\${SCRIPT}" /SD IDOK
  ${EndIf}
  Pop $0
!macroend

!macro customInstall
  !insertmacro PostureAgentRunScript "install-task.ps1" "register and start its background service"
!macroend

!macro customUnInstall
  !insertmacro PostureAgentRunScript "uninstall-task.ps1" "stop and remove its background service"
!macroend
