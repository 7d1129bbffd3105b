/**
 * The human view of a check: one line per rule, with the grace deadline and what to do under
 * each that is not a pass. `formatVerdicts` is the one formatter of verdict lines: `check` and
 * `status` both print through it. Pure.
 */
import type { Evaluation, Verdict } from '../policy/types.js';
import type { PostureReport } from '../collectors/report.js';

const STYLES = { green: '\u001b[32m', red: '\u001b[31m', yellow: '\u001b[33m', dim: '\u001b[2m', bold: '\u001b[1m', reset: '\u001b[0m' };
export type Style = keyof typeof STYLES;

export function painter(color: boolean): (style: Style, text: string) => string {
  return (style, text) => (color ? `${STYLES[style]}${text}${STYLES.reset}` : text);
}

function mark(verdict: Verdict): { text: string; style: Style } {
  if (verdict.status === 'pass') return { text: 'PASS', style: 'green' };
  if (!verdict.blocking) return { text: verdict.status === 'unknown' ? 'UNKNOWN' : 'WARN', style: 'yellow' };
  return { text: verdict.status === 'unknown' ? 'UNKNOWN' : 'FAIL', style: 'red' };
}

const HEADLINE: Record<Evaluation['status'], { text: string; style: Style }> = {
  compliant: { text: 'COMPLIANT', style: 'green' },
  warning: { text: 'COMPLIANT, WITH WARNINGS', style: 'yellow' },
  noncompliant: { text: 'NOT COMPLIANT', style: 'red' },
};

export function shortTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line per verdict (mark, rule, reason), then its grace deadline and its fix when it has them. */
export function formatVerdicts(verdicts: readonly Verdict[], color: boolean): string[] {
  const paint = painter(color);
  const width = Math.max(0, ...verdicts.map((verdict) => verdict.id.length));
  const indent = ' '.repeat(2 + 7 + 2 + width + 2);
  const out: string[] = [];
  for (const verdict of verdicts) {
    const { text, style } = mark(verdict);
    out.push(`  ${paint(style, text.padEnd(7))}  ${verdict.id.padEnd(width)}  ${verdict.reason}`);
    if (verdict.graceDeadline) out.push(`${indent}${paint('yellow', `Access will be blocked after ${shortTime(verdict.graceDeadline)} unless fixed.`)}`);
    if (verdict.remediation) out.push(`${indent}To fix: ${verdict.remediation}`);
  }
  return out;
}

export function formatCheck(report: PostureReport, evaluation: Evaluation, color: boolean): string {
  const paint = painter(color);
  const os = [report.os.name, report.os.version ?? report.os.build].filter(Boolean).join(' ') || report.os.platform;
  const headline = HEADLINE[evaluation.status];
  const out: string[] = [
    `${paint('bold', report.device.hostname ?? 'This device')} (${os}): ${paint(headline.style, headline.text)}`,
    paint('dim', `Policy ${evaluation.policy.id} v${evaluation.policy.version}, checked ${shortTime(report.collectedAt)}`),
    '',
    ...formatVerdicts(evaluation.verdicts, color),
  ];
  out.push('');
  out.push(evaluation.tiers.length > 0 ? `Access tiers allowed: ${evaluation.tiers.join(', ')}` : paint('red', 'Access tiers allowed: none'));
  if (report.errors.length > 0) {
    out.push(paint('dim', `Not readable: ${[...new Set(report.errors.map((error) => `${error.signal} (${error.code})`))].join(', ')}; run with --json for details.`));
  }
  return `${out.join('\n')}\n`;
}
