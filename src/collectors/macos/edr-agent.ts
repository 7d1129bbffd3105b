/**
 * A third-party AV/EDR agent on macOS: detected by the paths its installer creates (no process),
 * then read with its own control program. When that program cannot be read (it may need root),
 * the product is reported as enabled because it is installed, with the rest unknown.
 */
import type { AntivirusProduct } from '../antivirus/schema.js';
import { toAgentError } from '../host-errors.js';
import type { CollectContext, Host } from '../host.js';

export interface EdrAgent {
  name: string;
  /** Any of these existing means the agent is installed. */
  installPaths: readonly string[];
  /** What is run, for messages. */
  command: string;
  /** Reads the agent's state; throws when its control program cannot be read. */
  read(host: Host, now: Date): Promise<AntivirusProduct>;
  /** What would make a refused read work, appended to ERR_ACCESS_DENIED messages. */
  accessHint?: string;
}

const PROTECTION_FIELDS = ['enabled', 'realTime', 'upToDate'] as const;

export function installedOnly(agent: EdrAgent): AntivirusProduct {
  return { name: agent.name, enabled: true, realTime: null, upToDate: null, definitionsUpdatedAt: null };
}

/** Reads an installed agent; every field it could not read is reported, never guessed. */
export async function readEdrAgent(agent: EdrAgent, host: Host, ctx: CollectContext): Promise<AntivirusProduct> {
  let product: AntivirusProduct;
  try {
    product = await agent.read(host, ctx.now);
  } catch (error) {
    const agentError = toAgentError(error, agent.command);
    // The runner reports a program it may not execute as not installed; the agent itself is installed.
    const notRunnable = agentError.code === 'ERR_COMMAND_NOT_FOUND' ? ' It may be missing or not executable by this user.' : '';
    const refused = agentError.code === 'ERR_ACCESS_DENIED' || notRunnable !== '';
    const hint = refused && agent.accessHint ? ` ${agent.accessHint}` : '';
    ctx.error(agentError.code, `${agentError.message}${notRunnable}${hint} ${agent.name} is reported as installed; its protection state is unknown.`);
    return installedOnly(agent);
  }
  const unread = PROTECTION_FIELDS.filter((field) => product[field] === null);
  if (unread.length > 0) ctx.error('ERR_PARSE', `${agent.command} did not say ${unread.join(', ')} for ${agent.name}.`);
  return product;
}
