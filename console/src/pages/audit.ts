/** Audit log: every administrative action (console, command line or API): who, when, what, from where. */
import type { AuditEntry } from '../api-types.js';
import { formatTime } from '../format.js';
import { href } from '../router.js';
import { link, table } from '../ui.js';
import type { Page } from './page.js';

function detail(entry: AuditEntry): string {
  if (entry.detail === null) return '—';
  return Object.entries(entry.detail).filter(([, value]) => value !== null).map(([name, value]) => `${name}: ${value}`).join('; ') || '—';
}

export const auditPage: Page = async ({ api }) => {
  const { entries } = await api.get<{ entries: AuditEntry[] }>('/v1/audit?limit=500');
  return {
    title: 'Audit log',
    content: [table('Administrative actions, newest first', ['When', 'Who', 'What', 'Device', 'Detail', 'From'], entries.map((entry) => [
      formatTime(entry.at), entry.actor, entry.action, entry.deviceId === null ? '—' : link(entry.deviceId, href('devices', [entry.deviceId])), detail(entry), entry.source ?? 'command line',
    ]), { captionHidden: true })],
  };
};
