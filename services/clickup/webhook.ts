/**
 * A ClickUp webhook delivery (slack-ops.md §7.1, decision D13): its signature, the parts of its body the agent
 * uses, and the key that makes a delivery handled once.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TASK_ID } from './task.ts';

/**
 * ClickUp signs each delivery with the webhook's secret: `X-Signature` = lowercase hex HMAC-SHA256 of the raw
 * body bytes. Compared in constant time; a missing, malformed or wrong signature (or an empty secret) is false.
 */
export function verifyClickUpSignature(rawBody: Buffer, signatureHeader: string | undefined, secret: string): boolean {
  if (!secret || !signatureHeader) return false;
  const given = signatureHeader.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

export class ClickUpEventError extends Error {}

export interface ClickUpEvent {
  event: string;
  /** null for events that are not about a task (listCreated, ...). */
  taskId: string | null;
  webhookId: string;
  historyItemIds: string[];
}

const idText = z.union([z.string().trim().min(1).max(100), z.number().int().nonnegative()]).transform(String);
const eventSchema = z.looseObject({
  event: z.string().trim().min(1).max(100),
  webhook_id: z.string().max(200).optional(),
  task_id: idText.nullish(),
  history_items: z
    .array(z.looseObject({ id: idText }))
    .max(1000)
    .optional(),
});

/** The parts of a (verified) delivery the agent uses; a malformed body is a ClickUpEventError saying what is wrong. */
export function parseClickUpEvent(body: unknown): ClickUpEvent {
  const result = eventSchema.safeParse(body);
  if (!result.success) {
    const what = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
      .join('; ');
    throw new ClickUpEventError(`Malformed ClickUp webhook body: ${what}`);
  }
  const data = result.data;
  const taskId = data.task_id ?? null;
  if (taskId != null && !TASK_ID.test(taskId)) {
    throw new ClickUpEventError(`Malformed ClickUp webhook body: task_id: not a ClickUp task id: ${taskId}`);
  }
  return {
    event: data.event,
    taskId,
    webhookId: data.webhook_id ?? '',
    historyItemIds: (data.history_items ?? []).map((h) => h.id),
  };
}

/**
 * A stable key for "this delivery was already handled", stored durably by the caller before acting.
 * - taskCreated: `clickup:taskCreated:<taskId>`. A task is created once, so this also absorbs ClickUp's retries,
 *   a second webhook registered on the same list, and a delivery whose history items differ.
 * - other events: `clickup:<event>:<taskId or ->:<sorted history item ids>`; history items are ids of the task's
 *   history (the same for every webhook and retry), so one change is handled once. Without history items the key
 *   falls back to event + task (every such delivery of the same event on the same task is then the same).
 * The webhook id is left out on purpose: two registrations delivering one change must not both act.
 * Long keys are shortened with a SHA-256 of the ids, so a key is at most ~140 characters.
 */
export function deliveryKey(event: ClickUpEvent): string {
  const task = event.taskId ?? '-';
  if (event.event === 'taskCreated' && event.taskId) return `clickup:taskCreated:${task}`;
  const ids = [...new Set(event.historyItemIds)].sort();
  const tail = ids.length ? ids.join(',') : '-';
  const key = `clickup:${event.event}:${task}:${tail}`;
  if (key.length <= 200) return key;
  return `clickup:${event.event.slice(0, 60)}:${task}:sha256-${createHash('sha256').update(tail).digest('hex')}`;
}
