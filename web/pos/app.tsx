// The point-of-service app's shell: the language switch (the console's choice, remembered on
// this device), whether the network is there, and the screens — enrolment until this device
// has its key and token, then home and the counter. It keeps the sync status in view and
// runs the two things that need the network: downloading a pack (its signature checked with
// the pack key before it is kept) and sync.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../console/api';
import { configureFormats, dateTime } from '../console/format';
import { t, useLanguage } from '../console/i18n';
import { useAction } from '../console/ui';
import { chooseLanguage, currentLanguage } from '../i18n/language';
import type { Language } from '../i18n/verify';
import { Counter } from './counter';
import { deviceApi } from './device-api';
import { Enrol } from './enrol';
import { Home, type Status } from './home';
import { asPack, verifyPack } from './pack';
import {
  loadDevice,
  loadLastSync,
  loadOutbox,
  loadPack,
  loadPending,
  loadSynced,
  savePack,
  type StoredDevice,
} from './store';
import { syncNow } from './sync';

type View = { kind: 'home' } | { kind: 'counter'; start: 'scan' | 'no-card'; n: number };

/** navigator.onLine, kept current. */
function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    addEventListener('online', on);
    addEventListener('offline', off);
    return () => {
      removeEventListener('online', on);
      removeEventListener('offline', off);
    };
  }, []);
  return online;
}

async function readStatus(): Promise<Status> {
  const [pack, outbox, pending, lastSync, synced] = await Promise.all([
    loadPack(),
    loadOutbox(),
    loadPending(),
    loadLastSync(),
    loadSynced(),
  ]);
  return { pack, queued: outbox.length, pending: pending.length, lastSync, synced };
}

/** The app. `offlineReady` says the service worker keeps it for use with no network. */
export function PosApp(props: { offlineReady: Promise<boolean> }) {
  const [language, setLanguage] = useState<Language>(() => currentLanguage());
  useLanguage(language);
  const online = useOnline();
  const [device, setDevice] = useState<StoredDevice | null | undefined>(undefined);
  const [status, setStatus] = useState<Status | null>(null);
  const [view, setView] = useState<View>({ kind: 'home' });
  const [offlineReady, setOfflineReady] = useState(false);
  const action = useAction();

  const refresh = useCallback(() => {
    void readStatus().then(setStatus);
  }, []);

  useEffect(() => {
    void loadDevice().then((d) => {
      if (d) configureFormats(d.timeZone, {});
      setDevice(d);
    });
    refresh();
    void props.offlineReady.then(setOfflineReady);
  }, []);

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = `${t('app.name')} — ${t('pos.title')}`;
  }, [language]);

  const switchLanguage = (next: Language) => {
    chooseLanguage(next);
    useLanguage(next);
    setLanguage(next);
  };

  const download = async (d: StoredDevice) => {
    await action
      .run(async () => {
        const { pack, signature } = await deviceApi<{ pack: unknown; signature: string }>(
          d.token,
          'GET',
          '/api/v1/device/pack',
        );
        if (!(await verifyPack(d.packKey, pack, signature)))
          throw new ApiError(
            'VALIDATION_FAILED',
            'bad pack signature',
            0,
            'pack',
            undefined,
            t('pos.pack.badSignature'),
          );
        const checked = asPack(pack);
        if (checked.deviceId !== d.deviceId)
          throw new ApiError(
            'VALIDATION_FAILED',
            'pack of another device',
            0,
            'pack',
            undefined,
            t('pos.pack.otherDevice'),
          );
        await savePack({ pack: checked, signature, downloadedAt: new Date().toISOString() });
        refresh();
        return checked;
      })
      .then((p) => {
        if (p)
          action.setOutcome({
            ok: true,
            message: t('pos.pack.downloaded', {
              leases: p.leases.length,
              when: dateTime(p.expiresAt),
            }),
          });
      });
  };

  const sync = async (d: StoredDevice) => {
    const outcome = await action.run(() => syncNow(d));
    refresh();
    if (!outcome) return;
    if (outcome.last.refused) {
      action.setOutcome({
        ok: false,
        error: new ApiError(
          'CHAIN_BROKEN',
          outcome.last.refused.message,
          422,
          undefined,
          undefined,
          t('pos.sync.refusedShort'),
        ),
      });
      return;
    }
    const done = t('pos.sync.done', {
      redeemed: outcome.last.redeemed,
      conflicts: outcome.last.conflicts,
    });
    action.setOutcome({
      ok: true,
      message:
        outcome.retried > 0
          ? `${done} ${t('pos.sync.retried', { retried: outcome.retried })}`
          : done,
    });
  };

  return (
    <>
      <header class="top">
        <span class="brand">
          {t('app.name')}
          <small class="brand-sub">{t('pos.title')}</small>
        </span>
        <div class="top-tools">
          <span id="network" class={online ? 'net online' : 'net offline'} data-online={online}>
            {t(online ? 'pos.net.online' : 'pos.net.offline')}
          </span>
          <label class="language">
            <span class="visually-hidden">{t('app.language')}</span>
            <select
              id="language"
              value={language}
              onChange={(e) => switchLanguage((e.target as HTMLSelectElement).value as Language)}
            >
              <option value="es" lang="es">
                {t('app.language.es')}
              </option>
              <option value="en" lang="en">
                {t('app.language.en')}
              </option>
            </select>
          </label>
        </div>
      </header>
      <main id="main" tabIndex={-1} class="pos">
        {device === undefined ? <p>{t('app.loading')}</p> : null}
        {device === null ? (
          <Enrol
            onEnrolled={(d) => {
              configureFormats(d.timeZone, {});
              setDevice(d);
              refresh();
            }}
          />
        ) : null}
        {device && view.kind === 'home' && status ? (
          <Home
            device={device}
            status={status}
            online={online}
            busy={action.busy}
            outcome={action.outcome}
            offlineReady={offlineReady}
            onScan={() => {
              action.setOutcome(null);
              setView({ kind: 'counter', start: 'scan', n: Date.now() });
            }}
            onNoCard={() => {
              action.setOutcome(null);
              setView({ kind: 'counter', start: 'no-card', n: Date.now() });
            }}
            onDownload={() => void download(device)}
            onSync={() => void sync(device)}
          />
        ) : null}
        {device && view.kind === 'counter' ? (
          <Counter
            key={view.n}
            device={device}
            pack={status?.pack ?? null}
            online={online}
            start={view.start}
            onHome={() => {
              refresh();
              setView({ kind: 'home' });
            }}
            onChanged={refresh}
          />
        ) : null}
      </main>
    </>
  );
}
