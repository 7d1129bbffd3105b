/**
 * `netsh advfirewall show allprofiles state` (also `show allprofiles` and `show currentprofile`),
 * in the console's language and code page (shared fixtures README, W5): per profile a header
 * (`Domain Profile Settings:`, French `Paramètres Profil de domaine :`, German
 * `Domänenprofil-Einstellungen:`), a dashed rule, then `State<spaces>ON` (French `État  Actif`,
 * German `Status  EIN`), ending with `Ok.`. The legacy `netsh firewall show config` prints
 * `Domain profile configuration (current):` / `Standard profile configuration:`, a rule and
 * `Operational mode = Enable`.
 *
 * The state is the first line after the rule, whatever its localised label; profiles are known
 * by ASCII-safe parts of their names, or by position when all three modern blocks are there
 * (allprofiles prints Domain, Private, Public in that order). A state word in no table stays unknown.
 */
import { AgentError } from '../../shared/errors.js';
import { lines } from '../parse-text.js';
import { lookupWord, type WordTable } from '../windows/localized-words.js';
import { MODERN_PROFILES, type FirewallProfileName, type FirewallProfileState } from '../windows/firewall-profiles.js';

const RULE = /^-{10,}$/;
const STATE_WORDS: WordTable<boolean> = [
  [true, /^(on|ein|actif|enable)$/],
  [false, /^(off|aus|inactif|disable)$/],
];
const PROFILE_NAMES: readonly (readonly [FirewallProfileName, RegExp])[] = [
  ['Standard', /standard/i],
  ['Domain', /domain|dom.nen|dominio|ドメイン/i],
  ['Private', /priv|プライベート/i],
  ['Public', /publi|p.blic|pubbl|ffentlich|パブリック/i],
];
const ERROR_TEXT = /error|fehler|erreur/i;

interface Block {
  header: string;
  stateLine: string | undefined;
}

function profileOf(header: string): FirewallProfileName | null {
  return PROFILE_NAMES.find(([, pattern]) => pattern.test(header))?.[0] ?? null;
}

/** The value after `=` (legacy) or after the run of spaces that ends the localised label. */
function stateValue(line: string): string {
  const trimmed = line.trim();
  const equals = trimmed.indexOf('=');
  if (equals >= 0) return trimmed.slice(equals + 1).trim();
  return trimmed.split(/\s{2,}|\t/).pop()!.trim();
}

function readBlocks(all: string[]): Block[] {
  const blocks: Block[] = [];
  for (let index = 1; index < all.length; index += 1) {
    // A profile header ends with a colon; the column headings above legacy rule tables do not.
    if (!RULE.test(all[index]!.trim()) || !all[index - 1]!.trim().endsWith(':')) continue;
    const next = all[index + 1];
    blocks.push({ header: all[index - 1]!.trim(), stateLine: next !== undefined && next.trim() !== '' && !RULE.test(next.trim()) ? next : undefined });
  }
  return blocks;
}

function names(blocks: readonly Block[]): FirewallProfileName[] {
  const byName = blocks.map((block) => profileOf(block.header));
  const modernByPosition = blocks.length === MODERN_PROFILES.length && byName.every((name, index) => name === null || name === MODERN_PROFILES[index]);
  return byName.map((name, index) => {
    if (modernByPosition) return MODERN_PROFILES[index]!;
    if (name === null) throw new AgentError('ERR_PARSE', `netsh printed a profile this parser cannot name: "${blocks[index]!.header}"`);
    return name;
  });
}

export function parseNetshAdvfirewall(text: string): FirewallProfileState[] {
  const all = lines(text).map((line) => line.trimEnd());
  const firstLine = all.find((line) => line.trim() !== '')?.trim();
  if (firstLine === undefined) throw new AgentError('ERR_EMPTY_OUTPUT', 'netsh printed nothing.');
  const blocks = readBlocks(all);
  if (blocks.length === 0) {
    const code = ERROR_TEXT.test(text) ? 'ERR_COMMAND_FAILED' : 'ERR_PARSE';
    throw new AgentError(code, `netsh printed no firewall profile: ${firstLine.slice(0, 200)}`);
  }
  const profiles = names(blocks);
  const states: FirewallProfileState[] = [];
  blocks.forEach((block, index) => {
    if (block.stateLine === undefined) throw new AgentError('ERR_PARSE', `netsh's "${block.header}" block is cut off before its state.`);
    const profile = profiles[index]!;
    if (states.some((state) => state.profile === profile)) return;
    const value = stateValue(block.stateLine);
    states.push({ profile, enabled: lookupWord(value, STATE_WORDS), state: value });
  });
  return states;
}
