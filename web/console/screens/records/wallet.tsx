// A person's wallet, on their record: what they can spend, what co-payments hold reserved,
// the latest movements, and — at a registration office, after checking an identity
// document — setting or resetting the PIN they confirm payments with.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, localError } from '../../api';
import { dateTime } from '../../format';
import { t } from '../../i18n';
import {
  formValues,
  OutcomeNotice,
  ReasonField,
  SelectField,
  Submit,
  TextField,
  useAction,
} from '../../ui';
import type { WalletStatement } from '../../../../src/ledger/wallets';
import { identityDocuments } from '../../../../src/ledger/wallet-documents';
import { money } from '../programmes/common';
import type { PersonRecord } from './types';

export function WalletSection(props: {
  person: PersonRecord;
  purpose: string;
  mayResetPin: boolean;
}) {
  const [statement, setStatement] = useState<WalletStatement | null>(null);
  const listing = useAction();
  const pin = useAction();
  const load = async () => {
    const answer = await listing.run(() =>
      api<WalletStatement>('GET', `/api/v1/persons/${props.person.id}/wallet`, {
        purpose: props.purpose,
      }),
    );
    if (answer) setStatement(answer);
  };
  useEffect(() => {
    void load();
  }, [props.person.id, props.person.version]);

  const setPin = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const values = formValues(form);
    if (values.pin !== values.pinAgain) {
      pin.setOutcome({ ok: false, error: localPinMismatch() });
      return;
    }
    const done = await pin.run(async () => {
      try {
        return await api('PUT', `/api/v1/persons/${props.person.id}/wallet/pin`, {
          purpose: props.purpose,
          body: {
            pin: values.pin,
            identityDocument: values.identityDocument,
            reason: values.reason,
          },
        });
      } catch (e) {
        // Why the PIN is too easy, in the reader's words.
        const details =
          e instanceof ApiError ? (e.details as { weak?: unknown } | undefined) : undefined;
        const weak = details?.weak;
        if (weak === 'repeated' || weak === 'run' || weak === 'birth_year')
          throw localError('pin', t(`records.wallet.pin.weak.${weak}`));
        throw e;
      }
    }, t('records.wallet.pin.done'));
    if (done) form.reset();
  };

  return (
    <section id="wallet" class="card" aria-labelledby="wallet-title">
      <h2 id="wallet-title">{t('records.wallet.title')}</h2>
      <OutcomeNotice outcome={listing.outcome} />
      {statement && !statement.open ? (
        <p id="wallet-closed">{t('records.wallet.notOpen')}</p>
      ) : null}
      {statement && statement.open ? (
        <>
          <dl class="facts" id="wallet-balance">
            <dt>{t('records.wallet.available')}</dt>
            <dd data-fact="available">{money(statement.available, statement.currency)}</dd>
            <dt>{t('records.wallet.reserved')}</dt>
            <dd data-fact="reserved">{money(statement.reserved, statement.currency)}</dd>
          </dl>
          {statement.lines.length > 0 ? (
            <ul id="wallet-lines" class="entitlements">
              {statement.lines.map((l) => (
                <li key={l.id} data-direction={l.direction}>
                  <strong>
                    {l.direction === 'in' ? '+' : '−'}
                    {money(l.amount, statement.currency)}
                  </strong>{' '}
                  · {t(l.direction === 'in' ? 'records.wallet.in' : 'records.wallet.out')}
                  {l.pending ? ` · ${t('records.wallet.pending')}` : ''}
                  <br />
                  <small>{dateTime(l.createdAt)}</small>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
      {props.mayResetPin ? (
        <form id="pin-form" onSubmit={(e) => void setPin(e)}>
          <h3>{t('records.wallet.pin.title')}</h3>
          <p>{t('records.wallet.pin.intro')}</p>
          <SelectField
            label={t('records.wallet.pin.document')}
            name="identityDocument"
            required
            placeholder={t('records.wallet.pin.choose')}
            options={identityDocuments.map((d) => ({
              value: d,
              label: t(`records.wallet.document.${d}`),
            }))}
            error={pin.error}
          />
          <TextField
            label={t('records.wallet.pin.pin')}
            name="pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            pattern="[0-9]{4,6}"
            required
            hint={t('records.wallet.pin.hint')}
            error={pin.error}
          />
          <TextField
            label={t('records.wallet.pin.again')}
            name="pinAgain"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            pattern="[0-9]{4,6}"
            required
            error={pin.error}
          />
          <ReasonField error={pin.error} />
          <OutcomeNotice
            outcome={pin.outcome}
            fields={['pin', 'identityDocument', 'reason', 'pinAgain']}
          />
          <Submit busy={pin.busy} label={t('records.wallet.pin.submit')} />
        </form>
      ) : null}
    </section>
  );
}

function localPinMismatch() {
  return localError('pinAgain', t('records.wallet.pin.mismatch'));
}
