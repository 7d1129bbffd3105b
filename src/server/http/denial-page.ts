/**
 * The page a browser gets when a gateway denies it (nginx `error_page`, Caddy `handle_response`):
 * in plain words why, what to do about each failing check on this device's OS, and the device id
 * to give IT. It says nothing an attacker could use: no internal codes beyond the reason, no
 * policy internals, no addresses but the service's public URL. Self-contained HTML, no script.
 */
import { createHash } from 'node:crypto';
import type { ErrorCode } from '../../shared/errors.js';

export interface FailingCheck {
  title: string;
  reason: string;
  /** What to do on this device's OS; null when the policy has no advice for it. */
  remediation: string | null;
}

export interface DenialPageInput {
  /** Why the gateway denied the request (the X-Posture-Reason of the decision). */
  code: ErrorCode;
  deviceId: string | null;
  /** The blocking checks of the device's latest appraisal (for a tier that is not met). */
  failing: readonly FailingCheck[];
  /** The policy service's public URL, for the enrolment instructions. */
  serviceUrl: string;
}

export interface DenialPage {
  status: 401 | 403;
  html: string;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2125}
h1{font-size:1.5rem;margin:0 0 .5rem}p.lead{font-size:1.1rem}
ol{padding-left:1.2rem}li{margin:.75rem 0}.fix{background:#f3f6f9;border-left:4px solid #2563eb;padding:.5rem .75rem;margin:.25rem 0}
code{font-family:ui-monospace,monospace;background:#f3f6f9;padding:0 .2rem}.meta{color:#5b6570;font-size:.9rem;margin-top:2rem}`;

/** The page's Content-Security-Policy: nothing but its own inline style. */
export const DENIAL_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

interface Explanation {
  status: 401 | 403;
  heading: string;
  lead: string;
  body: string;
}

function explain(input: DenialPageInput): Explanation {
  switch (input.code) {
    case 'ERR_DEVICE_REVOKED':
      return {
        status: 403,
        heading: 'This device has been blocked',
        lead: 'IT has revoked this device\'s access to company applications.',
        body: '<p>If you think this is a mistake, contact IT and give them the device id below.</p>',
      };
    case 'ERR_POSTURE_STALE':
      return {
        status: 403,
        heading: 'This device has not reported its security state recently',
        lead: 'Access needs a recent check of this device, and there is none.',
        body: '<p>Make sure the Posture Agent is running: open it from the system tray (menu bar on a Mac) and choose <strong>Check now</strong>. Then reload this page.</p>',
      };
    case 'ERR_RESULT_TIER':
      return {
        status: 403,
        heading: 'This device does not meet the security requirements for this application',
        lead: input.failing.length === 1 ? 'One check fails. Fix it, and access comes back by itself within a few minutes:' : 'These checks fail. Fix them, and access comes back by itself within a few minutes:',
        body: failingList(input.failing),
      };
    case 'ERR_RESULT_EXPIRED':
      return {
        status: 401,
        heading: 'This device\'s access pass has expired',
        lead: 'The Posture Agent renews it automatically.',
        body: '<p>Make sure the Posture Agent is running, wait a minute, and reload this page.</p>',
      };
    default:
      return {
        status: input.code === 'ERR_TIER_UNKNOWN' ? 403 : 401,
        heading: 'This device is not recognised',
        lead: 'Company applications open only on devices that run the Posture Agent and carry its device certificate.',
        body: `<ol>
<li>Install the Posture Agent (ask IT, or use your company's software centre).</li>
<li>Enrol this device with the enrolment token IT gives you: <code>posture-agent enroll --server ${escape(input.serviceUrl)} --token TOKEN</code>.</li>
<li>Get the device certificate: the tray app does it for you; on the command line run <code>posture-agent cert</code>.</li>
<li>Quit the browser completely and open this page again.</li>
</ol>`,
      };
  }
}

function failingList(failing: readonly FailingCheck[]): string {
  if (failing.length === 0) return '<p>Open the Posture Agent from the system tray to see which check fails and how to fix it.</p>';
  const items = failing.map((check) => {
    const fix = check.remediation === null ? '' : `<div class="fix">${escape(check.remediation)}</div>`;
    return `<li><strong>${escape(check.title)}</strong>: ${escape(check.reason)}${fix}</li>`;
  });
  return `<ol>\n${items.join('\n')}\n</ol>\n<p>The Posture Agent in the system tray shows the same and checks again when you choose <strong>Check now</strong>.</p>`;
}

export function renderDenialPage(input: DenialPageInput): DenialPage {
  const explanation = explain(input);
  const device = input.deviceId === null ? '' : `<p class="meta">Device id: <code>${escape(input.deviceId)}</code></p>`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escape(explanation.heading)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escape(explanation.heading)}</h1>
<p class="lead">${escape(explanation.lead)}</p>
${explanation.body}
${device}
<p class="meta">Reason: ${escape(input.code)}</p>
</main>
</body>
</html>
`;
  return { status: explanation.status, html };
}
