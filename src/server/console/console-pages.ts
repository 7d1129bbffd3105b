/**
 * The console's server-rendered pages: sign-in, and the answer to a sign-in that did not work.
 * Self-contained HTML without script; they use the console's stylesheet when it is there.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { ErrorCode } from '../../shared/errors.js';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}
h1{font-size:1.5rem}a.button{display:inline-block;padding:.6rem 1rem;border-radius:.4rem;background:#2563eb;color:#fff;text-decoration:none}
code{font-family:ui-monospace,monospace}.meta{color:#5b6570;font-size:.9rem;margin-top:2rem}`;

export const CONSOLE_PAGE_CSP = `default-src 'none'; style-src 'self' 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escape(title)}</title>
<style>${STYLE}</style>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<main class="sign-in">
<h1>${escape(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** `identityProvider`: the name on the button, or null when no OpenID Connect provider is configured. */
export function renderSignInPage(identityProvider: string | null): string {
  const button = identityProvider === null
    ? '<p>No identity provider is configured. An administrator can make a one-time sign-in link on the service host: <code>posture-service console-link</code>.</p>'
    : `<p><a class="button" href="/console/oidc/start">Sign in with ${escape(identityProvider)}</a></p>
<p class="meta">Without access to ${escape(identityProvider)}, ask an administrator for a one-time sign-in link (<code>posture-service console-link</code>).</p>`;
  return page('Sign in to the posture console', button);
}

/** A sign-in that did not work: what happened and what to do, with its stable code. */
export function renderSignInProblem(code: ErrorCode, heading: string, advice: string): string {
  return page(heading, `<p>${escape(advice)}</p>
<p><a href="/console/sign-in">Back to sign-in</a></p>
<p class="meta">Reason: ${escape(code)}</p>`);
}

export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('content-security-policy', CONSOLE_PAGE_CSP)
    .header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(html);
}

export function sendProblem(reply: FastifyReply, code: ErrorCode, heading: string, advice: string): FastifyReply {
  return sendPage(reply, 403, renderSignInProblem(code, heading, advice));
}
