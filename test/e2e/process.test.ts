/** The service as a process: startup refusals name the problem; SIGTERM shuts down cleanly within 10 s. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { glowCampaign, removeDir, tempDir } from '../support/agent.ts';
import { kill9, type ServiceProcess, startService } from '../support/process.ts';

const MAIN = fileURLToPath(new URL('../../server/main.ts', import.meta.url));

function runToExit(env: Record<string, string>) {
  const result = spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('the service process', function () {
  this.timeout(30_000);
  let dataDir: string;
  let service: ServiceProcess | undefined;
  beforeEach(() => {
    dataDir = tempDir('process-');
  });
  afterEach(async () => {
    if (service) await kill9(service);
    service = undefined;
    removeDir(dataDir);
  });

  it('refuses to start in live mode, naming every missing credential (D15)', () => {
    const { code, stderr } = runToExit({ DATA_DIR: dataDir, AGENT_MODE: 'live' });
    expect(code).to.equal(1);
    for (const name of [
      'API_TOKEN',
      'GMAIL_TOKEN_PATH',
      'ANTHROPIC_API_KEY',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'GOOGLE_SHEETS_KEY',
    ]) {
      expect(stderr).to.contain(name);
    }
  });

  it('names an invalid credential file and an invalid value', () => {
    const { code, stderr } = runToExit({
      DATA_DIR: dataDir,
      GMAIL_TOKEN_PATH: join(dataDir, 'missing-token.json'),
      SLACK_BOT_TOKEN: 'not-a-bot-token',
    });
    expect(code).to.equal(1); // Gmail credentials configured -> live mode by default
    expect(stderr).to.contain(`GMAIL_TOKEN_PATH: file not found: ${join(dataDir, 'missing-token.json')}`);
    expect(stderr).to.contain('SLACK_BOT_TOKEN must start with xoxb-');
    const bad = runToExit({ DATA_DIR: dataDir, PORT: 'eighty' });
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('PORT');
  });

  it('refuses a sandbox reachable from other machines without API_TOKEN', () => {
    const { code, stderr } = runToExit({ DATA_DIR: dataDir, HOST: '0.0.0.0' });
    expect(code).to.equal(1);
    expect(stderr).to.contain('needs API_TOKEN');
  });

  it('shuts down cleanly on SIGTERM: exit code 0 within 10 s, state persisted', async () => {
    service = await startService({ DATA_DIR: dataDir, SHEETS_DIR: join(dataDir, 'sheets') });
    const res = await fetch(`${service.url}/api/v1/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(glowCampaign()),
    });
    expect(res.status).to.equal(201);
    const started = Date.now();
    service.child.kill('SIGTERM');
    const { code } = await service.exited;
    expect(code).to.equal(0);
    expect(Date.now() - started).to.be.below(10_000);
    expect(service.output()).to.contain('agent stopped');
    service = await startService({ DATA_DIR: dataDir, SHEETS_DIR: join(dataDir, 'sheets') });
    const list = (await (await fetch(`${service.url}/api/v1/negotiations`)).json()) as { state: string }[];
    expect(list.map((n) => n.state)).to.deep.equal(['awaiting_reply']);
  });
});
