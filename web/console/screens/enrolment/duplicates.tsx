// #/duplicates: the review queue in the reviewer's regions (no personal data in the list).
// #/duplicates/<pairId>: both records side by side with the field agreements (purpose
// deduplication, audited), and the decisions: different people, or same person (a merge
// request a second person approves); a merged pair can be asked to be undone. Reasons required.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { t, type MessageKey } from '../../i18n';
import { calendarDate, count, regionName, words } from '../../format';
import { href, navigate } from '../../router';
import type { ScreenProps } from '../../screens';
import {
  can,
  formValues,
  OutcomeNotice,
  Page,
  ReasonField,
  SelectField,
  Submit,
  useAction,
} from '../../ui';
import {
  AgreementFlag,
  fullName,
  placeText,
  reasonsOf,
  reasonSentence,
  type FieldReason,
  type PersonView,
} from './shared';

interface Pair {
  id: string;
  leftId: string;
  rightId: string;
  outcome: 'same_person' | 'possible_duplicate';
  matchWeight: number;
  status: 'open' | 'different_people' | 'merge_requested' | 'merged' | 'unmerged';
  source: string;
  regions: [string, string];
  createdAt: string;
  survivorId: string | null;
}

interface Comparison {
  pair: Pair;
  left: PersonView;
  right: PersonView;
  current: {
    outcome: string;
    matchWeight: number;
    explanation: Array<{ comparison: string; level: string; weight: number }>;
  };
}

const statuses = ['open', 'merge_requested', 'merged', 'different_people', 'unmerged'] as const;

export function DuplicatesScreen(props: ScreenProps) {
  const id = props.where.segments[1];
  if (id) return <PairScreen {...props} id={id} />;
  return <Queue {...props} />;
}

function pairStatusWords(status: string): string {
  return t(`enrolment.pairStatus.${status}` as MessageKey);
}

function Queue(props: ScreenProps) {
  const status = props.where.query.get('status') ?? 'open';
  const list = useAction();
  const [pairs, setPairs] = useState<{ items: Pair[]; next: string | null } | null>(null);
  const [after, setAfter] = useState<string | null>(null);
  useEffect(() => {
    const query = new URLSearchParams({ status, ...(after ? { after } : {}) });
    void list
      .run(() => api<{ items: Pair[]; next: string | null }>('GET', `/api/v1/dedup/pairs?${query}`))
      .then((p) => p && setPairs(p));
  }, [status, after]);
  return (
    <Page title={t('enrolment.duplicates.title')}>
      <p>{t('enrolment.duplicates.intro')}</p>
      <form
        id="pair-filter"
        class="card narrow"
        onSubmit={(e) => {
          e.preventDefault();
          const values = formValues(e.currentTarget as HTMLFormElement);
          setAfter(null);
          navigate('/duplicates', { status: values.status ?? 'open' });
        }}
      >
        <SelectField
          label={t('common.status')}
          name="status"
          value={status}
          options={statuses.map((s) => ({ value: s, label: pairStatusWords(s) }))}
          onChange={(value) => {
            setAfter(null);
            navigate('/duplicates', { status: value });
          }}
        />
        <button type="submit">{t('enrolment.duplicates.show')}</button>
      </form>
      <OutcomeNotice outcome={list.outcome} />
      {pairs && pairs.items.length === 0 ? (
        <p id="pairs-empty">{t('enrolment.duplicates.empty')}</p>
      ) : null}
      {pairs && pairs.items.length > 0 ? (
        <ul id="pairs" class="plain-list">
          {pairs.items.map((p) => (
            <li key={p.id} class={`card candidate ${p.outcome}`} data-pair={p.id}>
              <h2>
                <a href={href(`/duplicates/${p.id}`)}>{t(`enrolment.outcome.${p.outcome}`)}</a>
              </h2>
              <dl class="facts">
                <dt>{t('enrolment.duplicates.regions')}</dt>
                <dd>
                  {p.regions[0] === p.regions[1]
                    ? regionName(p.regions[0])
                    : p.regions.map(regionName).join(' · ')}
                </dd>
                <dt>{t('enrolment.duplicates.weight')}</dt>
                <dd>{count(Math.round(p.matchWeight))}</dd>
                <dt>{t('enrolment.duplicates.found')}</dt>
                <dd>{calendarDate(p.createdAt.slice(0, 10))}</dd>
                <dt>{t('common.status')}</dt>
                <dd>{pairStatusWords(p.status)}</dd>
              </dl>
              <a class="button primary" href={href(`/duplicates/${p.id}`)}>
                {t('enrolment.duplicates.compare')}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {pairs?.next ? (
        <button type="button" id="pairs-next" onClick={() => setAfter(pairs.next)}>
          {t('common.next')}
        </button>
      ) : null}
    </Page>
  );
}

function PairScreen(props: ScreenProps & { id: string }) {
  const load = useAction();
  const decide = useAction();
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [decision, setDecision] = useState<'different_people' | 'same_person'>('different_people');
  const [version, setVersion] = useState(0);
  useEffect(() => {
    void load
      .run(() =>
        api<Comparison>('GET', `/api/v1/dedup/pairs/${props.id}`, { purpose: 'deduplication' }),
      )
      .then((c) => c && setComparison(c));
  }, [props.id, version]);

  if (!comparison)
    return (
      <Page title={t('enrolment.pair.title')}>
        <OutcomeNotice outcome={load.outcome} />
        <a href={href('/duplicates')}>{t('enrolment.duplicates.back')}</a>
      </Page>
    );
  const { pair, left, right } = comparison;
  const reasons = reasonsOf(comparison.current.explanation);
  const reason = (f: FieldReason['field']) => reasons.find((r) => r.field === f);
  const rows: Array<[string, string, string, FieldReason | undefined]> = [
    [t('enrolment.givenNames'), left.givenNames, right.givenNames, reason('givenNames')],
    [
      t('enrolment.surnames'),
      [left.surname1, left.surname2].filter(Boolean).join(' '),
      [right.surname1, right.surname2].filter(Boolean).join(' '),
      reason('surnames'),
    ],
    [
      t('enrolment.birthDate'),
      calendarDate(left.birthDate),
      calendarDate(right.birthDate),
      reason('birthDate'),
    ],
    [t('enrolment.sex'), words('sex', left.sex), words('sex', right.sex), reason('sex')],
    [
      t('enrolment.place'),
      placeText(left.address?.regionCode, left.address?.locality),
      placeText(right.address?.regionCode, right.address?.locality),
      reason('place'),
    ],
    [t('enrolment.phone'), left.phone ?? '', right.phone ?? '', reason('phone')],
    [t('enrolment.registryNumber'), left.registryNumber, right.registryNumber, undefined],
    [t('common.status'), words('status', left.status), words('status', right.status), undefined],
  ];
  const decidable = pair.status === 'open' || pair.status === 'unmerged';
  const mayMerge = can(props.session, 'person:deactivate');

  async function submitDecision(e: Event) {
    e.preventDefault();
    const values = formValues(e.currentTarget as HTMLFormElement);
    const body =
      decision === 'same_person'
        ? { decision, survivorId: values.survivorId, reason: values.reason }
        : { decision, reason: values.reason };
    const done = await decide.run(
      () => api('POST', `/api/v1/dedup/pairs/${props.id}/decision`, { body }).then(() => true),
      decision === 'same_person'
        ? t('enrolment.pair.mergeRequested')
        : t('enrolment.pair.decidedDifferent'),
    );
    if (done) setVersion((v) => v + 1);
  }
  async function submitUnmerge(e: Event) {
    e.preventDefault();
    const values = formValues(e.currentTarget as HTMLFormElement);
    const done = await decide.run(
      () =>
        api('POST', `/api/v1/dedup/pairs/${props.id}/unmerge`, {
          body: { reason: values.reason },
        }).then(() => true),
      t('enrolment.pair.unmergeRequested'),
    );
    if (done) setVersion((v) => v + 1);
  }

  return (
    <Page title={t('enrolment.pair.title')}>
      <p>
        <a href={href('/duplicates')}>{t('enrolment.duplicates.back')}</a>
      </p>
      <section class="card" aria-labelledby="pair-summary">
        <h2 id="pair-summary">{t(`enrolment.outcome.${pair.outcome}`)}</h2>
        <p id="pair-status">
          {t('common.status')}: <strong>{pairStatusWords(pair.status)}</strong>
        </p>
        <p id="pair-reasons">{reasonSentence(reasons)}</p>
        <div class="table-wrap" tabIndex={0}>
          <table class="compare" id="pair-compare">
            <caption class="visually-hidden">{t('enrolment.pair.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('enrolment.field')}</th>
                <th scope="col">
                  <a href={href(`/persons/${left.id}`)}>{t('enrolment.pair.first')}</a>
                </th>
                <th scope="col">
                  <a href={href(`/persons/${right.id}`)}>{t('enrolment.pair.second')}</a>
                </th>
                <th scope="col">{t('enrolment.agreement')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([label, a, b, r]) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  <td>{a || t('common.none')}</td>
                  <td>{b || t('common.none')}</td>
                  <td>{r ? <AgreementFlag reason={r} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <OutcomeNotice outcome={decide.outcome} fields={['reason', 'survivorId']} />
      {decidable ? (
        <form id="decision-form" class="card" onSubmit={submitDecision} noValidate>
          <h2>{t('enrolment.pair.decide')}</h2>
          <fieldset>
            <legend>{t('enrolment.pair.decision')}</legend>
            <label class="check-line">
              <input
                type="radio"
                name="decision"
                value="different_people"
                checked={decision === 'different_people'}
                onChange={() => setDecision('different_people')}
              />
              {t('enrolment.pair.different')}
            </label>
            {mayMerge ? (
              <label class="check-line">
                <input
                  type="radio"
                  name="decision"
                  value="same_person"
                  checked={decision === 'same_person'}
                  onChange={() => setDecision('same_person')}
                />
                {t('enrolment.pair.same')}
              </label>
            ) : null}
          </fieldset>
          {decision === 'same_person' ? (
            <SelectField
              label={t('enrolment.pair.survivor')}
              name="survivorId"
              required
              hint={t('enrolment.pair.survivorHint')}
              options={[left, right].map((p) => ({
                value: p.id,
                label: `${fullName(p)} (${p.registryNumber})`,
              }))}
              error={decide.error}
            />
          ) : null}
          <ReasonField error={decide.error} />
          <Submit busy={decide.busy} label={t('enrolment.pair.submit')} />
        </form>
      ) : null}
      {pair.status === 'merge_requested' ? (
        <p class="notice warn" id="pair-waiting">
          {t('enrolment.pair.waiting')}
        </p>
      ) : null}
      {pair.status === 'merged' && mayMerge ? (
        <form id="unmerge-form" class="card" onSubmit={submitUnmerge} noValidate>
          <h2>{t('enrolment.pair.unmerge')}</h2>
          <p>{t('enrolment.pair.unmergeIntro')}</p>
          <ReasonField error={decide.error} />
          <Submit busy={decide.busy} label={t('enrolment.pair.unmergeSubmit')} class="danger" />
        </form>
      ) : null}
    </Page>
  );
}
