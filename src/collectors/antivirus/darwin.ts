/**
 * macOS antivirus: Apple's XProtect (always present; see macos/xprotect-product.ts) and the AV/EDR
 * agents found installed by path (Microsoft Defender for Endpoint, CrowdStrike Falcon,
 * SentinelOne), each read with its own control program only when it is installed.
 */
import type { AntivirusProduct } from '../antivirus/schema.js';
import type { CollectContext, Host } from '../host.js';
import { attempt } from '../host-errors.js';
import { DEFENDER_AGENT } from '../macos/defender-agent.js';
import { readEdrAgent, type EdrAgent } from '../macos/edr-agent.js';
import { FALCON_AGENT } from '../macos/falcon-agent.js';
import { pathExists } from '../macos/path-exists.js';
import { SENTINELONE_AGENT } from '../macos/sentinelone-agent.js';
import { readXProtect } from '../macos/xprotect-product.js';
import { deriveAntivirusStatus, type Antivirus } from './schema.js';

export const DARWIN_EDR_AGENTS: readonly EdrAgent[] = [DEFENDER_AGENT, FALCON_AGENT, SENTINELONE_AGENT];

/** Whether the agent is installed; undefined when that could not be read (recorded in the report). */
async function isInstalled(agent: EdrAgent, host: Host, ctx: CollectContext): Promise<boolean | undefined> {
  return attempt(ctx, `${agent.name} (${agent.installPaths.join(', ')})`, async () => {
    for (const path of agent.installPaths) if (await pathExists(host, path)) return true;
    return false;
  });
}

async function readAgent(agent: EdrAgent, host: Host, ctx: CollectContext): Promise<{ product: AntivirusProduct | null; detected: boolean }> {
  const installed = await isInstalled(agent, host, ctx);
  if (installed === undefined) return { product: null, detected: false };
  return { product: installed ? await readEdrAgent(agent, host, ctx) : null, detected: true };
}

export async function collectAntivirusDarwin(host: Host, ctx: CollectContext): Promise<Antivirus> {
  const [xprotect, ...agents] = await Promise.all([readXProtect(host, ctx), ...DARWIN_EDR_AGENTS.map((agent) => readAgent(agent, host, ctx))]);
  const products = [xprotect, ...agents.flatMap((agent) => (agent.product ? [agent.product] : []))];
  // An agent whose presence could not be checked might be the protecting one: then "none" is unknown.
  const complete = agents.every((agent) => agent.detected);
  return { status: deriveAntivirusStatus(products, complete), products };
}
