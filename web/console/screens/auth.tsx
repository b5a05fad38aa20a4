// Signing in: username and password, then the 6-digit code only when the account has a second
// factor (the server says so after the right password); first-time TOTP enrolment with a QR
// and the key; recovery codes shown once, to copy or print; the password change a temporary
// password requires; and the voluntary password change from the menu.
import { useEffect, useState } from 'preact/hooks';
import { api, localError, setCsrfToken } from '../api';
import { t } from '../i18n';
import { asApiError, formValues, OutcomeNotice, Page, Submit, TextField, useAction } from '../ui';

type Next = 'enrol-second-factor' | 'change-password' | 'ready';

/** The sign-in form. `onSignedIn` is told what comes next. */
export function SignIn(props: { onSignedIn: (next: Next) => void }) {
  const action = useAction();
  const [needsCode, setNeedsCode] = useState(false);
  const [useRecovery, setUseRecovery] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = formValues(event.currentTarget as HTMLFormElement);
    const body: Record<string, string> = {
      username: form.username ?? '',
      password: (event.currentTarget as HTMLFormElement).password.value as string,
    };
    if (form.code) body.code = form.code.replace(/\s/g, '');
    if (form.recoveryCode) body.recoveryCode = form.recoveryCode;
    action.setOutcome(null);
    try {
      const result = await api<{ next: Next; csrfToken: string }>('POST', '/api/v1/auth/sign-in', {
        body,
      });
      setCsrfToken(result.csrfToken);
      props.onSignedIn(result.next);
    } catch (e) {
      const error = asApiError(e);
      if (error.code === 'SECOND_FACTOR_REQUIRED' && !needsCode) {
        setNeedsCode(true);
        action.setOutcome({ ok: true, message: t('signIn.codeNeeded') });
      } else action.setOutcome({ ok: false, error });
    }
  };
  const error = action.error;
  return (
    <Page title={t('signIn.title')}>
      <form id="sign-in-form" onSubmit={submit} class="card narrow">
        <TextField
          label={t('signIn.username')}
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          required
          error={error}
        />
        <TextField
          label={t('signIn.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={error}
        />
        {needsCode && !useRecovery ? (
          <TextField
            label={t('signIn.code')}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]{6,7}"
            required
            autoFocus
            error={error}
          />
        ) : null}
        {needsCode && useRecovery ? (
          <TextField
            label={t('signIn.recoveryCode')}
            name="recoveryCode"
            autoComplete="off"
            required
            autoFocus
            error={error}
          />
        ) : null}
        {needsCode && !useRecovery ? (
          <button type="button" class="link" onClick={() => setUseRecovery(true)}>
            {t('signIn.recovery')}
          </button>
        ) : null}
        <OutcomeNotice outcome={action.outcome} fields={['username', 'password', 'code']} />
        <Submit busy={action.busy} label={t('signIn.submit')} />
      </form>
    </Page>
  );
}

interface Enrolment {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

/** First-time TOTP enrolment, then the recovery codes. */
export function EnrolSecondFactor(props: { onDone: (next: Next) => void }) {
  const action = useAction();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [codes, setCodes] = useState<{ codes: string[]; next: Next } | null>(null);
  useEffect(() => {
    void action.run(async () =>
      setEnrolment(await api<Enrolment>('POST', '/api/v1/auth/second-factor/enrol')),
    );
  }, []);
  if (codes) return <RecoveryCodes codes={codes.codes} onDone={() => props.onDone(codes.next)} />;
  const submit = async (event: Event) => {
    event.preventDefault();
    const code = (formValues(event.currentTarget as HTMLFormElement).code ?? '').replace(/\s/g, '');
    await action.run(async () => {
      const confirmed = await api<{ recoveryCodes: string[]; next: Next; csrfToken: string }>(
        'POST',
        '/api/v1/auth/second-factor/confirm',
        { body: { code } },
      );
      setCsrfToken(confirmed.csrfToken);
      setCodes({ codes: confirmed.recoveryCodes, next: confirmed.next });
    });
  };
  return (
    <Page title={t('enrol.title')}>
      <form id="enrol-form" class="card narrow" onSubmit={submit}>
        <p>{t('enrol.intro')}</p>
        {enrolment ? (
          <>
            <figure class="totp-qr">
              <img
                src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`}
                alt={t('enrol.qr')}
                width={200}
                height={200}
              />
            </figure>
            <p>
              {t('enrol.key')}:{' '}
              <code id="enrol-secret" class="secret">
                {enrolment.secret}
              </code>
            </p>
          </>
        ) : (
          <p>{t('app.loading')}</p>
        )}
        <TextField
          label={t('enrol.code')}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9 ]{6,7}"
          required
          error={action.error}
        />
        <OutcomeNotice outcome={action.outcome} fields={['code']} />
        <Submit busy={action.busy} label={t('enrol.submit')} />
      </form>
    </Page>
  );
}

/** Recovery codes, shown once: copy, print, then go on. */
export function RecoveryCodes(props: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <Page title={t('recovery.title')}>
      <div class="card narrow" id="recovery">
        <p>{t('recovery.intro')}</p>
        <ol class="recovery-codes" id="recovery-codes">
          {props.codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
        <div class="buttons no-print">
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard
                ?.writeText(props.codes.join('\n'))
                .then(() => setCopied(true))
                .catch(() => setCopied(false))
            }
          >
            {t('recovery.copy')}
          </button>
          <button type="button" onClick={() => print()}>
            {t('recovery.print')}
          </button>
          <button type="button" class="primary" id="recovery-done" onClick={props.onDone}>
            {t('recovery.saved')}
          </button>
        </div>
        <div role="status" aria-live="polite">
          {copied ? t('common.copied') : ''}
        </div>
      </div>
    </Page>
  );
}

/** The password change: required after a temporary password, or chosen from the menu. */
export function ChangePassword(props: { required: boolean; onDone: () => void }) {
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const currentPassword = (form.elements.namedItem('currentPassword') as HTMLInputElement).value;
    const newPassword = (form.elements.namedItem('newPassword') as HTMLInputElement).value;
    const repeat = (form.elements.namedItem('repeatPassword') as HTMLInputElement).value;
    if (newPassword !== repeat) {
      action.setOutcome({ ok: false, error: localError('repeatPassword', t('password.mismatch')) });
      return;
    }
    const done = await action.run(
      () =>
        api('POST', '/api/v1/auth/password', { body: { currentPassword, newPassword } }).then(
          () => true,
        ),
      t('password.changed'),
    );
    if (done) props.onDone();
  };
  return (
    <Page title={t('password.title')}>
      <form id="password-form" class="card narrow" onSubmit={submit}>
        {props.required ? <p>{t('password.intro')}</p> : null}
        <input type="text" name="username" autoComplete="username" hidden />
        <TextField
          label={t('password.current')}
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          error={action.error}
        />
        <TextField
          label={t('password.new')}
          name="newPassword"
          type="password"
          autoComplete="new-password"
          minLength={12}
          required
          error={action.error}
        />
        <TextField
          label={t('password.repeat')}
          name="repeatPassword"
          type="password"
          autoComplete="new-password"
          minLength={12}
          required
          error={action.error}
        />
        <OutcomeNotice
          outcome={action.outcome}
          fields={['currentPassword', 'newPassword', 'repeatPassword']}
        />
        <Submit busy={action.busy} label={t('password.submit')} />
      </form>
    </Page>
  );
}
