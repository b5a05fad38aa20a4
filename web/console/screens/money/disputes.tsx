// Disputes on settlement lines (#/disputes): each with who opened it, why and what is claimed;
// finance takes one under review and upholds it (a correcting transfer, for the amount decided)
// or rejects it — the server refuses the person who opened it. Selectors:
// #disputes-list li[data-dispute], form[data-decide].
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { dateTime } from '../../format';
import { t } from '../../i18n';
import { href } from '../../router';
import {
  can,
  formValues,
  OutcomeNotice,
  Page,
  SelectField,
  Submit,
  TextField,
  useAction,
  type Session,
} from '../../ui';
import { minorUnits } from '../programmes/common';
import { directionWords, disputeStatusWords, money, type Dispute } from './common';

function Decide(props: { dispute: Dispute; onDone: () => void }) {
  const action = useAction();
  const d = props.dispute;
  const options = (
    d.status === 'open' ? ['under_review', 'upheld', 'rejected'] : ['upheld', 'rejected']
  ).map((value) => ({
    value,
    label: t(`money.disputes.decision.${value}` as 'money.disputes.decision.upheld'),
  }));
  return (
    <form
      class="card"
      data-decide={d.id}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const v = formValues(event.currentTarget as HTMLFormElement);
        const amount = v.amount ? minorUnits(v.amount) : undefined;
        void action
          .run(
            () =>
              api('POST', `/api/v1/disputes/${d.id}/decision`, {
                body: {
                  decision: v.decision,
                  note: v.note ?? '',
                  ...(amount && v.decision === 'upheld' ? { amount } : {}),
                },
              }),
            t('money.disputes.decided'),
          )
          .then((ok) => {
            if (ok) props.onDone();
          });
      }}
    >
      <SelectField
        label={t('money.disputes.decision')}
        name="decision"
        required
        options={options}
        error={action.error}
      />
      <TextField
        label={t('money.disputes.amount')}
        name="amount"
        inputMode="decimal"
        hint={t('money.disputes.amount.hint')}
        error={action.error}
      />
      <TextField
        label={t('money.disputes.note')}
        name="note"
        required
        minLength={3}
        maxLength={1000}
        error={action.error}
      />
      <Submit busy={action.busy} label={t('money.disputes.decide')} />
      <OutcomeNotice outcome={action.outcome} fields={['decision', 'amount', 'note']} />
    </form>
  );
}

export function DisputeList(props: { session: Session }) {
  const [items, setItems] = useState<Dispute[] | null>(null);
  const action = useAction();
  const load = () =>
    api<{ items: Dispute[] }>('GET', '/api/v1/disputes?limit=100').then((r) => setItems(r.items));
  useEffect(() => {
    void action.run(load);
  }, []);
  return (
    <Page title={t('money.disputes.title')}>
      <p>{t('money.disputes.intro')}</p>
      <OutcomeNotice outcome={action.outcome} />
      {items === null ? null : items.length === 0 ? (
        <p class="notice warn" role="status">
          {t('money.disputes.none')}
        </p>
      ) : (
        <ul id="disputes-list" class="cards">
          {items.map((d) => (
            <li key={d.id} data-dispute={d.id} data-status={d.status} class="card">
              <p>
                <strong>{disputeStatusWords(d.status)}</strong> · {directionWords(d.direction)} ·{' '}
                {money(d.claimed)}
              </p>
              <p>{d.reason}</p>
              <p class="hint">
                {t('money.disputes.openedBy', {
                  who: d.openedByName ?? d.openedBy,
                  when: dateTime(d.openedAt),
                })}{' '}
                ·{' '}
                <a href={href(`/settlements/${d.settlementId}`)}>
                  {t('money.disputes.settlement')}
                </a>
              </p>
              {d.resolvedBy ? (
                <p>
                  {t('money.disputes.resolvedBy', {
                    who: d.resolvedByName ?? d.resolvedBy,
                    when: dateTime(d.resolvedAt),
                  })}
                  {d.adjustment
                    ? ` · ${t('money.disputes.corrected', { amount: money(d.adjustment) })}`
                    : ''}
                  {d.resolutionNote ? ` — ${d.resolutionNote}` : ''}
                </p>
              ) : null}
              {(d.status === 'open' || d.status === 'under_review') &&
              can(props.session, 'dispute:resolve') ? (
                <Decide dispute={d} onDone={() => void load()} />
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
