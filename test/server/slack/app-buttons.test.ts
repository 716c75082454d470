import { expect } from 'chai';
import { Conflict, Unprocessable } from '../../../services/errors.ts';
import { negotiationBlockId } from '../../../server/slack/blocks.ts';
import { blockActionsPayload, slashCommandPayload, viewSubmissionPayload } from '../../support/fake-slack.ts';
import {
  blockTexts,
  CHANNEL,
  calls,
  click,
  ephemeralTexts,
  fake,
  failWith,
  message,
  pause,
  send,
  useSlackHttpApp,
  waitFor,
  escalationBlocks,
} from './app-kit.ts';

describe('Slack app over HTTP (POST /slack/events)', () => {
  useSlackHttpApp();

  describe('buttons bound to their escalation (D19)', () => {
    const bound = (actionId: string, value?: string) =>
      blockActionsPayload({
        user: 'U123',
        actionId,
        blockId: negotiationBlockId('neg-1', 3),
        value,
        channel: CHANNEL,
        message: { ...message, blocks: escalationBlocks('neg-1', 3) },
        responseUrl: fake.responseUrl(),
      });

    it('hands the escalation number of the clicked button to the handlers; take over keeps it on Resume agent', async () => {
      expect(negotiationBlockId('neg-1', 3)).to.equal('negotiation:neg-1#3');
      await send(bound('take_over', 'neg-1'));
      const updated = await waitFor(() => fake.updated()[0], 'chat.update');
      expect(calls).to.deep.equal([['takeOver', 'neg-1', 'U123', 3]]);
      expect(blockTexts(updated.blocks)).to.contain('"block_id":"negotiation:neg-1#3"');
      await send(bound('approve', '260000'));
      await waitFor(() => calls.length === 2, 'approve');
      expect(calls[1]).to.deep.equal(['approve', 'neg-1', 260000, 'U123', 3]);
    });

    it('carries the escalation number through the amount modal', async () => {
      await send(bound('approve_other', '260000'));
      const view = (await waitFor(() => fake.views()[0], 'views.open')).view as { private_metadata: string };
      expect(JSON.parse(view.private_metadata)).to.include({ negotiationId: 'neg-1', escalation: 3 });
      await send(
        viewSubmissionPayload({
          user: 'U123',
          callbackId: 'approve_other',
          privateMetadata: view.private_metadata,
          values: { amount: { amount: '2,450' } },
        }),
      );
      await waitFor(() => calls.length === 1, 'approve');
      expect(calls[0]).to.deep.equal(['approve', 'neg-1', 245000, 'U123', 3]);
    });

    it('refuses ephemerally when the handler says the escalation is an older one, and changes the message not', async () => {
      failWith.error = new Conflict(
        'stale_escalation',
        'This button belongs to escalation #3; the negotiation has escalated again since (#4).',
      );
      await send(bound('approve', '260000'));
      await waitFor(() => fake.responses().length > 0, 'an ephemeral reply');
      expect(ephemeralTexts()[0]).to.contain('escalated again');
      expect(fake.updated()).to.deep.equal([]);
    });
  });

  describe('approve with another amount', () => {
    async function openModal() {
      await send(click('approve_other', '260000'));
      const opened = await waitFor(() => fake.views()[0], 'views.open');
      expect(opened.trigger_id).to.equal('trigger-approve_other');
      return opened.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    }
    const submit = (privateMetadata: string, amount: string, user = 'U123') =>
      send(
        viewSubmissionPayload({
          user,
          callbackId: 'approve_other',
          privateMetadata,
          values: { amount: { amount } },
        }),
      );

    it('opens a modal with an amount field prefilled with the suggestion', async () => {
      const view = await openModal();
      expect(view.callback_id).to.equal('approve_other');
      expect(JSON.parse(view.private_metadata)).to.deep.equal({
        negotiationId: 'neg-1',
        channel: CHANNEL,
        ts: message.ts,
      });
      expect(JSON.stringify(view.blocks)).to.contain('"initial_value":"$2,600.00"');
      expect(calls).to.deep.equal([]);
    });

    it('"2,600" approves at 260000 cents and updates the original message', async () => {
      const view = await openModal();
      const res = await submit(view.private_metadata, '2,600');
      expect(res.status).to.equal(200);
      expect(res.body).to.equal(''); // an empty ack closes the modal
      const updated = await waitFor(() => fake.updated()[0], 'chat.update');
      expect(calls).to.deep.equal([['approve', 'neg-1', 260000, 'U123']]);
      expect(blockTexts(updated.blocks)).to.contain('Approved at $2,600.00 by <@U123>');
      expect(blockTexts(updated.blocks)).to.contain('Escalation: Maya Lopez');
    });

    it('"abc" is answered with a field error and approves nothing', async () => {
      const view = await openModal();
      const res = await submit(view.private_metadata, 'abc');
      expect(res.status).to.equal(200);
      expect(res.body.response_action).to.equal('errors');
      expect(res.body.errors.amount).to.contain('US dollars');
      await pause(100);
      expect(calls).to.deep.equal([]);
    });

    it('a refused approval is reported with chat.postEphemeral (a modal has no response_url)', async () => {
      const view = await openModal();
      failWith.error = new Unprocessable(
        'rate_above_ask',
        'We never offer more than they asked: approve at most $2,500.00',
      );
      await submit(view.private_metadata, '2600');
      const ephemeral = await waitFor(() => fake.ephemerals()[0], 'chat.postEphemeral');
      expect(ephemeral).to.include({ channel: CHANNEL, user: 'U123' });
      expect(ephemeral.text).to.contain('approve at most $2,500.00');
      expect(fake.updated()).to.deep.equal([]);
    });

    it('refuses a non-approver before opening the modal', async () => {
      await send(click('approve_other', '260000', 'UOUTSIDER'));
      await waitFor(() => fake.responses().length > 0, 'an ephemeral reply');
      expect(ephemeralTexts()[0]).to.contain('not allowed');
      expect(fake.views()).to.deep.equal([]);
    });
  });

  describe('slash commands', () => {
    const command = (name: string, text: string, user = 'U123') =>
      send(slashCommandPayload({ command: name, text, user, responseUrl: fake.responseUrl('cmd') }));

    it('/claim calls claim with the reference and answers ephemerally', async () => {
      const res = await command('/claim', '  maya@gmail.com ');
      expect(res.status).to.equal(200);
      await waitFor(() => fake.responses().length > 0, 'the reply');
      expect(calls).to.deep.equal([['claim', 'maya@gmail.com', 'U123']]);
      expect(fake.responses()[0].body).to.include({
        response_type: 'ephemeral',
        text: 'Claimed maya@gmail.com: the agent stops answering',
      });
    });

    it('/resume calls resumeRef with the reference', async () => {
      await command('/resume', 'neg-1');
      await waitFor(() => fake.responses().length > 0, 'the reply');
      expect(calls).to.deep.equal([['resumeRef', 'neg-1', 'U123']]);
      expect(ephemeralTexts()).to.deep.equal(['Resumed neg-1']);
    });

    it('/claim without a reference shows the usage', async () => {
      await command('/claim', ' ');
      await waitFor(() => fake.responses().length > 0, 'the reply');
      expect(ephemeralTexts()[0]).to.match(/^Usage: \/claim/);
      expect(calls).to.deep.equal([]);
    });

    it('/audit passes its arguments and shows the text', async () => {
      await command('/audit', 'influencer:maya last:7d');
      await waitFor(() => fake.responses().length > 0, 'the reply');
      expect(calls).to.deep.equal([['audit', 'influencer:maya last:7d']]);
      expect(ephemeralTexts()).to.deep.equal(['2 audit entries for influencer:maya last:7d']);
    });

    it('refuses a non-approver', async () => {
      await command('/claim', 'neg-1', 'UOUTSIDER');
      await waitFor(() => fake.responses().length > 0, 'the reply');
      expect(ephemeralTexts()[0]).to.contain('not allowed');
      expect(calls).to.deep.equal([]);
    });
  });
});
