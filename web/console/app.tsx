// The console's shell: signs in (with the second factor and the password change the server
// asks for), then shows the menu of screens the session's roles open, the language switch,
// who is signed in and a sign-out button on every page. When the server says the session has
// ended, the shell says so and returns to sign-in.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, onSessionExpired, setCsrfToken } from './api';
import { chooseLanguage, currentLanguage } from '../i18n/language';
import type { Language } from '../i18n/verify';
import { t, useLanguage } from './i18n';
import { configureFormats, deploymentTimeZone, timeOfDay, words } from './format';
import { href, navigate, useLocation } from './router';
import { screens, type Screen } from './screens';
import { ChangePassword, EnrolSecondFactor, SignIn } from './screens/auth';
import { SessionContext, type Session } from './ui';

type Stage =
  | { kind: 'loading' }
  | { kind: 'signed-out'; notice?: string }
  | { kind: 'enrol' }
  | { kind: 'change-password' }
  | { kind: 'ready'; session: Session };

function visibleScreens(session: Session): Screen[] {
  const held = new Set(session.permissions.map((p) => p.permission));
  return screens.filter((s) => s.permissions.some((p) => held.has(p)));
}

export function App() {
  const [language, setLanguage] = useState<Language>(() => currentLanguage());
  useLanguage(language);
  // A tab that never signed in shows the sign-in form at once, without waiting a round trip
  // for the session check (on a slow network that is seconds); a session found meanwhile
  // (signed in from another tab) replaces it.
  const [stage, setStage] = useState<Stage>(() =>
    sessionStorage.getItem('tessera.csrf') ? { kind: 'loading' } : { kind: 'signed-out' },
  );

  const loadSession = useCallback(async () => {
    try {
      const session = await api<Session>('GET', '/api/v1/auth/session');
      setCsrfToken(session.csrfToken);
      configureFormats(session.timeZone, session.regions);
      if (session.next === 'enrol-second-factor') setStage({ kind: 'enrol' });
      else if (session.next === 'change-password') setStage({ kind: 'change-password' });
      else setStage({ kind: 'ready', session });
    } catch {
      setStage((was) => (was.kind === 'signed-out' ? was : { kind: 'signed-out' }));
    }
  }, []);

  useEffect(() => {
    void loadSession();
    return onSessionExpired(() => setStage({ kind: 'signed-out', notice: t('app.expired') }));
  }, []);

  const switchLanguage = (next: Language) => {
    chooseLanguage(next);
    useLanguage(next);
    setLanguage(next);
  };
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = `${t('app.name')} — ${t('app.console')}`;
  }, [language]);

  const signOut = async () => {
    await api('POST', '/api/v1/auth/sign-out').catch(() => undefined);
    sessionStorage.removeItem('tessera.csrf');
    navigate('/');
    setStage({ kind: 'signed-out' });
  };

  const session = stage.kind === 'ready' ? stage.session : null;
  return (
    <SessionContext.Provider value={session}>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('app.skip')}
      </a>
      <header class="top">
        <a class="brand" href={href('/')}>
          {t('app.name')}
        </a>
        <div class="top-tools">
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
          {stage.kind !== 'signed-out' && stage.kind !== 'loading' ? (
            <button type="button" id="sign-out" class="sign-out" onClick={() => void signOut()}>
              {t('app.signOut')}
            </button>
          ) : null}
        </div>
      </header>
      {session ? <Menu session={session} /> : null}
      <main id="main" tabIndex={-1}>
        {stage.kind === 'loading' ? <p>{t('app.loading')}</p> : null}
        {stage.kind === 'signed-out' ? (
          <>
            {stage.notice ? (
              <p class="notice warn" role="alert" id="session-ended">
                {stage.notice}
              </p>
            ) : null}
            <SignIn
              onSignedIn={(next) => {
                if (next === 'enrol-second-factor') setStage({ kind: 'enrol' });
                else if (next === 'change-password') setStage({ kind: 'change-password' });
                else void loadSession();
              }}
            />
          </>
        ) : null}
        {stage.kind === 'enrol' ? (
          <EnrolSecondFactor
            onDone={(next) =>
              next === 'change-password'
                ? setStage({ kind: 'change-password' })
                : void loadSession()
            }
          />
        ) : null}
        {stage.kind === 'change-password' ? (
          <ChangePassword required onDone={() => void loadSession()} />
        ) : null}
        {session ? <Current session={session} onPasswordChanged={() => navigate('/')} /> : null}
      </main>
      {session ? (
        <footer class="foot">
          <span>
            {t('app.signedInAs', { name: `${session.displayName} (${session.username})` })}
          </span>
          <span>{t('app.timeZone', { zone: deploymentTimeZone() })}</span>
          <ExpiryNotice session={session} />
        </footer>
      ) : null}
    </SessionContext.Provider>
  );
}

/** The menu: the screens this session may open. */
function Menu(props: { session: Session }) {
  const where = useLocation();
  const open = visibleScreens(props.session).filter((s) => s.inMenu !== false);
  const [expanded, setExpanded] = useState(false);
  useEffect(() => setExpanded(false), [where.segments[0]]);
  return (
    <nav class="menu" aria-label={t('app.menu')}>
      <button
        type="button"
        class="menu-toggle"
        aria-expanded={expanded}
        aria-controls="menu-list"
        onClick={() => setExpanded(!expanded)}
      >
        {t('app.menu')}
      </button>
      <ul id="menu-list" class={expanded ? 'open' : ''}>
        <li>
          <a href={href('/')} aria-current={where.segments.length === 0 ? 'page' : undefined}>
            {t('app.home')}
          </a>
        </li>
        {open.map((s) => (
          <li key={s.path}>
            <a
              href={href(`/${s.path}`)}
              aria-current={where.segments[0] === s.path ? 'page' : undefined}
            >
              {t(s.title)}
            </a>
          </li>
        ))}
        <li>
          <a
            href={href('/password')}
            aria-current={where.segments[0] === 'password' ? 'page' : undefined}
          >
            {t('password.menu')}
          </a>
        </li>
      </ul>
    </nav>
  );
}

/** The screen the address names, if the session may open it. */
function Current(props: { session: Session; onPasswordChanged: () => void }) {
  const where = useLocation();
  const first = where.segments[0];
  useEffect(() => {
    document.getElementById('page-title')?.focus();
  }, [where.segments.join('/')]);
  if (!first) return <Home session={props.session} />;
  if (first === 'password')
    return <ChangePassword required={false} onDone={props.onPasswordChanged} />;
  const screen = visibleScreens(props.session).find((s) => s.path === first);
  if (!screen)
    return (
      <section class="page">
        <h1 id="page-title" tabIndex={-1}>
          {t('app.notFound')}
        </h1>
      </section>
    );
  const Component = screen.component;
  return <Component session={props.session} where={where} />;
}

/** The start page: who you are and what you can do here. */
function Home(props: { session: Session }) {
  const open = visibleScreens(props.session).filter((s) => s.inMenu !== false);
  return (
    <section class="page">
      <h1 id="page-title" tabIndex={-1}>
        {t('app.home')}
      </h1>
      <p>{props.session.roles.map((r) => words('role', r.role)).join(' · ')}</p>
      <p>{open.length > 0 ? t('app.home.intro') : t('app.home.none')}</p>
      <ul class="tiles">
        {open.map((s) => (
          <li key={s.path}>
            <a href={href(`/${s.path}`)}>{t(s.title)}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Says when an idle session will end, a few minutes before it does. */
function ExpiryNotice(props: { session: Session }) {
  const [lastUse, setLastUse] = useState(() => Date.now());
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const used = () => setLastUse(Date.now());
    addEventListener('hashchange', used);
    addEventListener('submit', used, true);
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => {
      removeEventListener('hashchange', used);
      removeEventListener('submit', used, true);
      clearInterval(timer);
    };
  }, []);
  const idleEnd = lastUse + props.session.idleMinutes * 60_000;
  const end = Math.min(idleEnd, new Date(props.session.expiresAt).getTime());
  if (end - now > 5 * 60_000) return null;
  return (
    <span role="status" class="notice warn">
      {t('app.expiresSoon', { time: timeOfDay(new Date(end).toISOString()) })}
    </span>
  );
}
