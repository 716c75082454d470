/**
 * The Node.js versions the agent runs on: `npm start` (and the other npm scripts) refuse an older Node with what to
 * install, before any TypeScript is read; package.json "engines" (enforced by .npmrc engine-strict for `npm ci`)
 * and .nvmrc say the same.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}/${file}`, 'utf8');

/** Runs the check as `npm start` does, on a Node that reports `version`. */
function start(version: string | null, node = process.execPath) {
  const pretend = version
    ? ['--import', `data:text/javascript,Object.defineProperty(process.versions,'node',{value:'${version}'})`]
    : [];
  return spawnSync(node, [...pretend, '--import', './scripts/check-node.js', '-e', 'console.log("started")'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('Node.js version (scripts/check-node.js, engines, .nvmrc, .npmrc)', () => {
  it('runs on 22.19+ and 24.3+, and tells an older Node what to install', () => {
    const cases: [string, boolean][] = [
      ['18.20.8', false],
      ['20.20.2', false],
      ['22.18.0', false], // type stripping, but dependencies need 22.19 (undici)
      ['22.19.0', true],
      ['23.11.0', false], // import.meta.main is missing for .ts entry points: the agent would exit silently
      ['24.2.0', false], // the same
      ['24.3.0', true],
      ['24.21.0', true],
      ['26.0.0', true],
    ];
    for (const [version, supported] of cases) {
      const result = start(version);
      if (supported) {
        expect(result.status, `${version}: ${result.stderr}`).to.equal(0);
        expect(result.stdout.trim()).to.equal('started');
      } else {
        expect(result.status, version).to.equal(1);
        expect(result.stdout, `${version} must not start`).to.equal('');
        expect(result.stderr).to.include(`You are running Node.js v${version}`).and.include('Install Node.js 24');
        expect(result.stderr).to.include('nvm install').and.include('npm install -g --prefix ~/.node24 node@24');
      }
    }
  });

  it('package.json engines, engine-strict and .nvmrc agree with it, and npm start goes through it', () => {
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.engines.node).to.equal('^22.19.0 || >=24.3.0');
    expect(read('.npmrc')).to.match(/^engine-strict=true$/m);
    expect(read('.nvmrc').trim()).to.equal('24');
    for (const script of ['start', 'audit', 'demo', 'backup', 'restore']) {
      expect(pkg.scripts[script], script).to.match(/^node --import \.\/scripts\/check-node\.js \S+\.ts$/);
    }
  });

  it("on this machine's system Node, when it is older, npm start's command prints what to install", function () {
    const system = ['/usr/bin/node', '/usr/local/bin/node'].find(
      (p) => existsSync(p) && Number(spawnSync(p, ['-p', 'process.versions.node.split(".")[0]']).stdout) < 22,
    );
    if (!system) this.skip();
    const result = spawnSync(system as string, ['--import', './scripts/check-node.js', 'server/main.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).to.equal(1);
    expect(result.stderr).to.include('This agent needs Node.js 24').and.not.include('ERR_UNKNOWN_FILE_EXTENSION');
  });
});
