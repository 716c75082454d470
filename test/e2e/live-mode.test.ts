/**
 * Live mode, whole: AGENT_MODE=live with every real client (googleapis Gmail and Sheets, google-auth-library,
 * the Anthropic SDK, Slack's WebClient and Bolt) pointed at the local fakes. A campaign read from Google Sheets
 * is emailed through Gmail, the reply arrives as a verified push, Claude reads it, the escalation lands in
 * Slack, a signed click approves the counter, and Gmail sends it. The sandbox routes do not exist in live mode.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import winston from 'winston';
import { openSandboxDb } from '../../services/sandbox/db.ts';
import { removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { MAYA, until, waitForState } from '../support/e2e.ts';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.ts';
import { type FakeGmail, startFakeGmail } from '../support/fake-gmail.ts';
import { type FakeGoogleAuth, startFakeGoogleAuth } from '../support/fake-google-auth.ts';
import { fakeGmailEnv } from '../support/gmail-agent-env.ts';
import { type FakeSheets, startFakeSheets } from '../support/fake-sheets.ts';
import { blockActionsPayload, type FakeSlack, signSlackRequest, startFakeSlack } from '../support/fake-slack.ts';

const AGENT = 'deals@agency.example';
const TOKEN = 'live-mode-api-token-0123456789';
const SECRET = 'slack-signing-secret';
const AUDIENCE = 'https://agent.example/webhooks/gmail';
const PUSHER = 'push@project.iam.gserviceaccount.com';
const SPREADSHEET = 'sheet-live-1';

let gmail: FakeGmail;
let google: FakeGoogleAuth;
let claude: FakeAnthropic;
let slack: FakeSlack;
let sheets: FakeSheets;
let dir: string;
let t: TestAgent | null = null;

// Its hooks apply to this file's tests only (a hook outside every describe would run before every test of the suite).
describe('live mode (e2e)', () => {
  before(async () => {
    [gmail, google, claude, slack, sheets] = await Promise.all([
      startFakeGmail({ emailAddress: AGENT }),
      startFakeGoogleAuth(),
      startFakeAnthropic(),
      startFakeSlack(),
      startFakeSheets(),
    ]);
    dir = tempDir('live-mode-');
  });
  after(async () => {
    await t?.stop();
    await Promise.all([gmail.close(), google.close(), claude.close(), slack.close(), sheets.close()]);
    removeDir(dir);
  });

  function liveEnv(): Record<string, string> {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPath = join(dir, 'sheets-key.json');
    writeFileSync(
      keyPath,
      JSON.stringify({
        type: 'service_account',
        client_email: 'sheets-reader@project.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      }),
    );
    return {
      AGENT_MODE: 'live',
      HOST: '127.0.0.1',
      API_TOKEN: TOKEN,
      ...fakeGmailEnv({ gmail, google }, dir, { audience: AUDIENCE, account: PUSHER }),
      ANTHROPIC_API_KEY: 'sk-test',
      ANTHROPIC_BASE_URL: claude.url,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_ESCALATION_CHANNEL: 'C0ESCALATE',
      SLACK_AGREEMENT_CHANNEL: 'C0DEALS01',
      GOOGLE_SHEETS_KEY: SPREADSHEET,
      SHEETS_SERVICE_ACCOUNT_PATH: keyPath,
      SHEETS_API_URL: sheets.rootUrl,
      SHEET_POLL_SECONDS: '0',
    };
  }

  const auth = { authorization: `Bearer ${TOKEN}` };

  describe('live mode against the fakes of every outside service', () => {
    it('sheet -> Gmail outreach -> push -> Claude -> Slack escalation -> signed approval -> Gmail counter', async () => {
      sheets.setSpreadsheet(SPREADSHEET, {
        Sheet1: [
          ['Name', 'Email', 'Platform', 'Average Views'],
          ['Maya Lopez', MAYA, 'instagram', '80,000'],
        ],
      });
      t = await startTestAgent(liveEnv(), dir);
      expect((await t.call('GET', '/sandbox/mail', undefined, auth)).status).to.equal(404);
      // The dashboard hides its sandbox tools because the agent says so.
      expect((await t.call('GET', '/api/v1/info', undefined, auth)).body).to.deep.equal({
        mode: 'live',
        sandbox: { mail: false, slack: false, clock: false },
      });
      expect((await t.call('GET', '/api/v1/campaigns')).status).to.equal(401);

      const created = await t.call(
        'POST',
        '/api/v1/campaigns',
        {
          id: 'cmp-live',
          client: 'Glow Skincare',
          platform: 'instagram',
          deliverables: '1 Instagram Reel, 2 Instagram Stories',
          cpmTarget: '25',
          cpmLeniency: '20',
          maxCostWithoutApproval: '2300',
        },
        auth,
      );
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const id = created.body.negotiations[0].id;
      const outreach = await until(async () => gmail.sent().find((m) => m.to.includes(MAYA)));
      expect(claude.callsOf('compose')).to.have.length(1);

      await gmail.deliver({
        from: `Maya Lopez <${MAYA}>`,
        to: AGENT,
        subject: 'Re: Collaboration Opportunity - Glow Skincare',
        text: 'My rate for this package is $3,200.',
        threadId: outreach.threadId,
        inReplyTo: outreach.messageId,
      });
      const data = Buffer.from(JSON.stringify({ emailAddress: AGENT, historyId: gmail.historyId })).toString('base64');
      const push = await fetch(`${t.url}/webhooks/gmail`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${google.signIdToken({ aud: AUDIENCE, email: PUSHER, email_verified: true })}`,
        },
        body: JSON.stringify({ message: { data, messageId: '1' }, subscription: 's' }),
      });
      expect(push.status).to.equal(204);

      const agentView = { ...t, call: (m: string, p: string, b?: unknown) => (t as TestAgent).call(m, p, b, auth) };
      await waitForState(agentView as TestAgent, id, 'escalated');
      const escalation = await until(async () =>
        slack.posted('C0ESCALATE').find((m) => m.text.startsWith('Escalation')),
      );
      const actions = (escalation.blocks as { type: string; block_id?: string }[]).find((b) => b.type === 'actions');
      const body = blockActionsPayload({
        user: 'U0ALICE',
        actionId: 'approve',
        blockId: actions?.block_id ?? '',
        value: '260000',
        channel: escalation.channel,
        message: { ts: escalation.ts, text: escalation.text, blocks: escalation.blocks },
        responseUrl: slack.responseUrl(),
      });
      const click = await fetch(`${t.url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(body, SECRET) },
        body,
      });
      expect(click.status).to.equal(200);
      await waitForState(agentView as TestAgent, id, 'counter_sent');
      const counter = await until(async () =>
        gmail.sent().find((m) => m.threadId === outreach.threadId && m.subject.startsWith('Re:')),
      );
      expect(counter.text).to.include('$2,600.00');
      expect(claude.problems()).to.deep.equal([]);
    });
  });

  describe('live mode has no sandbox: no stand-in routes, no movable clock', () => {
    it('every /sandbox/* route is 404 (the clock included) and a stored clock offset is ignored and logged', async () => {
      await t?.stop();
      t = null;
      const dataDir = tempDir('live-clock-');
      // An earlier sandbox run on this directory moved its clock 80 hours ahead.
      const sandbox = openSandboxDb(join(dataDir, 'sandbox.db'));
      sandbox.prepare("INSERT INTO settings (key, value) VALUES ('clock.offset_ms', ?)").run(String(80 * 3_600_000));
      sandbox.close();
      const logged: { message: string; offsetHours?: number }[] = [];
      const logger = winston.createLogger({
        level: 'warn',
        transports: [new winston.transports.Console({ silent: true })],
      });
      logger.on('data', (info) => logged.push(info));
      sheets.setSpreadsheet(SPREADSHEET, {
        Sheet1: [
          ['Name', 'Email', 'Platform', 'Average Views'],
          ['Rita Moreno', 'rita@creators.example', 'instagram', '60,000'],
        ],
      });
      const live = await startTestAgent(liveEnv(), dataDir, { logger });
      try {
        expect(logged.some((l) => l.message.includes('clock offset ignored') && l.offsetHours === 80)).to.equal(true);
        const routes: [string, string, unknown?][] = [
          ['POST', '/sandbox/clock', { advanceHours: 80 }],
          ['GET', '/sandbox/mail'],
          ['POST', '/sandbox/mail', { from: 'rita@creators.example', threadId: 't', text: 'hi' }],
          ['GET', '/sandbox/slack'],
          ['POST', '/sandbox/slack/actions', { action: 'approve', negotiationId: 'x', user: 'u', rate: '1' }],
        ];
        for (const [method, path, body] of routes) {
          const res = await live.call(method, path, body, auth);
          expect(res.status, `${method} ${path}`).to.equal(404);
        }
        const created = await live.call(
          'POST',
          '/api/v1/campaigns',
          {
            id: 'cmp-clock',
            client: 'Glow Skincare',
            platform: 'instagram',
            deliverables: '1 Instagram Reel',
            cpmTarget: '25',
            cpmLeniency: '20',
          },
          auth,
        );
        expect(created.status, JSON.stringify(created.body)).to.equal(201);
        await until(async () => gmail.sent().find((m) => m.to.includes('rita@creators.example')));
        // The follow-up is due 72 hours after the real send, not 8 hours before it.
        const db = new Database(join(dataDir, 'agent.db'), { readonly: true });
        const { deadline } = (await until(async () =>
          db.prepare("SELECT next_deadline_at AS deadline FROM negotiations WHERE campaign_id = 'cmp-clock'").get(),
        )) as { deadline: number };
        db.close();
        expect(deadline - Date.now()).to.be.within(71 * 3_600_000, 72 * 3_600_000);
      } finally {
        await live.stop();
        removeDir(dataDir);
      }
    });
  });
});
