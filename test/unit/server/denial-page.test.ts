import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DENIAL_PAGE_CSP, renderDenialPage } from '../../../src/server/http/denial-page.js';

const SERVICE = 'https://posture.example.com';

describe('the denial page', () => {
  it('names each failing check with what to do about it, and the device id', () => {
    const page = renderDenialPage({
      code: 'ERR_RESULT_TIER',
      deviceId: '0531b1ca-8220-4c64-9c16-6992b7cbc8ff',
      failing: [{ title: 'Firewall', reason: 'ufw is inactive', remediation: 'Run "sudo ufw enable".' }],
      serviceUrl: SERVICE,
    });
    expect(page.status).toBe(403);
    expect(page.html).toContain('<strong>Firewall</strong>: ufw is inactive<div class="fix">Run &#34;sudo ufw enable&#34;.</div>');
    expect(page.html).toContain('One check fails.');
    expect(page.html).toContain('0531b1ca-8220-4c64-9c16-6992b7cbc8ff');
    expect(page.html).not.toMatch(/<script/i);
  });

  it('escapes everything that comes from a device or a policy', () => {
    const page = renderDenialPage({
      code: 'ERR_RESULT_TIER',
      deviceId: '<img src=x onerror=alert(1)>',
      failing: [{ title: '<b>x</b>', reason: '"quoted" & <tagged>', remediation: null }],
      serviceUrl: SERVICE,
    });
    expect(page.html).not.toContain('<img');
    expect(page.html).not.toContain('<b>x</b>');
    expect(page.html).toContain('&#34;quoted&#34; &#38; &#60;tagged&#62;');
  });

  it('tells an unknown device how to enrol, a revoked one to call IT, a silent one to run the agent', () => {
    const unknown = renderDenialPage({ code: 'ERR_RESULT_MISSING', deviceId: null, failing: [], serviceUrl: SERVICE });
    expect(unknown.status).toBe(401);
    expect(unknown.html).toContain(`posture-agent enroll --server ${SERVICE} --token TOKEN`);
    expect(unknown.html).toContain('posture-agent cert');
    expect(renderDenialPage({ code: 'ERR_CERTIFICATE_INVALID', deviceId: null, failing: [], serviceUrl: SERVICE }).html).toContain('not recognised');
    const revoked = renderDenialPage({ code: 'ERR_DEVICE_REVOKED', deviceId: 'd', failing: [], serviceUrl: SERVICE });
    expect([revoked.status, revoked.html.includes('contact IT')]).toEqual([403, true]);
    expect(renderDenialPage({ code: 'ERR_POSTURE_STALE', deviceId: 'd', failing: [], serviceUrl: SERVICE }).html).toContain('Check now');
  });

  it('allows only its own inline style', () => {
    const { html } = renderDenialPage({ code: 'ERR_RESULT_MISSING', deviceId: null, failing: [], serviceUrl: SERVICE });
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(DENIAL_PAGE_CSP).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(DENIAL_PAGE_CSP).toMatch(/^default-src 'none';/);
  });
});
