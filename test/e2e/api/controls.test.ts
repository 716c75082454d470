/**
 * End-to-end tests of the public HTTP contract (helpers.ts): pause, resume, stop, claim and release.
 */
import { expect } from 'chai';
import {
  control,
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
  usd,
  waitForMailCount,
  waitForState,
} from '../../support/e2e.ts';
import { useAgents, agent } from './helpers.ts';

// ---------------------------------------------------------------------------------------------------------------
// 5. Pause / resume / stop
// ---------------------------------------------------------------------------------------------------------------

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('API (e2e): controls', () => {
  useAgents();
  describe('e2e: pause, resume and stop', () => {
    it('pause -> 200 {previousState, state:"paused"}; resume -> the pre-pause state', async () => {
      const t = await agent();
      const s = await started(t);
      const paused = await control(t, s.id, 'pause');
      expect(paused.status, JSON.stringify(paused.body)).to.equal(200);
      expect(paused.body).to.include({ id: s.id, previousState: 'awaiting_reply', state: 'paused' });
      expect((await negotiation(t, s.id)).state).to.equal('paused');

      const resumed = await control(t, s.id, 'resume');
      expect(resumed.status).to.equal(200);
      expect(resumed.body).to.include({ id: s.id, previousState: 'paused', state: 'awaiting_reply' });
      expect((await negotiation(t, s.id)).state).to.equal('awaiting_reply');
    });

    it('resume returns to counter_sent (not the first waiting state) when paused there', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, "I'd do it for $2,300");
      await waitForState(t, s.id, 'counter_sent');
      expect((await control(t, s.id, 'pause')).body).to.include({ previousState: 'counter_sent', state: 'paused' });
      expect((await control(t, s.id, 'resume')).body).to.include({ previousState: 'paused', state: 'counter_sent' });
    });

    it('a reply while paused is recorded, not answered, and answered after resume', async () => {
      const t = await agent();
      const s = await started(t);
      expect((await control(t, s.id, 'pause')).status).to.equal(200);
      await reply(t, s.threadId, "I'd do it for $2,300");
      const whilePaused = await until(async () => {
        const n = await negotiation(t, s.id);
        return timelineOf(n, 'email_received').length === 1 ? n : undefined;
      });
      expect(whilePaused.state).to.equal('paused');
      const received = timelineOf(whilePaused, 'email_received')[0];
      expect(received.text).to.equal("I'd do it for $2,300");
      await sleep(150);
      expect(await mail(t, { to: MAYA }), 'no email while paused').to.have.length(1);

      const resumed = await control(t, s.id, 'resume');
      expect(resumed.status).to.equal(200);
      expect(resumed.body.previousState).to.equal('paused');
      const n = await waitForState(t, s.id, 'counter_sent');
      expect(n.theirLastAsk).to.equal('2300.00');
      const thread = await waitForMailCount(t, MAYA, 2);
      expect(thread[1].text).to.contain(usd(n.lastOfferedRate));
      expect(timelineOf(n, 'email_received')).to.have.length(1);
    });

    it('a pause racing a reply loses nothing and doubles nothing', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, "I'd do it for $2,300");
      const paused = await control(t, s.id, 'pause');
      expect(paused.status, JSON.stringify(paused.body)).to.equal(200);
      expect(paused.body.state).to.equal('paused');
      expect((await control(t, s.id, 'resume')).status).to.equal(200);
      const n = await waitForState(t, s.id, 'counter_sent');
      expect(timelineOf(n, 'email_received')).to.have.length(1);
      await sleep(150);
      expect(await mail(t, { to: MAYA })).to.have.length(2);
    });

    it('pause twice -> 409; resume when not paused -> 409', async () => {
      const t = await agent();
      const s = await started(t);
      expectError(await control(t, s.id, 'resume'), 409);
      expect((await control(t, s.id, 'pause')).status).to.equal(200);
      expectError(await control(t, s.id, 'pause'), 409);
      expect((await negotiation(t, s.id)).state).to.equal('paused');
    });

    it('stop -> stopped (terminal): stop, pause and resume later -> 409; replies are not answered', async () => {
      const t = await agent();
      const s = await started(t);
      const stopped = await control(t, s.id, 'stop');
      expect(stopped.status).to.equal(200);
      expect(stopped.body).to.include({ id: s.id, previousState: 'awaiting_reply', state: 'stopped' });
      expectError(await control(t, s.id, 'stop'), 409);
      expectError(await control(t, s.id, 'pause'), 409);
      expectError(await control(t, s.id, 'resume'), 409);
      await reply(t, s.threadId, "Sounds great, let's do it");
      await until(async () => timelineOf(await negotiation(t, s.id), 'email_received').length === 1);
      await sleep(150);
      expect((await negotiation(t, s.id)).state).to.equal('stopped');
      expect(await mail(t, { to: MAYA })).to.have.length(1);
    });

    it('a paused negotiation can be stopped', async () => {
      const t = await agent();
      const s = await started(t);
      await control(t, s.id, 'pause');
      const res = await control(t, s.id, 'stop');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ previousState: 'paused', state: 'stopped' });
    });

    it('controls on an unknown negotiation -> 404', async () => {
      const t = await agent();
      for (const action of ['pause', 'resume', 'stop', 'claim', 'release']) {
        expectError(await control(t, 'neg-unknown', action), 404);
      }
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // 6. Claim / release (human control)
  // ---------------------------------------------------------------------------------------------------------------

  describe('e2e: claim and release', () => {
    it('a claimed negotiation relays replies to Slack and does not answer; after release it answers again', async () => {
      const t = await agent();
      const s = await started(t);
      const claimed = await control(t, s.id, 'claim');
      expect(claimed.status, JSON.stringify(claimed.body)).to.equal(200);
      expect(claimed.body).to.include({ id: s.id, previousState: 'awaiting_reply' });
      expect((await negotiation(t, s.id)).humanControlled).to.equal(true);

      await reply(t, s.threadId, "I'd do it for $2,300");
      const notice = await until(async () =>
        (await slack(t, s.id)).find((m) => m.kind === 'notice' && JSON.stringify(m.blocks).includes('2,300')),
      );
      expect(notice).to.not.equal(undefined);
      await sleep(150);
      expect(await mail(t, { to: MAYA }), 'no automatic answer while claimed').to.have.length(1);
      const during = await negotiation(t, s.id);
      expect(during.humanControlled).to.equal(true);
      expect(timelineOf(during, 'email_received')).to.have.length(1);

      const released = await control(t, s.id, 'release');
      expect(released.status).to.equal(200);
      expect((await negotiation(t, s.id)).humanControlled).to.equal(false);

      await reply(t, s.threadId, "Sounds great, let's do it");
      await waitForState(t, s.id, 'agreed');
      const thread = await waitForMailCount(t, MAYA, 2);
      expect(thread).to.have.length(2);
    });

    it('claim twice -> 409; release when not claimed -> 409', async () => {
      const t = await agent();
      const s = await started(t);
      expectError(await control(t, s.id, 'release'), 409);
      expect((await control(t, s.id, 'claim')).status).to.equal(200);
      expectError(await control(t, s.id, 'claim'), 409);
      expect((await control(t, s.id, 'release')).status).to.equal(200);
    });

    it('a message in the thread from an unknown sender is a human takeover (D6)', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, 'Hi Maya, jumping in from the Glow team - happy to do $2,300.', {
        from: 'Sarah <sarah@glowskincare.com>',
      });
      await until(async () => timelineOf(await negotiation(t, s.id), 'email_received').length === 1);
      await sleep(200);
      const n = await negotiation(t, s.id);
      expect(n.humanControlled, 'an unknown sender in the thread takes the negotiation over').to.equal(true);
      expect(await mail(t, { to: MAYA }), 'the agent stops answering').to.have.length(1);
    });
  });
});
