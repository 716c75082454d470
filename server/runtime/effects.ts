/**
 * The effect implementations the machine references by key. Outside-world effects go through the journal:
 * a completed key returns its recorded result instead of running again (architecture.md, fact 1), and a send
 * that may already have happened is looked up by its Message-ID first (decisions D9).
 */
import { fromPromise } from 'xstate';
import type {
  ClassifyInput,
  ComposeActorInput,
  DecideActorInput,
  NotifyInput,
  NotifyOutput,
  SendEmailInput,
  SentEmail,
  ValidateInput,
  ValidateOutput,
} from '../../machines/negotiation.ts';
import type { EffectRef, Journal } from '../../persistence/journal.ts';
import type { EffectRuntime } from './host.ts';
import type { Queries } from '../../persistence/queries.ts';
import {
  agreementMessage,
  escalationMessage,
  type MessageExtras,
  replyMessage,
  staleMessage,
} from '../../services/chat/messages.ts';
import type { ChatMessage, ChatPort, ChatUpdate } from '../../services/chat/port.ts';
import type { ChatOutbox } from './chat-outbox.ts';
import type { Clock } from '../../services/clock.ts';
import { DEFAULT_FORBIDDEN_PHRASES, validateEmail } from '../../services/gate.ts';
import { emailHtml } from '../../services/sow.ts';
import { type MailPort, messageIdFor } from '../../services/mail/port.ts';
import type { Classification, ModelPort } from '../../services/model/port.ts';
import { type Decision, decide } from '../../services/strategy.ts';
import { withoutOurs } from '../../services/reading.ts';
import { retry } from '../../services/retry.ts';
import { applyTriggers, type TriggerConfig } from '../../services/triggers.ts';
import { rateLimitOf } from '../../services/mail/rate-limit.ts';
import type { Config } from '../config.ts';
import { priorityOf, type SendQueue } from './send-queue.ts';

/** `durable` and `completed` come from the host that runs the machine (EffectRuntime). */
export interface EffectDeps extends EffectRuntime {
  journal: Journal;
  queries: Queries;
  model: ModelPort;
  triggers: TriggerConfig;
  mail: MailPort;
  /** Every email waits here for its turn within the mailbox's limits (decisions D20). */
  sendQueue: Pick<SendQueue, 'turn' | 'mayHaveSent' | 'sent' | 'limited'>;
  chat: ChatPort;
  outbox: Pick<ChatOutbox, 'defer'>;
  clock: Clock;
  config: Pick<Config, 'agentEmail' | 'agentName' | 'policy' | 'forbiddenPhrases' | 'effects' | 'slack'>;
  /** Where a person can open the negotiation (linked from Slack). */
  linkFor(negotiationId: string): string;
  conversation(negotiationId: string): MessageExtras['conversation'];
  onRetry?(kind: string, error: unknown): void;
  onFailure?(kind: string, error: unknown): void;
}

export function createEffects(deps: EffectDeps) {
  const { journal, clock, config } = deps;

  /**
   * Runs `run` at most once to completion per key, with bounded retries. The result is recorded in the journal by
   * the transition that consumes it (one commit, decisions D9); a crash in between re-runs the effect, which is safe
   * for exactly that reason. `mode` says what the outside world sees of it:
   * - 'read' (a model call): nothing; it runs at once, without waiting for the transition that asked for it to be
   *   committed (a crash before that commit takes the reply again from the inbox and asks again, as before);
   * - 'send' (an email): waits until the transition that asked for it is committed; the send queue's grant is its
   *   committed attempt;
   * - 'attempt' (Slack): waits likewise, and commits each attempt BEFORE calling out, so a restart knows it may
   *   already have happened (`mayHaveRun`).
   */
  function journaled<I extends { key: string; negotiationId: string }, O>(
    kind: string,
    mode: 'read' | 'send' | 'attempt',
    run: (input: I, mayHaveRun: boolean, signal: AbortSignal) => Promise<O>,
    /** After the last failed attempt: did it happen after all? (an email the mailbox took before the error) */
    recover?: (input: I) => Promise<O | null>,
    /** After the last failed attempt, when the effect must still happen later (a Slack message). */
    giveUp?: (input: I, error: unknown) => void,
  ) {
    return fromPromise<O, I>(async ({ input, signal }) => {
      // Something the outside world sees waits until the transition that requested it is committed.
      if (mode !== 'read') await deps.durable();
      // Its actor was stopped meanwhile (that transition could not be committed): the restored actor runs it again.
      signal.throwIfAborted();
      const prior = journal.get(input.key);
      if (prior?.status === 'done') return prior.result as O;
      const effect: EffectRef = { key: input.key, negotiationId: input.negotiationId, kind };
      let mayHaveRun = (prior?.attempts ?? 0) > 0;
      const attempt = async () => {
        if (mode === 'attempt') journal.beginAttempt(effect, clock.iso());
        try {
          const output = await run(input, mayHaveRun, signal);
          deps.completed(effect, output);
          return output;
        } catch (error) {
          if (signal.aborted) throw error; // stopped (a shutdown, a reload): nothing failed; the restored actor goes on
          journal.failAttempt(input.key, error instanceof Error ? error.message : String(error), clock.iso());
          mayHaveRun = true;
          throw error;
        }
      };
      const policy = { attempts: config.effects.maxAttempts, baseMs: config.effects.retryBaseMs };
      try {
        return await retry(attempt, policy, { signal, onRetry: (error) => deps.onRetry?.(kind, error) });
      } catch (error) {
        if (signal.aborted && error === signal.reason) throw error; // stopped, not failed
        const happened = await recover?.(input).catch(() => null);
        if (happened) {
          deps.completed(effect, happened);
          return happened;
        }
        deps.onFailure?.(kind, error);
        giveUp?.(input, error);
        throw error;
      }
    });
  }
  // Our Message-IDs (messageIdFor): a reply to one of them, with no word from them since, is a follow-up.
  const domain = config.agentEmail.split('@')[1] ?? 'agent.local';
  const ours = (id: string) =>
    id.length === 34 + domain.length && /^<[0-9a-f]{32}@/.test(id) && id.endsWith(`@${domain}>`);

  /** A reply to an open escalation refreshes it in place: their latest ask, the suggestion, the conversation. */
  function escalationRefresh(input: NotifyInput): ChatUpdate | undefined {
    if (input.kind !== 'reply' || !input.escalation?.slackTs) return undefined;
    const { channel, text, blocks } = chatMessage({ ...input, kind: 'escalation' });
    return { channel, ts: input.escalation.slackTs, text, blocks };
  }

  function chatMessage(input: NotifyInput): ChatMessage {
    const extras: MessageExtras = {
      link: deps.linkFor(input.negotiationId),
      conversation: deps.conversation(input.negotiationId),
    };
    const build = {
      escalation: escalationMessage,
      agreement: agreementMessage,
      stale: staleMessage,
      reply: replyMessage,
    };
    return {
      key: input.key,
      channel: input.kind === 'agreement' ? config.slack.agreementChannel : config.slack.escalationChannel,
      kind: input.kind === 'escalation' || input.kind === 'agreement' ? input.kind : 'notice',
      negotiationId: input.negotiationId,
      threadTs: input.kind === 'reply' ? (input.escalation?.slackTs ?? null) : null,
      ...build[input.kind](input, extras),
    };
  }

  return {
    classify: journaled<ClassifyInput, Classification>(
      'classify',
      'read',
      // The team's trigger file is applied inside the journaled run, so a replay reads the recorded result.
      async (input) =>
        applyTriggers(
          deps.triggers,
          await deps.model.classify({
            text: input.text,
            influencerName: input.influencerName,
            lastOfferCents: input.lastOfferCents,
            quoted: input.quoted ?? null,
            uncertain: input.uncertain === true,
            package: input.package ?? null,
            averageViews: input.averageViews ?? null,
          }),
          withoutOurs(input.text), // the team's keywords read their words only, never our quoted scope block
        ),
    ),
    decide: fromPromise<Decision, DecideActorInput>(async ({ input }) =>
      decide({
        facts: input.facts,
        classification: input.classification,
        tracker: deps.queries.tracker(input.campaignId, input.facts.terms.ceilingCpmCents),
        maxRounds: config.policy.maxRounds,
        confidenceThreshold: deps.triggers.confidenceThreshold,
        cpmCeilingEnabled: deps.triggers.cpmCeilingEnabled,
      }),
    ),
    compose: journaled<ComposeActorInput, { prose: string }>('compose', 'read', ({ key: _, ...input }) =>
      deps.model.compose({ ...input, agentName: config.agentName }),
    ),
    validate: fromPromise<ValidateOutput, ValidateInput>(async ({ input }) =>
      validateEmail({ ...input, forbiddenPhrases: config.forbiddenPhrases ?? DEFAULT_FORBIDDEN_PHRASES }),
    ),
    sendEmail: journaled<SendEmailInput, SentEmail>(
      'send_email',
      // The queue's grant is the send's committed attempt (one commit per email, as before the queue): it is
      // written before the mailbox is called, so a restart knows the email may have gone out.
      'send',
      async (input, mayHaveRun, signal) => {
        const { sendQueue: queue } = deps;
        const messageId = messageIdFor(input.key, config.agentEmail);
        // A send handed to the mailbox may have gone out, one still waiting never did; a send from before the queue
        // existed has only the journal's attempts to tell.
        const granted = queue.mayHaveSent(input.key);
        if (granted === true || (granted === undefined && mayHaveRun)) {
          const found = await deps.mail.findSent(messageId);
          if (found) {
            queue.sent(input.key);
            return found;
          }
        }
        const priority = priorityOf(input, ours);
        for (;;) {
          await queue.turn({ key: input.key, negotiationId: input.negotiationId, priority }, signal);
          try {
            const receipt = await deps.mail.send({
              messageId,
              from: `${config.agentName} <${config.agentEmail}>`,
              to: input.to,
              subject: input.subject,
              text: input.text,
              html: input.html ?? emailHtml(input.text, null), // an input persisted before the HTML part: its text
              threadId: input.threadId,
              inReplyTo: input.inReplyTo,
              references: input.references,
            });
            return receipt;
          } catch (error) {
            // "Too much, wait" is not a failure: nothing went out; it waits its turn again, no retry spent.
            const limit = rateLimitOf(error);
            if (!limit) throw error;
            queue.limited(input.key, limit);
          }
        }
      },
      (input) => deps.mail.findSent(messageIdFor(input.key, config.agentEmail)),
    ),
    notify: journaled<NotifyInput, NotifyOutput>(
      'notify',
      'attempt',
      async (input) => {
        const posted = await deps.chat.post(chatMessage(input));
        const refresh = escalationRefresh(input);
        if (refresh) await deps.chat.update(refresh);
        return posted;
      },
      undefined,
      // Slack down: posted (and the escalation refreshed) when it is back; the post is idempotent by key.
      (input, error) => deps.outbox.defer(chatMessage(input), error, escalationRefresh(input)),
    ),
  };
}
