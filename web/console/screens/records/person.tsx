// A person's record (#/persons/<id>?purpose=…): the facts in words, a warning when the record
// awaits duplicate review, their cards, a correction with a reason (optimistic concurrency on
// the version), life events (death, move, change of name) and the history of every version.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, localError } from '../../api';
import { allRegions, calendarDate, dateTime, regionName, words } from '../../format';
import { t, type MessageKey } from '../../i18n';
import { href, navigate } from '../../router';
import type { ScreenProps } from '../../screens';
import {
  asApiError,
  can,
  formValues,
  OutcomeNotice,
  Page,
  PurposeField,
  ReasonField,
  regionsWith,
  SelectField,
  Submit,
  TextField,
  useAction,
  type Session,
} from '../../ui';
import { CardsSection } from './cards';
import { EntitlementsSection } from './entitlements';
import { WalletSection } from './wallet';
import {
  fullName,
  recordPurposes,
  type Person,
  type PersonRecord,
  type PersonVersion,
} from './types';

export function PersonScreen(props: ScreenProps) {
  const id = props.where.segments[1] ?? '';
  const purpose = props.where.query.get('purpose') ?? '';
  if (!purpose) return <ChoosePurpose id={id} />;
  return <PersonRecordView id={id} purpose={purpose} session={props.session} />;
}

/** A record opened without a purpose (a shared link): the purpose is declared first. */
function ChoosePurpose(props: { id: string }) {
  const [purpose, setPurpose] = useState('');
  const action = useAction();
  return (
    <Page title={t('records.person.title')}>
      <form
        id="purpose-form"
        class="card narrow"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!purpose)
            action.setOutcome({
              ok: false,
              error: localError('purpose', t('records.search.needPurpose')),
            });
          else navigate(`/persons/${props.id}`, { purpose });
        }}
      >
        <p>{t('records.person.choosePurpose')}</p>
        <PurposeField
          purposes={recordPurposes}
          value={purpose}
          onChange={setPurpose}
          error={action.error}
        />
        <Submit busy={false} label={t('records.person.open')} />
        <OutcomeNotice outcome={action.outcome} fields={['purpose']} />
      </form>
    </Page>
  );
}

function PersonRecordView(props: { id: string; purpose: string; session: Session }) {
  const [person, setPerson] = useState<PersonRecord | null>(null);
  const [history, setHistory] = useState<PersonVersion[] | null>(null);
  const loading = useAction();

  const reload = async () => {
    const loaded = await loading.run(async () => {
      const [record, versions] = await Promise.all([
        api<PersonRecord>('GET', `/api/v1/persons/${props.id}`, { purpose: props.purpose }),
        api<{ items: PersonVersion[] }>('GET', `/api/v1/persons/${props.id}/history`, {
          purpose: props.purpose,
        }),
      ]);
      return { record, versions: versions.items };
    });
    if (loaded) {
      setPerson(loaded.record);
      setHistory(loaded.versions);
    }
    return loaded?.record;
  };
  useEffect(() => {
    setPerson(null);
    void reload();
  }, [props.id, props.purpose]);

  const back = (
    <a class="button" href={href('/search', { purpose: props.purpose })}>
      {t('records.person.backToSearch')}
    </a>
  );
  if (!person)
    return (
      <Page title={t('records.person.title')} actions={back}>
        {loading.busy ? <p>{t('records.person.loading')}</p> : null}
        <OutcomeNotice outcome={loading.outcome} />
      </Page>
    );
  const writes = can(props.session, 'person:write');
  return (
    <Page title={fullName(person)} actions={back}>
      <p class="hint">
        {t('records.person.purposeShown', { purpose: words('purpose', props.purpose) })}
      </p>
      {person.duplicateReview ? (
        <div id="duplicate-flag" class="notice warn records-duplicate" role="alert">
          <h2>{t('records.duplicate.title')}</h2>
          <p>
            {person.duplicateReview.outcome === 'same_person'
              ? t('records.duplicate.samePerson')
              : t('records.duplicate.possible')}
          </p>
        </div>
      ) : null}
      <OutcomeNotice outcome={loading.outcome} />
      <section class="card" aria-labelledby="facts-title">
        <h2 id="facts-title">{t('records.person.facts')}</h2>
        <Facts person={person} />
      </section>
      {can(props.session, 'card:issue') ? (
        <CardsSection person={person} purpose={props.purpose} />
      ) : null}
      {can(props.session, 'entitlement:read') ? (
        <EntitlementsSection person={person} purpose={props.purpose} />
      ) : null}
      {can(props.session, 'wallet:read') ? (
        <WalletSection
          person={person}
          purpose={props.purpose}
          mayResetPin={can(props.session, 'wallet:pin')}
        />
      ) : null}
      {writes ? (
        <div class="side-by-side records-forms">
          <EditForm person={person} reload={reload} />
          <EventForm person={person} session={props.session} reload={reload} />
        </div>
      ) : null}
      {history ? <History versions={history} session={props.session} /> : null}
    </Page>
  );
}

function birthDateText(p: Pick<Person, 'birthDate' | 'birthDatePrecision'>): string {
  const date = calendarDate(p.birthDate);
  if (p.birthDatePrecision === 'year') return t('records.person.birthDate.partialYear', { date });
  if (p.birthDatePrecision === 'month') return t('records.person.birthDate.partialMonth', { date });
  return date;
}

function Facts(props: { person: PersonRecord }) {
  const p = props.person;
  const rows: Array<[MessageKey, preact.ComponentChild]> = [
    ['records.person.registryNumber', <span class="records-number">{p.registryNumber}</span>],
    ['records.person.givenNames', p.givenNames],
    ['records.person.surname1', p.surname1 ?? t('common.none')],
    ['records.person.surname2', p.surname2 ?? t('common.none')],
    ['records.person.birthDate', birthDateText(p)],
    ['records.person.sex', words('sex', p.sex)],
    ['records.person.birthPlace', p.birthPlace ?? t('common.none')],
    ['records.person.region', regionName(p.address.regionCode)],
    ['records.person.locality', p.address.locality ?? t('common.none')],
    ['records.person.address', p.address.line ?? t('common.none')],
    ['records.person.phone', p.phone ?? t('common.none')],
    [
      'records.person.household',
      p.householdId ? (
        <a href={href(`/households/${p.householdId}`)}>{t('records.person.household.open')}</a>
      ) : (
        t('common.none')
      ),
    ],
    ['records.person.status', words('status', p.status)],
    ['records.person.version', String(p.version)],
  ];
  return (
    <dl class="facts" id="person-facts">
      {rows.map(([key, value]) => (
        <div class="records-fact" key={key}>
          <dt>{t(key)}</dt>
          <dd data-fact={key.slice('records.person.'.length)}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

const editFields = [
  'givenNames',
  'surname1',
  'surname2',
  'birthDate',
  'sex',
  'birthPlace',
  'phone',
] as const;

function EditForm(props: {
  person: PersonRecord;
  reload: () => Promise<PersonRecord | undefined>;
}) {
  const { person } = props;
  const action = useAction();
  const current: Record<(typeof editFields)[number], string> = {
    givenNames: person.givenNames,
    surname1: person.surname1 ?? '',
    surname2: person.surname2 ?? '',
    birthDate: person.birthDate,
    sex: person.sex ?? '',
    birthPlace: person.birthPlace ?? '',
    phone: person.phone ?? '',
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    const values = formValues(event.currentTarget as HTMLFormElement);
    const body: Record<string, unknown> = {};
    for (const field of editFields) {
      const now = values[field] ?? '';
      if (now !== current[field]) body[field] = now === '' && field !== 'givenNames' ? null : now;
    }
    if (Object.keys(body).length === 0) {
      action.setOutcome({ ok: false, error: localError('edit', t('records.edit.nothing')) });
      return;
    }
    body.reason = values.reason ?? '';
    body.expectedVersion = person.version;
    const saved = await action.run(async () => {
      try {
        return await api('PATCH', `/api/v1/persons/${person.id}`, { body });
      } catch (e) {
        const error = asApiError(e);
        if (error.code !== 'VERSION_CONFLICT') throw error;
        // Someone changed the record meanwhile: load what is there now, and say what to do.
        await props.reload();
        throw new ApiError(
          error.code,
          error.message,
          error.status,
          undefined,
          undefined,
          t('records.edit.conflict'),
        );
      }
    }, t('records.edit.saved'));
    if (saved) await props.reload();
  };
  return (
    <form id="edit-form" class="card" onSubmit={(e) => void submit(e)}>
      <h2>{t('records.edit.title')}</h2>
      <p>{t('records.edit.intro')}</p>
      <div key={person.version}>
        <TextField
          label={t('records.person.givenNames')}
          name="givenNames"
          defaultValue={current.givenNames}
          required
          maxLength={100}
          error={action.error}
        />
        <TextField
          label={t('records.person.surname1')}
          name="surname1"
          defaultValue={current.surname1}
          maxLength={100}
          error={action.error}
        />
        <TextField
          label={t('records.person.surname2')}
          name="surname2"
          defaultValue={current.surname2}
          maxLength={100}
          error={action.error}
        />
        <TextField
          label={t('records.person.birthDate')}
          name="birthDate"
          defaultValue={current.birthDate}
          inputMode="numeric"
          maxLength={10}
          hint={t('records.edit.birthDate.hint')}
          error={action.error}
        />
        <SelectField
          label={t('records.person.sex')}
          name="sex"
          value={current.sex}
          options={[
            { value: '', label: t('records.sex.choose') },
            ...(['F', 'M', 'X'] as const).map((s) => ({ value: s, label: words('sex', s) })),
          ]}
          error={action.error}
        />
        <TextField
          label={t('records.person.birthPlace')}
          name="birthPlace"
          defaultValue={current.birthPlace}
          maxLength={200}
          error={action.error}
        />
        <TextField
          label={t('records.person.phone')}
          name="phone"
          type="tel"
          autoComplete="off"
          defaultValue={current.phone}
          hint={t('records.edit.phone.hint')}
          error={action.error}
        />
      </div>
      <ReasonField error={action.error} />
      <Submit busy={action.busy} label={t('records.edit.submit')} />
      <OutcomeNotice outcome={action.outcome} fields={[...editFields, 'reason']} />
    </form>
  );
}

type EventKind = 'death' | 'address_change' | 'name_change';

function EventForm(props: {
  person: PersonRecord;
  session: Session;
  reload: () => Promise<PersonRecord | undefined>;
}) {
  const [kind, setKind] = useState<EventKind | ''>('');
  const action = useAction();
  const held = regionsWith(props.session, 'person:write');
  const regions =
    held === '*'
      ? allRegions()
      : held
          .map((code) => ({ code, name: regionName(code) }))
          .sort((a, b) => a.name.localeCompare(b.name));
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const v = formValues(form);
    let body: Record<string, unknown>;
    if (kind === 'death')
      body = { kind, occurredOn: v.occurredOn ?? '', ...(v.reason ? { reason: v.reason } : {}) };
    else if (kind === 'address_change')
      body = {
        kind,
        occurredOn: v.occurredOn ?? '',
        address: {
          regionCode: v['address.regionCode'] ?? '',
          ...(v['address.locality'] ? { locality: v['address.locality'] } : {}),
          ...(v['address.line'] ? { line: v['address.line'] } : {}),
        },
        ...(v.reason ? { reason: v.reason } : {}),
      };
    else if (kind === 'name_change')
      body = {
        kind,
        occurredOn: v.occurredOn ?? '',
        ...(v.givenNames ? { givenNames: v.givenNames } : {}),
        ...(v.surname1 ? { surname1: v.surname1 } : {}),
        ...(v.surname2 ? { surname2: v.surname2 } : {}),
        reason: v.reason ?? '',
      };
    else {
      action.setOutcome({
        ok: false,
        error: localError('kind', t('records.event.kind.choose')),
      });
      return;
    }
    const saved = await action.run(
      () => api('POST', `/api/v1/persons/${props.person.id}/events`, { body }),
      t('records.event.saved'),
    );
    if (saved) {
      form.reset();
      setKind('');
      await props.reload();
    }
  };
  const fields = [
    'kind',
    'occurredOn',
    'address.regionCode',
    'address.locality',
    'address.line',
    'givenNames',
    'surname1',
    'surname2',
    'reason',
  ];
  return (
    <form id="event-form" class="card" onSubmit={(e) => void submit(e)} noValidate>
      <h2>{t('records.event.title')}</h2>
      <p>{t('records.event.intro')}</p>
      <SelectField
        label={t('records.event.kind')}
        name="kind"
        required
        value={kind}
        placeholder={t('records.event.kind.choose')}
        options={(['address_change', 'name_change', 'death'] as const).map((k) => ({
          value: k,
          label: t(`records.event.kind.${k}`),
        }))}
        onChange={(k) => setKind(k as EventKind | '')}
        error={action.error}
      />
      {kind ? (
        <TextField
          label={t('records.event.occurredOn')}
          name="occurredOn"
          type="date"
          required
          error={action.error}
        />
      ) : null}
      {kind === 'address_change' ? (
        <>
          <SelectField
            label={t('records.event.newRegion')}
            name="address.regionCode"
            required
            value={props.person.address.regionCode}
            options={regions.map((r) => ({ value: r.code, label: r.name }))}
            error={action.error}
          />
          <TextField
            label={t('records.event.newLocality')}
            name="address.locality"
            maxLength={200}
            error={action.error}
          />
          <TextField
            label={t('records.event.newLine')}
            name="address.line"
            maxLength={200}
            error={action.error}
          />
        </>
      ) : null}
      {kind === 'name_change' ? (
        <>
          <TextField
            label={t('records.event.newGivenNames')}
            name="givenNames"
            defaultValue={props.person.givenNames}
            maxLength={100}
            error={action.error}
          />
          <TextField
            label={t('records.event.newSurname1')}
            name="surname1"
            defaultValue={props.person.surname1 ?? ''}
            maxLength={100}
            error={action.error}
          />
          <TextField
            label={t('records.event.newSurname2')}
            name="surname2"
            defaultValue={props.person.surname2 ?? ''}
            maxLength={100}
            error={action.error}
          />
        </>
      ) : null}
      {kind === 'death' ? <p class="notice warn">{t('records.event.deathWarning')}</p> : null}
      {kind ? <ReasonField error={action.error} /> : null}
      <Submit busy={action.busy} label={t('records.event.submit')} />
      <OutcomeNotice outcome={action.outcome} fields={fields} />
    </form>
  );
}

const comparedFacts: Array<[MessageKey, (p: Person) => unknown]> = [
  ['records.person.givenNames', (p) => p.givenNames],
  ['records.person.surname1', (p) => p.surname1],
  ['records.person.surname2', (p) => p.surname2],
  ['records.person.birthDate', (p) => p.birthDate],
  ['records.person.sex', (p) => p.sex],
  ['records.person.birthPlace', (p) => p.birthPlace],
  ['records.person.region', (p) => p.address.regionCode],
  ['records.person.locality', (p) => p.address.locality],
  ['records.person.address', (p) => p.address.line],
  ['records.person.phone', (p) => p.phone],
  ['records.person.household', (p) => p.householdId],
  ['records.person.status', (p) => p.status],
];

function History(props: { versions: PersonVersion[]; session: Session }) {
  const newestFirst = [...props.versions].reverse();
  const who = (id: string) =>
    id === props.session.staffId
      ? t('records.history.you')
      : id.startsWith('system:')
        ? t('records.history.system')
        : t('records.history.staff');
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">{t('records.history.title')}</h2>
      <ol id="history" class="records-history">
        {newestFirst.map((v) => {
          const earlier = props.versions.find((e) => e.version === v.version - 1);
          const changed = earlier
            ? comparedFacts
                .filter(([, read]) => read(earlier.record) !== read(v.record))
                .map(([key]) => t(key))
            : [];
          return (
            <li key={v.version} data-version={v.version}>
              <strong>{t('records.history.version', { version: v.version })}</strong>{' '}
              <span>
                {dateTime(v.validFrom)} ·{' '}
                {v.validTo
                  ? t('records.history.until', { when: dateTime(v.validTo) })
                  : t('records.history.current')}
              </span>
              <div>
                {t('records.history.reason')}:{' '}
                {v.reason === 'enrolment' ? t('records.history.enrolment') : v.reason}
              </div>
              {changed.length > 0 ? (
                <div class="hint">
                  {t('records.history.changed', { fields: changed.join(', ') })}
                </div>
              ) : null}
              <div class="hint">
                {t('records.history.by')}: {who(v.changedBy)}
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
