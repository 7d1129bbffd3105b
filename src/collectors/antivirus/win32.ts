/**
 * The Windows antivirus signal: one PowerShell probe (windows/antivirus-script.ts) reading Windows
 * Security Center's AntiVirusProduct list (every registered product, workstations only) and
 * Microsoft Defender's MSFT_MpComputerStatus. The list is complete only when Security Center was
 * read. Where it does not exist (Windows Server: "Invalid namespace") a working Defender still
 * proves protection, but a Defender that is off proves nothing: another product the agent cannot
 * see may protect the server, so the answer is unknown, with an error saying why.
 */
import { attempt } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';
import { ANTIVIRUS_SCRIPT } from '../windows/antivirus-script.js';
import { problemCode } from '../windows/parse-powershell-document.js';
import { runPowerShell } from '../windows/powershell.js';
import { parseAntivirusJson, type AntivirusReading } from './parse-antivirus-json.js';
import { deriveAntivirusStatus, UNKNOWN_ANTIVIRUS, type Antivirus } from './schema.js';

function isComplete(reading: AntivirusReading): boolean {
  return reading.securityCenter === 'read';
}

function reportProblems(ctx: CollectContext, reading: AntivirusReading, status: Antivirus['status']): void {
  const { securityCenter, defender } = reading;
  let reported = false;
  const report = (...args: Parameters<CollectContext['error']>): void => {
    reported = true;
    ctx.error(...args);
  };
  if (securityCenter !== 'read' && securityCenter.kind !== 'not-available') {
    report(problemCode(securityCenter), `Windows Security Center's antivirus list (root/SecurityCenter2 AntiVirusProduct) could not be read: ${securityCenter.message}`);
  }
  if (securityCenter !== 'read' && securityCenter.kind === 'not-available' && status !== 'protected') {
    report('ERR_UNSUPPORTED', `Windows Security Center does not exist here (as on Windows Server), so only Microsoft Defender could be checked: ${securityCenter.message}`);
  }
  // Defender missing is normal where Security Center lists the product that replaced it.
  if (defender !== 'read' && (defender.kind !== 'not-available' || securityCenter !== 'read')) {
    const hint = defender.kind === 'access-denied' ? ' (Defender hardening can refuse it to standard users)' : '';
    report(problemCode(defender), `Microsoft Defender's status (MSFT_MpComputerStatus) could not be read${hint}: ${defender.message}`);
  }
  if (status === 'unknown' && !reported) {
    const unclear = reading.products.filter((product) => product.enabled === null || product.realTime === null || product.upToDate === null);
    report('ERR_SIGNAL_UNAVAILABLE', `No product is known to protect, and the state of ${unclear.map((product) => product.name).join(', ') || 'the products'} is not fully known.`);
  }
}

export async function collectAntivirusWin32(host: Host, ctx: CollectContext): Promise<Antivirus> {
  const reading = await attempt(ctx, 'The antivirus state (PowerShell: Security Center and Microsoft Defender)', async () =>
    parseAntivirusJson(await runPowerShell(host, ANTIVIRUS_SCRIPT), ctx.now),
  );
  if (!reading) return UNKNOWN_ANTIVIRUS;
  const status = deriveAntivirusStatus(reading.products, isComplete(reading));
  reportProblems(ctx, reading, status);
  return { status, products: reading.products };
}
