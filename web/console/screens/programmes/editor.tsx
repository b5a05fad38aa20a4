// The programme editor: a new programme (#/programmes/new), or a change to one
// (#/programmes/<id>/change), which the server keeps as its next version with the reason
// given. The benefit's fields follow the kind (a list of items with add and remove; a quota's
// one item; cash amounts; a one-time amount); money is typed in bolívares and sent in minor
// units; the rule is checked as it is typed. A refusal naming a field is said next to it.
// Selectors: form#programme-form, fieldset#benefit-items (button#add-item, button.remove-item),
// fieldset#service-areas, the rule editor's own (rule-editor.tsx).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, localError } from '../../api';
import { t } from '../../i18n';
import { allRegions } from '../../format';
import { href, navigate } from '../../router';
import {
  can,
  OutcomeNotice,
  Page,
  SelectField,
  Submit,
  TextField,
  useAction,
  type Session,
} from '../../ui';
import {
  kindWords,
  kinds,
  majorUnits,
  minorUnits,
  nameOf,
  scheduleWords,
  schedules,
  targetWords,
  targets,
  type Benefit,
  type Kind,
  type Programme,
  type Schedule,
  type Target,
} from './common';
import { RuleEditor } from './rule-editor';
import type { ProgrammeWithVersions } from './programme';

interface ItemDraft {
  code: string;
  es: string;
  en: string;
  quantity: string;
  unit: string;
}

interface Draft {
  code: string;
  kind: Kind;
  target: Target;
  schedule: Schedule;
  es: string;
  en: string;
  items: ItemDraft[];
  base: string;
  perMember: string;
  cap: string;
  amount: string;
  coPayment: string;
  currency: string;
  fundingAccountId: string;
  regions: string[];
  retentionDays: string;
  stagger: string[];
  rule: string;
  reason: string;
}

const emptyItem = (): ItemDraft => ({ code: '', es: '', en: '', quantity: '1', unit: 'kg' });

function blankDraft(): Draft {
  return {
    code: '',
    kind: 'basket',
    target: 'household',
    schedule: 'monthly',
    es: '',
    en: '',
    items: [emptyItem()],
    base: '',
    perMember: '',
    cap: '',
    amount: '',
    coPayment: '0',
    currency: 'VES',
    fundingAccountId: '',
    regions: allRegions().map((r) => r.code),
    retentionDays: '365',
    stagger: ['0', '0', '1', '1', '2', '2', '3', '3', '4', '4'],
    rule: '',
    reason: '',
  };
}

function draftOf(p: Programme): Draft {
  const v = p.current;
  const b = v.benefit;
  const items =
    b.kind === 'basket' || b.kind === 'medicine' ? b.items : b.kind === 'quota' ? [b.item] : [];
  return {
    ...blankDraft(),
    code: p.code,
    kind: p.kind,
    target: p.target,
    schedule: p.schedule,
    es: v.name.es,
    en: v.name.en,
    items:
      items.length > 0
        ? items.map((i) => ({
            code: i.code,
            es: i.name.es,
            en: i.name.en,
            quantity: String(i.quantity),
            unit: i.unit,
          }))
        : [emptyItem()],
    base: b.kind === 'cash' ? majorUnits(b.base) : '',
    perMember: b.kind === 'cash' ? majorUnits(b.perMember) : '',
    cap: b.kind === 'cash' ? majorUnits(b.cap) : '',
    amount: b.kind === 'one_time' ? majorUnits(b.amount) : '',
    coPayment: majorUnits(v.coPayment),
    currency: v.currency,
    fundingAccountId: v.fundingAccountId ?? '',
    regions: v.serviceAreas.map((a) => a.regionCode),
    retentionDays: String(v.retentionDays),
    stagger: v.stagger.map(String),
    rule: v.rule,
  };
}

/** The request body, or the first field the page itself refuses. */
function bodyOf(d: Draft, isNew: boolean): Record<string, unknown> {
  const amount = (field: string, typed: string, optional = false): string | undefined => {
    if (optional && typed.trim() === '') return undefined;
    const minor = minorUnits(typed);
    if (minor === null) throw localError(field, t('programmes.money.invalid'));
    return minor;
  };
  const items = d.items.map((i) => ({
    code: i.code.trim(),
    name: { es: i.es.trim(), en: i.en.trim() },
    quantity: Number(i.quantity),
    unit: i.unit.trim(),
  }));
  let benefit: Benefit;
  if (d.kind === 'basket' || d.kind === 'medicine') benefit = { kind: d.kind, items };
  else if (d.kind === 'quota')
    benefit = {
      kind: 'quota',
      item: items[0] ?? { code: '', name: { es: '', en: '' }, quantity: 1, unit: '' },
    };
  else if (d.kind === 'cash') {
    const perMember = amount('benefit.perMember', d.perMember, true);
    const cap = amount('benefit.cap', d.cap, true);
    benefit = {
      kind: 'cash',
      base: amount('benefit.base', d.base) ?? '0',
      ...(perMember ? { perMember } : {}),
      ...(cap ? { cap } : {}),
    };
  } else benefit = { kind: 'one_time', amount: amount('benefit.amount', d.amount) ?? '0' };
  if (d.regions.length === 0) throw localError('serviceAreas', t('programmes.regions.none'));
  const money = d.kind === 'cash' || d.kind === 'one_time';
  const version = {
    name: { es: d.es.trim(), en: d.en.trim() },
    rule: d.rule,
    benefit,
    coPayment: amount('coPayment', d.coPayment || '0'),
    currency: d.currency.trim().toUpperCase() || 'VES',
    ...(money && d.fundingAccountId.trim() ? { fundingAccountId: d.fundingAccountId.trim() } : {}),
    serviceAreas: d.regions.map((regionCode) => ({ regionCode })),
    retentionDays: Number(d.retentionDays),
    stagger: d.stagger.map(Number),
  };
  return isNew
    ? { code: d.code.trim(), kind: d.kind, target: d.target, schedule: d.schedule, ...version }
    : { ...version, reason: d.reason.trim() };
}

/** #/programmes/new and #/programmes/<id>/change. */
export function ProgrammeEditor(props: { session: Session; id?: string }) {
  const isNew = props.id === undefined;
  const load = useAction();
  const save = useAction();
  const [draft, setDraft] = useState<Draft | null>(isNew ? blankDraft() : null);
  const [programme, setProgramme] = useState<Programme | null>(null);
  useEffect(() => {
    if (isNew) return;
    void load.run(async () => {
      const p = await api<ProgrammeWithVersions>(
        'GET',
        `/api/v1/programmes/${encodeURIComponent(props.id ?? '')}`,
      );
      setProgramme(p);
      setDraft(draftOf(p));
    });
  }, [props.id]);
  const title = isNew
    ? t('programmes.new')
    : programme
      ? t('programmes.change.title', { name: nameOf(programme.current.name) })
      : t('programmes.change');
  if (!draft)
    return (
      <Page title={title}>
        <OutcomeNotice outcome={load.outcome} />
        {!load.error ? <p>{t('app.loading')}</p> : null}
      </Page>
    );
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const setItem = (i: number, patch: Partial<ItemDraft>) =>
    set({ items: draft.items.map((it, j) => (j === i ? { ...it, ...patch } : it)) });
  const error = save.error;
  const fieldError = (name: string) => (error?.field === name ? error : null);
  const text = (
    name: string,
    label: string,
    value: string,
    onValue: (v: string) => void,
    extra: Record<string, unknown> = {},
  ) => (
    <TextField
      label={label}
      name={name}
      value={value}
      error={fieldError(name)}
      onInput={(e) => onValue((e.target as HTMLInputElement).value)}
      {...extra}
    />
  );
  const money = draft.kind === 'cash' || draft.kind === 'one_time';
  const itemList = draft.kind === 'basket' || draft.kind === 'medicine';
  const shownItems = itemList ? draft.items : draft.kind === 'quota' ? draft.items.slice(0, 1) : [];
  const ruleError =
    error?.field === 'rule' || error?.code === 'INVALID_RULE' ? t('programmes.rule.refused') : null;
  const submit = async () => {
    let body: Record<string, unknown>;
    try {
      body = bodyOf(draft, isNew);
    } catch (e) {
      if (e instanceof ApiError) save.setOutcome({ ok: false, error: e });
      return;
    }
    const saved = await save.run(() =>
      isNew
        ? api<Programme>('POST', '/api/v1/programmes', { body })
        : api<Programme>('PUT', `/api/v1/programmes/${encodeURIComponent(props.id ?? '')}`, {
            body,
          }),
    );
    if (saved) navigate(`/programmes/${saved.id}`, { saved: '1' });
  };
  const allCodes = allRegions();
  const fields = [
    'code',
    'name.es',
    'name.en',
    'coPayment',
    'currency',
    'fundingAccountId',
    'serviceAreas',
    'retentionDays',
    'reason',
    'rule',
    'benefit.base',
    'benefit.perMember',
    'benefit.cap',
    'benefit.amount',
    ...draft.items.flatMap((_, i) =>
      ['code', 'name.es', 'name.en', 'quantity', 'unit'].map((f) =>
        draft.kind === 'quota' ? `benefit.item.${f}` : `benefit.items.${i}.${f}`,
      ),
    ),
  ];
  return (
    <Page title={title}>
      <p>
        <a href={href(isNew ? '/programmes' : `/programmes/${props.id ?? ''}`)}>
          {t('common.back')}
        </a>
      </p>
      <p>{isNew ? t('programmes.editor.introNew') : t('programmes.editor.introChange')}</p>
      <form
        id="programme-form"
        class="card programme-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <fieldset>
          <legend>{t('programmes.editor.what')}</legend>
          {isNew ? (
            <>
              {text('code', t('programmes.code'), draft.code, (code) => set({ code }), {
                required: true,
                maxLength: 40,
                autocapitalize: 'off',
                spellcheck: false,
                hint: t('programmes.code.hint'),
              })}
              <SelectField
                label={t('programmes.kind')}
                name="kind"
                value={draft.kind}
                onChange={(kind) => set({ kind: kind as Kind })}
                options={kinds.map((k) => ({ value: k, label: kindWords(k) }))}
                error={fieldError('kind')}
              />
              <div class="side-by-side">
                <SelectField
                  label={t('programmes.target')}
                  name="target"
                  value={draft.target}
                  onChange={(target) => set({ target: target as Target })}
                  options={targets.map((k) => ({ value: k, label: targetWords(k) }))}
                  error={fieldError('target')}
                />
                <SelectField
                  label={t('programmes.schedule')}
                  name="schedule"
                  value={draft.schedule}
                  onChange={(schedule) => set({ schedule: schedule as Schedule })}
                  options={schedules.map((k) => ({ value: k, label: scheduleWords(k) }))}
                  error={fieldError('schedule')}
                />
              </div>
            </>
          ) : (
            <p class="hint">
              {t('programmes.editor.fixed', {
                code: draft.code,
                kind: kindWords(draft.kind),
                target: targetWords(draft.target),
                schedule: scheduleWords(draft.schedule),
              })}
            </p>
          )}
          {text('name.es', t('programmes.name.es'), draft.es, (es) => set({ es }), {
            required: true,
            maxLength: 120,
            lang: 'es',
          })}
          {text('name.en', t('programmes.name.en'), draft.en, (en) => set({ en }), {
            required: true,
            maxLength: 120,
            lang: 'en',
          })}
        </fieldset>

        <fieldset id="benefit-items">
          <legend>{t('programmes.benefit')}</legend>
          {shownItems.map((item, i) => {
            const base = draft.kind === 'quota' ? 'benefit.item' : `benefit.items.${i}`;
            return (
              <fieldset key={i} class="item" data-item={i}>
                <legend>{t('programmes.item.n', { n: i + 1 })}</legend>
                <div class="item-grid">
                  {text(
                    `${base}.code`,
                    t('programmes.item.code'),
                    item.code,
                    (code) => setItem(i, { code }),
                    {
                      required: true,
                      autocapitalize: 'off',
                      spellcheck: false,
                    },
                  )}
                  {text(
                    `${base}.name.es`,
                    t('programmes.item.es'),
                    item.es,
                    (es) => setItem(i, { es }),
                    {
                      required: true,
                      lang: 'es',
                    },
                  )}
                  {text(
                    `${base}.name.en`,
                    t('programmes.item.en'),
                    item.en,
                    (en) => setItem(i, { en }),
                    {
                      required: true,
                      lang: 'en',
                    },
                  )}
                  {text(
                    `${base}.quantity`,
                    t('programmes.item.quantity'),
                    item.quantity,
                    (quantity) => setItem(i, { quantity }),
                    { required: true, inputMode: 'numeric', type: 'number', min: 1 },
                  )}
                  {text(
                    `${base}.unit`,
                    t('programmes.item.unit'),
                    item.unit,
                    (unit) => setItem(i, { unit }),
                    {
                      required: true,
                      autocapitalize: 'off',
                      hint: t('programmes.item.unit.hint'),
                    },
                  )}
                </div>
                {itemList && draft.items.length > 1 ? (
                  <button
                    type="button"
                    class="remove-item"
                    onClick={() => set({ items: draft.items.filter((_, j) => j !== i) })}
                  >
                    {t('programmes.item.remove', { n: i + 1 })}
                  </button>
                ) : null}
              </fieldset>
            );
          })}
          {itemList ? (
            <button
              type="button"
              id="add-item"
              onClick={() => set({ items: [...draft.items, emptyItem()] })}
            >
              {t('programmes.item.add')}
            </button>
          ) : null}
          {draft.kind === 'cash' ? (
            <>
              {text(
                'benefit.base',
                t('programmes.cash.base'),
                draft.base,
                (base) => set({ base }),
                {
                  required: true,
                  inputMode: 'decimal',
                  hint: t('programmes.money.hint', { currency: draft.currency }),
                },
              )}
              {text(
                'benefit.perMember',
                t('programmes.cash.perMember'),
                draft.perMember,
                (perMember) => set({ perMember }),
                { inputMode: 'decimal', hint: t('programmes.cash.perMember.hint') },
              )}
              {text('benefit.cap', t('programmes.cash.cap'), draft.cap, (cap) => set({ cap }), {
                inputMode: 'decimal',
                hint: t('programmes.cash.cap.hint'),
              })}
            </>
          ) : null}
          {draft.kind === 'one_time'
            ? text(
                'benefit.amount',
                t('programmes.oneTime.amount'),
                draft.amount,
                (amount) => set({ amount }),
                {
                  required: true,
                  inputMode: 'decimal',
                  hint: t('programmes.money.hint', { currency: draft.currency }),
                },
              )
            : null}
          <div class="side-by-side">
            {text(
              'coPayment',
              t('programmes.coPayment'),
              draft.coPayment,
              (coPayment) => set({ coPayment }),
              {
                inputMode: 'decimal',
                hint: t('programmes.coPayment.hint'),
              },
            )}
            {text(
              'currency',
              t('programmes.currency'),
              draft.currency,
              (currency) => set({ currency }),
              {
                maxLength: 3,
                autocapitalize: 'characters',
              },
            )}
          </div>
          {money
            ? text(
                'fundingAccountId',
                t('programmes.fundingAccount'),
                draft.fundingAccountId,
                (fundingAccountId) => set({ fundingAccountId }),
                {
                  required: true,
                  autocapitalize: 'off',
                  hint: t('programmes.fundingAccount.hint'),
                },
              )
            : null}
        </fieldset>

        <fieldset id="service-areas" aria-describedby="service-areas-hint">
          <legend>{t('programmes.serviceAreas')}</legend>
          <small id="service-areas-hint" class="hint">
            {t('programmes.regions.hint')}
          </small>
          <div class="buttons">
            <button type="button" onClick={() => set({ regions: allCodes.map((r) => r.code) })}>
              {t('programmes.regions.all')}
            </button>
            <button type="button" onClick={() => set({ regions: [] })}>
              {t('programmes.regions.clear')}
            </button>
          </div>
          <ul class="plain region-checks">
            {allCodes.map((r) => (
              <li key={r.code}>
                <label>
                  <input
                    type="checkbox"
                    name="serviceAreas"
                    value={r.code}
                    checked={draft.regions.includes(r.code)}
                    onChange={(e) =>
                      set({
                        regions: (e.target as HTMLInputElement).checked
                          ? [...draft.regions, r.code].sort()
                          : draft.regions.filter((c) => c !== r.code),
                      })
                    }
                  />
                  {r.name}
                </label>
              </li>
            ))}
          </ul>
          {fieldError('serviceAreas') ? (
            <small class="field-error" role="alert">
              {fieldError('serviceAreas')?.said ?? t('programmes.regions.none')}
            </small>
          ) : null}
        </fieldset>

        <fieldset>
          <legend>{t('programmes.delivery')}</legend>
          {text(
            'retentionDays',
            t('programmes.retention'),
            draft.retentionDays,
            (retentionDays) => set({ retentionDays }),
            {
              type: 'number',
              min: 1,
              max: 3650,
              inputMode: 'numeric',
              hint: t('programmes.retention.hint'),
            },
          )}
          <fieldset class="stagger-edit" aria-describedby="stagger-hint">
            <legend>{t('programmes.stagger')}</legend>
            <small id="stagger-hint" class="hint">
              {t('programmes.stagger.hint')}
            </small>
            <div class="stagger-grid">
              {draft.stagger.map((day, digit) => (
                <label key={digit}>
                  <span>{t('programmes.stagger.digit', { digit })}</span>
                  <input
                    type="number"
                    name={`stagger.${digit}`}
                    min={0}
                    max={27}
                    inputMode="numeric"
                    value={day}
                    onInput={(e) =>
                      set({
                        stagger: draft.stagger.map((s, j) =>
                          j === digit ? (e.target as HTMLInputElement).value : s,
                        ),
                      })
                    }
                  />
                </label>
              ))}
            </div>
          </fieldset>
        </fieldset>

        <fieldset>
          <legend>{t('programmes.rule.legend')}</legend>
          <RuleEditor
            value={draft.rule}
            onChange={(rule) => set({ rule })}
            kind={draft.kind}
            target={draft.target}
            live={can(props.session, 'cycle:manage')}
            error={ruleError}
          />
        </fieldset>

        {!isNew ? (
          <TextField
            label={t('programmes.change.reason')}
            name="reason"
            required
            minLength={3}
            maxLength={500}
            hint={t('common.reason.hint')}
            value={draft.reason}
            error={fieldError('reason')}
            onInput={(e) => set({ reason: (e.target as HTMLInputElement).value })}
          />
        ) : null}
        <OutcomeNotice outcome={save.outcome} fields={fields} />
        <Submit
          busy={save.busy}
          label={isNew ? t('programmes.create') : t('programmes.change.save')}
        />
      </form>
    </Page>
  );
}
