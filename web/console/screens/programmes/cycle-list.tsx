// Cycles as a list (a programme's, or all of them at #/cycles), and the form that opens a new
// draft cycle. Selectors: ul#cycle-list li[data-label][data-status] a.cycle-link,
// form#new-cycle-form (label, opensOn, closesOn, referenceDate).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { t } from '../../i18n';
import { calendarDate, count } from '../../format';
import { href, navigate } from '../../router';
import {
  can,
  formValues,
  OutcomeNotice,
  Page,
  Submit,
  TextField,
  useAction,
  type Session,
} from '../../ui';
import { cycleStatusWords, nameOf, type Cycle, type Programme } from './common';

export function CycleList(props: {
  cycles: Cycle[];
  session: Session;
  programmes?: Map<string, Programme>;
}) {
  if (props.cycles.length === 0) return <p>{t('programmes.cycles.none')}</p>;
  const exclusion = can(props.session, 'exclusion:read');
  return (
    <ul id="cycle-list" class="plain cycle-list">
      {props.cycles.map((c) => {
        const programme = props.programmes?.get(c.programmeId);
        return (
          <li key={c.id} class="card" data-label={c.label} data-status={c.status}>
            <h3>
              <a class="cycle-link" href={href(`/cycles/${c.id}`)}>
                {programme
                  ? t('programmes.cycle.named', {
                      label: c.label,
                      programme: nameOf(programme.current.name),
                    })
                  : t('programmes.cycle.title', { label: c.label })}
              </a>{' '}
              <span class={`flag cycle-${c.status}`}>{cycleStatusWords(c.status)}</span>
            </h3>
            <p class="facts-line">
              <span>
                {t('programmes.cycle.period', {
                  from: calendarDate(c.opensOn),
                  to: calendarDate(c.closesOn),
                })}
              </span>
              {c.eligibleCount !== null ? (
                <span>{t('programmes.cycle.eligibleN', { n: count(c.eligibleCount) })}</span>
              ) : null}
              {c.entitlementCount !== null ? (
                <span>{t('programmes.cycle.entitlementsN', { n: count(c.entitlementCount) })}</span>
              ) : null}
            </p>
            {exclusion && c.entitlementCount !== null && c.status !== 'cancelled' ? (
              <p>
                <a class="exclusion-link" href={href(`/exclusion/${c.id}`)}>
                  {t('programmes.exclusion.open')}
                </a>
              </p>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

function nextMonth(): { label: string; opensOn: string; closesOn: string } {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 0));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { label: day(first).slice(0, 7), opensOn: day(first), closesOn: day(last) };
}

/** Opens a draft cycle of the programme's current version, then goes to it. */
export function NewCycleForm(props: { programme: Programme }) {
  const action = useAction();
  const suggested = nextMonth();
  return (
    <form
      id="new-cycle-form"
      class="card"
      onSubmit={(e) => {
        e.preventDefault();
        const v = formValues(e.currentTarget);
        void action
          .run(() =>
            api<Cycle>('POST', '/api/v1/cycles', {
              body: {
                programmeId: props.programme.id,
                label: v.label ?? '',
                opensOn: v.opensOn ?? '',
                closesOn: v.closesOn ?? '',
                ...(v.referenceDate ? { referenceDate: v.referenceDate } : {}),
              },
            }),
          )
          .then((made) => made && navigate(`/cycles/${made.id}`));
      }}
    >
      <h3>{t('programmes.cycle.new')}</h3>
      <TextField
        label={t('programmes.cycle.label')}
        name="label"
        required
        maxLength={40}
        defaultValue={suggested.label}
        hint={t('programmes.cycle.label.hint')}
        error={action.error}
      />
      <div class="side-by-side">
        <TextField
          label={t('programmes.cycle.opensOn')}
          name="opensOn"
          type="date"
          required
          defaultValue={suggested.opensOn}
          error={action.error}
        />
        <TextField
          label={t('programmes.cycle.closesOn')}
          name="closesOn"
          type="date"
          required
          defaultValue={suggested.closesOn}
          error={action.error}
        />
      </div>
      <TextField
        label={t('programmes.cycle.referenceDate')}
        name="referenceDate"
        type="date"
        hint={t('programmes.cycle.referenceDate.hint')}
        error={action.error}
      />
      <OutcomeNotice
        outcome={action.outcome}
        fields={['label', 'opensOn', 'closesOn', 'referenceDate']}
      />
      <Submit busy={action.busy} label={t('programmes.cycle.open')} />
    </form>
  );
}

/** #/cycles: every cycle the session may see, newest first. */
export function AllCycles(props: { session: Session }) {
  const load = useAction();
  const [cycles, setCycles] = useState<Cycle[] | null>(null);
  const [programmes, setProgrammes] = useState(new Map<string, Programme>());
  useEffect(() => {
    void load.run(async () => {
      const [c, p] = await Promise.all([
        api<{ items: Cycle[] }>('GET', '/api/v1/cycles'),
        api<{ items: Programme[] }>('GET', '/api/v1/programmes'),
      ]);
      setProgrammes(new Map(p.items.map((x) => [x.id, x])));
      setCycles(c.items);
    });
  }, []);
  return (
    <Page title={t('programmes.cycles.title')}>
      <p>{t('programmes.cycles.intro')}</p>
      <OutcomeNotice outcome={load.outcome} />
      {cycles === null && !load.error ? <p>{t('app.loading')}</p> : null}
      {cycles ? (
        <CycleList cycles={cycles} session={props.session} programmes={programmes} />
      ) : null}
    </Page>
  );
}
