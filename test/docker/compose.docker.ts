/**
 * The deployment, for real: `npm run test:docker` (not part of `npm test`; minutes, needs Docker).
 *
 * Makes sure the base image exists (scripts/docker-base-image.sh), then, under a unique compose project with a
 * temporary env file: `docker-compose up -d --build`, /health on the published 127.0.0.1 port within 30 s,
 * Docker's own HEALTHCHECK reporting healthy within 5 s of that, the API refusing a request without the bearer
 * token and creating a negotiation with it, the service running as a non-root user, an online backup inside the
 * container (README "Backup and restore"), a graceful stop on SIGTERM, `down` (volumes kept) and `up` again with
 * the negotiation still there. Then the sizes: the app (node_modules + sources, /app) at most 60 MB, the whole
 * image at most 300 MB, and no npm/npx/corepack/yarn in it. Prints the timings and sizes and writes them to
 * test/docker/results.json. Always ends with `down -v`. Skips, saying why, when Docker is not available.
 *
 * Environment: DOCKER_COMPOSE (default `docker-compose`, else `docker compose`), AGENT_PORT (host port; default
 * 3000 when free, else any free port), AGENT_IMAGE (default influencer-negotiation-agent:docker-test),
 * NPM_EXTRA_CA (PEM text npm trusts during the image build; default: the CA certificates this machine added in
 * /usr/local/share/ca-certificates, which is what a TLS-intercepting egress proxy needs), NPM_CONFIG_REGISTRY.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const HEALTH_WITHIN_MS = 30_000;
/** Docker's HEALTHCHECK must say healthy this soon after the agent answers /health (Dockerfile: every 2 s). */
const DOCKER_HEALTHY_WITHIN_MS = 5_000;
const MB = 1e6;
const LIMITS = { appMB: 60, imageMB: 300 };
const CAMPAIGN = {
  id: 'cmp-docker',
  client: 'Glow Skincare',
  platform: 'instagram',
  deliverables: '1 Instagram Reel',
  cpmTarget: '25',
  influencers: [{ name: 'Maya Lopez', email: 'maya@gmail.com', platform: 'instagram', averageViews: 80000 }],
};

interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a command (no shell), collecting stdout and stderr together. */
function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => {
      output += `\n[timed out after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const tail = (text: string, lines = 60) => text.trimEnd().split('\n').slice(-lines).join('\n');

async function must(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`\`${[command, ...args].join(' ')}\` exited with ${result.code}:\n${tail(result.output)}`);
  }
  return result.output.trim();
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const step = (text: string) => console.log(`      - ${text}`);

/** 3000 when it is free on 127.0.0.1, else a port the system picks. */
function hostPort(preferred: number): Promise<number> {
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : port));
      });
    });
  return listen(preferred).catch(() => listen(0));
}

/** The CA certificates added on this machine (Debian/Ubuntu convention), for npm inside the image build. */
function localCaCertificates(dir = '/usr/local/share/ca-certificates'): string | undefined {
  try {
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.crt'));
    const pem = files.map((f) => readFileSync(join(dir, f), 'utf8').trim()).join('\n');
    return pem.includes('BEGIN CERTIFICATE') ? pem : undefined;
  } catch {
    return undefined;
  }
}

/** `docker-compose` (v1) if present, else the `docker compose` plugin; DOCKER_COMPOSE overrides. */
async function composeCommand(): Promise<string[] | undefined> {
  const candidates = process.env.DOCKER_COMPOSE
    ? [process.env.DOCKER_COMPOSE.split(' ').filter(Boolean)]
    : [['docker-compose'], ['docker', 'compose']];
  for (const candidate of candidates) {
    const [command, ...args] = candidate;
    if ((await run(command, [...args, 'version'], { timeoutMs: 30_000 })).code === 0) return candidate;
  }
  return undefined;
}

async function waitForHealth(url: string, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new Error(`${url}/health did not answer 200 within ${withinMs / 1000} s (last: ${last})`);
}

describe('docker-compose deployment (Dockerfile, docker-compose.yml)', function () {
  this.timeout(1_200_000);

  const project = `negotiation-agent-test-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const image = process.env.AGENT_IMAGE ?? 'influencer-negotiation-agent:docker-test';
  const token = randomBytes(24).toString('hex');
  const results: Record<string, unknown> = { project, image, date: new Date().toISOString() };
  let compose: string[] = [];
  let env: NodeJS.ProcessEnv = process.env;
  let tmp: string | undefined;
  let url = '';
  let upped = false;
  let passed = false;

  const composeRun = (args: string[], timeoutMs = 120_000) =>
    must(compose[0], [...compose.slice(1), '-p', project, '-f', join(ROOT, 'docker-compose.yml'), ...args], {
      env,
      timeoutMs,
    });
  const containerId = async () => {
    const id = (await composeRun(['ps', '-q', 'agent'])).split('\n').pop()?.trim();
    if (!id) throw new Error('no container for service agent');
    return id;
  };
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(10_000),
    });

  before(async function () {
    const docker = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 30_000 });
    const found = docker.code === 0 ? await composeCommand() : undefined;
    if (docker.code !== 0 || !found) {
      const reason =
        docker.code !== 0
          ? `no usable Docker daemon (\`docker info\`: ${tail(docker.output, 3) || `exit ${docker.code}`})`
          : 'neither docker-compose nor `docker compose` is installed';
      console.log(`\n    SKIPPED: the Docker deployment test needs Docker and Compose: ${reason}\n`);
      this.skip();
    }
    compose = found;
    results.dockerServer = docker.output.trim();
    results.compose = (await must(compose[0], [...compose.slice(1), 'version', '--short'])).split('\n')[0];

    step('base image: scripts/docker-base-image.sh');
    let started = Date.now();
    const base = await must('bash', [join(ROOT, 'scripts/docker-base-image.sh')], { timeoutMs: 900_000 });
    results.baseImage = { seconds: seconds(started), existed: base.includes('already exists') };
    step(`base image ready in ${seconds(started)} s${base.includes('already exists') ? ' (existed)' : ''}`);

    tmp = mkdtempSync(join(tmpdir(), 'agent-docker-'));
    const envFile = join(tmp, 'agent.env');
    writeFileSync(envFile, `API_TOKEN=${token}\nAGENT_MODE=sandbox\nLOG_LEVEL=info\n`);
    const port = process.env.AGENT_PORT ? Number(process.env.AGENT_PORT) : await hostPort(3000);
    url = `http://127.0.0.1:${port}`;
    env = { ...process.env, AGENT_ENV_FILE: envFile, AGENT_PORT: String(port), AGENT_IMAGE: image };
    const ca = process.env.NPM_EXTRA_CA ?? localCaCertificates();
    if (ca) env.NPM_EXTRA_CA = ca;
    results.hostPort = port;
    results.buildExtraCaCertificates = ca ? ca.split('BEGIN CERTIFICATE').length - 1 : 0;

    step(`image build: ${compose.join(' ')} -p ${project} build`);
    started = Date.now();
    await composeRun(['build'], 900_000);
    results.imageBuildSeconds = seconds(started);
    step(`image built in ${seconds(started)} s`);
  });

  after(async () => {
    if (compose.length && tmp) {
      if (upped && !passed) {
        const file = join(ROOT, 'docker-compose.yml');
        const logs = await run(
          compose[0],
          [...compose.slice(1), '-p', project, '-f', file, 'logs', '--no-color', '--tail', '80'],
          {
            env,
          },
        );
        console.log(`\n    container logs:\n${tail(logs.output, 80)}\n`);
      }
      const down = await run(
        compose[0],
        [...compose.slice(1), '-p', project, '-f', join(ROOT, 'docker-compose.yml'), 'down', '-v', '--remove-orphans'],
        { env, timeoutMs: 120_000 },
      );
      if (down.code !== 0) console.log(`    down -v failed:\n${tail(down.output)}`);
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (compose.length) {
      results.ok = passed;
      writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
      console.log(`\n    results (${RESULTS}):\n${JSON.stringify(results, null, 2).replace(/^/gm, '    ')}\n`);
    }
  });

  it('serves the API as a non-root user, is healthy, stops gracefully and keeps its data across down/up', async () => {
    // 1. up --build (the image is already built: a cache hit) -> /health on the published port within 30 s.
    let started = Date.now();
    await composeRun(['up', '-d', '--build'], 900_000);
    upped = true;
    await waitForHealth(url, HEALTH_WITHIN_MS);
    results.upToHealthSeconds = seconds(started);
    step(`up -> /health 200 in ${seconds(started)} s (${url})`);

    // 2. Docker's own HEALTHCHECK follows within seconds (it is what orchestrators and `docker ps` go by).
    const id = await containerId();
    const ready = Date.now();
    let health = '';
    while (Date.now() - ready < 30_000) {
      health = await must('docker', ['inspect', '-f', '{{.State.Health.Status}}', id]);
      if (health === 'healthy' || health === 'unhealthy') break;
      await sleep(100);
    }
    results.readyToDockerHealthySeconds = seconds(ready);
    expect(health, 'docker HEALTHCHECK status').to.equal('healthy');
    expect(Date.now() - ready, 'ms from /health answering to Docker reporting healthy').to.be.at.most(
      DOCKER_HEALTHY_WITHIN_MS,
    );
    step(`docker health: healthy ${seconds(ready)} s after /health first answered`);

    // 3. The token is enforced beyond loopback; with it, a campaign starts a negotiation.
    const anonymous = await fetch(`${url}/api/v1/negotiations`, { signal: AbortSignal.timeout(10_000) });
    expect(anonymous.status, 'GET /api/v1/negotiations without the bearer token').to.equal(401);
    const created = await api('/api/v1/campaigns', { method: 'POST', body: JSON.stringify(CAMPAIGN) });
    const body = (await created.json()) as { negotiations: { id: string; state: string; lastOfferedRate: string }[] };
    expect(created.status, JSON.stringify(body)).to.equal(201);
    expect(body.negotiations).to.have.length(1);
    const negotiationId = body.negotiations[0].id;
    expect(body.negotiations[0].lastOfferedRate).to.equal('2000.00');
    step(`created ${negotiationId} (${body.negotiations[0].state})`);

    // 4. Not root, inside a container whose image says so too.
    const uid = await must('docker', ['exec', id, 'id', '-u']);
    expect(uid, 'uid of the service user').to.not.equal('0');
    const processUser = await must('docker', ['exec', id, 'sh', '-c', 'stat -c %u /proc/1']);
    expect(processUser, 'uid of PID 1').to.equal(uid);
    results.uid = Number(uid);
    step(`runs as uid ${uid}`);

    // 5. An online backup inside the running container, as the README shows it.
    const backup = await composeRun([
      'exec',
      '-T',
      'agent',
      'node',
      'scripts/backup.ts',
      '--to',
      '/app/data/backups/t.db',
    ]);
    expect(backup).to.match(/backed up \/app\/data\/agent\.db to \/app\/data\/backups\/t\.db .* 1 negotiations/);
    step('backup inside the container: ok');

    // 6. Graceful stop: SIGTERM to node (PID 1), exit code 0, well inside stop_grace_period.
    started = Date.now();
    await composeRun(['stop']);
    results.stopSeconds = seconds(started);
    const exit = await must('docker', ['inspect', '-f', '{{.State.ExitCode}}', id]);
    expect(exit, 'exit code after docker stop (SIGTERM)').to.equal('0');
    step(`stopped gracefully in ${seconds(started)} s (exit 0)`);

    // 7. down without -v keeps the data volume; up again finds the negotiation.
    await composeRun(['down']);
    await must('docker', ['volume', 'inspect', `${project.replace(/[^-_a-z0-9]/g, '')}_agent-data`]);
    started = Date.now();
    await composeRun(['up', '-d']);
    await waitForHealth(url, HEALTH_WITHIN_MS);
    results.restartUpToHealthSeconds = seconds(started);
    step(`down, up again -> /health 200 in ${seconds(started)} s`);
    const listed = await api('/api/v1/negotiations');
    expect(listed.status).to.equal(200);
    const negotiations = (await listed.json()) as { id: string; campaignId: string; state: string }[];
    const again = negotiations.find((n) => n.id === negotiationId);
    expect(again, `negotiation ${negotiationId} after down/up`).to.deep.include({ campaignId: 'cmp-docker' });
    step(`${negotiationId} still there after down/up (${again?.state})`);

    // 8. The sizes: the whole image, and the app (node_modules + sources) inside it; no package manager.
    const size = Number(await must('docker', ['image', 'inspect', '-f', '{{.Size}}', image]));
    const baseSize = Number(await must('docker', ['image', 'inspect', '-f', '{{.Size}}', 'node:24-bookworm-slim']));
    const inImage = (script: string) => run('docker', ['run', '--rm', '--entrypoint', 'sh', image, '-c', script]);
    const app = Number(
      (await inImage('du -sb --exclude=/app/data --exclude=/app/credentials /app')).output.split('\t')[0],
    );
    const managers = await inImage('command -v npm npx corepack yarn; ls /usr/local/lib/node_modules 2>/dev/null');
    results.imageSizeBytes = size;
    results.imageSizeMB = Math.round(size / 1e5) / 10;
    results.baseImageSizeMB = Math.round(baseSize / 1e5) / 10;
    results.appMB = Math.round(app / 1e5) / 10;
    results.limitsMB = LIMITS;
    step(
      `image ${image}: ${results.imageSizeMB} MB (limit ${LIMITS.imageMB}); app (node_modules + sources) ` +
        `${results.appMB} MB (limit ${LIMITS.appMB}); base ${results.baseImageSizeMB} MB`,
    );
    expect(app, 'bytes of /app (node_modules + sources)')
      .to.be.above(0)
      .and.at.most(LIMITS.appMB * MB);
    expect(size, 'bytes of the image').to.be.at.most(LIMITS.imageMB * MB);
    expect(managers.output.trim(), 'package managers in the runtime image').to.equal('');
    passed = true;
  });
});
