/**
 * End-to-end tests of the public HTTP contract (helpers.ts): escalation above the limit, approval, walk-away, rejection.
 */
import { expect } from 'chai';
import {
  expectError,
  MAYA,
  mail,
  negotiation,
  reply,
  sleep,
  slack,
  started,
  timelineOf,
  until,
  waitForMailCount,
  waitForState,
} from '../../support/e2e.ts';
import { useAgents, agent, capped, escalated } from './helpers.ts';

// ---------------------------------------------------------------------------------------------------------------
// 3. Ask above the limit -> escalation -> approval
// ---------------------------------------------------------------------------------------------------------------

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('API (e2e): escalation', () => {
  useAgents();
  describe('e2e: escalation above the limit and approval', () => {
    it('"My rate is $3,200" escalates with no email and a Slack escalation with the reason and figures', async () => {
      const t = await agent();
      const s = await escalated(t);
      const n = await negotiation(t, s.id);
      expect(n.state).to.equal('escalated');
      expect(n.theirLastAsk).to.equal('3200.00');
      expect(n.lastOfferedRate).to.equal('2000.00');
      await sleep(100);
      expect(await mail(t, { to: MAYA }), 'no email while escalated').to.have.length(1);

      const messages = (await slack(t, s.id)).filter((m) => m.kind === 'escalation');
      expect(messages).to.have.length(1);
      const content = `${messages[0].text}\n${JSON.stringify(messages[0].blocks)}`;
      const [entry] = timelineOf(n, 'escalation');
      expect(entry, 'the escalation is in the timeline').to.not.equal(undefined);
      expect(entry.reason).to.be.a('string').and.not.equal('');
      expect(content).to.contain(String(entry.reason));
      expect(content).to.contain('$3,200'); // their ask
      expect(content).to.contain('$2,000'); // our offer
      expect(content).to.contain('$2,300'); // the max cost without approval
      expect(content).to.contain('Maya Lopez');
    });

    it('the negotiation detail of an escalated negotiation shows money only as decimal strings', async () => {
      const t = await agent();
      const s = await escalated(t);
      const n = await negotiation(t, s.id);
      const offenders: string[] = [];
      const walk = (value: unknown, path: string) => {
        if (Array.isArray(value)) {
          for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
        } else if (value && typeof value === 'object') {
          for (const [k, v] of Object.entries(value)) {
            if (/cents$/i.test(k)) offenders.push(`${path}.${k}=${JSON.stringify(v)}`);
            walk(v, `${path}.${k}`);
          }
        }
      };
      walk(n, 'body');
      expect(offenders, 'integer-cent fields on the wire').to.deep.equal([]);
    });

    it('a hostile reply escalates; the Slack message quotes it escaped (no <!channel>, no injected link)', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, 'This is a scam <!channel> <https://evil.example|click here>');
      await waitForState(t, s.id, 'escalated');
      const message = await until(async () => (await slack(t, s.id)).find((m) => m.kind === 'escalation'));
      const content = `${message.text}\n${JSON.stringify(message.blocks)}`;
      expect(content).to.not.contain('<!channel>');
      expect(content).to.not.contain('<https://evil.example');
      expect(content).to.contain('scam');
      await sleep(100);
      expect(await mail(t, { to: MAYA })).to.have.length(1);
    });

    it('POST /approve {"rate":"2600.00"} sends a counter at $2,600.00 and returns to counter_sent', async () => {
      const t = await agent();
      const s = await escalated(t);
      const res = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2600.00' });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ id: s.id, previousState: 'escalated', state: 'counter_sent' });

      const n = await waitForState(t, s.id, 'counter_sent');
      expect(n.lastOfferedRate).to.equal('2600.00');
      expect(n.theirLastAsk).to.equal('3200.00');

      const thread = await waitForMailCount(t, MAYA, 2);
      expect(thread).to.have.length(2);
      expect(thread[1].threadId).to.equal(s.threadId);
      const received = timelineOf(n, 'email_received');
      expect(thread[1].inReplyTo).to.equal(received.at(-1)?.messageId);
      expect(thread[1].text).to.contain('$2,600.00');

      const approvals = timelineOf(n, 'approval');
      expect(approvals).to.have.length(1);
      expect(approvals[0].rate).to.equal('2600.00');
    });

    it('approving below our last offer or above their ask is refused with 422 and changes nothing', async () => {
      const t = await agent();
      const s = await escalated(t);

      const below = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '1500.00' });
      expectError(below, 422);
      const above = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '3500.00' });
      expectError(above, 422);
      const junk = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: 'lots' });
      expectError(junk, 400);
      const missing = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, {});
      expectError(missing, 400);

      await sleep(100);
      const n = await negotiation(t, s.id);
      expect(n.state).to.equal('escalated');
      expect(n.lastOfferedRate).to.equal('2000.00');
      expect(timelineOf(n, 'approval')).to.deep.equal([]);
      expect(await mail(t, { to: MAYA })).to.have.length(1);
    });

    it('approving a negotiation that is not escalated is 409; an unknown one is 404', async () => {
      const t = await agent();
      const s = await started(t, capped());
      const res = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2100.00' });
      expectError(res, 409);
      expect((await negotiation(t, s.id)).state).to.equal('awaiting_reply');
      expect(await mail(t, { to: MAYA })).to.have.length(1);

      const unknown = await t.call('POST', '/api/v1/negotiations/neg-does-not-exist/approve', { rate: '2100.00' });
      expectError(unknown, 404);
    });

    it('a second approval after the counter went out is 409', async () => {
      const t = await agent();
      const s = await escalated(t);
      const first = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: 2600 });
      expect(first.status).to.equal(200);
      await waitForState(t, s.id, 'counter_sent');
      const again = await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2700.00' });
      expectError(again, 409);
      expect(await mail(t, { to: MAYA })).to.have.length(2);
    });

    it('the Slack "Approve counter" button (sandbox action) takes the same path as the API', async () => {
      const t = await agent();
      const s = await escalated(t);
      const [message] = (await slack(t, s.id)).filter((m) => m.kind === 'escalation');
      expect(JSON.stringify(message.blocks)).to.match(/Approve counter at \$[\d,]+\.\d{2}/);
      const res = await t.call('POST', '/sandbox/slack/actions', {
        action: 'approve',
        negotiationId: s.id,
        user: 'U123',
        rate: '2600.00',
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const n = await waitForState(t, s.id, 'counter_sent');
      expect(n.lastOfferedRate).to.equal('2600.00');
      const approvals = timelineOf(n, 'approval');
      expect(approvals).to.have.length(1);
      expect(String(approvals[0].by)).to.contain('U123');
      expect((await waitForMailCount(t, MAYA, 2))[1].text).to.contain('$2,600.00');
    });

    it('"Walk away" sends a warm exit email and the negotiation is rejected', async () => {
      const t = await agent();
      const s = await escalated(t);
      const res = await t.call('POST', '/sandbox/slack/actions', {
        action: 'walk_away',
        negotiationId: s.id,
        user: 'U1',
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      await waitForState(t, s.id, 'rejected');
      const thread = await waitForMailCount(t, MAYA, 2);
      expect(thread[1].threadId).to.equal(s.threadId);
      expect(thread[1].text).to.not.contain('$3,200');
    });

    it('POST /api/v1/negotiations/:id/walk-away does the same, and only on an escalated negotiation', async () => {
      const t = await agent();
      const s = await escalated(t);
      const res = await t.call('POST', `/api/v1/negotiations/${s.id}/walk-away`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.deep.include({ previousState: 'escalated', state: 'rejected' });
      expect(await waitForMailCount(t, MAYA, 2)).to.have.length(2);
      const again = await t.call('POST', `/api/v1/negotiations/${s.id}/walk-away`);
      expect(again.status).to.equal(409);
      expect(again.body.error.code).to.equal('invalid_state');
    });

    it('a reply while escalated is recorded, relayed to Slack in the escalation thread, and not answered (D1)', async () => {
      const t = await agent();
      const s = await escalated(t);
      const [escalation] = (await slack(t, s.id)).filter((m) => m.kind === 'escalation');
      await reply(t, s.threadId, 'Any news on my rate? I have another offer.');
      const relayed = await until(async () =>
        (await slack(t, s.id)).find((m) => m.kind === 'notice' && JSON.stringify(m.blocks).includes('another offer')),
      );
      expect(relayed.threadTs).to.equal(escalation.ts);
      const n = await negotiation(t, s.id);
      expect(n.state).to.equal('escalated');
      expect(timelineOf(n, 'email_received')).to.have.length(2);
      expect(await mail(t, { to: MAYA })).to.have.length(1);
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // 4. Rejection
  // ---------------------------------------------------------------------------------------------------------------

  describe('e2e: rejection', () => {
    it('"I\'m going to pass on this one" -> rejected, no email, no Slack message', async () => {
      const t = await agent();
      const s = await started(t);
      const slackBefore = (await slack(t)).length;
      await reply(t, s.threadId, "Thanks so much, but I'm going to pass on this one.");
      const n = await waitForState(t, s.id, 'rejected');
      expect(n.agreedRate).to.equal(null);
      await sleep(150);
      expect(await mail(t, { to: MAYA })).to.have.length(1);
      expect(await slack(t, s.id)).to.deep.equal([]);
      expect(await slack(t)).to.have.length(slackBefore);
      const transitions = timelineOf(await negotiation(t, s.id), 'state_transition').map((e) => e.to);
      expect(transitions.at(-1)).to.equal('rejected');
    });
  });
});
