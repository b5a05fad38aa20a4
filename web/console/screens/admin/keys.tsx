// Issuer keys (#/keys): each key's identifier, status, creation and how long it stays trusted,
// and asking to rotate the key (a four-eyes request with a reason).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { t } from '../../i18n';
import { dateTime } from '../../format';
import { href } from '../../router';
import { formValues, OutcomeNotice, Page, ReasonField, Submit, useAction } from '../../ui';

interface IssuerKey {
  kid: string;
  alg: string;
  status: 'active' | 'retired';
  createdAt: string;
  retiredAt: string | null;
  notAfter: string | null;
}

interface Approval {
  id: string;
  expiresAt: string;
}

/** #/keys. */
export function KeysScreen() {
  const load = useAction();
  const [items, setItems] = useState<IssuerKey[] | null>(null);
  useEffect(() => {
    void load.run(async () => {
      setItems((await api<{ items: IssuerKey[] }>('GET', '/api/v1/keys')).items);
    });
  }, []);
  return (
    <Page title={t('admin.keys.title')}>
      <p>{t('admin.keys.intro')}</p>
      <h2 id="key-list-title">{t('admin.keys.list')}</h2>
      <OutcomeNotice outcome={load.outcome} />
      {items === null ? <p>{t('app.loading')}</p> : null}
      {items && items.length === 0 ? <p>{t('admin.keys.none')}</p> : null}
      {items && items.length > 0 ? (
        <div class="table-wrap" tabIndex={0}>
          <table id="key-list" class="stack" aria-labelledby="key-list-title">
            <thead>
              <tr>
                <th scope="col">{t('admin.keys.kid')}</th>
                <th scope="col">{t('admin.keys.status')}</th>
                <th scope="col">{t('admin.keys.created')}</th>
                <th scope="col">{t('admin.keys.validUntil')}</th>
                <th scope="col">{t('admin.keys.algorithm')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((k) => (
                <tr key={k.kid} data-kid={k.kid} data-status={k.status}>
                  <td data-label={t('admin.keys.kid')}>
                    <code class="secret">{k.kid}</code>
                  </td>
                  <td data-label={t('admin.keys.status')}>
                    {t(
                      k.status === 'active'
                        ? 'admin.keys.status.active'
                        : 'admin.keys.status.retired',
                    )}
                    {k.retiredAt ? (
                      <div class="hint">
                        {t('admin.keys.retiredAt', { time: dateTime(k.retiredAt) })}
                      </div>
                    ) : null}
                  </td>
                  <td data-label={t('admin.keys.created')}>{dateTime(k.createdAt)}</td>
                  <td data-label={t('admin.keys.validUntil')}>
                    {k.notAfter ? dateTime(k.notAfter) : t('admin.keys.noEnd')}
                  </td>
                  <td data-label={t('admin.keys.algorithm')}>{k.alg}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <RotateKey />
    </Page>
  );
}

function RotateKey() {
  const action = useAction();
  const [filed, setFiled] = useState<Approval | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const values = formValues(form);
    setFiled(null);
    const result = await action.run(() =>
      api<Approval>('POST', '/api/v1/keys/rotate', { body: { reason: values.reason ?? '' } }),
    );
    if (result) {
      setFiled(result);
      form.reset();
    }
  };
  return (
    <section class="card" aria-labelledby="key-rotate-title">
      <h2 id="key-rotate-title">{t('admin.keys.rotate')}</h2>
      <p>{t('admin.keys.rotate.intro')}</p>
      <form id="key-rotate-form" onSubmit={submit} class="narrow">
        <ReasonField error={action.error} />
        <OutcomeNotice outcome={action.outcome} fields={['reason']} />
        {filed ? (
          <div class="notice ok" role="status" id="key-rotate-filed" data-approval-id={filed.id}>
            <p>{t('admin.staff.fourEyesFiled', { time: dateTime(filed.expiresAt) })}</p>
            <a href={href('/approvals')}>{t('admin.staff.toApprovals')}</a>
          </div>
        ) : null}
        <Submit busy={action.busy} label={t('admin.keys.rotate.submit')} />
      </form>
    </section>
  );
}
