/**
 * ClickUp intake (domain.md §5, slack-ops.md §7.1, decisions D12, D13): webhook signature and event, delivery key,
 * and the task client against a local fake of the ClickUp API. The form -> campaign body mapping (with the D12 fixes
 * and problems named by field) is in clickup-form.test.ts.
 */
import { expect } from 'chai';
import { type ClickUpCampaign, campaignFromTask } from '../../services/clickup/campaign.ts';
import { ClickUpApiError, createClickUpClient } from '../../services/clickup/client.ts';
import {
  ClickUpEventError,
  deliveryKey,
  parseClickUpEvent,
  verifyClickUpSignature,
} from '../../services/clickup/webhook.ts';
import {
  campaignTask,
  type FakeClickUp,
  signedDelivery,
  startFakeClickUp,
  taskCreatedBody,
} from '../support/fake-clickup.ts';
import { SECRET, TASK_ID } from './clickup-fixtures.ts';

describe('ClickUp webhook signature', () => {
  const body = Buffer.from(JSON.stringify(taskCreatedBody(TASK_ID)));
  const signature = signedDelivery(body.toString('utf8'), SECRET).headers['X-Signature'];

  it('accepts the HMAC-SHA256 hex of the raw body (any hex case)', () => {
    expect(signature).to.match(/^[0-9a-f]{64}$/);
    expect(verifyClickUpSignature(body, signature, SECRET)).to.equal(true);
    expect(verifyClickUpSignature(body, signature.toUpperCase(), SECRET)).to.equal(true);
  });

  it('refuses a wrong, truncated or missing signature, a wrong secret and an empty secret', () => {
    expect(verifyClickUpSignature(body, `${signature.slice(0, 63)}0`, SECRET)).to.equal(false);
    expect(verifyClickUpSignature(body, signature.slice(0, 40), SECRET)).to.equal(false);
    expect(verifyClickUpSignature(body, 'not-hex', SECRET)).to.equal(false);
    expect(verifyClickUpSignature(body, undefined, SECRET)).to.equal(false);
    expect(verifyClickUpSignature(body, '', SECRET)).to.equal(false);
    expect(verifyClickUpSignature(body, signature, 'another-secret')).to.equal(false);
    expect(verifyClickUpSignature(body, signature, '')).to.equal(false);
  });

  it('is over the raw bytes: the same JSON re-serialised differently fails', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2));
    expect(verifyClickUpSignature(reserialised, signature, SECRET)).to.equal(false);
  });
});

describe('ClickUp webhook event', () => {
  it('reads a taskCreated delivery', () => {
    const e = parseClickUpEvent(taskCreatedBody(TASK_ID, '2800763136717140857', 'wh-1'));
    expect(e).to.deep.equal({
      event: 'taskCreated',
      taskId: TASK_ID,
      webhookId: 'wh-1',
      historyItemIds: ['2800763136717140857'],
    });
  });

  it('reads the minimal body of the signature docs and numeric history ids', () => {
    expect(parseClickUpEvent({ webhook_id: 'w', event: 'taskCreated', task_id: 'c0j' })).to.deep.equal({
      event: 'taskCreated',
      taskId: 'c0j',
      webhookId: 'w',
      historyItemIds: [],
    });
    const e = parseClickUpEvent({ event: 'taskUpdated', task_id: 'c0j', history_items: [{ id: 42 }, { id: '43' }] });
    expect(e.historyItemIds).to.deep.equal(['42', '43']);
  });

  it('gives null for events that are not about a task', () => {
    const e = parseClickUpEvent({ event: 'listCreated', list_id: '162641285', webhook_id: 'w', history_items: [] });
    expect(e.taskId).to.equal(null);
  });

  it('explains a malformed body', () => {
    const error = (body: unknown) => {
      try {
        parseClickUpEvent(body);
      } catch (e) {
        expect(e).to.be.instanceOf(ClickUpEventError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(error(null)).to.match(/^Malformed ClickUp webhook body: body: /);
    expect(error({ task_id: 'abc' })).to.match(/event: /);
    expect(error({ event: 'taskCreated', task_id: '../../team' })).to.match(/task_id: not a ClickUp task id/);
    expect(error({ event: 'taskCreated', task_id: 'a', history_items: [{}] })).to.match(/history_items\.0\.id/);
  });
});

describe('ClickUp delivery key', () => {
  const created = (history: string, webhook: string) => parseClickUpEvent(taskCreatedBody(TASK_ID, history, webhook));

  it('is the task for taskCreated: retries and a second webhook on the list give the same key', () => {
    expect(deliveryKey(created('1', 'wh-a'))).to.equal(`clickup:taskCreated:${TASK_ID}`);
    expect(deliveryKey(created('2', 'wh-b'))).to.equal(deliveryKey(created('1', 'wh-a')));
  });

  it('is event + task + sorted history items otherwise, bounded in length', () => {
    const updated = (ids: string[]) =>
      deliveryKey(
        parseClickUpEvent({ event: 'taskUpdated', task_id: TASK_ID, history_items: ids.map((id) => ({ id })) }),
      );
    expect(updated(['9', '3'])).to.equal(`clickup:taskUpdated:${TASK_ID}:3,9`);
    expect(updated(['3', '9'])).to.equal(updated(['9', '3']));
    expect(updated(['4'])).to.not.equal(updated(['3']));
    expect(deliveryKey(parseClickUpEvent({ event: 'taskUpdated', task_id: TASK_ID }))).to.equal(
      `clickup:taskUpdated:${TASK_ID}:-`,
    );
    const many = updated(Array.from({ length: 50 }, (_, i) => `28007631367171408${String(i).padStart(2, '0')}`));
    expect(many).to.match(new RegExp(`^clickup:taskUpdated:${TASK_ID}:sha256-[0-9a-f]{64}$`));
  });
});

describe('ClickUp client (against a local fake)', () => {
  let fake: FakeClickUp;
  beforeEach(async () => {
    fake = await startFakeClickUp();
    fake.addTask(campaignTask(TASK_ID));
  });
  afterEach(() => fake.close());
  const client = (token = fake.token, retries = 0) =>
    createClickUpClient({ token, baseUrl: fake.apiUrl, retries, retryBaseMs: 1 });
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      expect(e).to.be.instanceOf(ClickUpApiError);
      return e as ClickUpApiError;
    }
    throw new Error('expected a ClickUpApiError');
  };

  it('gets the task with the token and the query ClickUp needs, and maps it', async () => {
    const task = await client().getTask(TASK_ID);
    expect(fake.count(TASK_ID)).to.equal(1);
    expect(fake.requests()[0]).to.deep.equal({
      method: 'GET',
      path: `/api/v2/task/${TASK_ID}`,
      query: { custom_task_ids: 'false', include_subtasks: 'false' },
      authorization: fake.token,
    });
    expect(task.id).to.equal(TASK_ID);
    const result = campaignFromTask(task);
    expect(result).to.have.property('campaign');
    expect((result as { campaign: ClickUpCampaign }).campaign.budget).to.equal('50000.00');
  });

  it('401: names the token', async () => {
    const e = await failure(client('pk_wrong').getTask(TASK_ID));
    expect(e.status).to.equal(401);
    expect(e.code).to.equal('OAUTH_025');
    expect(e.retryable).to.equal(false);
    expect(e.message).to.equal(
      `ClickUp refused the API token for task ${TASK_ID} (401: Token invalid (OAUTH_025)): check CLICKUP_API_TOKEN and that its user can see the task's workspace`,
    );
  });

  it('404: the task is gone, not retried', async () => {
    const e = await failure(client(fake.token, 3).getTask('nope123'));
    expect(e.status).to.equal(404);
    expect(e.retryable).to.equal(false);
    expect(e.message).to.match(/^ClickUp task nope123 was not found \(404: Task not found, deleted \(ITEM_013\)\)/);
    expect(fake.count()).to.equal(1);
  });

  it('5xx: retried, then a clear retryable error', async () => {
    fake.failNext(503);
    const task = await client(fake.token, 1).getTask(TASK_ID);
    expect(task.id).to.equal(TASK_ID);
    expect(fake.count()).to.equal(2);

    fake.failNext(500, 3);
    const e = await failure(client(fake.token, 2).getTask(TASK_ID));
    expect(e.status).to.equal(500);
    expect(e.retryable).to.equal(true);
    expect(e.message).to.equal(`ClickUp is unavailable for task ${TASK_ID} (500: Internal server error (APP_500))`);
    expect(fake.count()).to.equal(5);
  });

  it('a network failure is a retryable error; an id that is not a task id is refused before any request', async () => {
    const dead = createClickUpClient({ token: 't', baseUrl: 'http://127.0.0.1:1/api/v2', retries: 0 });
    const e = await failure(dead.getTask(TASK_ID));
    expect(e.status).to.equal(null);
    expect(e.retryable).to.equal(true);
    const bad = await failure(client().getTask('../team/1'));
    expect(bad.message).to.equal('Not a ClickUp task id: ../team/1');
    expect(fake.count()).to.equal(0);
  });
});
