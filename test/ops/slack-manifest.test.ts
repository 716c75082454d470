/**
 * slack-app-manifest.yaml against what the agent really serves and calls: the slash commands are the ones
 * server/slack/listeners.ts registers, every request URL is the route the agent answers (a signed slash command
 * sent to that path is handled), and the bot scopes are exactly those the Slack Web API methods in the code need.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import YAML from 'yaml';
import { removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { until } from '../support/e2e.ts';
import { type FakeSlack, signSlackRequest, slashCommandPayload, startFakeSlack } from '../support/fake-slack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PLACEHOLDER = 'https://agent.example.com';

interface Manifest {
  features: {
    bot_user: { display_name: string };
    slash_commands: { command: string; url: string; description: string; usage_hint?: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    event_subscriptions?: { request_url: string; bot_events?: string[] };
    socket_mode_enabled: boolean;
  };
}

const manifest = YAML.parse(readFileSync(join(ROOT, 'slack-app-manifest.yaml'), 'utf8')) as Manifest;

/** The bot scope each Slack Web API method needs (api.slack.com/methods); null: none. */
const METHOD_SCOPES: Record<string, string[] | null> = {
  'auth.test': null,
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.delete': ['chat:write'],
  'views.open': null,
  'views.update': null,
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'conversations.info': ['channels:read', 'groups:read'],
  'usergroups.users.list': ['usergroups:read'],
  'users.info': ['users:read'],
};

/** Source files that use the Slack SDKs, and the Web API methods they call (`client.chat.postMessage(`). */
function slackSources(): { file: string; text: string }[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.push(path);
    }
  };
  walk('server');
  walk('services');
  return files
    .map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }))
    .filter((s) => s.text.includes("from '@slack/"));
}

function calledMethods(): Map<string, string> {
  const methods = new Map<string, string>();
  for (const { file, text } of slackSources()) {
    for (const m of text.matchAll(/\bclient\.((?:[a-z]+\.)+[a-zA-Z]+)\(/g)) methods.set(m[1], file);
  }
  return methods;
}

describe('Slack app manifest (slack-app-manifest.yaml)', () => {
  it('declares exactly the slash commands server/slack/listeners.ts registers', () => {
    const source = readFileSync(join(ROOT, 'server/slack/listeners.ts'), 'utf8');
    // Command names are the single-segment path literals of the module ('/claim'; routes like '/slack/events'
    // have two segments).
    const registered = new Set([...source.matchAll(/'(\/[a-z][a-z_-]*)'/g)].map((m) => m[1]));
    expect(registered.size, 'commands found in server/slack/listeners.ts').to.be.at.least(3);
    expect(new Set(manifest.features.slash_commands.map((c) => c.command))).to.deep.equal(registered);
    for (const c of manifest.features.slash_commands) expect(c.description, c.command).to.be.a('string').and.not.empty;
  });

  it('sends everything to POST /slack/events, the route the agent serves, and subscribes to no events', () => {
    const receiver = readFileSync(join(ROOT, 'server/slack/receiver.ts'), 'utf8');
    expect(receiver).to.match(/path = '\/slack\/events'/);
    const urls = [
      ...manifest.features.slash_commands.map((c) => c.url),
      manifest.settings.interactivity.request_url,
      ...(manifest.settings.event_subscriptions ? [manifest.settings.event_subscriptions.request_url] : []),
    ];
    for (const url of urls) expect(url).to.equal(`${PLACEHOLDER}/slack/events`);
    expect(manifest.settings.interactivity.is_enabled).to.equal(true);
    // No `app.event(...)` listener exists, so subscribing to events would only make Slack send what nobody handles.
    for (const file of readdirSync(join(ROOT, 'server/slack'))) {
      expect(readFileSync(join(ROOT, 'server/slack', file), 'utf8'), file).to.not.match(/app\.(event|message)\(/);
    }
    expect(manifest.settings.event_subscriptions?.bot_events ?? []).to.deep.equal([]);
    expect(manifest.settings.socket_mode_enabled).to.equal(false);
  });

  it('asks for exactly the bot scopes of the Web API methods the code calls', () => {
    const methods = calledMethods();
    expect(methods.has('chat.postMessage'), 'the scan finds the Slack calls').to.equal(true);
    const needed = new Set(['commands']);
    for (const [method, file] of methods) {
      expect(method in METHOD_SCOPES, `${file} calls ${method}: add its scope to METHOD_SCOPES and the manifest`).to.be
        .true;
      for (const scope of METHOD_SCOPES[method] ?? []) needed.add(scope);
    }
    expect(new Set(manifest.oauth_config.scopes.bot)).to.deep.equal(needed);
  });

  describe('against a running agent (Slack over HTTP, fake Slack API)', () => {
    const SECRET = 'manifest-test-signing-secret';
    let slack: FakeSlack;
    let t: TestAgent;

    before(async () => {
      slack = await startFakeSlack();
      t = await startTestAgent(
        {
          CHAT_PROVIDER: 'slack',
          SLACK_BOT_TOKEN: slack.token,
          SLACK_SIGNING_SECRET: SECRET,
          SLACK_API_URL: slack.apiUrl,
          SLACK_ESCALATION_CHANNEL: 'C0ESCALATE',
          SLACK_AGREEMENT_CHANNEL: 'C0DEALS01',
        },
        tempDir('slack-manifest-'),
      );
    });
    after(async () => {
      await t?.stop();
      await slack?.close();
      if (t) removeDir(t.dataDir);
    });

    it('answers every slash command of the manifest at its URL', async () => {
      for (const c of manifest.features.slash_commands) {
        const path = new URL(c.url).pathname;
        const before = slack.responses().length + slack.ephemerals().length;
        const body = slashCommandPayload({
          command: c.command,
          text: 'nobody@example.com',
          user: 'U0ALICE',
          responseUrl: slack.responseUrl(),
        });
        const res = await fetch(`${t.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(body, SECRET) },
          body,
        });
        expect(res.status, `${c.command} at ${path}`).to.equal(200);
        await until(async () => slack.responses().length + slack.ephemerals().length > before);
      }
    });
  });
});
