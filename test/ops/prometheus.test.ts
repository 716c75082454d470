/**
 * The operators' Prometheus files against the real /metrics: `promtool check metrics` on a live scrape (no
 * warning), `promtool check rules` and `promtool test rules` on ops/prometheus-alerts.yml, the Grafana
 * dashboard's queries parsed by promtool, and every metric the alerts and the dashboard use exported by the agent.
 * promtool comes with Debian's `prometheus` package; without it the promtool checks are skipped with a note,
 * unless REQUIRE_PROMTOOL=1 (.ci/run sets it) makes its absence a failure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import YAML from 'yaml';
import { removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import {
  createCampaign,
  MAYA,
  negotiation,
  reply,
  started,
  until,
  waitForMailCount,
  waitForState,
} from '../support/e2e.ts';

const OPS = fileURLToPath(new URL('../../ops/', import.meta.url));
const ALERTS = join(OPS, 'prometheus-alerts.yml');
const DASHBOARD = join(OPS, 'grafana-dashboard.json');

function promtool(args: string[], input?: string) {
  const result = spawnSync('promtool', args, { input, encoding: 'utf8', cwd: OPS, timeout: 60_000 });
  if (result.error) return null; // not installed
  return { code: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function needPromtool(ctx: Mocha.Context) {
  if (promtool(['--version'])) return;
  if (process.env.REQUIRE_PROMTOOL === '1') throw new Error('promtool is required (apt-get install prometheus)');
  console.log('      (promtool not installed: apt-get install prometheus; skipped)');
  ctx.skip();
}

interface Panel {
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

function dashboardQueries(): { title: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  const all = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...all(p.panels ?? [])]);
  return all(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
}

function alertRules(): { alert: string; expr: string }[] {
  const file = YAML.parse(readFileSync(ALERTS, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  return file.groups.flatMap((g) => g.rules);
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'group_left', 'group_right', 'inf', 'nan']);

/** Metric names selected in a PromQL expression: identifiers left once strings, label matchers, ranges, groupings
 *  (`by (...)`) and function calls are taken out. */
function selectors(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)\b(?!\s*\()/g)]
    .map((m) => m[1])
    .filter((name) => !KEYWORDS.has(name.toLowerCase()));
}

/** Grafana's variables, replaced by values Prometheus would see. */
const expand = (expr: string) =>
  expr.replaceAll('$__rate_interval', '5m').replaceAll('$job', 'negotiation-agent').replaceAll('$instance', '.*');

describe('Prometheus files (ops/) against the live /metrics', function () {
  this.timeout(60_000);
  let t: TestAgent;
  let scrape = '';

  before(async () => {
    t = await startTestAgent({ MAX_ROUNDS: '5' });
    const created = await createCampaign(t, {
      id: 'cmp-ops',
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel',
      cpmTarget: '25',
      maxCostWithoutApproval: '2300',
      influencers: [{ name: 'Maya Lopez', email: MAYA, averageViews: 80000 }],
    });
    const [opening] = await waitForMailCount(t, MAYA, 1);
    await reply(t, opening.threadId, 'My rate for this package is $3,200.');
    await waitForState(t, created.negotiations[0].id, 'escalated');
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).to.equal(200);
    scrape = await res.text();
  });
  after(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
  });

  /** Every metric the scrape declares (`# TYPE`; a labelled counter has no sample before its first event), with
   *  the _bucket/_sum/_count series of histograms and summaries. */
  const exported = () => {
    const names = new Set<string>();
    for (const [, name, type] of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      names.add(name);
      if (type === 'histogram' || type === 'summary')
        for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    }
    return names;
  };

  it('reports the operators metrics with their current values (escalation age, parked, ready)', () => {
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(scrape)?.[1]);
    expect(value('agent_ready')).to.equal(1);
    expect(value('negotiations_parked')).to.equal(0);
    expect(value('escalation_oldest_waiting_seconds')).to.be.above(0).and.below(60);
    expect(value('inbox_lag_seconds')).to.equal(0);
  });

  it('negotiations_parked counts a negotiation parked after repeated failures, and unpark takes it out', async () => {
    const failing = await startTestAgent({}, undefined, {
      adaptMachine: (m) =>
        m.provide({
          actions: {
            enqueueReply: () => {
              throw new Error('injected failure');
            },
          } as never,
        }),
    });
    try {
      const { id, threadId } = await started(failing);
      const parkedNow = async () =>
        Number(/^negotiations_parked (\S+)$/m.exec(await (await fetch(`${failing.url}/metrics`)).text())?.[1]);
      expect(await parkedNow()).to.equal(0);
      // Each failing message is set aside after its failure; the third failure parks the negotiation.
      for (let i = 0; i < 3; i++) await reply(failing, threadId, `Hello ${i}`, { messageId: `<fail-${i}@x>` });
      await until(async () => (await parkedNow()) === 1, 10_000);
      expect((await negotiation(failing, id)).failure).to.be.a('string');
      const unparked = await failing.call('POST', `/api/v1/negotiations/${id}/unpark`);
      expect(unparked.status, JSON.stringify(unparked.body)).to.equal(200);
      expect(await parkedNow()).to.equal(0);
    } finally {
      await failing.stop();
      removeDir(failing.dataDir);
    }
  });

  it('`promtool check metrics` finds nothing to complain about in a live scrape', function () {
    needPromtool(this);
    const result = promtool(['check', 'metrics'], scrape);
    expect(result?.output, 'promtool check metrics output').to.equal('');
    expect(result?.code).to.equal(0);
  });

  it('the alert rules pass `promtool check rules` and their unit tests (`promtool test rules`)', function () {
    needPromtool(this);
    const check = promtool(['check', 'rules', ALERTS]);
    expect(check?.code, check?.output).to.equal(0);
    const names = alertRules().map((r) => r.alert);
    for (const wanted of [
      'NegotiationAgentNotReady',
      'EscalationWaitingTooLong',
      'EmailSendsFailing',
      'InboxLagging',
      'NegotiationsParked',
    ]) {
      expect(names, 'alert rules').to.include(wanted);
    }
    const unit = promtool(['test', 'rules', join(OPS, 'prometheus-alerts.test.yml')]);
    expect(unit?.code, unit?.output).to.equal(0);
  });

  it("the Grafana dashboard's queries are valid PromQL (parsed by promtool)", function () {
    needPromtool(this);
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-rules-'));
    try {
      const rules = dashboardQueries().map((q, i) => ({ record: `dashboard:query_${i}`, expr: expand(q.expr) }));
      const file = join(dir, 'dashboard-as-rules.yml');
      writeFileSync(file, YAML.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const result = promtool(['check', 'rules', file]);
      expect(result?.code, result?.output).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every metric the alerts and the dashboard use is one the agent exports', () => {
    const names = exported();
    const uses = [
      ...alertRules().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
      ...dashboardQueries().map((q) => ({ where: `panel "${q.title}"`, expr: q.expr })),
    ];
    expect(uses.length).to.be.above(10);
    for (const { where, expr } of uses) {
      const used = selectors(expr);
      expect(used, `${where}: ${expr}`).to.not.be.empty;
      // `up` is Prometheus's own series for the scrape target.
      for (const name of used.filter((n) => n !== 'up'))
        expect(names.has(name), `${where} uses ${name}`).to.equal(true);
    }
  });
});
