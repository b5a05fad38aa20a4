// Payout batches (#/payouts) and one batch's life (#/payouts/<id>): created by one finance
// officer → approved by a second → exported to its providers → settled, each step with who and
// when, and the items and amounts by status. Approve and export are buttons for whoever may
// (the server refuses the preparer's approval). Selectors: #batches-table tr[data-batch],
// ol#batch-life li[data-step], #batch-counts tr[data-status], button#batch-approve,
// button#batch-export.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { count, dateTime } from '../../format';
import { t } from '../../i18n';
import { href } from '../../router';
import { can, OutcomeNotice, Page, useAction, type Session } from '../../ui';
import { batchStatusWords, money, type PayoutBatch } from './common';

export function BatchList() {
  const [items, setItems] = useState<PayoutBatch[] | null>(null);
  const action = useAction();
  useEffect(() => {
    void action
      .run(() => api<{ items: PayoutBatch[] }>('GET', '/api/v1/payouts?limit=50'))
      .then((r) => setItems(r?.items ?? null));
  }, []);
  return (
    <Page title={t('money.payouts.title')}>
      <p>{t('money.payouts.intro')}</p>
      <OutcomeNotice outcome={action.outcome} />
      {items === null ? null : items.length === 0 ? (
        <p class="notice warn" role="status">
          {t('money.payouts.none')}
        </p>
      ) : (
        <div class="table-wrap" tabIndex={0} aria-label={t('money.payouts.title')}>
          <table id="batches-table" class="stack">
            <thead>
              <tr>
                <th scope="col">{t('money.payouts.label')}</th>
                <th scope="col">{t('money.payouts.state')}</th>
                <th scope="col">{t('money.payouts.items')}</th>
                <th scope="col">{t('money.payouts.total')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((b) => (
                <tr key={b.id} data-batch={b.id}>
                  <td data-label={t('money.payouts.label')}>
                    <a href={href(`/payouts/${encodeURIComponent(b.id)}`)}>{b.label}</a>
                  </td>
                  <td data-label={t('money.payouts.state')}>{batchStatusWords(b.status)}</td>
                  <td data-label={t('money.payouts.items')}>{count(b.itemCount)}</td>
                  <td data-label={t('money.payouts.total')}>{money(b.total, b.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

export function BatchScreen(props: { session: Session; id: string }) {
  const [batch, setBatch] = useState<PayoutBatch | null>(null);
  const action = useAction();
  const url = `/api/v1/payouts/${encodeURIComponent(props.id)}`;
  const reload = () => api<PayoutBatch>('GET', url).then(setBatch);
  useEffect(() => {
    void action.run(reload);
  }, [props.id]);
  const step = async (what: 'approve' | 'export') => {
    await action.run(
      async () => {
        await api('POST', `${url}/${what}`);
        await reload();
      },
      what === 'approve' ? t('money.payouts.approved') : t('money.payouts.exported'),
    );
  };
  const life = batch
    ? [
        {
          step: 'created',
          when: batch.life.createdAt,
          who: batch.life.createdBy,
        },
        { step: 'approved', when: batch.life.approvedAt, who: batch.life.approvedBy },
        { step: 'exported', when: batch.life.exportedAt, who: null },
        { step: 'settled', when: batch.life.settledAt, who: null },
      ]
    : [];
  return (
    <Page
      title={batch ? batch.label : props.id}
      actions={
        <a class="button" href={href('/payouts')}>
          {t('money.payouts.back')}
        </a>
      }
    >
      <OutcomeNotice outcome={action.outcome} />
      {batch ? (
        <>
          <p>
            {t('money.payouts.summary', {
              items: count(batch.itemCount),
              total: money(batch.total, batch.currency),
              state: batchStatusWords(batch.status),
            })}
          </p>
          <ol id="batch-life" class="card timeline">
            {life.map((l) => (
              <li key={l.step} data-step={l.step} data-done={l.when ? 'yes' : 'no'}>
                <strong>{batchStatusWords(l.step as PayoutBatch['status'])}</strong>{' '}
                {l.when
                  ? l.who
                    ? t('money.payouts.byWhen', { who: l.who, when: dateTime(l.when) })
                    : dateTime(l.when)
                  : t('money.payouts.notYet')}
              </li>
            ))}
          </ol>
          {batch.status === 'created' && can(props.session, 'payout:approve') ? (
            <p>
              <span class="hint">{t('money.payouts.fourEyes')}</span>{' '}
              <button
                type="button"
                id="batch-approve"
                class="primary"
                disabled={action.busy}
                onClick={() => void step('approve')}
              >
                {t('money.payouts.approve')}
              </button>
            </p>
          ) : null}
          {batch.status === 'approved' && can(props.session, 'payout:export') ? (
            <button
              type="button"
              id="batch-export"
              class="primary"
              disabled={action.busy}
              onClick={() => void step('export')}
            >
              {t('money.payouts.export')}
            </button>
          ) : null}
          <h2>{t('money.payouts.byStatus')}</h2>
          <div class="table-wrap" tabIndex={0} aria-label={t('money.payouts.byStatus')}>
            <table id="batch-counts" class="stack">
              <thead>
                <tr>
                  <th scope="col">{t('money.payouts.itemState')}</th>
                  <th scope="col">{t('money.payouts.items')}</th>
                  <th scope="col">{t('money.payouts.total')}</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(batch.byStatus).map(([status, c]) => (
                  <tr key={status} data-status={status}>
                    <td data-label={t('money.payouts.itemState')}>
                      {t(`money.payouts.item.${status}` as 'money.payouts.item.ready')}
                    </td>
                    <td data-label={t('money.payouts.items')}>{count(c.items)}</td>
                    <td data-label={t('money.payouts.total')}>{money(c.amount, batch.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {Object.keys(batch.failures).length > 0 ? (
            <>
              <h2>{t('money.payouts.failures')}</h2>
              <ul>
                {Object.entries(batch.failures).map(([reason, n]) => (
                  <li key={reason}>
                    <code>{reason}</code>: {count(n)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
