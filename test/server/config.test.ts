import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { removeDir, tempDir } from '../support/agent.ts';

describe('configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('config-');
  });
  afterEach(() => removeDir(dir));

  it('defaults to a sandbox on loopback with the documented policy', () => {
    const c = loadConfig({}, dir);
    expect(c.mode).to.equal('sandbox');
    expect(c.host).to.equal('127.0.0.1');
    expect(c.port).to.equal(3000);
    expect(c.dataDir).to.equal(join(dir, 'data'));
    expect(c.policy).to.deep.equal({ maxRounds: 5, followUpAfterMs: 72 * 3_600_000, staleAfterMs: 72 * 3_600_000 });
    expect(c.apiTokens).to.deep.equal([]);
  });

  it('reads .env, and the real environment wins over it', () => {
    writeFileSync(join(dir, '.env'), 'MAX_ROUNDS=7\nPORT=4000\n');
    const c = loadConfig({ PORT: '4100' }, dir);
    expect(c.policy.maxRounds).to.equal(7);
    expect(c.port).to.equal(4100);
  });

  it('names every invalid variable', () => {
    try {
      loadConfig({ PORT: 'x', MAX_ROUNDS: '0', API_TOKEN: 'short' }, dir);
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      const text = (error as ConfigError).problems.join('\n');
      expect(text).to.contain('PORT').and.contain('MAX_ROUNDS').and.contain('API_TOKEN');
    }
  });

  it('ignores the test-only crash point outside the sandbox and validates it', () => {
    expect(loadConfig({ SANDBOX_CRASH_POINT: 'after_mail_send:2' }, dir).crashPoint).to.deep.equal({
      point: 'after_mail_send',
      nth: 2,
    });
    expect(() => loadConfig({ SANDBOX_CRASH_POINT: 'whenever' }, dir)).to.throw(ConfigError);
  });
});
