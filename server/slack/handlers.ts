/**
 * What Slack clicks and slash commands do (decisions D6, D8): the same commands as the API, with the Slack user
 * recorded as who did it, and the approver list (users and user groups) checked first.
 */
import type { WebClient } from '@slack/web-api';
import type { Db } from '../../persistence/db.ts';
import type { Queries } from '../../persistence/queries.ts';
import type { Commands, Control } from '../runtime/commands.ts';
import { Invalid, NotFound } from '../../services/errors.ts';
import type { SlackHandlers } from './listeners.ts';

const GROUP_CACHE_MS = 5 * 60_000;

export function createSlackHandlers(deps: {
  commands: Commands;
  queries: Queries;
  db: Db;
  client: WebClient;
  approvers: string[];
  audit(db: Db, text: string): string;
}): SlackHandlers {
  const { commands, queries } = deps;
  const by = (user: string) => `slack:${user}`;
  const users = new Set(deps.approvers.filter((id) => !id.startsWith('S')));
  const groups = deps.approvers.filter((id) => id.startsWith('S'));
  let members: { ids: Set<string>; at: number } | null = null;

  async function groupMembers(): Promise<Set<string>> {
    if (members && Date.now() - members.at < GROUP_CACHE_MS) return members.ids;
    const ids = new Set<string>();
    for (const usergroup of groups) {
      const res = await deps.client.usergroups.users.list({ usergroup });
      for (const id of res.users ?? []) ids.add(id);
    }
    members = { ids, at: Date.now() };
    return ids;
  }

  /** A negotiation id, a Gmail thread id, or an influencer email (every open negotiation with them). */
  function resolve(ref: string): string[] {
    const text = ref.trim();
    if (!text) throw new Invalid('missing_reference', 'Give a negotiation id, thread id or influencer email');
    if (queries.negotiation(text)) return [text];
    const byThread = queries.negotiationByThread(text);
    if (byThread) return [byThread];
    const byEmail = text.includes('@') ? queries.openByEmail(text.replace(/^mailto:|[<>]/g, '').split('|')[0]) : [];
    if (byEmail.length) return byEmail;
    throw new NotFound(`No open negotiation matches "${text}"`);
  }

  async function controlEach(ref: string, action: Control, user: string, verb: string): Promise<string> {
    const lines: string[] = [];
    for (const id of resolve(ref)) {
      try {
        const result = await commands.control(id, action, by(user));
        lines.push(`${verb} ${id} (${result.state})`);
      } catch (error) {
        lines.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return lines.join('\n');
  }

  return {
    approve: (id, cents, user, escalation) => commands.approve(id, cents, by(user), escalation),
    walkAway: (id, user, escalation) => commands.control(id, 'walk_away', by(user), escalation),
    takeOver: (id, user, escalation) => commands.control(id, 'claim', by(user), escalation),
    resume: (id, user, escalation) => commands.control(id, 'release', by(user), escalation),
    claim: (ref, user) => controlEach(ref, 'claim', user, 'Claimed'),
    resumeRef: (ref, user) => controlEach(ref, 'release', user, 'Handed back to the agent:'),
    audit: async (text) => deps.audit(deps.db, text),
    async isAllowed(user) {
      if (!deps.approvers.length || users.has(user)) return true;
      return groups.length > 0 && (await groupMembers()).has(user);
    },
  };
}
