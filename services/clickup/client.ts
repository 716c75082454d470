/** A small client for ClickUp's GET /task/{id} (the webhook carries no field values), with retries. */
import { retry } from '../retry.ts';
import { type ClickUpTask, clickUpTaskSchema, TASK_ID } from './task.ts';

export class ClickUpApiError extends Error {
  readonly status: number | null;
  /** ClickUp's ECODE, e.g. OAUTH_025. */
  readonly code: string | null;
  /** 429, 5xx, timeouts and network errors may succeed later; 401/404 will not. */
  readonly retryable: boolean;
  constructor(message: string, status: number | null, code: string | null, retryable: boolean) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryable = retryable;
  }
}

export function createClickUpClient(options: {
  token: string;
  baseUrl?: string;
  timeoutMs?: number;
  /** Extra attempts for retryable failures (429, 5xx, timeout, network), with exponential backoff. */
  retries?: number;
  retryBaseMs?: number;
  fetch?: typeof fetch;
}) {
  const baseUrl = (options.baseUrl ?? 'https://api.clickup.com/api/v2').replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retryPolicy = { attempts: 1 + (options.retries ?? 2), baseMs: options.retryBaseMs ?? 500 };
  const doFetch = options.fetch ?? fetch;

  async function once(taskId: string): Promise<ClickUpTask> {
    const url = `${baseUrl}/task/${encodeURIComponent(taskId)}?custom_task_ids=false&include_subtasks=false`;
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'GET',
        headers: { Authorization: options.token, Accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError';
      const why = timedOut ? `no answer within ${timeoutMs} ms` : String((error as Error)?.message ?? error);
      throw new ClickUpApiError(`ClickUp GET task ${taskId} failed: ${why}`, null, null, true);
    }
    const text = await res.text().catch(() => '');
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const body = (json ?? {}) as { err?: unknown; ECODE?: unknown };
      const code = typeof body.ECODE === 'string' ? body.ECODE : null;
      const detail = typeof body.err === 'string' ? `: ${body.err}${code ? ` (${code})` : ''}` : '';
      if (res.status === 401) {
        throw new ClickUpApiError(
          `ClickUp refused the API token for task ${taskId} (401${detail}): check CLICKUP_API_TOKEN and that its user can see the task's workspace`,
          401,
          code,
          false,
        );
      }
      if (res.status === 404) {
        throw new ClickUpApiError(
          `ClickUp task ${taskId} was not found (404${detail}): deleted, or not visible to the token's user`,
          404,
          code,
          false,
        );
      }
      const retryable = res.status === 429 || res.status >= 500;
      const what =
        res.status === 429 ? 'rate-limited the request' : retryable ? 'is unavailable' : 'refused the request';
      throw new ClickUpApiError(
        `ClickUp ${what} for task ${taskId} (${res.status}${detail})`,
        res.status,
        code,
        retryable,
      );
    }
    const parsed = clickUpTaskSchema.safeParse(json);
    if (!parsed.success) {
      throw new ClickUpApiError(`ClickUp returned an unreadable task for ${taskId}`, res.status, null, false);
    }
    return parsed.data as ClickUpTask;
  }

  return {
    /** GET /task/{id}: the task with its custom fields. */
    async getTask(taskId: string): Promise<ClickUpTask> {
      if (!TASK_ID.test(taskId)) throw new ClickUpApiError(`Not a ClickUp task id: ${taskId}`, null, null, false);
      return retry(() => once(taskId), retryPolicy, {
        retryable: (error) => error instanceof ClickUpApiError && error.retryable,
      });
    },
  };
}

export type ClickUpClient = ReturnType<typeof createClickUpClient>;
