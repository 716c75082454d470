/** Starts a real agent in-process on a loopback port with its own temporary data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { type Agent, type AgentOptions, startAgent } from '../../server/main.ts';
import { assertStandInMessages } from './block-kit.ts';
import { recordRequests } from './api-coverage.ts';

export interface TestAgent {
  agent: Agent;
  url: string;
  dataDir: string;
  env: Record<string, string>;
  /** JSON request; returns status, parsed body and headers. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  restart(extraEnv?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies through assertions
  body: any;
  headers: Headers;
}

export function tempDir(prefix = 'agent-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestAgent(
  env: Record<string, string> = {},
  dataDir = tempDir(),
  options: AgentOptions = {},
): Promise<TestAgent> {
  const baseEnv: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'error',
    EFFECT_RETRY_BASE_MS: '5',
    SHEETS_DIR: join(dataDir, 'sheets'),
    ...env,
  };
  const launch = async () => {
    const started = await startAgent(loadConfig(baseEnv, dataDir), { logger: createLogger('error', true), ...options });
    recordRequests(started.server); // which routes the tests exercise (test/support/api-coverage.ts)
    return started;
  };
  let agent = await launch();
  const self: TestAgent = {
    agent,
    url: agent.url,
    dataDir,
    env: baseEnv,
    async call(method, path, body, headers = {}) {
      const res = await fetch(`${self.url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      if (method === 'GET' && path.startsWith('/sandbox/slack') && res.status === 200) assertStandInMessages(parsed);
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async restart(extraEnv = {}) {
      await agent.close();
      Object.assign(baseEnv, extraEnv);
      agent = await launch();
      self.agent = agent;
      self.url = agent.url;
    },
    async stop() {
      await agent.close();
    },
  };
  return self;
}

export function removeDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}

/** The api.md example campaign, with one influencer by default. */
export function glowCampaign(overrides: Record<string, unknown> = {}) {
  return {
    id: 'cmp-1',
    client: 'Glow Skincare',
    platform: 'instagram',
    deliverables: '1 Instagram Reel, 2 Instagram Stories',
    budget: '50000',
    cpmTarget: '25',
    cpmLeniency: '20',
    influencers: [
      {
        name: 'Maya Lopez',
        email: 'maya@gmail.com',
        platform: 'instagram',
        handle: '@maya',
        averageViews: 80000,
        engagementRate: 4.5,
      },
    ],
    ...overrides,
  };
}

/** Polls `check` until it returns a truthy value (the agent works asynchronously after a 202). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw last instanceof Error ? last : new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
