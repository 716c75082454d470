/**
 * Fixtures of the ClickUp tests: a campaign task built from form fields, and what the mapping makes of it.
 */
import { expect } from 'chai';
import { type ClickUpCampaign, campaignFromTask } from '../../services/clickup/campaign.ts';
import { CLICKUP_FIELDS } from '../../services/clickup/form.ts';
import type { ClickUpTask } from '../../services/clickup/task.ts';
import { campaignFormFields, campaignTask, type FakeField, withField } from '../support/fake-clickup.ts';

export const F = CLICKUP_FIELDS;
export const SECRET = 'whsec-clickup-test';
export const TASK_ID = '86b0x1k2q';

export const taskWith = (fields: FakeField[]) => campaignTask(TASK_ID, fields) as unknown as ClickUpTask;
export const map = (fields: FakeField[] = campaignFormFields()) => campaignFromTask(taskWith(fields));
export const campaignOf = (fields: FakeField[] = campaignFormFields()): ClickUpCampaign => {
  const result = map(fields);
  if ('problems' in result) throw new Error(`unexpected problems: ${result.problems.join(' | ')}`);
  return result.campaign;
};
export const problemsOf = (fields: FakeField[]): string[] => {
  const result = map(fields);
  expect(result, 'expected problems').to.have.property('problems');
  return (result as { problems: string[] }).problems;
};
export const change = (...replacements: FakeField[]) =>
  replacements.reduce((fields, r) => withField(fields, r), campaignFormFields());
export const YES_NO = ['Yes', 'No'];
export const DURATIONS = ['Not required', '30 Days', '60 Days', '90 Days', '6 Months', '1 Year', 'Perpetual'];
