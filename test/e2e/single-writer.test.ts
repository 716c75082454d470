/**
 * One writer per DATA_DIR (decisions D17), with real processes: a second agent on the same directory exits
 * non-zero naming the directory and the running one; a killed agent (kill -9) leaves nothing that blocks a
 * restart; read-only tools keep working while an agent runs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { glowCampaign, removeDir, tempDir } from '../support/agent.ts';
import { kill9, type ServiceProcess, startService } from '../support/process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runToExit(env: Record<string, string>) {
  const result = spawnSync(process.execPath, [join(ROOT, 'server/main.ts')], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('one writer per data directory (D17, real processes)', function () {
  this.timeout(45_000);
  let dataDir: string;
  let running: ServiceProcess[] = [];
  const env = () => ({ DATA_DIR: dataDir, SHEETS_DIR: join(dataDir, 'sheets') });
  beforeEach(() => {
    dataDir = tempDir('single-writer-');
  });
  afterEach(async () => {
    for (const service of running) await kill9(service);
    running = [];
    removeDir(dataDir);
  });

  it('a second agent on the same DATA_DIR exits non-zero, naming the directory and the running instance', async () => {
    const first = await startService(env());
    running.push(first);
    const second = runToExit(env());
    expect(second.code).to.equal(1);
    expect(second.stderr).to.contain('STARTUP FAILED');
    expect(second.stderr).to.contain(dataDir);
    expect(second.stderr).to.contain(`pid ${first.child.pid}`);
    expect(second.stderr).to.contain(`host ${hostname()}`);
    // The first one was not disturbed and still works.
    const res = await fetch(`${first.url}/api/v1/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(glowCampaign()),
    });
    expect(res.status).to.equal(201);
    expect((await fetch(`${first.url}/ready`)).status).to.equal(200);
    // Another directory is another agent: that is how to scale out.
    const otherDir = tempDir('single-writer-other-');
    try {
      const other = await startService({ DATA_DIR: otherDir, SHEETS_DIR: join(otherDir, 'sheets') });
      running.push(other);
      expect((await fetch(`${other.url}/health`)).status).to.equal(200);
    } finally {
      removeDir(otherDir);
    }
  });

  it('a killed agent (kill -9) does not block the restart; the owner file names the new instance', async () => {
    const first = await startService(env());
    await fetch(`${first.url}/api/v1/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(glowCampaign()),
    });
    await kill9(first);
    const second = await startService(env());
    running.push(second);
    const owner = JSON.parse(readFileSync(join(dataDir, 'agent.owner.json'), 'utf8'));
    expect(owner.pid).to.equal(second.child.pid);
    const list = (await (await fetch(`${second.url}/api/v1/negotiations`)).json()) as unknown[];
    expect(list).to.have.length(1);
    // And it is the one writer now: a third start is refused, naming it.
    const third = runToExit(env());
    expect(third.code).to.equal(1);
    expect(third.stderr).to.contain(`pid ${second.child.pid}`);
  });

  it('read-only tools work while the agent runs (npm run audit)', async () => {
    const service = await startService(env());
    running.push(service);
    await fetch(`${service.url}/api/v1/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(glowCampaign()),
    });
    const audit = spawnSync(process.execPath, [join(ROOT, 'scripts/audit.ts'), '--db', join(dataDir, 'agent.db')], {
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(audit.status, audit.stderr).to.equal(0);
    expect(audit.stdout).to.contain('maya@gmail.com');
  });
});
