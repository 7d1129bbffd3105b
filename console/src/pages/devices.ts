/** Devices: the fleet a page at a time, with search and filters, and the filtered list as CSV. */
import { DEVICE_STATES, type DeviceList, type PolicyView } from '../api-types.js';
import { PLATFORM_LABELS, formatTime, platformLabel, stateLabel } from '../format.js';
import { href } from '../router.js';
import { badge, element, field, input, link, select, table } from '../ui.js';
import type { Page } from './page.js';

export const PAGE_SIZE = 25;
const FILTERS = ['q', 'state', 'platform', 'failing', 'seen', 'sort'] as const;
const SEEN: Record<string, { label: string; param: 'seenSince' | 'seenBefore'; value: string }> = {
  'within-1h': { label: 'Seen in the last hour', param: 'seenSince', value: '1h' },
  'within-1d': { label: 'Seen in the last day', param: 'seenSince', value: '1d' },
  'within-7d': { label: 'Seen in the last 7 days', param: 'seenSince', value: '7d' },
  'over-1d': { label: 'Not seen for a day', param: 'seenBefore', value: '1d' },
  'over-7d': { label: 'Not seen for 7 days', param: 'seenBefore', value: '7d' },
  'over-30d': { label: 'Not seen for 30 days', param: 'seenBefore', value: '30d' },
};

/** The console's filters (hash query) as the API's query parameters. */
export function apiFilters(query: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ['q', 'state', 'platform', 'failing', 'sort', 'seenBefore', 'seenSince'] as const) {
    const value = query.get(name);
    if (value) params.set(name, value);
  }
  const seen = SEEN[query.get('seen') ?? ''];
  if (seen) params.set(seen.param, seen.value);
  return params;
}

export const devicesPage: Page = async ({ api, route }) => {
  const query = route.query;
  const filters = apiFilters(query);
  const listQuery = new URLSearchParams(filters);
  listQuery.set('limit', String(PAGE_SIZE));
  const cursor = query.get('cursor');
  if (cursor) listQuery.set('cursor', cursor);
  const [list, policy] = await Promise.all([
    api.get<DeviceList>(`/v1/devices?${listQuery.toString()}`),
    api.get<PolicyView>('/v1/policy'),
  ]);

  const form = element('form', { className: 'filters', attributes: { role: 'search', 'aria-label': 'Filter devices' } },
    field('Search', input('q', { type: 'search', value: query.get('q') ?? '', placeholder: 'Hostname, serial, device id or owner' })),
    field('State', select('state', [['', 'Any state'], ...DEVICE_STATES.map((state) => [state, stateLabel(state)] as const)], query.get('state') ?? '')),
    field('Platform', select('platform', [['', 'Any platform'], ...Object.entries(PLATFORM_LABELS)], query.get('platform') ?? '')),
    field('Failing check', select('failing', [['', 'Any'], ...policy.policy.rules.map((rule) => [rule.id, `${rule.title} (${rule.id})`] as const)], query.get('failing') ?? '')),
    field('Last seen', select('seen', [['', 'Any time'], ...Object.entries(SEEN).map(([value, seen]) => [value, seen.label] as const)], query.get('seen') ?? '')),
    field('Sort by', select('sort', [['id', 'Device id'], ['hostname', 'Hostname'], ['lastSeen', 'Last seen']], query.get('sort') ?? 'id')),
    element('div', { className: 'field actions' }, element('button', { text: 'Apply', attributes: { type: 'submit' } })),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    const data = new FormData(form);
    for (const name of FILTERS) {
      const value = data.get(name);
      if (typeof value === 'string' && value !== '' && !(name === 'sort' && value === 'id')) next.set(name, value);
    }
    window.location.hash = href('devices', [], next);
  });

  const rows = list.devices.map((device) => [
    element('span', {}, link(device.hostname ?? device.id, href('devices', [device.id])), element('span', { className: 'id', text: device.id })),
    device.owner ?? '—',
    `${platformLabel(device.platform)}${device.os.version ? ` ${device.os.version}` : ''}`,
    badge(device.state),
    device.failing.join(', ') || '—',
    formatTime(device.lastSeenAt ?? device.enrolledAt),
  ]);

  const trail = (query.get('trail') ?? '').split(',').filter((part) => part !== '');
  const pager = element('nav', { className: 'pager', attributes: { 'aria-label': 'Pages' } });
  if (cursor) {
    const previous = new URLSearchParams(query);
    const back = trail.pop();
    if (back && back !== '-') previous.set('cursor', back);
    else previous.delete('cursor');
    if (trail.length > 0) previous.set('trail', trail.join(','));
    else previous.delete('trail');
    pager.append(link('Previous page', href('devices', [], previous)));
  }
  if (list.nextCursor !== null) {
    const next = new URLSearchParams(query);
    next.set('cursor', list.nextCursor);
    next.set('trail', [...(query.get('trail') ?? '').split(',').filter((part) => part !== ''), cursor ?? '-'].join(','));
    pager.append(link('Next page', href('devices', [], next)));
  }

  const csv = element('a', { text: 'Export CSV', className: 'button', attributes: { href: `/v1/devices.csv${filters.size > 0 ? `?${filters.toString()}` : ''}`, download: '' } });
  return {
    title: 'Devices',
    content: [
      form,
      element('div', { className: 'toolbar' }, element('p', { className: 'meta', attributes: { role: 'status' }, text: `${list.devices.length} devices on this page` }), csv),
      table('Devices', ['Device', 'Owner', 'OS', 'State', 'Failing', 'Last seen'], rows, { captionHidden: true }),
      pager,
    ],
  };
};
