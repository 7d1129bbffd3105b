/**
 * The documented gateway configurations (docs/examples/nginx-posture.conf and
 * docs/examples/caddy-posture.caddyfile) made runnable on this machine: the end-to-end tests and
 * `npm run bench -- gateway` run those files themselves, with only the addresses, the tiers, the
 * gateway key and the instance's own settings changed. Each example holds one section per tier,
 * starting with the comment `# Resources of tier "NAME"`; the "strict" section is the template.
 */
import { join } from 'node:path';

export const NGINX_EXAMPLE = join(import.meta.dirname, '../../docs/examples/nginx-posture.conf');
export const CADDY_EXAMPLE = join(import.meta.dirname, '../../docs/examples/caddy-posture.caddyfile');

const TEMPLATE_TIER = 'strict';
const SERVICE_ADDRESS = '127.0.0.1:8080';
const APP_ADDRESS = '127.0.0.1:3000';
const GATEWAY_KEY = '"pak_..."';

export interface ExampleInstance {
  servicePort: number;
  /** The protected application. */
  upstreamPort: number;
  listenPort: number;
  /** One section per tier, made from the example's "strict" one. */
  tiers: readonly string[];
  /** Replaces the example's placeholder; without one the gateway-key lines are left out. */
  gatewayKey?: string;
}

export interface NginxInstance extends ExampleInstance {
  /** Directives added at the top of the http block (the instance's paths and logs). */
  http?: readonly string[];
  /** Added at the end of the server block. */
  server?: string;
  /** Replaces `proxy_pass http://app;` in each tier's location (the bench serves a file instead). */
  content?: string;
}

interface Sections {
  head: string;
  template: string;
  tail: string;
}

/** The example split into what comes before the tier sections, the template section, and the rest. */
function sections(example: string, marker: string, start: string, end: string, name: string): Sections {
  const from = example.indexOf(start);
  const first = example.indexOf(marker);
  const last = example.lastIndexOf(end);
  if (from < 0 || first < from || last < first) throw new Error(`${name} does not have the expected layout (${JSON.stringify(start)}, tier sections, ${JSON.stringify(end)}).`);
  const template = example
    .slice(first, last)
    .split(marker)
    .find((section) => section.startsWith(`${TEMPLATE_TIER}"`));
  if (template === undefined) throw new Error(`${name} has no section for tier "${TEMPLATE_TIER}".`);
  return { head: example.slice(from, first), template: `${marker}${template}`, tail: example.slice(last) };
}

function withGatewayKey(text: string, gatewayKey: string | undefined): string {
  if (gatewayKey !== undefined) return text.replaceAll(GATEWAY_KEY, JSON.stringify(gatewayKey));
  return text
    .split('\n')
    .filter((line) => !line.includes(GATEWAY_KEY))
    .join('\n');
}

function forTiers(template: string, tiers: readonly string[], gatewayKey: string | undefined): string {
  const pattern = new RegExp(`\\b${TEMPLATE_TIER}\\b`, 'g');
  return tiers.map((tier) => withGatewayKey(template.replace(pattern, tier), gatewayKey)).join('');
}

/** The example's http block for this instance. */
export function nginxFromExample(example: string, instance: NginxInstance): string {
  const { head, template, tail } = sections(example, '        # Resources of tier "', 'http {\n', '    }\n}', 'the nginx example');
  const top = head
    .replace('http {\n', `http {\n${(instance.http ?? []).map((line) => `    ${line}\n`).join('')}`)
    .replace(`server ${SERVICE_ADDRESS};`, `server 127.0.0.1:${instance.servicePort};`)
    .replace(`server ${APP_ADDRESS};`, `server 127.0.0.1:${instance.upstreamPort};`)
    .replace(/listen 443 ssl;[^\n]*/, `listen 127.0.0.1:${instance.listenPort};`);
  const tiers = forTiers(template, instance.tiers, instance.gatewayKey);
  const content = instance.content === undefined ? tiers : tiers.replaceAll('proxy_pass http://app;', instance.content);
  return `${top}${content}${instance.server ?? ''}${tail}`;
}

/** The example's site block for this instance, on plain HTTP. */
export function caddyFromExample(example: string, instance: ExampleInstance & { site?: string }): string {
  const { head, template, tail } = sections(example, '\t# Resources of tier "', 'posture-gated.example.com {\n', '\thandle {\n', 'the Caddy example');
  const top = head.replace('posture-gated.example.com {', `http://127.0.0.1:${instance.listenPort} {`);
  const tiers = forTiers(template, instance.tiers, instance.gatewayKey)
    .replaceAll(SERVICE_ADDRESS, `127.0.0.1:${instance.servicePort}`)
    .replaceAll(APP_ADDRESS, `127.0.0.1:${instance.upstreamPort}`);
  return `${top}${tiers}${tail}`;
}
