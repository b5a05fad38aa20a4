// A cardholder's wallet statement (#/wallets?person=<id>&purpose=…): what they can spend, what
// is reserved by co-payments in progress, and the latest movements. It is personal data, so it
// asks why it is read, and the person sees the read in their access report. Selectors:
// form#wallet-form (input[name=person], select[name=purpose]), #wallet-summary,
// #wallet-lines tr[data-transfer].
import { useEffect, useState } from 'preact/hooks';
import { api, localError } from '../../api';
import { dateTime } from '../../format';
import { t } from '../../i18n';
import { navigate } from '../../router';
import {
  formValues,
  OutcomeNotice,
  Page,
  PurposeField,
  Submit,
  TextField,
  useAction,
} from '../../ui';
import { money, type WalletStatement } from './common';

const walletPurposes = ['service_delivery', 'grievance', 'audit', 'subject_access'] as const;

export function WalletScreen(props: { query: URLSearchParams }) {
  const person = props.query.get('person') ?? '';
  const asked = props.query.get('purpose') ?? '';
  const [purpose, setPurpose] = useState(asked);
  const [statement, setStatement] = useState<WalletStatement | null>(null);
  const action = useAction();
  useEffect(() => {
    setStatement(null);
    setPurpose(asked);
    if (person && asked)
      void action
        .run(() =>
          api<WalletStatement>('GET', `/api/v1/persons/${encodeURIComponent(person)}/wallet`, {
            purpose: asked,
          }),
        )
        .then((s) => setStatement(s ?? null));
  }, [person, asked]);
  return (
    <Page title={t('money.wallet.title')}>
      <form
        id="wallet-form"
        class="card"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget as HTMLFormElement);
          if (!v.person) {
            action.setOutcome({
              ok: false,
              error: localError('person', t('money.wallet.needPerson')),
            });
            return;
          }
          if (!v.purpose) {
            action.setOutcome({
              ok: false,
              error: localError('purpose', t('money.wallet.needPurpose')),
            });
            return;
          }
          navigate('/wallets', { person: v.person, purpose: v.purpose });
        }}
      >
        <p>{t('money.wallet.intro')}</p>
        <TextField
          label={t('money.wallet.person')}
          name="person"
          required
          defaultValue={person}
          hint={t('money.wallet.person.hint')}
          error={action.error}
        />
        <PurposeField
          purposes={walletPurposes}
          value={purpose}
          onChange={setPurpose}
          error={action.error}
        />
        <Submit busy={action.busy} label={t('money.wallet.submit')} />
        <OutcomeNotice outcome={action.outcome} fields={['person', 'purpose']} />
      </form>
      {statement ? (
        <>
          <dl id="wallet-summary" class="card">
            <dt>{t('money.wallet.available')}</dt>
            <dd>{money(statement.available, statement.currency)}</dd>
            <dt>{t('money.wallet.reserved')}</dt>
            <dd>{money(statement.reserved, statement.currency)}</dd>
          </dl>
          {!statement.open ? (
            <p class="notice warn" role="status">
              {t('money.wallet.notOpen')}
            </p>
          ) : statement.lines.length === 0 ? (
            <p class="notice warn" role="status">
              {t('money.account.noTransfers')}
            </p>
          ) : (
            <div class="table-wrap" tabIndex={0} aria-label={t('money.wallet.title')}>
              <table id="wallet-lines" class="stack">
                <thead>
                  <tr>
                    <th scope="col">{t('money.account.when')}</th>
                    <th scope="col">{t('money.account.what')}</th>
                    <th scope="col">{t('money.account.amount')}</th>
                  </tr>
                </thead>
                <tbody>
                  {statement.lines.map((l) => (
                    <tr key={l.id} data-transfer={l.id}>
                      <td data-label={t('money.account.when')}>{dateTime(l.createdAt)}</td>
                      <td data-label={t('money.account.what')}>
                        {t(l.direction === 'in' ? 'money.wallet.in' : 'money.wallet.out')}
                        {l.pending ? ` · ${t('money.account.pending')}` : ''} ·{' '}
                        <code>{l.code}</code>
                      </td>
                      <td data-label={t('money.account.amount')}>
                        {l.direction === 'in' ? '+' : '−'}
                        {money(l.amount, statement.currency)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </Page>
  );
}
