/**
 * Slack messages (Block Kit as plain objects), shared by the sandbox stand-in and the Slack adapter. Every
 * piece of text that came from an email or a sheet is escaped, so it cannot mention or link (D11).
 */
import type { NotifyInput } from '../../machines/negotiation.ts';
import { type Cents, formatUsd } from '../money.ts';
import { cpmFor, rateFor } from '../pricing.ts';
import { cutMrkdwn, escapeMrkdwn, listSections } from './block-kit.ts';

export { escapeMrkdwn };

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

const resumeButton = (negotiationId: string) => button('Resume agent', 'resume_agent', negotiationId, 'primary');

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
  const suggested = e?.suggestedCents ?? n.lastOfferCents;
  blocks.push({
    type: 'actions',
    block_id: `negotiation:${n.negotiationId}`,
    elements: [
      ...(suggested
        ? [button(`Approve counter at ${formatUsd(suggested)}`, 'approve', String(suggested), 'primary')]
        : []),
      button('Other amount…', 'approve_other', String(suggested ?? 0)),
      button('Walk away', 'walk_away', n.negotiationId, 'danger'),
      n.controlledBy ? resumeButton(n.negotiationId) : button('Take over', 'take_over', n.negotiationId),
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
  const text = `New reply from ${n.influencer.name} (no automatic answer)`;
  const held = n.controlledBy ? `\nHandled by ${escapeMrkdwn(n.controlledBy)}.` : '';
  return {
    text,
    blocks: [
      section(`*${escapeMrkdwn(text)}*${held}\nFrom ${escapeMrkdwn(r?.from ?? '')}:\n${quote(r?.text ?? '', 2600)}`),
      ...(n.controlledBy
        ? [{ type: 'actions', block_id: `negotiation:${n.negotiationId}`, elements: [resumeButton(n.negotiationId)] }]
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
