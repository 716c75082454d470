/** `npm run demo` runs a whole scripted campaign and prints one row per influencer. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';

const DEMO = fileURLToPath(new URL('../../scripts/demo.ts', import.meta.url));

describe('npm run demo', () => {
  it('ends every simulated influencer in the outcome its script leads to', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [DEMO], { timeout: 60_000 });
    const outcome = (name: string) => new RegExp(`'${name}'\\s*│\\s*'(\\w+)'`).exec(stdout)?.[1];
    expect(outcome('Maya Lopez')).to.equal('agreed');
    expect(outcome('Leo Park')).to.equal('agreed');
    expect(outcome('Ana Ruiz')).to.equal('agreed');
    expect(outcome('Sam Lee')).to.equal('escalated');
    expect(outcome('Kim Ito')).to.equal('rejected');
    expect(outcome('Noor Haddad')).to.equal('stale');
    expect(stdout).to.include('"dealsAgreed":3');
  });
});
