/** The overall state, why access is blocked, problems and notices, facts about the device, what is collected. */
import type { DaemonState } from '../../src/api/local-api-types.js';
import type { TrayView } from '../../src/tray/tray-view.js';
import { element, setHidden, setText } from './dom.js';
import { timeElement, type TimeFormat } from './format-time.js';
import { icon, type IconName } from './icons.js';
import type { Ui } from './ui.js';

/** The badge: words and an icon for each state, so the colour is never the only signal. */
export const STATE_BADGES: Readonly<Record<DaemonState, { label: string; icon: IconName }>> = {
  compliant: { label: 'Compliant', icon: 'check' },
  warning: { label: 'Needs attention soon', icon: 'alert' },
  noncompliant: { label: 'Access blocked', icon: 'blocked' },
  unknown: { label: 'Status unknown', icon: 'question' },
  offline: { label: 'Cannot reach the service', icon: 'offline' },
};

export function renderStatus(ui: Ui, view: TrayView, checking: boolean): void {
  const badge = STATE_BADGES[view.state];
  if (ui.status.dataset.state !== view.state || ui.statusIcon.childElementCount === 0) {
    ui.status.dataset.state = view.state;
    ui.statusIcon.replaceChildren(icon(badge.icon));
  }
  setText(ui.badge, badge.label);
  setText(ui.headline, view.headline);
  setHidden(ui.progress, !checking);
  setText(ui.blocked, view.blockedReason ?? '');
  setHidden(ui.blocked, view.blockedReason === null || view.blockedReason === '');
}

export function renderProblems(ui: Ui, view: TrayView): void {
  setHidden(ui.problem, view.error === null);
  setText(ui.problemMessage, view.error?.message ?? '');
  setText(ui.problemCode, view.error ? `Code for IT: ${view.error.code}` : '');
  setHidden(ui.notices, view.warnings.length === 0);
  ui.noticeList.replaceChildren(...view.warnings.map((warning) => element('li', {}, icon('info'), element('span', { text: warning }))));
}

function renderTime(target: HTMLElement, iso: string | null, format: TimeFormat, now: number, missing: string): void {
  const time = iso === null ? null : timeElement(iso, format, now);
  const current = target.firstElementChild;
  // Keep the same node when nothing changed (the refresh runs every few seconds).
  if (time && current instanceof HTMLTimeElement && current.dateTime === time.dateTime && current.textContent === time.textContent && current.title === time.title) return;
  if (time) target.replaceChildren(time);
  else setText(target, iso === null ? missing : iso);
}

/** The times only: refreshed as time passes. */
export function renderTimes(ui: Ui, view: TrayView, format: TimeFormat, now: number): void {
  const lastCheck = view.lastCheckAt === null ? null : format.relative(view.lastCheckAt, now);
  setText(ui.statusMeta, lastCheck === null ? 'Not checked yet' : `Last check ${lastCheck}`);
  renderTime(ui.lastCheck, view.lastCheckAt, format, now, 'Not yet');
  renderTime(ui.lastDelivery, view.lastDeliveryAt, format, now, 'Not yet');
  renderTime(ui.nextCheck, view.nextCheckAt, format, now, 'Not scheduled');
}

export function renderDetails(ui: Ui, view: TrayView, format: TimeFormat, now: number): void {
  renderTimes(ui, view, format, now);
  setText(ui.deviceId, view.deviceId ?? 'Not known yet');
  ui.deviceId.classList.toggle('muted', view.deviceId === null);
  setHidden(ui.copy, view.deviceId === null);
  setText(ui.policy, view.policy ?? 'None yet');
  if (view.tiers.length === 0) {
    setText(ui.tiers, 'None');
  } else {
    ui.tiers.replaceChildren(element('span', { className: 'chips' }, ...view.tiers.map((tier) => element('span', { className: 'chip', text: tier }))));
  }
  const service = view.service ?? 'None configured';
  setText(ui.service, view.service !== null && !view.enrolled ? `${service} (not enrolled yet)` : service);
}

export function renderCollected(ui: Ui, view: TrayView): void {
  const rows = view.collected.flatMap((item) => [element('dt', { text: item.signal }), element('dd', { text: item.what })]);
  ui.collectedList.replaceChildren(...rows);
  setText(ui.sentTo, view.sentTo);
}
