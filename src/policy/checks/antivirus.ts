import type { AntivirusProduct } from '../../collectors/antivirus/schema.js';
import { defineCheck, unknownOutcome, type Zod } from './check.js';
import { forPlatform, perPlatform } from './per-platform.js';

const DAY_MS = 86_400_000;

const params = (z: Zod) => z.strictObject({ maxDefinitionsAgeDays: perPlatform(z, z.number().int().positive().max(365)).optional() }).optional();

function definitionsAgeDays(product: AntivirusProduct, now: Date): number | null {
  if (!product.definitionsUpdatedAt) return null;
  const updated = Date.parse(product.definitionsUpdatedAt);
  return Number.isNaN(updated) ? null : Math.floor((now.getTime() - updated) / DAY_MS);
}

/** Why a product does not protect, or null when it does. */
function shortfall(product: AntivirusProduct, maxAgeDays: number | undefined, now: Date): string | null {
  const detail = product.state ? ` (${product.state})` : '';
  if (product.enabled === false) return `${product.name} is not running${detail}`;
  if (product.realTime === false) return `${product.name} has real-time protection off${detail}`;
  if (product.upToDate === false) return `${product.name} has out-of-date definitions${detail}`;
  const age = definitionsAgeDays(product, now);
  if (maxAgeDays !== undefined && age !== null && age > maxAgeDays) {
    return `${product.name} definitions are ${age} days old (at most ${maxAgeDays} allowed)`;
  }
  if (product.enabled === null || product.realTime === null || product.upToDate === null) return `${product.name}: state could not be read`;
  return null;
}

export const antivirusActive = defineCheck({
  type: 'antivirus.active',
  title: 'Antivirus runs in real time with current definitions',
  signal: 'antivirus',
  params,
  evaluate(report, checkParams, now) {
    const maxAge = forPlatform(checkParams?.maxDefinitionsAgeDays, report.os.platform);
    const { products, status } = report.antivirus;
    const shortfalls = products.map((product) => ({ product, why: shortfall(product, maxAge, now) }));
    const protecting = shortfalls.find((entry) => entry.why === null);
    if (protecting) return { status: 'pass', reason: `${protecting.product.name} is on, scanning in real time, with current definitions.` };
    const known = shortfalls.filter((entry) => !entry.why!.endsWith('could not be read'));
    if (status === 'unknown' || known.length < shortfalls.length) {
      const outcome = unknownOutcome(report, 'antivirus', 'whether antivirus protects this device');
      return known.length > 0 ? { ...outcome, reason: `${outcome.reason} ${known.map((e) => e.why).join('; ')}.` } : outcome;
    }
    if (products.length === 0) return { status: 'fail', reason: 'No antivirus product was found.' };
    return { status: 'fail', reason: `${shortfalls.map((entry) => entry.why).join('; ')}.` };
  },
  remediation: {
    win32: 'Open Windows Security > Virus & threat protection: turn on real-time protection and click "Check for updates" under protection updates.',
    darwin: 'Keep automatic security updates on (System Settings > General > Software Update > Automatic Updates: "Install Security Responses and system files") and keep Gatekeeper on.',
    linux: 'Make sure the company antivirus runs and updates its definitions (for ClamAV: "sudo systemctl enable --now clamav-freshclam clamav-daemon").',
  },
});
