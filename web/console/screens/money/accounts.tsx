// Ledger accounts (#/money): programme funds, points' merchant accounts, providers' clearing
// accounts, with what each holds and has reserved; one account's transfers, newest first
// (#/money/<id>). Wallets are people's money: they are read by statement, with a purpose
// (#/wallets). Selectors: #accounts-table tr[data-account], #transfers-table tr[data-transfer].
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { dateTime } from '../../format';
import { t } from '../../i18n';
import { href, navigate } from '../../router';
import { OutcomeNotice, Page, SelectField, useAction, type Session } from '../../ui';
import {
  accountCodeWords,
  balanceOf,
  money,
  signedMoney,
  type AccountView,
  type TransferView,
} from './common';

const listedCodes = [
  'programme_fund',
  'merchant',
  'provider_clearing',
  'cash_in_transit',
  'operator_equity',
] as const;

export function AccountList(props: { query: URLSearchParams }) {
  const code = props.query.get('code') ?? '';
  const [items, setItems] = useState<AccountView[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const action = useAction();
  const load = async (after?: string) => {
    const params = new URLSearchParams({ limit: '50' });
    if (code) params.set('code', code);
    if (after) params.set('after', after);
    const page = await action.run(() =>
      api<{ items: AccountView[]; next: string | null }>(
        'GET',
        `/api/v1/ledger/accounts?${params.toString()}`,
      ),
    );
    if (!page) return;
    setItems((before) => (after && before ? [...before, ...page.items] : page.items));
    setNext(page.next);
  };
  useEffect(() => {
    void load();
  }, [code]);
  return (
    <Page title={t('money.accounts.title')}>
      <p>{t('money.accounts.intro')}</p>
      <form class="card" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label={t('money.accounts.kind')}
          name="code"
          value={code}
          placeholder={t('money.accounts.kind.all')}
          options={listedCodes.map((c) => ({ value: c, label: accountCodeWords(c) }))}
          onChange={(value) => navigate('/money', value ? { code: value } : {})}
        />
      </form>
      <OutcomeNotice outcome={action.outcome} />
      {items === null ? null : items.length === 0 ? (
        <p class="notice warn" role="status">
          {t('money.accounts.none')}
        </p>
      ) : (
        <div class="table-wrap" tabIndex={0} aria-label={t('money.accounts.title')}>
          <table id="accounts-table" class="stack">
            <thead>
              <tr>
                <th scope="col">{t('money.accounts.id')}</th>
                <th scope="col">{t('money.accounts.kind')}</th>
                <th scope="col">{t('money.accounts.balance')}</th>
                <th scope="col">{t('money.accounts.reserved')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-account={a.id}>
                  <td data-label={t('money.accounts.id')}>
                    <a href={href(`/money/${encodeURIComponent(a.id)}`)}>{a.id}</a>
                  </td>
                  <td data-label={t('money.accounts.kind')}>{accountCodeWords(a.code)}</td>
                  <td data-label={t('money.accounts.balance')}>
                    {signedMoney(balanceOf(a), a.ledger)}
                  </td>
                  <td data-label={t('money.accounts.reserved')}>
                    {money(a.debitsPending, a.ledger)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next ? (
        <button type="button" id="accounts-more" onClick={() => void load(next)}>
          {t('money.more')}
        </button>
      ) : null}
    </Page>
  );
}

export function AccountScreen(props: { session: Session; id: string }) {
  const [account, setAccount] = useState<AccountView | null>(null);
  const [items, setItems] = useState<TransferView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const action = useAction();
  const url = `/api/v1/ledger/accounts/${encodeURIComponent(props.id)}`;
  const load = async (after?: string) => {
    const page = await action.run(() =>
      api<{ items: TransferView[]; next: string | null }>(
        'GET',
        `${url}/transfers?limit=50${after ? `&after=${encodeURIComponent(after)}` : ''}`,
      ),
    );
    if (!page) return;
    setItems((before) => (after ? [...before, ...page.items] : page.items));
    setNext(page.next);
  };
  useEffect(() => {
    void action.run(() => api<AccountView>('GET', url)).then((a) => setAccount(a ?? null));
    void load();
  }, [props.id]);
  return (
    <Page
      title={t('money.account.title', { id: props.id })}
      actions={
        <a class="button" href={href('/money')}>
          {t('money.accounts.back')}
        </a>
      }
    >
      <OutcomeNotice outcome={action.outcome} />
      {account ? (
        <dl class="card" id="account-summary">
          <dt>{t('money.accounts.kind')}</dt>
          <dd>{accountCodeWords(account.code)}</dd>
          <dt>{t('money.accounts.balance')}</dt>
          <dd>{signedMoney(balanceOf(account), account.ledger)}</dd>
          <dt>{t('money.account.in')}</dt>
          <dd>{money(account.creditsPosted, account.ledger)}</dd>
          <dt>{t('money.account.out')}</dt>
          <dd>{money(account.debitsPosted, account.ledger)}</dd>
          <dt>{t('money.accounts.reserved')}</dt>
          <dd>{money(account.debitsPending, account.ledger)}</dd>
        </dl>
      ) : null}
      <h2>{t('money.account.transfers')}</h2>
      {items.length === 0 ? (
        <p class="notice warn" role="status">
          {t('money.account.noTransfers')}
        </p>
      ) : (
        <div class="table-wrap" tabIndex={0} aria-label={t('money.account.transfers')}>
          <table id="transfers-table" class="stack">
            <thead>
              <tr>
                <th scope="col">{t('money.account.when')}</th>
                <th scope="col">{t('money.account.what')}</th>
                <th scope="col">{t('money.account.other')}</th>
                <th scope="col">{t('money.account.amount')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((x) => {
                const incoming = x.creditAccountId === props.id;
                return (
                  <tr key={x.id} data-transfer={x.id}>
                    <td data-label={t('money.account.when')}>{dateTime(x.createdAt)}</td>
                    <td data-label={t('money.account.what')}>
                      <code>{x.code}</code>
                      {x.flags.pending ? ` · ${t('money.account.pending')}` : ''}
                    </td>
                    <td data-label={t('money.account.other')}>
                      {incoming ? x.debitAccountId : x.creditAccountId}
                    </td>
                    <td data-label={t('money.account.amount')}>
                      {incoming ? '+' : '−'}
                      {money(x.amount, x.ledger)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {next ? (
        <button type="button" onClick={() => void load(next)}>
          {t('money.more')}
        </button>
      ) : null}
    </Page>
  );
}
