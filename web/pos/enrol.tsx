// Enrolling this device at its point: an operator of the point signs in here with the
// console's own sign-in (second factor and password change included), then types the one-time
// code the administrator gave. The app makes an Ed25519 key pair with WebCrypto (the private
// half not extractable), sends the public half with the code, and keeps the device's id,
// token, the pack key and the key pair in IndexedDB. The operator's session is then closed:
// from here on the device acts with its own token.
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken } from '../console/api';
import { configureFormats } from '../console/format';
import { t } from '../console/i18n';
import { ChangePassword, EnrolSecondFactor, SignIn } from '../console/screens/auth';
import { OutcomeNotice, Page, Submit, TextField, formValues, useAction } from '../console/ui';
import { newDeviceKeyPair } from './chain';
import { deviceApi } from './device-api';
import { saveDevice, type StoredDevice } from './store';

type Stage = 'loading' | 'signed-out' | 'enrol-second-factor' | 'change-password' | 'ready';

interface SessionAnswer {
  next: 'enrol-second-factor' | 'change-password' | 'ready';
  csrfToken: string;
  timeZone: string;
  displayName: string;
}

interface EnrolAnswer {
  device: { id: string; pointId: string; name: string; chainCounter: number };
  token: string;
  packKey: string;
}

interface DeviceAnswer {
  point: { id: string; code: string; name: string };
  packKey: string;
}

/** The enrolment screen; `onEnrolled` gets the kept device. */
export function Enrol(props: { onEnrolled: (device: StoredDevice) => void }) {
  const [stage, setStage] = useState<Stage>('loading');
  const [session, setSession] = useState<SessionAnswer | null>(null);
  const action = useAction();

  const loadSession = async () => {
    try {
      const s = await api<SessionAnswer>('GET', '/api/v1/auth/session');
      setCsrfToken(s.csrfToken);
      configureFormats(s.timeZone, {});
      setSession(s);
      setStage(s.next);
    } catch {
      setStage('signed-out');
    }
  };
  useEffect(() => {
    void loadSession();
  }, []);

  const enrol = async (event: Event) => {
    event.preventDefault();
    const code = formValues(event.currentTarget as HTMLFormElement).code ?? '';
    await action.run(async () => {
      const { keyPair, publicKey } = await newDeviceKeyPair();
      const made = await api<EnrolAnswer>('POST', '/api/v1/devices/enrol', {
        body: { code, publicKey },
      });
      const about = await deviceApi<DeviceAnswer>(made.token, 'GET', '/api/v1/device');
      const device: StoredDevice = {
        deviceId: made.device.id,
        token: made.token,
        packKey: made.packKey,
        keyPair,
        pointId: about.point.id,
        pointName: about.point.name,
        pointCode: about.point.code,
        timeZone: session?.timeZone ?? 'America/Caracas',
        enrolledAt: new Date().toISOString(),
      };
      await saveDevice(device, made.device.chainCounter);
      // The device acts with its own token from now on: the operator's session is closed.
      await api('POST', '/api/v1/auth/sign-out').catch(() => undefined);
      sessionStorage.removeItem('tessera.csrf');
      props.onEnrolled(device);
    });
  };

  return (
    <div id="enrol">
      <p class="notice warn">{t('pos.enrol.intro')}</p>
      {stage === 'loading' ? <p>{t('app.loading')}</p> : null}
      {stage === 'signed-out' ? (
        <SignIn
          onSignedIn={(next) => {
            if (next === 'ready') void loadSession();
            else setStage(next);
          }}
        />
      ) : null}
      {stage === 'enrol-second-factor' ? (
        <EnrolSecondFactor
          onDone={(next) => (next === 'ready' ? void loadSession() : setStage(next))}
        />
      ) : null}
      {stage === 'change-password' ? (
        <ChangePassword required onDone={() => void loadSession()} />
      ) : null}
      {stage === 'ready' ? (
        <Page title={t('pos.enrol.title')}>
          <p>{t('pos.enrol.signedIn', { name: session?.displayName ?? '' })}</p>
          <form id="enrol-device-form" class="card narrow" onSubmit={enrol}>
            <TextField
              label={t('pos.enrol.code')}
              name="code"
              hint={t('pos.enrol.code.hint')}
              autoComplete="off"
              autoCapitalize="characters"
              required
              error={action.error}
            />
            <Submit busy={action.busy} label={t('pos.enrol.submit')} />
          </form>
          <OutcomeNotice outcome={action.outcome} fields={['code']} />
        </Page>
      ) : null}
    </div>
  );
}
