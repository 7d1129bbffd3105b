/**
 * `nft -j list ruleset` (libnftables-json(5)): `{"nftables": [{"metainfo": ...}, {"table": ...},
 * {"chain": {"family", "table", "name", "type", "hook", "prio", "policy"}}, {"rule": {"family",
 * "table", "chain", "expr": [...]}}]}`. Base chains carry `hook` and `policy`; verdicts are the
 * statements `{"drop": null}`, `{"reject": ...}`, `{"jump": {"target"}}`, `{"goto": {"target"}}`,
 * possibly inside verdict maps. Incoming traffic is filtered when a filter chain on the `input`
 * hook of an inet, ip or ip6 table drops by policy, or reaches a drop/reject rule (directly or
 * through jumps). Without root nft prints `Operation not permitted (you must be root)`.
 */
import { AgentError } from '../../shared/errors.js';

export interface NftInputChain {
  family: string;
  table: string;
  chain: string;
  policy: string | null;
  /** Drop or reject rules in this chain or the chains it jumps to. */
  dropRules: number;
}

export interface NftRuleset {
  tables: number;
  inputChains: NftInputChain[];
  /** True when some input chain drops by policy or has drop/reject rules. */
  filtersInput: boolean;
}

const INPUT_FAMILIES = new Set(['inet', 'ip', 'ip6']);

interface Chain {
  family: string;
  table: string;
  name: string;
  hook: string | null;
  type: string | null;
  policy: string | null;
}

type Json = unknown;

function asRecord(value: Json): Record<string, Json> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, Json>) : null;
}

function text(value: Json): string | null {
  return typeof value === 'string' ? value : null;
}

/** Drop/reject verdicts and jump/goto targets anywhere in a rule's expressions. */
function scanExpressions(value: Json, found: { drops: number; targets: string[] }): void {
  if (Array.isArray(value)) {
    for (const item of value as Json[]) scanExpressions(item, found);
    return;
  }
  const record = asRecord(value);
  if (!record) return;
  for (const [key, inner] of Object.entries(record)) {
    if (key === 'drop' || key === 'reject') found.drops += 1;
    if (key === 'jump' || key === 'goto') {
      const target = text(asRecord(inner)?.target);
      if (target !== null) found.targets.push(target);
    }
    scanExpressions(inner, found);
  }
}

function chainKey(family: string, table: string, name: string): string {
  return `${family} ${table} ${name}`;
}

export function parseNftRuleset(output: string): NftRuleset {
  const trimmed = output.trim();
  if (trimmed === '') throw new AgentError('ERR_EMPTY_OUTPUT', 'nft list ruleset printed nothing.');
  if (/operation not permitted|you must be root|permission denied/i.test(trimmed)) {
    throw new AgentError('ERR_ACCESS_DENIED', 'nft list ruleset needs root ("Operation not permitted").');
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new AgentError('ERR_PARSE', 'nft -j list ruleset printed text that is not JSON (truncated, or an nft without -j?).');
  }
  const items = asRecord(parsed)?.nftables;
  if (!Array.isArray(items)) throw new AgentError('ERR_PARSE', 'nft JSON has no "nftables" list.');

  const chains: Chain[] = [];
  const rules = new Map<string, { drops: number; targets: string[] }>();
  let tables = 0;
  for (const item of items as Json[]) {
    const record = asRecord(item);
    if (!record) continue;
    if (record.table !== undefined) tables += 1;
    const chain = asRecord(record.chain);
    if (chain) {
      chains.push({
        family: text(chain.family) ?? '',
        table: text(chain.table) ?? '',
        name: text(chain.name) ?? '',
        hook: text(chain.hook),
        type: text(chain.type),
        policy: text(chain.policy),
      });
    }
    const rule = asRecord(record.rule);
    if (rule) {
      const key = chainKey(text(rule.family) ?? '', text(rule.table) ?? '', text(rule.chain) ?? '');
      const found = rules.get(key) ?? { drops: 0, targets: [] };
      scanExpressions(rule.expr, found);
      rules.set(key, found);
    }
  }

  const reachableDrops = (chain: Chain): number => {
    const seen = new Set<string>();
    const pending = [chain.name];
    let drops = 0;
    while (pending.length > 0) {
      const name = pending.pop()!;
      const key = chainKey(chain.family, chain.table, name);
      if (seen.has(key)) continue;
      seen.add(key);
      const found = rules.get(key);
      if (!found) continue;
      drops += found.drops;
      pending.push(...found.targets);
    }
    return drops;
  };

  const inputChains = chains
    .filter((chain) => chain.hook === 'input' && (chain.type ?? 'filter') === 'filter' && INPUT_FAMILIES.has(chain.family))
    .map((chain) => ({ family: chain.family, table: chain.table, chain: chain.name, policy: chain.policy, dropRules: reachableDrops(chain) }));
  return {
    tables,
    inputChains,
    filtersInput: inputChains.some((chain) => chain.policy === 'drop' || chain.dropRules > 0),
  };
}
