/**
 * Slack messages (Block Kit as plain objects), shared by the sandbox stand-in and the Slack adapter. Every
 * piece of text that came from an email or a sheet is escaped, so it cannot mention or link (D11).
 */
import { addressOf } from '../addresses.ts';
import type { Escalation, Influencer, Terms } from '../domain.ts';
import type { Classification } from '../model/port.ts';
import { type Cents, formatUsd } from '../money.ts';
import { cpmFor, rateFor } from '../pricing.ts';
import { cutMrkdwn, escapeMrkdwn, listSections } from './block-kit.ts';

export { escapeMrkdwn };

/** The buttons' action ids: the messages post them, the Slack listeners (server/slack/listeners.ts) answer them. */
export const ACTION_IDS = {
  approve: 'approve',
  approveOther: 'approve_other',
  walkAway: 'walk_away',
  takeOver: 'take_over',
  resumeAgent: 'resume_agent',
} as const;

export type NotifyKind = 'escalation' | 'agreement' | 'stale' | 'reply';

/**
 * The machine's notify effect input (machines/contracts.ts names it): what a negotiation's Slack message shows.
 * Declared here, below the machine, so the chat adapter needs nothing from it.
 */
export interface NotifyInput {
  key: string;
  kind: NotifyKind;
  negotiationId: string;
  influencer: Influencer;
  terms: Terms;
  lastOfferCents: Cents | null;
  theirAskCents: Cents | null;
  agreedCents: Cents | null;
  deliverables: string; // the package as it stands (levers may have changed it)
  escalation: Escalation | null;
  /** The reply relayed (the machine's whole Reply; the messages read who wrote it and what). */
  reply: { from: string; text: string } | null;
  /** How a relayed reply was read while escalated (its ask updates the escalation, D16), else null. */
  classification: Classification | null;
  /** Who holds the negotiation when a human does (their messages offer "Resume agent"), else null. */
  controlledBy: string | null;
}

/** A quoted text of at most `max` characters as sent: escaped first, then cut (block-kit.ts). */
const quote = (text: string, max = 600) =>
  cutMrkdwn(
    escapeMrkdwn(text)
      .split('\n')
      .map((l) => `>${l}`)
      .join('\n'),
    max,
  );
const usd = (c: Cents | null) => (c == null ? 'n/a' : formatUsd(c));
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const fields = (...pairs: [string, string][]) => ({
  type: 'section',
  fields: pairs.map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}:*\n${v}` })),
});
const button = (text: string, actionId: string, value: string, style?: 'primary' | 'danger') => ({
  type: 'button',
  text: { type: 'plain_text', text },
  action_id: actionId,
  value,
  ...(style ? { style } : {}),
});

const resumeButton = (negotiationId: string) =>
  button('Resume agent', ACTION_IDS.resumeAgent, negotiationId, 'primary');

/**
 * The block_id of a message's buttons: which negotiation they act on and, for an escalation's buttons, which
 * escalation they were posted for (D19: a click on an older escalation's button is refused).
 */
export function actionsBlockId(negotiationId: string, escalationSeq?: number | null): string {
  return escalationSeq ? `negotiation:${negotiationId}#${escalationSeq}` : `negotiation:${negotiationId}`;
}

/** The negotiation and escalation a button's block_id names, or null for a block that is not ours. */
export function parseActionsBlockId(
  blockId: string | undefined,
): { negotiationId: string; escalation: number | null } | null {
  const m = /^negotiation:([^#]+)(?:#(\d{1,9}))?$/.exec(blockId ?? '');
  return m ? { negotiationId: m[1], escalation: m[2] ? Number(m[2]) : null } : null;
}

/** Who wrote a relayed reply: the influencer, or whoever else wrote in their thread (a manager, a teammate). */
function writerOf(n: NotifyInput): string {
  const from = n.reply?.from ?? '';
  const address = addressOf(from);
  if (!address || address === addressOf(n.influencer.email)) return n.influencer.name;
  const at = from.lastIndexOf('<');
  // Untrusted: no angle brackets (Slack's mention and link syntax) survive, even in the plain-text fallback.
  const display = (at > 0 ? from.slice(0, at) : '').replace(/["<>]/g, '').trim().slice(0, 100);
  return `${display || address.replace(/[<>]/g, '')} (${n.influencer.name}'s negotiation)`;
}

/** How a reply read while escalated changed the escalation (D16), for its post in the escalation's thread. */
function readingLine(n: NotifyInput): string | null {
  const c = n.classification;
  const e = n.escalation;
  if (!c || !e) return null;
  const flags = c.triggers.length ? ` Flagged: ${c.triggers.map((t) => t.kind.replace('_', ' ')).join(', ')}.` : '';
  if (c.askCents == null && c.intent === 'accept' && n.lastOfferCents != null) {
    return `*Read as:* they accept our standing offer of ${formatUsd(n.lastOfferCents)}.${flags}`;
  }
  if (c.askCents == null) {
    const read = {
      accept: 'an acceptance',
      counter: 'a counter',
      reject: 'a refusal',
      question: 'a question',
      unclear: 'unclear',
    };
    return `*Read as:* ${read[c.intent]}, with no new amount.${flags}`;
  }
  const next =
    e.suggestedCents != null
      ? `suggested counter now ${formatUsd(e.suggestedCents)} (the escalation message is updated)`
      : `no counter can be approved between our offer (${usd(n.lastOfferCents)}) and their ask`;
  return `*Their latest ask:* ${formatUsd(c.askCents)}; ${next}.${flags}`;
}

export interface MessageExtras {
  link: string; // the negotiation in the dashboard/API
  conversation: { direction: 'in' | 'out'; text: string; at: string }[]; // latest last
}

export function escalationMessage(n: NotifyInput, extras: MessageExtras) {
  const e = n.escalation;
  const who = escapeMrkdwn(n.influencer.name);
  const reason = escapeMrkdwn(e?.reason ?? 'needs a human decision');
  const t = n.terms;
  const views = n.influencer.averageViews;
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: `Escalation: ${n.influencer.name}` } },
    fields(
      ['Influencer', who],
      ['Email', escapeMrkdwn(n.influencer.email)],
      ['Client', escapeMrkdwn(t.client)],
      ['Reason', reason],
      ...(n.controlledBy ? [['Handled by', escapeMrkdwn(n.controlledBy)] as [string, string]] : []),
    ),
    fields(
      ['Our offer', usd(n.lastOfferCents)],
      ['Their ask', usd(e?.askCents ?? n.theirAskCents)],
      ['Average views', views.toLocaleString('en-US')],
      ['Engagement', n.influencer.engagementRate ? `${escapeMrkdwn(n.influencer.engagementRate)}%` : 'n/a'],
      [
        'Campaign bounds',
        `CPM ${formatUsd(t.floorCpmCents)}–${formatUsd(t.ceilingCpmCents)} = ${formatUsd(rateFor(views, t.floorCpmCents))}–${formatUsd(rateFor(views, t.ceilingCpmCents))}`,
      ],
      ['Max cost without approval', usd(t.levers.maxCostCents)],
    ),
  ];
  if (e?.evidence) blocks.push(section(`*Evidence:*\n${quote(e.evidence, 300)}`));
  if (extras.conversation.length) {
    const lines = extras.conversation
      .slice(-4)
      .map(
        (m) =>
          `*${m.direction === 'in' ? 'Them' : 'Us'}* (${m.at.slice(0, 16).replace('T', ' ')}):\n${quote(m.text, 650)}`,
      );
    blocks.push(section(`*Conversation so far:*\n${lines.join('\n')}`));
  }
  if (e?.draft) blocks.push(section(`*Rejected draft:*\n${quote(e.draft, 2800)}`));
  // The escalation's suggestion is one the approval rule accepts; none means no counter can be approved.
  const suggested = e ? e.suggestedCents : n.lastOfferCents;
  blocks.push({
    type: 'actions',
    block_id: actionsBlockId(n.negotiationId, e?.seq),
    elements: [
      ...(suggested
        ? [button(`Approve counter at ${formatUsd(suggested)}`, ACTION_IDS.approve, String(suggested), 'primary')]
        : []),
      button('Other amount…', ACTION_IDS.approveOther, String(suggested ?? 0)),
      button('Walk away', ACTION_IDS.walkAway, n.negotiationId, 'danger'),
      n.controlledBy ? resumeButton(n.negotiationId) : button('Take over', ACTION_IDS.takeOver, n.negotiationId),
    ],
  });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${extras.link}|Open the negotiation>` }] });
  return { text: `Escalation: ${n.influencer.name} - ${e?.reason ?? ''}`, blocks };
}

export function agreementMessage(n: NotifyInput, extras: MessageExtras) {
  const rate = n.agreedCents ?? 0;
  const cpm = cpmFor(rate, n.influencer.averageViews);
  const steps = ['Send the SOW/contract for signature', 'Share the content brief', 'Schedule content and payment'];
  return {
    text: `Deal Agreed: ${n.influencer.name} - ${formatUsd(rate)}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `Deal Agreed: ${n.influencer.name}` } },
      fields(
        ['Influencer', escapeMrkdwn(n.influencer.name)],
        ['Email', escapeMrkdwn(n.influencer.email)],
        ['Platform', n.influencer.platform],
        ['Campaign', `${escapeMrkdwn(n.terms.client)} (${escapeMrkdwn(n.terms.campaignId)})`],
        ['Agreed rate', formatUsd(rate)],
        ['CPM achieved', formatUsd(cpm)],
      ),
      section(`*Deliverables:*\n${escapeMrkdwn(n.deliverables)}`),
      section(`*Next steps:*\n${steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}`),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `<${extras.link}|Open the negotiation>` }] },
    ],
  };
}

export function staleMessage(n: NotifyInput, extras: MessageExtras) {
  const text = `No reply from ${n.influencer.name} after our follow-up: the negotiation is stale`;
  return {
    text,
    blocks: [
      section(`${escapeMrkdwn(text)} (last offer ${usd(n.lastOfferCents)}). <${extras.link}|Open the negotiation>`),
    ],
  };
}

export function replyMessage(n: NotifyInput, extras: MessageExtras) {
  const r = n.reply;
  const text = `New reply from ${writerOf(n)} (no automatic answer)`;
  const held = n.controlledBy ? `\nHandled by ${escapeMrkdwn(n.controlledBy)}.` : '';
  const reading = readingLine(n);
  return {
    text,
    blocks: [
      section(`*${escapeMrkdwn(text)}*${held}\nFrom ${escapeMrkdwn(r?.from ?? '')}:\n${quote(r?.text ?? '', 2600)}`),
      ...(reading ? [section(reading)] : []),
      ...(n.controlledBy
        ? [
            {
              type: 'actions',
              block_id: actionsBlockId(n.negotiationId, n.escalation?.seq),
              elements: [resumeButton(n.negotiationId)],
            },
          ]
        : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `<${extras.link}|Open the negotiation>` }] },
    ],
  };
}

/** A plain notice (campaign start, skipped influencers, failures); a long list is packed into sections. */
export function noticeMessage(title: string, lines: string[]) {
  return {
    text: title,
    blocks: listSections(
      `*${escapeMrkdwn(title)}*`,
      lines.map((l) => `• ${escapeMrkdwn(l)}`),
    ),
  };
}
