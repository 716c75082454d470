/** A ClickUp task as GET /task/{id} returns it: its custom fields carry the campaign form's answers. */
import { z } from 'zod';

/** ClickUp task ids are short alphanumeric strings ("86b0x1k2q"); anything else never reaches a URL or an id. */
export const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface ClickUpOption {
  id?: string;
  name?: string;
  label?: string;
  orderindex?: number | string;
}

export interface ClickUpCustomField {
  id?: string;
  name: string;
  type: string;
  type_config?: { options?: ClickUpOption[] } & Record<string, unknown>;
  /** Absent (or null) when the field is not filled in. */
  value?: unknown;
}

export interface ClickUpTask {
  id: string;
  name?: string | null;
  custom_fields: ClickUpCustomField[];
  [key: string]: unknown;
}

// Lenient on purpose: an odd field we do not use must not make the whole task unreadable.
const fieldSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  type: z.string().default('text'),
  type_config: z
    .looseObject({ options: z.array(z.looseObject({})).optional().catch(undefined) })
    .nullish()
    .catch(undefined),
  value: z.unknown().optional(),
});
export const clickUpTaskSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  custom_fields: z
    .array(z.unknown())
    .default([])
    .transform((fields) =>
      fields.flatMap((f) => {
        const r = fieldSchema.safeParse(f);
        return r.success ? [r.data as ClickUpCustomField] : [];
      }),
    ),
});
