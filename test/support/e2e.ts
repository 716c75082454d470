/** Shared helpers for the end-to-end tests: the public HTTP API and the sandbox stand-ins, nothing else. */
import { expect } from 'chai';
import { type ApiResponse, eventually, glowCampaign, type TestAgent } from './agent.ts';

export interface SentMail {
  messageId: string;
  threadId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  inReplyTo?: string | null;
  references?: string[];
  sentAt: string;
}

export interface SlackMessage {
  channel: string;
  text: string;
  blocks: unknown[];
  ts: string;
  threadTs?: string | null;
  negotiationId: string | null;
  kind: 'escalation' | 'agreement' | 'notice';
}

export interface TimelineItem {
  id: number;
  at: string;
  type: string;
  [field: string]: unknown;
}

export const MAYA = 'maya@gmail.com';
export const MONEY = /^\d+\.\d{2}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
export const TOKEN = 'e2e-test-token-0123456789';

/** `eventually` that returns the found value with `undefined` and `false` removed from its type. */
export async function until<T>(check: () => Promise<T | undefined | false | null>, timeoutMs?: number): Promise<T> {
  return (await eventually(check, timeoutMs)) as T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "$2,150.00" / "$2,150" -> 2150 (dollars, as a number; test-side only). */
export function dollars(text: string): number {
  return Number(text.replace(/[$,]/g, ''));
}

/** "2150.00" -> "$2,150.00", the way emails and Slack show amounts. */
export function usd(wire: string): string {
  const [whole, frac] = wire.split('.');
  return `$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

export function expectError(res: ApiResponse, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers.get('content-type') ?? '').to.match(/application\/json/);
  expect(res.body).to.be.an('object');
  expect(res.body.error, JSON.stringify(res.body)).to.be.an('object');
  expect(res.body.error.code)
    .to.be.a('string')
    .and.match(/^[a-z][a-z0-9_]*$/);
  expect(res.body.error.message).to.be.a('string').and.not.equal('');
  if (code) expect(res.body.error.code).to.equal(code);
}

export async function createCampaign(t: TestAgent, body: Record<string, unknown> = glowCampaign(), status = 201) {
  const res = await t.call('POST', '/api/v1/campaigns', body);
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  return res.body as {
    id: string;
    negotiations: { id: string; influencer: { name: string; email: string }; state: string }[];
    skipped: { name: string; reason: string }[];
  };
}

export async function mail(t: TestAgent, query: { to?: string; thread?: string } = {}): Promise<SentMail[]> {
  const qs = new URLSearchParams(query as Record<string, string>).toString();
  const res = await t.call('GET', `/sandbox/mail${qs ? `?${qs}` : ''}`);
  expect(res.status).to.equal(200);
  return res.body;
}

export async function slack(t: TestAgent, negotiationId?: string): Promise<SlackMessage[]> {
  const res = await t.call('GET', '/sandbox/slack');
  expect(res.status).to.equal(200);
  const all = res.body as SlackMessage[];
  return negotiationId === undefined ? all : all.filter((m) => m.negotiationId === negotiationId);
}

export async function negotiation(t: TestAgent, id: string) {
  const res = await t.call('GET', `/api/v1/negotiations/${id}`);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body;
}

export async function waitForState(t: TestAgent, id: string, state: string, timeoutMs = 5_000) {
  let last = '';
  try {
    return await until(async () => {
      const n = await negotiation(t, id);
      last = n.state;
      return n.state === state ? n : undefined;
    }, timeoutMs);
  } catch {
    throw new Error(`negotiation ${id} did not reach state '${state}' (last seen: '${last}')`);
  }
}

export async function waitForMailCount(t: TestAgent, to: string, count: number): Promise<SentMail[]> {
  let seen = -1;
  try {
    return await until(async () => {
      const m = await mail(t, { to });
      seen = m.length;
      return m.length >= count ? m : undefined;
    });
  } catch {
    throw new Error(`expected ${count} email(s) to ${to}, saw ${seen}`);
  }
}

export function timelineOf(n: { timeline: TimelineItem[] }, type: string): TimelineItem[] {
  return n.timeline.filter((e) => e.type === type);
}

/** Waits until the agent recorded `count` inbound emails and the negotiation is no longer deciding. */
export async function waitForReceived(t: TestAgent, id: string, count: number) {
  return until(async () => {
    const n = await negotiation(t, id);
    return timelineOf(n, 'email_received').length >= count && n.state !== 'counter_received' ? n : undefined;
  });
}

/** Starts the api.md campaign (or `body`) and returns the one negotiation with its opening email. */
export async function started(t: TestAgent, body: Record<string, unknown> = glowCampaign()) {
  const created = await createCampaign(t, body);
  expect(created.negotiations).to.have.length(1);
  const id = created.negotiations[0].id;
  const [opening] = await waitForMailCount(t, MAYA, 1);
  return { id, threadId: opening.threadId, opening, created };
}

export async function reply(
  t: TestAgent,
  threadId: string,
  text: string,
  extra: { from?: string; messageId?: string; subject?: string } = {},
) {
  const res = await t.call('POST', '/sandbox/mail', { from: MAYA, threadId, text, ...extra });
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
  expect(res.body.messageId).to.be.a('string');
  return res.body as { messageId: string; duplicate?: boolean };
}

export async function control(t: TestAgent, id: string, action: string) {
  return t.call('POST', `/api/v1/negotiations/${id}/${action}`);
}
