// API tokens (#/tokens): the list, creating one narrowed to ticked permissions, regions and a
// number of days (the token shown once), and revoking one with a reason.
import { useEffect, useState } from 'preact/hooks';
import { api, localError } from '../../api';
import { activeLanguage, t } from '../../i18n';
import { dateTime, regionsText } from '../../format';
import type { ScreenProps } from '../../screens';
import {
  formValues,
  OutcomeNotice,
  Page,
  ReasonField,
  Submit,
  TextField,
  useAction,
} from '../../ui';
import { chosenRegions, RegionChoice, ShownOnce } from './common';

interface TokenInfo {
  id: string;
  name: string;
  permissions: string[];
  regions: '*' | string[];
  pointId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

interface PermissionWords {
  permission: string;
  en: string;
  es: string;
}

function permissionText(all: readonly PermissionWords[], p: string): string {
  const found = all.find((w) => w.permission === p);
  return found ? found[activeLanguage()] : p;
}

function tokenStatus(token: TokenInfo): string {
  if (token.revokedAt) return `${t('status.revoked')} (${dateTime(token.revokedAt)})`;
  if (!token.expiresAt || token.expiresAt <= new Date().toISOString()) return t('status.expired');
  return t('admin.tokens.active');
}

/** #/tokens. */
export function TokensScreen(props: ScreenProps) {
  const load = useAction();
  const [items, setItems] = useState<TokenInfo[] | null>(null);
  const [words, setWords] = useState<PermissionWords[]>([]);
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  const reload = () =>
    void load.run(async () => {
      const got = await api<{ items: TokenInfo[]; permissions: PermissionWords[] }>(
        'GET',
        '/api/v1/tokens',
      );
      setItems(got.items);
      setWords(got.permissions);
    });
  useEffect(reload, []);
  // Only what the session holds can be given (the server checks again, region by region).
  const held = props.session.permissions.map((p) => p.permission);
  return (
    <Page title={t('admin.tokens.title')}>
      <p>{t('admin.tokens.intro')}</p>
      <CreateToken held={held} words={words} onCreated={reload} />
      <h2 id="token-list-title">{t('admin.tokens.list')}</h2>
      <OutcomeNotice outcome={load.outcome} />
      {revoking ? (
        <RevokeToken
          key={revoking.id}
          token={revoking}
          onClose={() => setRevoking(null)}
          onDone={reload}
        />
      ) : null}
      {items === null ? <p>{t('app.loading')}</p> : null}
      {items && items.length === 0 ? <p>{t('admin.tokens.none')}</p> : null}
      {items && items.length > 0 ? (
        <div class="table-wrap" tabIndex={0}>
          <table id="token-list" class="stack" aria-labelledby="token-list-title">
            <thead>
              <tr>
                <th scope="col">{t('admin.tokens.name')}</th>
                <th scope="col">{t('admin.tokens.permissions')}</th>
                <th scope="col">{t('admin.tokens.regions')}</th>
                <th scope="col">{t('admin.tokens.created')}</th>
                <th scope="col">{t('admin.tokens.expires')}</th>
                <th scope="col">{t('admin.tokens.lastUsed')}</th>
                <th scope="col">{t('admin.tokens.status')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('admin.tokens.revoke')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((tk) => (
                <tr key={tk.id} data-token-id={tk.id} data-name={tk.name}>
                  <td data-label={t('admin.tokens.name')}>{tk.name}</td>
                  <td data-label={t('admin.tokens.permissions')}>
                    <ul class="plain">
                      {tk.permissions.map((p) => (
                        <li key={p}>{permissionText(words, p)}</li>
                      ))}
                    </ul>
                  </td>
                  <td data-label={t('admin.tokens.regions')}>{regionsText(tk.regions)}</td>
                  <td data-label={t('admin.tokens.created')}>{dateTime(tk.createdAt)}</td>
                  <td data-label={t('admin.tokens.expires')}>{dateTime(tk.expiresAt)}</td>
                  <td data-label={t('admin.tokens.lastUsed')}>
                    {tk.lastUsedAt ? dateTime(tk.lastUsedAt) : t('admin.tokens.never')}
                  </td>
                  <td data-label={t('admin.tokens.status')} class="token-status">
                    {tokenStatus(tk)}
                  </td>
                  <td>
                    {tk.revokedAt ? null : (
                      <button
                        type="button"
                        class="revoke-token"
                        aria-label={t('admin.tokens.revokeWhich', { name: tk.name })}
                        onClick={() => setRevoking(tk)}
                      >
                        {t('admin.tokens.revoke')}
                      </button>
                    )}
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

function CreateToken(props: {
  held: readonly string[];
  words: readonly PermissionWords[];
  onCreated: () => void;
}) {
  const action = useAction();
  const [secret, setSecret] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const values = formValues(form);
    const permissions = new FormData(form)
      .getAll('permissions')
      .filter((v): v is string => typeof v === 'string');
    setSecret(null);
    const result = await action.run(async () => {
      if (permissions.length === 0) throw localError('permissions', t('admin.tokens.noPermission'));
      return api<{ token: string }>('POST', '/api/v1/tokens', {
        body: {
          name: values.name ?? '',
          permissions,
          regions: chosenRegions(form),
          expiresInDays: Number(values.expiresInDays ?? 90),
        },
      });
    });
    if (result) {
      setSecret(result.token);
      form.reset();
      props.onCreated();
    }
  };
  const failedPermissions = action.error?.field === 'permissions' ? action.error : null;
  return (
    <section class="card" aria-labelledby="token-create-title">
      <h2 id="token-create-title">{t('admin.tokens.create')}</h2>
      <form id="token-create-form" onSubmit={submit}>
        <div class="narrow">
          <TextField
            label={t('admin.tokens.name')}
            name="name"
            required
            minLength={3}
            maxLength={100}
            autoComplete="off"
            hint={t('admin.tokens.nameHint')}
            error={action.error}
          />
        </div>
        <fieldset
          class={failedPermissions ? 'invalid' : ''}
          aria-describedby="token-permissions-hint"
        >
          <legend>{t('admin.tokens.permissions')}</legend>
          <small id="token-permissions-hint" class="hint">
            {t('admin.tokens.permissionsHint')}
          </small>
          <div class="check-list">
            {props.held.map((p) => (
              <label class="check" key={p}>
                <input type="checkbox" name="permissions" value={p} />
                {permissionText(props.words, p)}
              </label>
            ))}
          </div>
          {failedPermissions ? (
            <small class="field-error" role="alert">
              {failedPermissions.said ?? failedPermissions.message}
            </small>
          ) : null}
        </fieldset>
        <RegionChoice legend={t('admin.tokens.regions')} error={action.error} />
        <div class="narrow">
          <TextField
            label={t('admin.tokens.expiresIn')}
            name="expiresInDays"
            type="number"
            inputMode="numeric"
            min={1}
            max={365}
            defaultValue="90"
            required
            hint={t('admin.tokens.expiresInHint')}
            error={action.error}
          />
        </div>
        <OutcomeNotice
          outcome={action.outcome}
          fields={['name', 'permissions', 'regions', 'expiresInDays']}
        />
        <Submit busy={action.busy} label={t('admin.tokens.create.submit')} />
      </form>
      {secret ? (
        <ShownOnce
          id="token-secret"
          title={t('admin.tokens.secret.title')}
          intro={t('admin.tokens.secret.intro')}
          secret={secret}
          copyLabel={t('admin.tokens.secret.copy')}
        />
      ) : null}
    </section>
  );
}

function RevokeToken(props: { token: TokenInfo; onClose: () => void; onDone: () => void }) {
  const action = useAction();
  const [done, setDone] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const values = formValues(event.currentTarget as HTMLFormElement);
    const result = await action.run(
      () =>
        api('POST', `/api/v1/tokens/${props.token.id}/revoke`, {
          body: { reason: values.reason ?? '' },
        }).then(() => true),
      t('admin.tokens.revoked', { name: props.token.name }),
    );
    if (result) {
      setDone(true);
      props.onDone();
    }
  };
  return (
    <section class="card" aria-labelledby="token-revoke-title">
      <h3 id="token-revoke-title">{t('admin.tokens.revokeWhich', { name: props.token.name })}</h3>
      {done ? null : (
        <form id="token-revoke-form" onSubmit={submit} class="narrow">
          <p>{t('admin.tokens.revoke.intro')}</p>
          <ReasonField error={action.error} />
          <OutcomeNotice outcome={action.outcome} fields={['reason']} />
          <div class="buttons">
            <Submit busy={action.busy} class="danger" label={t('admin.tokens.revoke.submit')} />
            <button type="button" onClick={props.onClose}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {done ? (
        <>
          <OutcomeNotice outcome={action.outcome} />
          <button type="button" onClick={props.onClose}>
            {t('common.close')}
          </button>
        </>
      ) : null}
    </section>
  );
}
