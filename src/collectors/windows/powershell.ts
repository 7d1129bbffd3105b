/**
 * Running a PowerShell probe: one powershell.exe per signal, the script passed as -EncodedCommand
 * (Base64 of UTF-16LE, about_PowerShell_exe), so no quoting reaches a shell and no file is written.
 */
import type { CommandResult, Host } from '../host.js';
import { WIN32_COMMANDS } from '../../exec/commands-win32.js';

/** CreateProcess limits a command line to 32,767 characters (learn.microsoft.com, CreateProcessW). */
const MAX_COMMAND_LINE = 32_767;

function encodePowerShell(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

export function powerShellArguments(script: string): string[] {
  const args = ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encodePowerShell(script)];
  const length = [WIN32_COMMANDS.powershell, ...args].join(' ').length;
  if (length > MAX_COMMAND_LINE) throw new Error(`A PowerShell probe is ${length} characters long; Windows accepts ${MAX_COMMAND_LINE}.`);
  return args;
}

/**
 * What a Windows tool said: its standard output, or its error output when it printed nothing else
 * (reg.exe and PowerShell report refusals on stderr), so the parser sees the refusal's text.
 */
export function outputText(result: CommandResult): string {
  return result.stdout.trim() === '' ? result.stderr : result.stdout;
}

/** Runs a probe script and returns what it printed (see outputText). */
export async function runPowerShell(host: Host, script: string): Promise<string> {
  return outputText(await host.run(WIN32_COMMANDS.powershell, powerShellArguments(script)));
}
