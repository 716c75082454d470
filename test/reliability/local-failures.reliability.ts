/**
 * Failures stay local (decisions D17, D18), black-box against the real service (child processes):
 * - a poisoned snapshot survives restarts: the process starts every time, parks that one negotiation (API, Slack,
 *   log), and the others go on;
 * - a real full disk (a tmpfs filled to the brim; needs root to mount, skipped otherwise): /ready is 503 naming the
 *   failing check, nothing is lost or sent twice, and once space is back the follow-ups that came due go out and
 *   /ready is 200 again, without a restart;
 * - two agents on one data directory: the second refuses to start; after kill -9 of the first, a restart works.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { eventually, glowCampaign, removeDir, tempDir } from '../support/agent.ts';
import { kill9, type ServiceProcess, startService } from '../support/process.ts';

const MAIN = fileURLToPath(new URL('../../server/main.ts', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies through assertions
async function call(service: ServiceProcess, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const influencers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `Creator ${i}`, email: `creator${i}@gmail.com`, averageViews: 80000 }));

async function startCampaign(service: ServiceProcess, count: number): Promise<string[]> {
  const res = await call(service, 'POST', '/api/v1/campaigns', glowCampaign({ influencers: influencers(count) }));
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  const ids = res.body.negotiations.map((n: { id: string }) => n.id) as string[];
  await eventually(async () => {
    const list = (await call(service, 'GET', '/api/v1/negotiations')).body as { state: string }[];
    return list.every((n) => n.state === 'awaiting_reply');
  }, 10_000);
  return ids;
}

async function stop(service: ServiceProcess) {
  service.child.kill('SIGTERM');
  expect((await service.exited).code).to.equal(0);
}

describe('reliability: failures stay local (real processes)', function () {
  this.timeout(120_000);
  const mountPoint = join(tempDir('tmpfs-'), 'data');
  let dataDir: string;
  let services: ServiceProcess[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    DATA_DIR: dataDir,
    SHEETS_DIR: join(dataDir, 'sheets'),
    SHEET_POLL_SECONDS: '0',
    EFFECT_RETRY_BASE_MS: '10',
    ...extra,
  });
  const start = async (extra: Record<string, string> = {}) => {
    const service = await startService(env(extra));
    services.push(service);
    return service;
  };
  beforeEach(() => {
    dataDir = tempDir('local-failures-');
  });
  afterEach(async () => {
    for (const service of services) await kill9(service);
    services = [];
    if (dataDir !== mountPoint) removeDir(dataDir); // the tmpfs is unmounted by its own block
  });

  it('a poisoned snapshot: every restart comes up, parks that negotiation with its reason, and the others go on', async () => {
    let service = await start();
    const [poisoned, other] = await startCampaign(service, 2);
    await stop(service);
    // The snapshot holds a state the machine does not have, and says an effect was in flight (restored at boot).
    const db = new Database(join(dataDir, 'agent.db'));
    const row = db.prepare('SELECT snapshot FROM negotiations WHERE id = ?').get(poisoned) as { snapshot: string };
    const snapshot = { ...JSON.parse(row.snapshot), value: { active: { awaiting_reply: 'gone_fishing' } } };
    db.prepare('UPDATE negotiations SET snapshot = ?, busy = 1, next_deadline_at = 1 WHERE id = ?').run(
      JSON.stringify(snapshot),
      poisoned,
    );
    db.close();

    for (let life = 0; life < 3; life++) {
      service = await start(); // startService rejects if the process exits before it is ready
      expect((await call(service, 'GET', '/ready')).status).to.equal(200);
      const shown = (await call(service, 'GET', `/api/v1/negotiations/${poisoned}`)).body;
      expect(shown.parked.reason).to.contain("State 'gone_fishing' does not exist");
      const notices = ((await call(service, 'GET', '/sandbox/slack')).body as { text: string; kind: string }[]).filter(
        (m) => m.kind === 'notice' && m.text.includes(poisoned),
      );
      expect(notices, 'one notice, not one per restart').to.have.length(1);
      if (life === 0) {
        const logged = service
          .output()
          .split('\n')
          .filter((l) => l.includes(`"negotiationId":"${poisoned}"`) && l.includes('parked'));
        expect(logged, service.output()).to.not.have.length(0);
      }
      if (life < 2) await kill9(service);
    }
    // The other negotiation was never disturbed and closes its deal.
    const { threadId } = (await call(service, 'GET', `/api/v1/negotiations/${other}`)).body;
    const posted = await call(service, 'POST', '/sandbox/mail', {
      from: 'creator1@gmail.com',
      threadId,
      text: 'Sounds great, deal!',
    });
    expect(posted.status).to.equal(202);
    await eventually(async () => (await call(service, 'GET', `/api/v1/negotiations/${other}`)).body.state === 'agreed');
  });

  it('two agents on one directory: the second exits naming the first; after kill -9 a restart works', async () => {
    const first = await start();
    const second = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...env() },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(second.status).to.equal(1);
    expect(second.stderr).to.contain(dataDir).and.to.contain(`pid ${first.child.pid}`);
    await kill9(first);
    const third = await start();
    expect((await call(third, 'GET', '/ready')).status).to.equal(200);
  });

  describe('a real full disk (tmpfs)', () => {
    let mounted = false;
    before(function () {
      mkdirSync(mountPoint, { recursive: true });
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint], { stdio: 'ignore' });
        mounted = true;
      } catch {
        this.skip(); // mounting needs root
      }
    });
    after(() => {
      if (mounted) execFileSync('umount', [mountPoint]);
      removeDir(join(mountPoint, '..'));
    });

    it('filled to the brim: /ready 503, nothing sent twice; space back: due follow-ups go out, /ready 200, same process', async () => {
      removeDir(dataDir);
      dataDir = mountPoint;
      // Follow-ups come due 10 s after each opening email, while the disk is full.
      const service = await start({ FOLLOW_UP_AFTER_HOURS: String(10 / 3600) });
      const ids = await startCampaign(service, 4);
      const fill = join(mountPoint, 'fill');
      const fd = openSync(fill, 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        expect((error as { code: string }).code).to.equal('ENOSPC');
      }
      for (let size = 4096; size >= 1; size = Math.floor(size / 2)) {
        try {
          for (;;) writeSync(fd, chunk, 0, size);
        } catch {}
      }
      closeSync(fd);
      const full = await eventually(async () => {
        const ready = await call(service, 'GET', '/ready');
        return ready.status === 503 ? ready.body : undefined;
      });
      expect(full.checks.disk).to.match(/^fail: no space left/);
      await new Promise((r) => setTimeout(r, 12_000)); // every follow-up is due now
      expect((await call(service, 'GET', '/health')).status).to.equal(200);

      rmSync(fill); // space is back
      await eventually(async () => (await call(service, 'GET', '/ready')).status === 200, 10_000);
      const mail = async () => (await call(service, 'GET', '/sandbox/mail')).body as { to: string; subject: string }[];
      await eventually(async () => (await mail()).length >= 8, 15_000);
      await new Promise((r) => setTimeout(r, 1000));
      const sent = await mail();
      for (const [i, id] of ids.entries()) {
        const to = sent.filter((m) => m.to.includes(`creator${i}@gmail.com`)).map((m) => m.subject);
        expect(to, id).to.deep.equal([
          'Collaboration Opportunity - Glow Skincare',
          'Re: Collaboration Opportunity - Glow Skincare',
        ]);
      }
      expect(services).to.have.length(1);
      expect(service.child.exitCode).to.equal(null); // never restarted, never crashed
      await stop(service);
    });
  });
});
