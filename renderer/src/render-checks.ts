/** The list of checks: title, status in words and icon, the reason, and what to do for anything not passing. */
import type { TrayCheck } from '../../src/tray/tray-view.js';
import { byUrgency, checkIcon, checkKind, IMPACT_TEXT, STATUS_TEXT } from './check-kind.js';
import { element } from './dom.js';
import type { TimeFormat } from './format-time.js';
import { icon } from './icons.js';

export function renderCheck(check: TrayCheck, format: TimeFormat): HTMLLIElement {
  const kind = checkKind(check);
  const item = element('li', { className: 'check', attributes: { 'data-kind': kind, 'data-check': check.id } });
  const iconBox = element('span', { className: 'check-icon', attributes: { 'aria-hidden': 'true' } }, icon(checkIcon(check)));
  const body = element('div', { className: 'check-body' });

  body.append(element('h3', { className: 'check-title', text: check.title }));

  const status = element('p', { className: 'check-status' });
  status.append(element('span', { className: 'tag tag-status', text: STATUS_TEXT[check.status] }));
  const impact = IMPACT_TEXT[kind];
  if (impact !== null) {
    status.append(element('span', { className: 'visually-hidden', text: ', ' }));
    status.append(element('span', { className: 'tag tag-impact', text: impact }));
  }
  body.append(status);

  if (check.reason !== '') body.append(element('p', { className: 'check-reason', text: check.reason }));

  if (kind !== 'pass' && check.remediation !== null && check.remediation !== '') {
    const fix = element('p', { className: 'check-fix' });
    fix.append(element('span', { className: 'check-fix-label', text: 'How to fix: ' }), check.remediation);
    body.append(fix);
  }

  if (kind !== 'pass' && check.graceDeadline !== null) {
    const short = format.deadline(check.graceDeadline);
    const exact = format.exact(check.graceDeadline);
    if (short !== null && exact !== null) {
      const time = element('time', { text: `Fix before ${short}`, attributes: { datetime: check.graceDeadline, title: exact } });
      body.append(element('p', { className: 'check-deadline' }, icon('clock'), time));
    }
  }

  item.append(iconBox, body);
  return item;
}

export function checksSummary(checks: readonly TrayCheck[]): string {
  if (checks.length === 0) return 'No results yet: they appear after the first check.';
  const open = checks.filter((check) => check.status !== 'pass').length;
  const total = checks.length;
  if (open === 0) return total === 1 ? 'The check passes.' : `All ${total} checks pass.`;
  return `${open} of ${total} ${total === 1 ? 'check' : 'checks'} ${open === 1 ? 'needs' : 'need'} attention.`;
}

export function renderChecks(list: HTMLUListElement, summary: HTMLElement, checks: readonly TrayCheck[], format: TimeFormat): void {
  list.replaceChildren(...byUrgency(checks).map((check) => renderCheck(check, format)));
  summary.textContent = checksSummary(checks);
}
