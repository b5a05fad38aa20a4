// Staff accounts (#/staff): the list, creating an account (its one-time password shown once),
// and one account (#/staff/<id>): asking for a role (a four-eyes request), ending a role,
// disabling the account. Accounts are never deleted.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { t } from '../../i18n';
import { dateTime, words } from '../../format';
import { href } from '../../router';
import type { ScreenProps } from '../../screens';
import {
  can,
  formValues,
  OutcomeNotice,
  Page,
  ReasonField,
  SelectField,
  Submit,
  TextField,
  useAction,
} from '../../ui';
import { chosenRegions, grantText, RegionChoice, ShownOnce, who } from './common';

interface StaffAccount {
  id: string;
  username: string;
  displayName: string;
  status: string;
  hasSecondFactor: boolean;
  lockedUntil: string | null;
  createdAt: string;
  roles: Array<{ role: string; regions: '*' | string[] }>;
}

interface Approval {
  id: string;
  expiresAt: string;
}

/** The roles an administrator may ask for, in the catalog's order. */
const roleCodes = [
  'registrar',
  'programme_admin',
  'operator',
  'auditor',
  'analyst',
  'admin',
  'finance',
];
/** Roles whose ending needs a second approver (they approve or administer). */
const guardingRoles = new Set(['admin', 'auditor']);

function useStaff() {
  const load = useAction();
  const [items, setItems] = useState<StaffAccount[] | null>(null);
  const reload = () =>
    void load.run(async () => {
      setItems((await api<{ items: StaffAccount[] }>('GET', '/api/v1/staff')).items);
    });
  useEffect(reload, []);
  return { load, items, reload };
}

function statusText(a: StaffAccount): string {
  const parts = [words('status', a.status)];
  if (!a.hasSecondFactor && a.status === 'active') parts.push(t('admin.staff.secondFactorMissing'));
  if (a.lockedUntil && a.lockedUntil > new Date().toISOString())
    parts.push(t('admin.staff.locked', { time: dateTime(a.lockedUntil) }));
  return parts.join(' · ');
}

/** #/staff and #/staff/<id>. */
export function StaffScreen(props: ScreenProps) {
  const id = props.where.segments[1];
  return id ? <StaffAccountPage id={id} {...props} /> : <StaffList {...props} />;
}

function StaffList(props: ScreenProps) {
  const { load, items, reload } = useStaff();
  const manage = can(props.session, 'staff:manage');
  return (
    <Page title={t('admin.staff.title')}>
      {manage ? <CreateAccount onCreated={reload} /> : null}
      <h2 id="staff-list-title">{t('admin.staff.list')}</h2>
      <OutcomeNotice outcome={load.outcome} />
      {items ? (
        <div class="table-wrap" tabIndex={0}>
          <table id="staff-list" class="stack" aria-labelledby="staff-list-title">
            <thead>
              <tr>
                <th scope="col">{t('admin.staff.username')}</th>
                <th scope="col">{t('admin.staff.displayName')}</th>
                <th scope="col">{t('admin.staff.roles')}</th>
                <th scope="col">{t('admin.staff.status')}</th>
                {manage ? (
                  <th scope="col">
                    <span class="visually-hidden">{t('admin.staff.manage')}</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-username={a.username}>
                  <td data-label={t('admin.staff.username')}>
                    <code>{a.username}</code>
                  </td>
                  <td data-label={t('admin.staff.displayName')}>{a.displayName}</td>
                  <td data-label={t('admin.staff.roles')} class="roles">
                    {a.roles.length === 0
                      ? t('admin.staff.noRoles')
                      : a.roles.map((g) => <div key={g.role}>{grantText(g)}</div>)}
                  </td>
                  <td data-label={t('admin.staff.status')}>{statusText(a)}</td>
                  {manage ? (
                    <td>
                      <a
                        class="button"
                        href={href(`/staff/${a.id}`)}
                        aria-label={t('admin.staff.manageWho', { who: a.username })}
                      >
                        {t('admin.staff.manage')}
                      </a>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>{t('app.loading')}</p>
      )}
    </Page>
  );
}

function CreateAccount(props: { onCreated: () => void }) {
  const action = useAction();
  const [made, setMade] = useState<{ account: StaffAccount; oneTimePassword: string } | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const values = formValues(form);
    setMade(null);
    const result = await action.run(
      () =>
        api<{ account: StaffAccount; oneTimePassword: string }>('POST', '/api/v1/staff', {
          body: { username: values.username ?? '', displayName: values.displayName ?? '' },
        }),
      t('admin.staff.created', { username: values.username ?? '' }),
    );
    if (result) {
      setMade(result);
      form.reset();
      props.onCreated();
    }
  };
  return (
    <section class="card" aria-labelledby="staff-create-title">
      <h2 id="staff-create-title">{t('admin.staff.create')}</h2>
      <p>{t('admin.staff.create.intro')}</p>
      <form id="staff-create-form" onSubmit={submit} class="narrow">
        <TextField
          label={t('admin.staff.username')}
          name="username"
          autoComplete="off"
          autoCapitalize="none"
          spellcheck={false}
          required
          pattern="[a-z][a-z0-9._\-]{2,39}"
          hint={t('admin.staff.create.usernameHint')}
          error={action.error}
        />
        <TextField
          label={t('admin.staff.displayName')}
          name="displayName"
          autoComplete="off"
          required
          maxLength={100}
          error={action.error}
        />
        <OutcomeNotice outcome={action.outcome} fields={['username', 'displayName']} />
        <Submit busy={action.busy} label={t('admin.staff.create.submit')} />
      </form>
      {made ? (
        <>
          <ShownOnce
            id="one-time-password"
            title={t('admin.staff.otp.title')}
            intro={t('admin.staff.otp.intro', { who: who(made.account) })}
            secret={made.oneTimePassword}
            copyLabel={t('admin.staff.otp.copy')}
          />
          <p>
            <a
              id="manage-new-account"
              class="button primary"
              href={href(`/staff/${made.account.id}`)}
            >
              {t('admin.staff.otp.giveRole')}
            </a>
          </p>
        </>
      ) : null}
    </section>
  );
}

function StaffAccountPage(props: ScreenProps & { id: string }) {
  const { load, items, reload } = useStaff();
  const account = items?.find((a) => a.id === props.id);
  const manage = can(props.session, 'staff:manage');
  const back = (
    <a class="button" href={href('/staff')} id="back-to-staff">
      {t('admin.staff.back')}
    </a>
  );
  if (!items)
    return (
      <Page title={t('admin.staff.title')} actions={back}>
        <OutcomeNotice outcome={load.outcome} />
        <p>{t('app.loading')}</p>
      </Page>
    );
  if (!account)
    return (
      <Page title={t('admin.staff.notFound')} actions={back}>
        <OutcomeNotice outcome={load.outcome} />
      </Page>
    );
  return (
    <Page title={who(account)} actions={back}>
      <section class="card" aria-labelledby="account-facts-title">
        <h2 id="account-facts-title">{t('admin.staff.account')}</h2>
        <dl class="facts" id="account-facts">
          <dt>{t('admin.staff.username')}</dt>
          <dd>
            <code>{account.username}</code>
          </dd>
          <dt>{t('admin.staff.displayName')}</dt>
          <dd>{account.displayName}</dd>
          <dt>{t('admin.staff.status')}</dt>
          <dd>{statusText(account)}</dd>
          <dt>{t('admin.staff.createdAt')}</dt>
          <dd>{dateTime(account.createdAt)}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="current-roles-title">
        <h2 id="current-roles-title">{t('admin.staff.currentRoles')}</h2>
        {account.roles.length === 0 ? <p>{t('admin.staff.noRoles')}</p> : null}
        <ul class="plain" id="current-roles">
          {account.roles.map((g) => (
            <li key={g.role} data-role={g.role}>
              <strong>{grantText(g)}</strong>
              {manage && account.status === 'active' ? (
                <EndRole account={account} role={g.role} onDone={reload} />
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      {manage && account.status === 'active' ? (
        <>
          <GrantRole account={account} />
          <DisableAccount account={account} onDone={reload} />
        </>
      ) : null}
      {account.status !== 'active' ? (
        <p class="notice warn">{t('admin.staff.disabledAlready')}</p>
      ) : null}
    </Page>
  );
}

function FourEyesFiled(props: { approval: Approval }) {
  return (
    <div class="notice ok" role="status" data-approval-id={props.approval.id}>
      <p>{t('admin.staff.fourEyesFiled', { time: dateTime(props.approval.expiresAt) })}</p>
      <a href={href('/approvals')}>{t('admin.staff.toApprovals')}</a>
    </div>
  );
}

function GrantRole(props: { account: StaffAccount }) {
  const action = useAction();
  const [filed, setFiled] = useState<Approval | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const values = formValues(form);
    setFiled(null);
    const result = await action.run(() =>
      api<Approval>('POST', `/api/v1/staff/${props.account.id}/roles`, {
        body: {
          role: values.role ?? '',
          regions: chosenRegions(form),
          reason: values.reason ?? '',
        },
      }),
    );
    if (result) setFiled(result);
  };
  return (
    <section class="card" aria-labelledby="grant-title">
      <h2 id="grant-title">{t('admin.staff.grant')}</h2>
      <p>{t('admin.staff.grant.intro')}</p>
      <form id="grant-form" onSubmit={submit} class="narrow">
        <SelectField
          label={t('admin.staff.grant.role')}
          name="role"
          required
          placeholder={t('admin.staff.grant.chooseRole')}
          options={roleCodes.map((r) => ({ value: r, label: words('role', r) }))}
          error={action.error}
        />
        <RegionChoice legend={t('admin.staff.grant.regions')} error={action.error} />
        <ReasonField error={action.error} />
        <OutcomeNotice outcome={action.outcome} fields={['role', 'regions', 'reason']} />
        {filed ? <FourEyesFiled approval={filed} /> : null}
        <Submit busy={action.busy} label={t('admin.staff.grant.submit')} />
      </form>
    </section>
  );
}

function EndRole(props: { account: StaffAccount; role: string; onDone: () => void }) {
  const action = useAction();
  const [open, setOpen] = useState(false);
  const [filed, setFiled] = useState<Approval | null>(null);
  const guarded = guardingRoles.has(props.role);
  const submit = async (event: Event) => {
    event.preventDefault();
    const values = formValues(event.currentTarget as HTMLFormElement);
    setFiled(null);
    const result = await action.run(
      () =>
        api<{ revoked: true } | { approval: Approval }>(
          'POST',
          `/api/v1/staff/${props.account.id}/roles/${props.role}/revoke`,
          { body: values.reason ? { reason: values.reason } : {} },
        ),
      guarded ? undefined : t('admin.staff.roleEnded', { role: words('role', props.role) }),
    );
    if (result && 'approval' in result) setFiled(result.approval);
    else if (result) props.onDone();
  };
  if (!open)
    return (
      <div class="buttons">
        <button type="button" id={`end-role-${props.role}`} onClick={() => setOpen(true)}>
          {t('admin.staff.endRole', { role: words('role', props.role) })}
        </button>
        <OutcomeNotice outcome={action.outcome} />
      </div>
    );
  return (
    <form id={`revoke-form-${props.role}`} onSubmit={submit} class="narrow">
      {guarded ? <p>{t('admin.staff.endRole.fourEyes')}</p> : null}
      {guarded ? (
        <ReasonField error={action.error} />
      ) : (
        <TextField
          label={t('admin.staff.endRole.reasonOptional')}
          name="reason"
          maxLength={500}
          error={action.error}
        />
      )}
      <OutcomeNotice outcome={action.outcome} fields={['reason']} />
      {filed ? <FourEyesFiled approval={filed} /> : null}
      <div class="buttons">
        <Submit
          busy={action.busy}
          class="danger"
          label={t('admin.staff.endRole', { role: words('role', props.role) })}
        />
        <button type="button" onClick={() => setOpen(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function DisableAccount(props: { account: StaffAccount; onDone: () => void }) {
  const action = useAction();
  const [filed, setFiled] = useState<Approval | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const values = formValues(event.currentTarget as HTMLFormElement);
    setFiled(null);
    const result = await action.run(() =>
      api<{ disabled: true } | { approval: Approval }>(
        'POST',
        `/api/v1/staff/${props.account.id}/disable`,
        { body: { reason: values.reason ?? '' } },
      ),
    );
    if (result && 'approval' in result) setFiled(result.approval);
    else if (result) {
      action.setOutcome({ ok: true, message: t('admin.staff.disabled') });
      props.onDone();
    }
  };
  return (
    <section class="card" aria-labelledby="disable-title">
      <h2 id="disable-title">{t('admin.staff.disable')}</h2>
      <p>{t('admin.staff.disable.intro')}</p>
      <form id="disable-form" onSubmit={submit} class="narrow">
        <ReasonField error={action.error} />
        <OutcomeNotice outcome={action.outcome} fields={['reason']} />
        {filed ? <FourEyesFiled approval={filed} /> : null}
        <Submit busy={action.busy} class="danger" label={t('admin.staff.disable.submit')} />
      </form>
    </section>
  );
}
