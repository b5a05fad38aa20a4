// The grievance screens: the queue of the officer's regions, soonest due first with overdue
// ones marked (#/grievances), and one grievance with what it is about, its history, and the
// action its status allows — take for review, resolve with a reason, or decide the appeal,
// which the officer who resolved it cannot (#/grievances/<id>). Reads declare the purpose
// grievance; the server checks every permission, region and the second person again.
//
// Stable selectors: table#grievance-queue (rows tr[data-reference][data-overdue]),
// #grievance (data-status), form#grievance-review, form#grievance-resolve,
// form#grievance-decide, #grievance-history li[data-event].
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { activeLanguage, t, type MessageKey } from '../i18n';
import { calendarDate, dateTime, regionName } from '../format';
import { href } from '../router';
import type { Screen, ScreenProps } from '../screens';
import { formValues, OutcomeNotice, Page, SelectField, Submit, TextField, useAction } from '../ui';
import './grievances.css';

interface Item {
  id: string;
  reference: string;
  category: string;
  status: string;
  regionCode: string;
  dueAt: string;
  overdue: boolean;
  displayName: string;
  registryNumber: string;
}

interface Detail extends Item {
  description: string;
  filedAt: string;
  channel: string;
  outcome: string | null;
  resolutionReason: string | null;
  appealReason: string | null;
  resolvedByYou: boolean;
  person: { registryNumber: string; displayName: string };
  linked: { es: string; en: string } | null;
  history: { at: string; event: string; note: string | null }[];
}

const statuses = ['open', 'received', 'in_review', 'resolved', 'appealed', 'closed'] as const;
const outcomes = ['upheld', 'partly_upheld', 'not_upheld'] as const;
const key = (prefix: string, code: string) => `grievances.${prefix}.${code}` as MessageKey;

function Queue(props: ScreenProps) {
  const action = useAction();
  const [status, setStatus] = useState(props.where.query.get('status') ?? 'open');
  const [items, setItems] = useState<Item[] | null>(null);
  useEffect(() => {
    void action
      .run(() =>
        api<{ items: Item[] }>(
          'GET',
          `/api/v1/grievances?status=${encodeURIComponent(status)}&limit=200`,
          {
            purpose: 'grievance',
          },
        ),
      )
      .then((r) => setItems(r ? r.items : []));
  }, [status]);
  return (
    <Page title={t('grievances.title')}>
      <p>{t('grievances.intro')}</p>
      <SelectField
        label={t('grievances.filter')}
        name="status"
        value={status}
        options={statuses.map((s) => ({ value: s, label: t(key('status', s)) }))}
        onChange={setStatus}
      />
      <OutcomeNotice outcome={action.outcome} />
      {items && items.length === 0 ? <p>{t('grievances.none')}</p> : null}
      {items && items.length > 0 ? (
        <div class="table-scroll">
          <table id="grievance-queue">
            <thead>
              <tr>
                <th>{t('grievances.reference')}</th>
                <th>{t('grievances.person')}</th>
                <th>{t('grievances.category')}</th>
                <th>{t('grievances.state')}</th>
                <th>{t('grievances.due')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((g) => (
                <tr
                  key={g.id}
                  data-reference={g.reference}
                  data-overdue={String(g.overdue)}
                  class={g.overdue ? 'overdue' : ''}
                >
                  <td>
                    <a href={href(`/grievances/${g.id}`)}>{g.reference}</a>
                  </td>
                  <td>
                    {g.displayName} <small>{regionName(g.regionCode)}</small>
                  </td>
                  <td>{t(key('category', g.category))}</td>
                  <td>{t(key('status', g.status))}</td>
                  <td>
                    {calendarDate(g.dueAt.slice(0, 10))}
                    {g.overdue ? (
                      <strong class="badge danger"> {t('grievances.overdue')}</strong>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  );
}

function One(props: { id: string }) {
  const action = useAction();
  const [g, setG] = useState<Detail | null>(null);
  const load = () =>
    action
      .run(() =>
        api<Detail>('GET', `/api/v1/grievances/${encodeURIComponent(props.id)}`, {
          purpose: 'grievance',
        }),
      )
      .then((r) => r && setG(r));
  useEffect(() => void load(), [props.id]);
  const act = (path: string, form: HTMLFormElement) => {
    const body = formValues(form);
    void action
      .run(
        () =>
          api<Detail>('POST', `/api/v1/grievances/${encodeURIComponent(props.id)}/${path}`, {
            body,
            purpose: 'grievance',
          }),
        t('grievances.done'),
      )
      .then((r) => r && setG(r));
  };
  const en = activeLanguage() === 'en';
  return (
    <Page
      title={g ? `${t('grievances.title')} ${g.reference}` : t('grievances.title')}
      actions={<a href={href('/grievances')}>{t('grievances.back')}</a>}
    >
      <OutcomeNotice outcome={action.outcome} fields={['reason', 'outcome', 'note']} />
      {g ? (
        <div id="grievance" data-status={g.status}>
          <dl class="facts">
            <dt>{t('grievances.person')}</dt>
            <dd>
              {g.person.displayName} ({g.person.registryNumber})
            </dd>
            <dt>{t('grievances.category')}</dt>
            <dd>{t(key('category', g.category))}</dd>
            <dt>{t('grievances.state')}</dt>
            <dd>
              {t(key('status', g.status))}
              {g.overdue ? <strong class="badge danger"> {t('grievances.overdue')}</strong> : null}
            </dd>
            <dt>{t('grievances.due')}</dt>
            <dd>{calendarDate(g.dueAt.slice(0, 10))}</dd>
            <dt>{t('grievances.description')}</dt>
            <dd>{g.description}</dd>
            {g.linked ? (
              <>
                <dt>{t('grievances.linked')}</dt>
                <dd>{en ? g.linked.en : g.linked.es}</dd>
              </>
            ) : null}
            {g.appealReason ? (
              <>
                <dt>{t('grievances.appealReason')}</dt>
                <dd>{g.appealReason}</dd>
              </>
            ) : null}
          </dl>
          <h2>{t('grievances.history')}</h2>
          <ol id="grievance-history">
            {g.history.map((h, i) => (
              <li key={i} data-event={h.event}>
                {dateTime(h.at)} — {t(key('event', h.event))}
                {h.note ? `: ${h.note}` : ''}
              </li>
            ))}
          </ol>
          {g.status === 'received' ? (
            <form
              id="grievance-review"
              onSubmit={(e) => (e.preventDefault(), act('review', e.currentTarget))}
            >
              <TextField label={t('grievances.note')} name="note" error={action.error} />
              <Submit busy={action.busy} label={t('grievances.review')} />
            </form>
          ) : null}
          {g.status === 'received' || g.status === 'in_review' ? (
            <form
              id="grievance-resolve"
              onSubmit={(e) => (e.preventDefault(), act('resolve', e.currentTarget))}
            >
              <SelectField
                label={t('grievances.outcome')}
                name="outcome"
                required
                options={outcomes.map((o) => ({ value: o, label: t(key('outcome', o)) }))}
                error={action.error}
              />
              <TextField
                label={t('grievances.reason')}
                name="reason"
                required
                minLength={3}
                error={action.error}
              />
              <Submit busy={action.busy} label={t('grievances.resolve')} />
            </form>
          ) : null}
          {g.status === 'appealed' && g.resolvedByYou ? (
            <p class="notice">{t('grievances.resolvedByYou')}</p>
          ) : null}
          {g.status === 'appealed' && !g.resolvedByYou ? (
            <form
              id="grievance-decide"
              onSubmit={(e) => (e.preventDefault(), act('appeal-decision', e.currentTarget))}
            >
              <SelectField
                label={t('grievances.outcome')}
                name="outcome"
                required
                options={outcomes.map((o) => ({ value: o, label: t(key('outcome', o)) }))}
                error={action.error}
              />
              <TextField
                label={t('grievances.reason')}
                name="reason"
                required
                minLength={3}
                error={action.error}
              />
              <Submit busy={action.busy} label={t('grievances.decide')} />
            </form>
          ) : null}
        </div>
      ) : null}
    </Page>
  );
}

function Grievances(props: ScreenProps) {
  const [, id] = props.where.segments;
  if (id) return <One key={id} id={id} />;
  return <Queue {...props} />;
}

export const grievancesScreens: readonly Screen[] = [
  {
    path: 'grievances',
    title: 'grievances.title',
    permissions: ['grievance:read'],
    component: Grievances,
  },
];
