// The gateway configurations in docs/examples are the ones docs/gateways.md shows and the tests
// run: each file appears in the page as it is, every tier's section is the "strict" one renamed
// (the tests make their tiers from it), and each keeps its connections to the service.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CADDY_EXAMPLE, NGINX_EXAMPLE, caddyFromExample, nginxFromExample } from '../../../src/bench/documented-gateways.js';

const EXAMPLES = join(import.meta.dirname, '../../../docs/examples');
const page = readFileSync(join(import.meta.dirname, '../../../docs/gateways.md'), 'utf8');
const nginx = readFileSync(NGINX_EXAMPLE, 'utf8');
const caddy = readFileSync(CADDY_EXAMPLE, 'utf8');
const traefik = readFileSync(join(EXAMPLES, 'traefik-posture.yaml'), 'utf8');
const envoy = readFileSync(join(EXAMPLES, 'envoy-posture.yaml'), 'utf8');

/** The text from a tier's marker comment to the next one (or to `end`). */
function section(text: string, marker: string, tier: string, end: string): string {
  const start = text.indexOf(`${marker}${tier}"`);
  expect(start, `no section for tier ${tier}`).toBeGreaterThanOrEqual(0);
  const next = text.indexOf(marker, start + 1);
  return text.slice(start, next >= 0 ? next : text.lastIndexOf(end)).trimEnd();
}

describe('the documented gateway configurations', () => {
  it('are shown in docs/gateways.md exactly as in docs/examples', () => {
    expect(page).toContain(`\`\`\`nginx\n${nginx}\`\`\``);
    expect(page).toContain(`\`\`\`caddyfile\n${caddy}\`\`\``);
    expect(page).toContain(`\`\`\`yaml\n${traefik}\`\`\``);
    expect(page).toContain(`\`\`\`yaml\n${envoy}\`\`\``);
  });

  it('nginx: every tier is the "strict" section renamed, and each asks the service over a kept connection', () => {
    const marker = '        # Resources of tier "';
    const strict = section(nginx, marker, 'strict', '    }\n}');
    expect(section(nginx, marker, 'basic', '    }\n}')).toBe(strict.replaceAll('strict', 'basic'));
    expect(nginx).toMatch(/upstream posture_service \{[^}]*\n\s*keepalive \d+;/);
    const authLocation = /location = \/_posture\/strict \{([^}]*)\}/.exec(strict)?.[1] ?? '';
    expect(authLocation).toContain('proxy_pass http://posture_service/v1/authz?tier=strict;');
    expect(authLocation).toContain('proxy_http_version 1.1;');
    expect(authLocation).toContain('proxy_set_header Connection "";');
  });

  it('nginx: the test\'s and the bench\'s instances are the example with only addresses, tiers, key and paths changed', () => {
    const instance = nginxFromExample(nginx, { servicePort: 41001, upstreamPort: 41002, listenPort: 41003, tiers: ['gold', 'lead'], gatewayKey: 'pak_test', http: ['access_log off;'] });
    expect(instance).not.toMatch(/strict|basic|127\.0\.0\.1:8080|127\.0\.0\.1:3000|listen 443|pak_\.\.\./);
    expect(instance).toContain('server 127.0.0.1:41001;');
    expect(instance).toContain('listen 127.0.0.1:41003;');
    expect(instance).toContain('http {\n    access_log off;\n');
    expect(instance.match(/proxy_set_header X-Posture-Gateway-Key "pak_test";/g)).toHaveLength(2);
    expect(instance).toContain(section(nginx, '        # Resources of tier "', 'strict', '    }\n}').replace('"pak_..."', '"pak_test"').replaceAll('strict', 'lead'));
    const withoutKey = nginxFromExample(nginx, { servicePort: 1, upstreamPort: 2, listenPort: 3, tiers: ['gold'] });
    expect(withoutKey).not.toContain('X-Posture-Gateway-Key');
  });

  it('Caddy: every tier is the "strict" block renamed, with keep-alive to the service', () => {
    const marker = '\t# Resources of tier "';
    const strict = section(caddy, marker, 'strict', '\thandle {\n');
    expect(section(caddy, marker, 'basic', '\thandle {\n')).toBe(strict.replaceAll('strict', 'basic'));
    expect(strict).toMatch(/forward_auth 127\.0\.0\.1:8080 \{[^]*transport http \{\n\t+keepalive 60s\n\t+keepalive_idle_conns_per_host 32\n/);
    const instance = caddyFromExample(caddy, { servicePort: 41001, upstreamPort: 41002, listenPort: 41003, tiers: ['gold'] });
    expect(instance).toMatch(/^http:\/\/127\.0\.0\.1:41003 \{\n/);
    expect(instance).not.toMatch(/strict|basic|127\.0\.0\.1:8080|127\.0\.0\.1:3000|X-Posture-Gateway-Key/);
    expect(instance).toContain('forward_auth 127.0.0.1:41001 {');
  });

  it('Traefik: one ForwardAuth per tier, the tier in the address, the verified headers copied', () => {
    const config = parse(traefik) as { http: { middlewares: Record<string, { forwardAuth?: { address: string; authResponseHeaders: string[] } }> } };
    const checks = Object.entries(config.http.middlewares).filter(([, middleware]) => middleware.forwardAuth);
    expect(checks.map(([name]) => name)).toEqual(['posture-strict', 'posture-basic']);
    for (const [name, { forwardAuth }] of checks) {
      expect(forwardAuth!.address).toMatch(new RegExp(`/v1/authz\\?tier=${name.replace('posture-', '')}$`));
      expect(forwardAuth!.authResponseHeaders).toEqual(['X-Posture-Device', 'X-Posture-Status']);
    }
  });

  it('Envoy: the service\'s cluster keeps its HTTP/1.1 connections and closes idle ones before the service does (65 s)', () => {
    const config = parse(envoy) as { static_resources: { clusters: { name: string; typed_extension_protocol_options?: Record<string, Record<string, unknown>> }[] } };
    const cluster = config.static_resources.clusters.find((candidate) => candidate.name === 'posture_service');
    const options = cluster?.typed_extension_protocol_options?.['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
    expect(options).toMatchObject({ explicit_http_config: { http_protocol_options: {} }, common_http_protocol_options: { idle_timeout: '60s' } });
  });
});
