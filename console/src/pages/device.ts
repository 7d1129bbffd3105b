/**
 * One device: facts, the latest verdicts with their reasons and remediation (the same texts the
 * tray shows: the service's appraisal), the timeline of its state changes, its key and
 * certificates, its audit entries, and for admins the owner and revoke / restore / reset.
 */
import type { DeviceDetail, Timeline, TimelineEntry, Verdict } from '../api-types.js';
import { ApiError } from '../api.js';
import { confirmAction } from '../dialog.js';
import { formatTime, platformLabel, stateLabel } from '../format.js';
import { href } from '../router.js';
import { badge, button, definitionList, element, input, link, notice, section, table } from '../ui.js';
import type { Page, PageContext } from './page.js';

const TIMELINE_PAGE = 20;

function verdictStatus(verdict: Verdict): string {
  if (verdict.status === 'pass') return 'Pass';
  if (verdict.graceDeadline !== null && !verdict.blocking) return `Fails (in grace until ${formatTime(verdict.graceDeadline)})`;
  return verdict.status === 'unknown' ? 'Unknown' : verdict.severity === 'warn' ? 'Fails (warning)' : 'Fails';
}

function verdictRows(verdicts: readonly Verdict[]): Node[][] {
  return verdicts.map((verdict) => [
    document.createTextNode(verdict.id),
    element('span', { className: `verdict verdict-${verdict.status}`, text: verdictStatus(verdict) }),
    document.createTextNode(verdict.reason),
    verdict.remediation === null ? document.createTextNode('—') : element('span', { className: 'remediation', text: verdict.remediation }),
    document.createTextNode(formatTime(verdict.failingSince)),
  ]);
}

function timelineRow(entry: TimelineEntry): string[] {
  const change = entry.previousStatus === null ? `First appraisal: ${stateLabel(entry.status)}`
    : entry.statusChanged ? `${stateLabel(entry.previousStatus)} → ${stateLabel(entry.status)}` : `${stateLabel(entry.status)} (checks changed)`;
  return [formatTime(entry.at), change, entry.failing.join(', ') || '—', entry.tiers.join(', ') || 'none', entry.policy];
}

function timelineSection(context: PageContext, id: string, first: Timeline): HTMLElement {
  const headers = ['When', 'Change', 'Failing', 'Tiers met', 'Policy'];
  const body = element('tbody');
  const add = (entries: readonly TimelineEntry[]) => {
    for (const entry of entries) body.append(element('tr', {}, ...timelineRow(entry).map((text) => element('td', { text }))));
  };
  add(first.entries);
  const tableNode = element('table', {}, element('caption', { className: 'visually-hidden', text: 'State changes, newest first' }),
    element('thead', {}, element('tr', {}, ...headers.map((text) => element('th', { text, attributes: { scope: 'col' } })))), body);
  const container = section('Timeline', tableNode);
  let cursor = first.nextCursor;
  if (cursor !== null) {
    const more = button('Older changes', () => {
      void context.api.get<Timeline>(`/v1/devices/${encodeURIComponent(id)}/timeline?limit=${TIMELINE_PAGE}&cursor=${cursor}`).then((page) => {
        add(page.entries);
        cursor = page.nextCursor;
        if (cursor === null) more.remove();
      });
    });
    container.append(more);
  }
  return container;
}

function ownerEditor(context: PageContext, device: DeviceDetail): Node {
  if (!context.admin) return document.createTextNode(device.owner ?? '—');
  const owner = input('owner', { type: 'text', value: device.owner ?? '', placeholder: 'e.g. alice@example.com', maxlength: '200' });
  const status = element('span', { className: 'meta', attributes: { role: 'status' } });
  owner.setAttribute('aria-label', 'Owner');
  const form = element('form', { className: 'inline' }, owner, element('button', { text: 'Save owner', attributes: { type: 'submit' } }), status);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = owner.value.trim();
    void context.api.send<{ owner: string | null }>('PUT', `/v1/devices/${encodeURIComponent(device.id)}/owner`, { owner: value === '' ? null : value })
      .then(() => { status.textContent = 'Saved.'; }, (error: unknown) => { status.textContent = error instanceof ApiError ? error.message : 'Could not save.'; });
  });
  return form;
}

function actions(context: PageContext, device: DeviceDetail): HTMLElement {
  const path = `/v1/devices/${encodeURIComponent(device.id)}`;
  const name = device.hostname ?? device.id;
  const result = element('div', { attributes: { 'aria-live': 'polite' } });
  const act = (action: 'revoke' | 'restore' | 'reset', title: string, message: string, label: string) => button(label, () => {
    void confirmAction(title, message, label).then(async (confirmed) => {
      if (!confirmed) return;
      try {
        await context.api.send('POST', `${path}/${action}`);
        context.refresh();
      } catch (error) {
        result.replaceChildren(notice(error instanceof ApiError ? error.message : 'The action failed.', 'error'));
      }
    });
  }, action === 'restore' ? '' : 'danger');
  const buttons = element('div', { className: 'actions' });
  if (device.revokedAt === null) {
    buttons.append(act('revoke', `Revoke ${name}?`, 'Every gateway denies this device from its next request, even with a valid Result, until it is restored.', 'Revoke device'));
  } else {
    buttons.append(act('restore', `Restore ${name}?`, 'The device is decided on again by its posture, with the key it has.', 'Restore device'));
  }
  buttons.append(act('reset', `Reset ${name}?`, 'The next enrolment of this device with an enrolment token may replace its key, once (a re-installed laptop).', 'Reset key'));
  return section('Actions', buttons, result);
}

export const devicePage: Page = async (context) => {
  const id = context.route.args[0] ?? '';
  const path = `/v1/devices/${encodeURIComponent(id)}`;
  const [{ device }, timeline] = await Promise.all([
    context.api.get<{ device: DeviceDetail }>(path),
    context.api.get<Timeline>(`${path}/timeline?limit=${TIMELINE_PAGE}`),
  ]);
  const latest = device.appraisals[0];

  const facts = section('Device', definitionList([
    ['State', badge(device.state)],
    ['Device id', element('code', { text: device.id })],
    ['Hostname', device.hostname ?? '—'],
    ['Serial', device.serial ?? '—'],
    ['Owner', ownerEditor(context, device)],
    ['OS', `${platformLabel(device.platform)} ${device.os.name ?? ''} ${device.os.version ?? ''}`.trim()],
    ['Enrolled', formatTime(device.enrolledAt)],
    ['Last seen', formatTime(device.lastSeenAt)],
    ['Latest appraisal', device.latest ? `${stateLabel(device.latest.status)} at ${formatTime(device.latest.at)} under ${device.latest.policy}` : 'none yet'],
    ['Tiers met', device.latest ? device.latest.tiers.join(', ') || 'none' : '—'],
    ...(device.revokedAt ? [['Revoked', `${formatTime(device.revokedAt)}${device.revokedReason ? `: ${device.revokedReason}` : ''}`] as const] : []),
    ...(device.resetAt ? [['Key reset', `pending since ${formatTime(device.resetAt)}`] as const] : []),
  ]));

  const checks = section('Checks in the latest report',
    latest ? table('Verdicts of the latest appraisal', ['Rule', 'Result', 'Found', 'What to do', 'Failing since'], verdictRows(latest.verdicts), { captionHidden: true })
      : element('p', { text: 'The device has not sent a report yet.' }));

  const keys = section('Key and certificates',
    definitionList([['Device key (RFC 7638 thumbprint)', element('code', { text: device.kid })]]),
    table('Device certificates, newest first', ['Serial', 'TLS key thumbprint', 'Issued', 'Expires'],
      device.certificates.map((certificate) => [certificate.serial, certificate.tlsKeyThumbprint, formatTime(certificate.issuedAt), formatTime(certificate.expiresAt)])));

  const audit = section('Audit entries', table('Administrative actions on this device', ['When', 'Who', 'What', 'From'],
    device.audit.map((entry) => [formatTime(entry.at), entry.actor, entry.action, entry.source ?? 'command line']), { captionHidden: true }));

  return {
    title: device.hostname ?? device.id,
    content: [
      element('p', {}, link('← All devices', href('devices'))),
      element('div', { className: 'grid' }, facts, ...(context.admin ? [actions(context, device)] : [])),
      checks,
      timelineSection(context, id, timeline),
      keys,
      audit,
    ],
  };
};
