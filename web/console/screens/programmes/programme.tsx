// One programme (#/programmes/<id>): its current version in words — what it gives with
// quantities and units, money as currency, the co-payment, where it is served, how long
// redemption detail is kept, the staggered calendar, the rule — then every earlier version
// with its reason, its cycles, the form to open a new one, and (for writers) change and
// retire. Selectors: #programme-current, ol#programme-versions, #programme-cycles,
// a#change-programme, form#retire-form.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { t } from '../../i18n';
import { count, dateTime, regionName } from '../../format';
import { href } from '../../router';
import {
  can,
  OutcomeNotice,
  Page,
  ReasonField,
  Submit,
  useAction,
  formValues,
  type Session,
} from '../../ui';
import { CycleList, NewCycleForm } from './cycle-list';
import {
  itemWords,
  kindWords,
  money,
  nameOf,
  scheduleWords,
  staggerWords,
  targetWords,
  type Cycle,
  type Programme,
  type Version,
} from './common';

export type ProgrammeWithVersions = Programme & { versions: Version[] };

/** What one version gives, in words. */
export function BenefitWords(props: { version: Version }) {
  const { benefit, currency } = props.version;
  switch (benefit.kind) {
    case 'basket':
    case 'medicine':
      return (
        <ul class="items">
          {benefit.items.map((i) => (
            <li key={i.code}>{itemWords(i)}</li>
          ))}
        </ul>
      );
    case 'quota':
      return <span>{itemWords(benefit.item)}</span>;
    case 'cash':
      return (
        <span>
          {money(benefit.base, currency)}
          {benefit.perMember && benefit.perMember !== '0'
            ? `; ${t('programmes.cash.perMemberWords', { amount: money(benefit.perMember, currency) })}`
            : ''}
          {benefit.cap
            ? `; ${t('programmes.cash.capWords', { amount: money(benefit.cap, currency) })}`
            : ''}
        </span>
      );
    case 'one_time':
      return (
        <span>{t('programmes.oneTimeWords', { amount: money(benefit.amount, currency) })}</span>
      );
  }
}

function VersionFacts(props: { programme: Programme; version: Version }) {
  const { programme: p, version: v } = props;
  return (
    <dl class="facts">
      <dt>{t('programmes.code')}</dt>
      <dd>
        <code>{p.code}</code>
      </dd>
      <dt>{t('programmes.kind')}</dt>
      <dd>{kindWords(p.kind)}</dd>
      <dt>{t('programmes.target')}</dt>
      <dd>{targetWords(p.target)}</dd>
      <dt>{t('programmes.schedule')}</dt>
      <dd>{scheduleWords(p.schedule)}</dd>
      <dt>{t('programmes.benefit')}</dt>
      <dd>
        <BenefitWords version={v} />
      </dd>
      <dt>{t('programmes.coPayment')}</dt>
      <dd>
        {v.coPayment === '0' ? t('programmes.coPayment.none') : money(v.coPayment, v.currency)}
      </dd>
      {v.fundingAccountId ? (
        <>
          <dt>{t('programmes.fundingAccount')}</dt>
          <dd>
            <code>{v.fundingAccountId}</code>
          </dd>
        </>
      ) : null}
      <dt>{t('programmes.serviceAreas')}</dt>
      <dd>
        {v.serviceAreas
          .map((a) =>
            a.locality ? `${regionName(a.regionCode)} (${a.locality})` : regionName(a.regionCode),
          )
          .join(', ')}
      </dd>
      <dt>{t('programmes.retention')}</dt>
      <dd>{t('programmes.retention.days', { n: count(v.retentionDays) })}</dd>
      <dt>{t('programmes.stagger')}</dt>
      <dd>
        <ul class="stagger">
          {staggerWords(v.stagger).map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      </dd>
      <dt>{t('programmes.rule')}</dt>
      <dd>
        <pre class="rule-shown">
          <code>{v.rule}</code>
        </pre>
      </dd>
    </dl>
  );
}

function RetireForm(props: { programme: Programme; onDone: () => void }) {
  const action = useAction();
  return (
    <details class="card">
      <summary>{t('programmes.retire')}</summary>
      <form
        id="retire-form"
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget);
          void action
            .run(
              () =>
                api('POST', `/api/v1/programmes/${props.programme.id}/retire`, {
                  body: { reason: v.reason ?? '' },
                }),
              t('programmes.retired'),
            )
            .then((done) => done && props.onDone());
        }}
      >
        <p>{t('programmes.retire.intro')}</p>
        <ReasonField error={action.error} />
        <OutcomeNotice outcome={action.outcome} fields={['reason']} />
        <Submit busy={action.busy} label={t('programmes.retire')} class="danger" />
      </form>
    </details>
  );
}

/** #/programmes/<id>. */
export function ProgrammeDetail(props: { session: Session; id: string; saved: boolean }) {
  const load = useAction();
  const [programme, setProgramme] = useState<ProgrammeWithVersions | null>(null);
  const [cycles, setCycles] = useState<Cycle[] | null>(null);
  const reload = () =>
    void load.run(async () => {
      const [p, c] = await Promise.all([
        api<ProgrammeWithVersions>('GET', `/api/v1/programmes/${encodeURIComponent(props.id)}`),
        api<{ items: Cycle[] }>(
          'GET',
          `/api/v1/cycles?programmeId=${encodeURIComponent(props.id)}`,
        ),
      ]);
      setProgramme(p);
      setCycles(c.items);
    });
  useEffect(reload, [props.id]);
  if (!programme)
    return (
      <Page title={t('programmes.title')}>
        <OutcomeNotice outcome={load.outcome} />
        {!load.error ? <p>{t('app.loading')}</p> : null}
      </Page>
    );
  const writer = can(props.session, 'programme:write') && programme.status === 'active';
  const earlier = [...programme.versions].sort((a, b) => b.version - a.version);
  return (
    <Page
      title={nameOf(programme.current.name)}
      actions={
        writer ? (
          <a id="change-programme" class="button" href={href(`/programmes/${programme.id}/change`)}>
            {t('programmes.change')}
          </a>
        ) : null
      }
    >
      <p>
        <a href={href('/programmes')}>{t('programmes.back')}</a>
      </p>
      {props.saved ? (
        <p class="notice ok" role="status">
          {t('programmes.saved', { n: programme.currentVersion })}
        </p>
      ) : null}
      {programme.status === 'retired' ? (
        <p class="notice warn">{t('programmes.isRetired')}</p>
      ) : null}
      <section id="programme-current" class="card" aria-labelledby="programme-current-title">
        <h2 id="programme-current-title">
          {t('programmes.current', { n: programme.currentVersion })}
        </h2>
        <VersionFacts programme={programme} version={programme.current} />
      </section>
      <section id="programme-cycles" aria-labelledby="programme-cycles-title">
        <h2 id="programme-cycles-title">{t('programmes.cycles.title')}</h2>
        {cycles ? <CycleList cycles={cycles} session={props.session} /> : null}
        {can(props.session, 'cycle:manage') && programme.status === 'active' ? (
          <NewCycleForm programme={programme} />
        ) : null}
      </section>
      <section aria-labelledby="programme-versions-title">
        <h2 id="programme-versions-title">{t('programmes.versions')}</h2>
        <ol id="programme-versions" class="plain versions" reversed>
          {earlier.map((v) => (
            <li key={v.version} class="card" data-version={v.version}>
              <h3>
                {t('programmes.version', { n: v.version })} — {nameOf(v.name)}
              </h3>
              <p class="hint">{t('programmes.version.made', { when: dateTime(v.createdAt) })}</p>
              <p>
                {v.changeReason && v.version > 1
                  ? t('programmes.version.reason', { reason: v.changeReason })
                  : t('programmes.version.first')}
              </p>
              {v.version !== programme.currentVersion ? (
                <details>
                  <summary>{t('programmes.version.show')}</summary>
                  <VersionFacts programme={programme} version={v} />
                </details>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
      {writer ? <RetireForm programme={programme} onDone={reload} /> : null}
    </Page>
  );
}
