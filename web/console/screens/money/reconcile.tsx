// Reconciliation (#/reconciliation?origin=…): a cycle's payouts (or any origin, or one batch)
// against what the providers' statements said — the ledger's totals beside the statements',
// and every difference with the ids to chase it. Selectors: form#reconcile-form,
// #reconcile-totals, #reconcile-balanced, #reconcile-differences tr[data-kind].
import { useEffect, useState } from 'preact/hooks';
import { api, localError } from '../../api';
import { count } from '../../format';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { formValues, OutcomeNotice, Page, Submit, TextField, useAction } from '../../ui';
import { differenceWords, money, type Reconciliation } from './common';

export function ReconcileScreen(props: { query: URLSearchParams }) {
  const origin = props.query.get('origin') ?? '';
  const [report, setReport] = useState<Reconciliation | null>(null);
  const action = useAction();
  useEffect(() => {
    setReport(null);
    if (origin)
      void action
        .run(() =>
          api<Reconciliation>('POST', '/api/v1/payouts/reconciliation', { body: { origin } }),
        )
        .then((r) => setReport(r ?? null));
  }, [origin]);
  const c = report?.currency ?? 'VES';
  const rows = report
    ? ([
        ['issued', report.ledger.issued, null],
        ['paid', report.ledger.paid, report.statement.paid],
        ['failed', report.ledger.failed, report.statement.failed],
        ['returned', report.ledger.returned, report.statement.returned],
        ['outstanding', report.ledger.outstanding, null],
      ] as const)
    : [];
  return (
    <Page title={t('money.reconcile.title')}>
      <p>{t('money.reconcile.intro')}</p>
      <form
        id="reconcile-form"
        class="card"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget as HTMLFormElement);
          if (!v.origin) {
            action.setOutcome({
              ok: false,
              error: localError('origin', t('money.reconcile.needOrigin')),
            });
            return;
          }
          navigate('/reconciliation', { origin: v.origin });
        }}
      >
        <TextField
          label={t('money.reconcile.origin')}
          name="origin"
          required
          defaultValue={origin}
          hint={t('money.reconcile.origin.hint')}
          error={action.error}
        />
        <Submit busy={action.busy} label={t('money.reconcile.submit')} />
        <OutcomeNotice outcome={action.outcome} fields={['origin']} />
      </form>
      {report ? (
        <>
          <p
            id="reconcile-balanced"
            class={report.balanced ? 'notice ok' : 'notice error'}
            role="status"
            data-balanced={report.balanced ? 'yes' : 'no'}
          >
            {report.balanced
              ? t('money.reconcile.balanced', { origin: report.origin ?? origin })
              : t('money.reconcile.unbalanced', { count: count(report.differenceCount) })}
          </p>
          <div class="table-wrap" tabIndex={0} aria-label={t('money.reconcile.totals')}>
            <table id="reconcile-totals" class="stack">
              <thead>
                <tr>
                  <th scope="col">{t('money.reconcile.what')}</th>
                  <th scope="col">{t('money.reconcile.ledger')}</th>
                  <th scope="col">{t('money.reconcile.statement')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(([key, ledger, statement]) => (
                  <tr key={key} data-row={key}>
                    <td data-label={t('money.reconcile.what')}>
                      {t(`money.reconcile.row.${key}` as const)}
                    </td>
                    <td data-label={t('money.reconcile.ledger')}>
                      {count(ledger.count)} · {money(ledger.amount, c)}
                    </td>
                    <td data-label={t('money.reconcile.statement')}>
                      {statement
                        ? `${count(statement.count)} · ${money(statement.amount, c)}`
                        : t('common.none')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {report.differences.length > 0 ? (
            <>
              <h2>{t('money.reconcile.differences')}</h2>
              <div class="table-wrap" tabIndex={0} aria-label={t('money.reconcile.differences')}>
                <table id="reconcile-differences" class="stack">
                  <thead>
                    <tr>
                      <th scope="col">{t('money.reconcile.kind')}</th>
                      <th scope="col">{t('money.reconcile.endToEnd')}</th>
                      <th scope="col">{t('money.reconcile.ledger')}</th>
                      <th scope="col">{t('money.reconcile.statement')}</th>
                      <th scope="col">{t('money.reconcile.chase')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.differences.map((d) => (
                      <tr key={`${d.kind}-${d.endToEndId}`} data-kind={d.kind}>
                        <td data-label={t('money.reconcile.kind')}>{differenceWords(d.kind)}</td>
                        <td data-label={t('money.reconcile.endToEnd')}>
                          <code>{d.endToEndId}</code>
                        </td>
                        <td data-label={t('money.reconcile.ledger')}>
                          {d.ledgerStatus
                            ? `${t(`money.reconcile.status.${d.ledgerStatus}` as const)} · ${money(d.ledgerAmount, c)}`
                            : t('common.none')}
                        </td>
                        <td data-label={t('money.reconcile.statement')}>
                          {d.statementStatus
                            ? `${t(`money.reconcile.status.${d.statementStatus}` as const)}${d.statementAmount ? ` · ${money(d.statementAmount, c)}` : ''}`
                            : t('common.none')}
                        </td>
                        <td data-label={t('money.reconcile.chase')}>
                          {t('money.reconcile.ids', {
                            batch: d.batchId ?? '—',
                            item: d.itemId ?? '—',
                            report: d.reportId ?? '—',
                            at: d.statementAt ?? '—',
                          })}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
