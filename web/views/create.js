// Campaign creation: the API's fields, the influencer list pasted or uploaded as CSV in the sheet's column layout
// (or read from the sheet tab), checked by the server's dry run as you type (a message under each field and row at
// fault) with each influencer's opening offer, and nothing sent until "Send" is pressed.
import { createCampaign, schedulePreview } from '../actions.js';
import { h, replace } from '../dom.js';
import { ctx, store } from '../page.js';
import { GROUPS, SHEET_EXAMPLE } from './create-fields.js';
import { created, preview } from './create-preview.js';
import { remount } from './index.js';
import { problemLine } from './needs.js';

/** @typedef {import('../store.js').Ctx} Ctx */
/** @typedef {import('./create-fields.js').Field} Field */

/** @param {string} name */
const fieldId = (name) => `f-${name.replaceAll('.', '-')}`;
/** @param {string} name */
const errId = (name) => `err-${name.split('.')[0]}`;

/** @param {string} text */
const slug = (text) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);

let idTouched = false;

/** @param {Field} f @param {Record<string, string>} values */
function control(f, values) {
  const id = fieldId(f.name);
  const value = values[f.name] ?? '';
  const common = {
    id,
    name: f.name,
    'aria-describedby': `${errId(f.name)}${f.hint ? ` hint-${id}` : ''}`,
    required: f.required ?? false,
    oninput: (/** @type {Event} */ e) => edit(f.name, /** @type {HTMLInputElement} */ (e.target).value),
  };
  if (f.kind === 'select' || f.kind === 'yesno') {
    const options =
      f.kind === 'yesno'
        ? /** @type {[string, string][]} */ ([
            ['', '—'],
            ['yes', 'Yes'],
            ['no', 'No'],
          ])
        : (f.options ?? []);
    const el = h(
      'select',
      { ...common, onchange: common.oninput, oninput: null },
      options.map(([v, t]) => h('option', { value: v }, t)),
    );
    el.value = value;
    return el;
  }
  if (f.kind === 'textarea') return h('textarea', { ...common, rows: '3', value });
  return h('input', {
    ...common,
    type: f.kind === 'number' ? 'number' : 'text',
    value,
    placeholder: f.placeholder ?? null,
    autocomplete: 'off',
  });
}

/** @param {string} name @param {string} value */
function edit(name, value) {
  store.trigger.fieldEdited({ name, value });
  if (name === 'id') idTouched = value.trim() !== '';
  if (name === 'client' && !idTouched) {
    const id = slug(value);
    store.trigger.fieldEdited({ name: 'id', value: id });
    const input = document.getElementById(fieldId('id'));
    if (input instanceof HTMLInputElement) input.value = id;
  }
  schedulePreview();
}

/** @param {Field} f @param {Record<string, string>} values */
function field(f, values) {
  const id = fieldId(f.name);
  return h(
    'div',
    { class: `field${f.kind === 'textarea' ? ' wide' : ''}` },
    h('label', { for: id }, f.label, f.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    control(f, values),
    f.hint ? h('p', { class: 'hint', id: `hint-${id}` }, f.hint) : null,
    f.name.startsWith('usage.') ? null : h('p', { class: 'field-error', id: errId(f.name), role: 'status' }),
  );
}

/** @param {HTMLTextAreaElement} area @param {File} file */
async function upload(area, file) {
  const text = await file.text();
  area.value = text;
  store.trigger.csvEdited({ csv: text, name: file.name });
  schedulePreview(0);
}

/** @param {HTMLElement} main */
export function mountCreate(main) {
  idTouched = Boolean(ctx().create.fields.id);
  const c = ctx().create;
  const area = h('textarea', {
    id: 'f-csv',
    rows: '8',
    class: 'mono',
    placeholder: SHEET_EXAMPLE,
    value: c.csv,
    'aria-describedby': 'err-csv hint-csv',
    oninput: (/** @type {Event} */ e) => {
      store.trigger.csvEdited({ csv: /** @type {HTMLTextAreaElement} */ (e.target).value, name: null });
      schedulePreview();
    },
  });
  const file = h('input', {
    id: 'f-csv-file',
    type: 'file',
    accept: '.csv,text/csv',
    onchange: () => {
      const chosen = file.files?.[0];
      if (chosen) upload(area, chosen);
    },
  });
  const source = (/** @type {'csv' | 'sheet'} */ value, /** @type {string} */ text) =>
    h(
      'label',
      { class: 'radio' },
      h('input', {
        type: 'radio',
        name: 'source',
        value,
        checked: c.source === value,
        onchange: () => {
          store.trigger.sourceChosen({ source: value });
          schedulePreview(0);
        },
      }),
      text,
    );
  const results = h('div', { id: 'preview', 'aria-live': 'polite' });
  const submit = h('div', { class: 'submit-row' });
  const topErrors = h('div', { id: 'form-errors' });
  const form = h(
    'form',
    {
      id: 'create-form',
      class: 'create',
      novalidate: true,
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        createCampaign();
      },
    },
    GROUPS.map((g) => {
      const fields = h(
        'div',
        { class: 'fields' },
        g.fields.map((f) => field(f, c.fields)),
      );
      if (g.title.startsWith('Product'))
        fields.append(h('p', { class: 'field-error', id: 'err-usageRights', role: 'status' }));
      return g.open
        ? h('fieldset', {}, h('legend', {}, g.title), fields)
        : h('details', { class: 'more-fields' }, h('summary', {}, g.title), fields);
    }),
    h(
      'fieldset',
      { class: 'influencers' },
      h('legend', {}, 'Influencers'),
      h(
        'div',
        { class: 'radios', role: 'radiogroup', 'aria-label': 'Where the influencers come from' },
        source('csv', 'Paste or upload a CSV'),
        source('sheet', 'Read them from the sheet tab'),
      ),
      h(
        'div',
        { class: 'csv-source' },
        h('label', { for: 'f-csv' }, 'The sheet as CSV (header row first)'),
        area,
        h(
          'p',
          { class: 'hint', id: 'hint-csv' },
          'Columns: Name, Email, Platform, Handle, Average Views, Engagement Rate (optional: Min Rate, Max Rate, Agency). In Google Sheets: File → Download → CSV.',
        ),
        h('label', { for: 'f-csv-file' }, 'or upload a .csv file'),
        file,
        h('p', { class: 'field-error', id: 'err-csv', role: 'status' }),
      ),
      h(
        'div',
        { class: 'sheet-source fields' },
        field(
          { name: 'sheetTab', label: 'Sheet tab', placeholder: 'Glow Q1', hint: 'Empty: the master tab' },
          c.fields,
        ),
        field({ name: 'sheetId', label: 'Spreadsheet id (optional)' }, c.fields),
      ),
      h('p', { class: 'field-error', id: 'err-influencers', role: 'status' }),
    ),
    topErrors,
    results,
    submit,
  );
  replace(
    main,
    h(
      'section',
      { 'aria-labelledby': 'create-title' },
      h('h2', { id: 'create-title' }, 'New campaign'),
      h(
        'p',
        { class: 'muted' },
        'Nothing is sent until you press Send: the opening offers below are what each influencer would receive.',
      ),
      form,
    ),
  );
  schedulePreview(0);
  return {
    /** @param {Ctx} x @param {Ctx | null} p */
    update(x, p) {
      const s = x.create;
      form.dataset.source = s.source;
      if (p && s === p.create && x.busy === p.busy && x.problems === p.problems) return;
      const pv = s.preview;
      // Messages under the fields (the server's, tied to the field they are about).
      const byField = new Map((pv?.errors ?? []).map((e) => [e.field, e.message]));
      for (const el of form.querySelectorAll('.field-error')) {
        const name = el.id.slice(4);
        el.textContent = byField.get(name) ?? '';
        byField.delete(name);
        const input = form.querySelector(`[aria-describedby~="${el.id}"]`);
        if (input) input.setAttribute('aria-invalid', el.textContent ? 'true' : 'false');
      }
      replace(
        topErrors,
        [...byField].map(([f, m]) => h('p', { class: 'problem' }, `${f}: ${m}`)),
        problemLine(x, 'create'),
      );
      replace(results, pv ? preview(pv, s.source) : s.checking ? h('p', { class: 'muted' }, 'Checking…') : null);
      const ready = Boolean(pv?.ok) && !s.checking && !s.submitting;
      const n = pv?.summary.new ?? 0;
      replace(
        submit,
        s.created
          ? created(s.created, remount)
          : h(
              'button',
              { type: 'submit', class: 'primary', id: 'create-submit', disabled: !ready },
              s.submitting
                ? 'Sending…'
                : s.source === 'sheet'
                  ? 'Create and start from the sheet'
                  : `Send ${n} opening email${n === 1 ? '' : 's'}`,
            ),
      );
    },
  };
}
