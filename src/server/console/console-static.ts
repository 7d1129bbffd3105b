/**
 * The console's page and assets (built into dist/console by scripts/build-ui.mjs): GET /console/
 * and GET /console/assets/NAME, public (they hold no data), under a strict Content-Security-Policy
 * with no inline script or style. Assets with a content hash in their name are cached for a year;
 * everything else is revalidated. The files (a few hundred KB) are read into memory at start; an
 * installation without a built console serves no console routes and says so in the log.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AgentError } from '../../shared/errors.js';

export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
  + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** dist/console, from src/server/console (tests) or dist/server/console (the built service). */
export const CONSOLE_DIR = join(import.meta.dirname, '../../../dist/console');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z0-9]+$/;
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;

interface ConsoleFile {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

function loadConsole(dir: string): { page: ConsoleFile; assets: Map<string, ConsoleFile> } {
  const page = { body: readFileSync(join(dir, 'index.html')), contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' };
  const assets = new Map<string, ConsoleFile>();
  for (const name of readdirSync(join(dir, 'assets'))) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined || !ASSET_NAME.test(name)) continue;
    const cacheControl = HASHED_NAME.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache';
    assets.set(name, { body: readFileSync(join(dir, 'assets', name)), contentType, cacheControl });
  }
  return { page, assets };
}

function secureHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
}

function send(reply: FastifyReply, file: ConsoleFile): FastifyReply {
  return secureHeaders(reply).header('content-type', file.contentType).header('cache-control', file.cacheControl).send(file.body);
}

export function registerConsoleStatic(app: FastifyInstance, dir: string = CONSOLE_DIR): void {
  if (!existsSync(join(dir, 'index.html'))) {
    app.log.warn({ dir }, 'the web console is not built into this installation (npm run build): /console/ is not served');
    return;
  }
  const { page, assets } = loadConsole(dir);

  app.get('/console', async (_request, reply) => secureHeaders(reply).redirect('/console/', 308));

  app.get('/console/', async (_request, reply) => send(reply, page));

  app.get<{ Params: { name: string } }>('/console/assets/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) {
      secureHeaders(reply);
      throw new AgentError('ERR_NOT_FOUND_ROUTE', `The console has no file ${request.params.name}.`);
    }
    return send(reply, asset);
  });
}
