/**
 * The TPM on Windows.
 *
 * 1. One PowerShell probe (tpm/tpm-script.ts): Get-Tpm and Win32_Tpm. Both need administrator
 *    rights; the agent's service runs as SYSTEM and reads them.
 * 2. Only when neither answered (a standard user: both "access denied"): `tpmtool.exe
 *    getdeviceinformation`, which answers a standard user in the user's language. It tells
 *    presence, version, maker and "Ready For Storage", not whether the TPM is enabled: `enabled`
 *    stays null and the report's errors keep the refusal that explains it.
 */
import { WIN32_COMMANDS } from '../../exec/commands-win32.js';
import { attempt } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { outputText, runPowerShell } from '../windows/powershell.js';
import { parseTpmJson } from './parse-tpm-json.js';
import { parseTpmtool, TPMTOOL_SOURCE } from './parse-tpmtool.js';
import { UNKNOWN_TPM, type Tpm } from './schema.js';
import { TPM_SCRIPT } from './tpm-script.js';

export async function collectTpmWin32(host: Host, ctx: CollectContext): Promise<Tpm> {
  const probe = await attempt(ctx, 'The TPM (PowerShell: Get-Tpm and Win32_Tpm)', async () => parseTpmJson(await runPowerShell(host, TPM_SCRIPT)));
  for (const problem of probe?.problems ?? []) ctx.error(problem.code, problem.message);
  if (probe?.tpm) return probe.tpm;
  const tool = await attempt(ctx, TPMTOOL_SOURCE, async () =>
    parseTpmtool(outputText(await host.run(WIN32_COMMANDS.tpmtool, ['getdeviceinformation']))),
  );
  return tool ?? UNKNOWN_TPM;
}
