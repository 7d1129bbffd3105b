/** Overview: devices by state, failing checks ranked, compliance over 30 days, devices not seen lately. */
import { DEVICE_STATES, type Overview } from '../api-types.js';
import { chart, themeColor } from '../charts.js';
import { formatDay, formatTime, stateLabel } from '../format.js';
import { href } from '../router.js';
import { badge, element, link, section, table } from '../ui.js';
import type { Page } from './page.js';

const CHART_DAYS = 30;
const DAY_MS = 86_400_000;

function devicesLink(text: string, query: Record<string, string>): HTMLAnchorElement {
  return link(text, href('devices', [], new URLSearchParams(query)));
}

export const overviewPage: Page = async ({ api }) => {
  const overview = await api.get<Overview>('/v1/overview');
  const stateColors = DEVICE_STATES.map((state) => themeColor(`--state-${state}`));

  const byState = section(
    'Devices by state',
    element('p', { className: 'big', text: `${overview.total} devices` }),
    chart(`Devices by state: ${DEVICE_STATES.map((state) => `${stateLabel(state)} ${overview.states[state]}`).join(', ')}`, {
      type: 'doughnut',
      data: { labels: DEVICE_STATES.map(stateLabel), datasets: [{ data: DEVICE_STATES.map((state) => overview.states[state]), backgroundColor: stateColors, borderColor: themeColor('--surface') }] },
      options: { plugins: { legend: { position: 'right' } } },
    }),
    table('Devices by state', ['State', 'Devices'], DEVICE_STATES.map((state) => [badge(state), devicesLink(String(overview.states[state]), { state })]), { captionHidden: true }),
  );

  const failing = section(
    'Failing checks',
    overview.failingRules.length === 0
      ? element('p', { text: 'No device fails a check.' })
      : chart(`Devices failing each check: ${overview.failingRules.map((rule) => `${rule.title} ${rule.devices}`).join(', ')}`, {
        type: 'bar',
        data: { labels: overview.failingRules.map((rule) => rule.title), datasets: [{ label: 'Devices', data: overview.failingRules.map((rule) => rule.devices), backgroundColor: themeColor('--state-noncompliant') }] },
        options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
    table('Failing checks, most devices first', ['Check', 'Rule', 'Devices'], overview.failingRules.map((rule) => [rule.title, rule.id, devicesLink(String(rule.devices), { failing: rule.id })]), { captionHidden: true }),
  );

  const days = overview.compliance;
  const recorded = new Map(days.map((day) => [day.day, day.counts]));
  // The whole 30 days on the axis; a day no instance recorded is a gap.
  const axis = Array.from({ length: CHART_DAYS }, (_, index) => new Date(Date.parse(`${days.at(-1)?.day ?? overview.generatedAt.slice(0, 10)}T00:00:00Z`) - (CHART_DAYS - 1 - index) * DAY_MS).toISOString().slice(0, 10));
  const trend = section(
    'Compliance, last 30 days',
    chart(`Devices per state per day over the last ${CHART_DAYS} days (${days.length} recorded)`, {
      type: 'line',
      data: {
        labels: axis.map(formatDay),
        datasets: DEVICE_STATES.map((state, index) => ({
          label: stateLabel(state), data: axis.map((day) => recorded.get(day)?.[state] ?? null), borderColor: stateColors[index], backgroundColor: stateColors[index], pointRadius: 2,
        })),
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { position: 'bottom' } } },
    }),
    element('details', {}, element('summary', { text: 'The numbers' }),
      table('Devices per state per day', ['Day', ...DEVICE_STATES.map(stateLabel)], days.map((day) => [day.day, ...DEVICE_STATES.map((state) => String(day.counts[state]))]))),
  );

  const notSeen = section(
    'Not seen lately',
    element('p', {}, devicesLink(overview.notSeen.count === 1 ? '1 device' : `${overview.notSeen.count} devices`, { state: 'stale,unappraised', seenBefore: overview.notSeen.since }),
      document.createTextNode(` ${overview.notSeen.count === 1 ? 'has' : 'have'} not checked in since ${formatTime(overview.notSeen.since)}.`)),
    table('Devices not seen lately, most recent first', ['Device', 'Owner', 'Last seen'], overview.notSeen.devices.map((device) => [
      link(device.hostname ?? device.id, href('devices', [device.id])), device.owner ?? '—', formatTime(device.lastSeenAt ?? device.enrolledAt),
    ]), { captionHidden: true }),
  );

  return {
    title: 'Overview',
    content: [
      element('p', { className: 'meta', text: `Policy ${overview.policy} · as of ${formatTime(overview.generatedAt)}` }),
      element('div', { className: 'grid' }, byState, failing, trend, notSeen),
    ],
  };
};
