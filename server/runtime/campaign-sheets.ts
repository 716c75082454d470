/**
 * Campaigns and the sheet they came from: the campaign intake, and the sheet monitor that watches every campaign
 * whose rows came from the sheet (it has a snapshot) for new and changed rows. They need each other (the intake
 * seeds the monitor's snapshot; the monitor starts new rows through the intake), so they are built together here.
 */
import { createHash } from 'node:crypto';
import { noticeMessage } from '../../services/chat/messages.ts';
import { createSettings } from '../../persistence/settings.ts';
import { createSheetMonitor } from '../../services/sheet-monitor.ts';
import { describeChange } from '../../services/sheet-rows.ts';
import { settingsSnapshotStore } from '../../services/sheet-snapshots.ts';
import { createCampaignIntake } from './campaign-intake.ts';

type IntakeDeps = Omit<Parameters<typeof createCampaignIntake>[0], 'onSheetIngested'>;

export function createCampaignSheets(deps: IntakeDeps) {
  const { db, queries, sheets, chat, logger, config } = deps;
  const snapshots = settingsSnapshotStore(createSettings(db));
  const intake = createCampaignIntake({
    ...deps,
    onSheetIngested: (id, sheet, outcome) => monitor.recordIngestion(id, sheet, outcome),
  });
  const monitor = createSheetMonitor({
    sheets,
    snapshots,
    logger,
    campaigns: () =>
      snapshots.campaignIds().flatMap((id) => {
        const definition = queries.campaignDefinition(id);
        return definition ? [{ id, sheetTab: definition.sheetTab ?? null, sheetId: definition.sheetId ?? null }] : [];
      }),
    startRows: (id, rows) => intake.startRows(id, rows),
    alert: async (id, changes) => {
      await chat.post({
        key: `sheet-changes:${id}:${createHash('sha256').update(JSON.stringify(changes)).digest('hex').slice(0, 16)}`,
        channel: config.slack.escalationChannel,
        kind: 'notice',
        negotiationId: null,
        threadTs: null,
        ...noticeMessage(`Sheet rows changed for campaign ${id}`, changes.map(describeChange)),
      });
    },
  });
  return { intake, monitor };
}
