/** Policy: id@version, its rules with the devices failing each, and its tiers. */
import type { PolicyView } from '../api-types.js';
import { href } from '../router.js';
import { definitionList, element, link, section, table } from '../ui.js';
import type { Page } from './page.js';

function duration(seconds: number): string {
  if (seconds === 0) return 'none';
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${Math.round(seconds / 60)} min`;
}

export const policyPage: Page = async ({ api }) => {
  const { policy } = await api.get<PolicyView>('/v1/policy');
  return {
    title: `Policy ${policy.ref}`,
    content: [
      section('Policy', definitionList([
        ['Id', policy.id], ['Version', String(policy.version)], ['Description', policy.description ?? '—'], ['Grace period', duration(policy.gracePeriodSeconds)],
      ])),
      section('Rules', table('Rules and the devices failing each', ['Rule', 'Check', 'Severity', 'Description', 'Devices failing'], policy.rules.map((rule) => [
        rule.id, `${rule.title} (${rule.check})`, rule.severity, rule.description ?? '—',
        rule.failingDevices === 0 ? '0' : link(String(rule.failingDevices), href('devices', [], new URLSearchParams({ failing: rule.id }))),
      ]), { captionHidden: true })),
      section('Tiers', table('Tiers and the rules each needs', ['Tier', 'Rules'], Object.entries(policy.tiers).map(([tier, rules]) => [tier, rules.join(', ') || 'none']), { captionHidden: true })),
      element('p', { className: 'meta', text: 'The policy file is changed on the service host and reloaded with SIGHUP.' }),
    ],
  };
};
