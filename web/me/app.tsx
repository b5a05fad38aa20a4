// The cardholder portal (/me): sign in with registry number, date of birth and an SMS code,
// then the person's benefits (what, where, which days), record, card, wallet, who read their
// data and why, complaints, the people who may collect for them, and their preferences. Phone
// first and light: one small bundle, no console code, each section loaded when opened.
//
// Stable selectors: form#me-sign-in, form#me-code, nav#me-nav button[data-section],
// section#me-<section>, #entitlements li[data-entitlement], #access-report li[data-operation],
// form#grievance-form, #grievances li[data-reference], form#nominee-form, #nominees li.
import { useEffect, useState } from 'preact/hooks';
import { errorCatalog } from '../i18n/errors';
import { chooseLanguage, currentLanguage } from '../i18n/language';
import { call, MeError, onExpired, setCsrf } from './api';
import { meCatalogs, meLanguage, t, useMeLanguage, type MeKey } from './i18n';

interface Record_ {
  registryNumber: string;
  givenNames: string;
  surnames: string;
  birthDate: string;
  sex: string | null;
  region: { code: string; name: string };
  locality: string | null;
  addressLine: string | null;
  phone: string | null;
  household: { members: number } | null;
  healthDataHeld: boolean;
  attributes: { name: string; description: string; value: string }[];
}
interface Me {
  record: Record_;
  preferences: { language: 'es' | 'en'; optOutNonEssential: boolean };
  csrfToken: string;
}
interface Entitlement {
  id: string;
  programmeName: { es: string; en: string };
  cycleLabel: string;
  quantity: number;
  remaining: number;
  opensOn: string;
  closesOn: string;
  state: string;
  points: { name: string; locality: string | null }[];
}

const sections = [
  'entitlements',
  'record',
  'card',
  'wallet',
  'access',
  'grievances',
  'nominee',
  'preferences',
] as const;
type Section = (typeof sections)[number];
const categories = [
  'not_served',
  'wrong_quantity',
  'wrong_data',
  'data_misuse',
  'excluded',
  'other',
] as const;

function Refusal(props: { error: MeError | null }) {
  if (!props.error) return <div role="status" aria-live="polite" />;
  const words = props.error.code === 'NETWORK' ? '' : errorCatalog[meLanguage()][props.error.code];
  return (
    <p role="alert" class="me-error" data-code={props.error.code}>
      {words || props.error.message}
      {props.error.field ? ` (${props.error.field})` : ''}
    </p>
  );
}

function useRun() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MeError | null>(null);
  const run = async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (e) {
      setError(e instanceof MeError ? e : new MeError('INTERNAL', String(e)));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function values(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)]));
}

function SignIn(props: { onIn: () => void }) {
  const { busy, error, run } = useRun();
  const [challenge, setChallenge] = useState<string | null>(null);
  const ask = async (e: Event) => {
    e.preventDefault();
    const v = values(e.currentTarget as HTMLFormElement);
    const r = await run(() => call<{ challengeId: string }>('POST', '/api/v1/me/sign-in/code', v));
    if (r) setChallenge(r.challengeId);
  };
  const enter = async (e: Event) => {
    e.preventDefault();
    const v = values(e.currentTarget as HTMLFormElement);
    const r = await run(() =>
      call<{ csrfToken: string }>('POST', '/api/v1/me/sign-in', {
        challengeId: challenge,
        code: v.code,
      }),
    );
    if (r) {
      setCsrf(r.csrfToken);
      props.onIn();
    }
  };
  return (
    <main class="me-card">
      <h1>{t('me.signIn.title')}</h1>
      {!challenge ? (
        <form id="me-sign-in" onSubmit={ask}>
          <p>{t('me.signIn.intro')}</p>
          <label>
            {t('me.signIn.registryNumber')}
            <input
              name="registryNumber"
              inputMode="numeric"
              autoComplete="off"
              required
              placeholder="0000-0000-0000"
            />
          </label>
          <label>
            {t('me.signIn.birthDate')}
            <input name="birthDate" type="date" required />
          </label>
          <button type="submit" disabled={busy}>
            {t('me.signIn.send')}
          </button>
          <p class="me-hint">{t('me.signIn.noPhone')}</p>
        </form>
      ) : (
        <form id="me-code" onSubmit={enter}>
          <p>{t('me.signIn.sent')}</p>
          <label>
            {t('me.signIn.code')}
            <input
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\d{6}"
              maxLength={6}
              required
            />
          </label>
          <button type="submit" disabled={busy}>
            {t('me.signIn.enter')}
          </button>
          <button type="button" class="me-link" onClick={() => setChallenge(null)}>
            {t('me.signIn.again')}
          </button>
        </form>
      )}
      <Refusal error={error} />
    </main>
  );
}

function Entitlements(props: { onComplain: (about: About) => void }) {
  const [items, setItems] = useState<Entitlement[] | null>(null);
  const { error, run } = useRun();
  useEffect(
    () =>
      void run(() => call<{ items: Entitlement[] }>('GET', '/api/v1/me/entitlements')).then(
        (r) => r && setItems(r.items),
      ),
    [],
  );
  const lang = meLanguage();
  if (!items) return <Loading error={error} />;
  if (items.length === 0) return <p>{t('me.entitlements.none')}</p>;
  return (
    <ul id="entitlements" class="me-list">
      {items.map((e) => (
        <li key={e.id} data-entitlement={e.id} data-state={e.state}>
          <strong>{e.programmeName[lang]}</strong>{' '}
          <span class="me-tag">{t(`me.state.${e.state}` as MeKey)}</span>
          <div>{t('me.entitlements.left', { left: e.remaining, total: e.quantity })}</div>
          <div>{t('me.entitlements.days', { from: e.opensOn, to: e.closesOn })}</div>
          <div>
            {t('me.entitlements.where')}:{' '}
            {e.points.length > 0
              ? e.points.map((p) => p.name + (p.locality ? ` (${p.locality})` : '')).join(', ')
              : t('me.entitlements.nowhere')}
          </div>
          <button
            type="button"
            class="me-link complain"
            onClick={() =>
              props.onComplain({ id: e.id, name: `${e.programmeName[lang]} ${e.cycleLabel}` })
            }
          >
            {t('me.entitlements.complain')}
          </button>
        </li>
      ))}
    </ul>
  );
}

function Loading(props: { error: MeError | null }) {
  return props.error ? <Refusal error={props.error} /> : <p>{t('me.loading')}</p>;
}

function RecordView(props: { record: Record_ }) {
  const r = props.record;
  const none = t('me.record.none');
  const rows: [MeKey, string][] = [
    ['me.signIn.registryNumber', r.registryNumber],
    ['me.record.names', r.givenNames],
    ['me.record.surnames', r.surnames || none],
    ['me.record.birthDate', r.birthDate],
    ['me.record.sex', r.sex ?? none],
    ['me.record.region', r.region.name],
    ['me.record.address', [r.addressLine, r.locality].filter(Boolean).join(', ') || none],
    ['me.record.phone', r.phone ?? none],
    [
      'me.record.household',
      r.household ? t('me.record.householdMembers', { count: r.household.members }) : none,
    ],
    ['me.record.health', r.healthDataHeld ? t('me.record.healthHeld') : t('me.record.healthNone')],
  ];
  return (
    <>
      <p>{t('me.record.intro')}</p>
      <dl id="record" class="me-facts">
        {rows.map(([k, v]) => (
          <>
            <dt>{t(k)}</dt>
            <dd>{v}</dd>
          </>
        ))}
        {r.attributes.map((a) => (
          <>
            <dt>{a.description}</dt>
            <dd>{a.value}</dd>
          </>
        ))}
      </dl>
    </>
  );
}

function Card() {
  const [cards, setCards] = useState<{ serial: number; status: string }[] | null>(null);
  const { error, run } = useRun();
  useEffect(
    () =>
      void run(() =>
        call<{ items: { serial: number; status: string }[] }>('GET', '/api/v1/me/cards'),
      ).then((r) => r && setCards(r.items)),
    [],
  );
  if (!cards) return <Loading error={error} />;
  const active = cards.find((c) => c.status === 'active');
  if (!active) return <p id="card">{t('me.card.none')}</p>;
  return (
    <div id="card">
      <p>{t('me.card.intro')}</p>
      <img
        class="me-qr"
        alt={t('me.card.picture')}
        src={`/api/v1/me/cards/${active.serial}?format=svg`}
      />
      <a class="me-button" href={`/api/v1/me/cards/${active.serial}?format=pdf`} download>
        {t('me.card.download')}
      </a>
    </div>
  );
}

function Wallet() {
  interface W {
    open: boolean;
    available: string;
    reserved: string;
    currency: string;
    lines: {
      id: string;
      amount: string;
      direction: string;
      createdAt?: string;
      timestamp?: string;
    }[];
  }
  const [w, setW] = useState<W | null>(null);
  const { error, run } = useRun();
  useEffect(
    () => void run(() => call<W>('GET', '/api/v1/me/wallet')).then((r) => r && setW(r)),
    [],
  );
  if (!w) return <Loading error={error} />;
  if (!w.open) return <p id="wallet">{t('me.wallet.closed')}</p>;
  return (
    <div id="wallet">
      <p class="me-big">
        {t('me.wallet.available')}: {w.available} {w.currency}
      </p>
      <p>
        {t('me.wallet.reserved')}: {w.reserved} {w.currency}
      </p>
      <ul class="me-list">
        {w.lines.map((l) => (
          <li key={l.id}>
            {l.direction === 'in' ? t('me.wallet.in') : t('me.wallet.out')}: {l.amount} {w.currency}
          </li>
        ))}
      </ul>
    </div>
  );
}

interface Access {
  at: string;
  operation: string;
  description: string;
  descriptionEs: string;
  purpose: { code: string; description: string | null } | null;
  role: string | null;
  staff: string;
}

function purposeWords(code: string): string {
  const key = `me.purpose.${code}` as MeKey;
  return key in meCatalogs.es ? t(key) : code;
}

function AccessReport() {
  const [items, setItems] = useState<Access[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const { error, run } = useRun();
  const load = async (after?: string) => {
    const r = await run(() =>
      call<{ items: Access[]; next: string | null }>(
        'GET',
        `/api/v1/me/access-report${after ? `?after=${encodeURIComponent(after)}` : ''}`,
      ),
    );
    if (r) {
      setItems((old) => (after && old ? [...old, ...r.items] : r.items));
      setNext(r.next);
    }
  };
  useEffect(() => void load(), []);
  if (!items) return <Loading error={error} />;
  const es = meLanguage() === 'es';
  const who = (s: string) =>
    s === 'you' ? t('me.access.you') : s === 'system' ? t('me.access.system') : s;
  return (
    <>
      <p>{t('me.access.intro')}</p>
      <ul id="access-report" class="me-list">
        {items.map((a, i) => (
          <li key={i} data-operation={a.operation} data-staff={a.staff}>
            <div>
              <strong>{who(a.staff)}</strong> · <small>{a.at.slice(0, 16).replace('T', ' ')}</small>
            </div>
            <div>{es ? a.descriptionEs : a.description}</div>
            {a.purpose ? (
              <div class="me-hint">
                {t('me.access.purpose', { purpose: purposeWords(a.purpose.code) })}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {next ? (
        <button type="button" onClick={() => void load(next)}>
          {t('me.access.more')}
        </button>
      ) : null}
      <Refusal error={error} />
    </>
  );
}

interface Grievance {
  id: string;
  reference: string;
  category: string;
  status: string;
  dueAt: string;
  outcome: string | null;
  resolutionReason: string | null;
}

interface About {
  id: string;
  name: string;
}

function Grievances(props: { about: About | null }) {
  const [items, setItems] = useState<Grievance[] | null>(null);
  const [said, setSaid] = useState('');
  const [category, setCategory] = useState(props.about ? 'wrong_quantity' : 'other');
  const { busy, error, run } = useRun();
  const load = () =>
    run(() => call<{ items: Grievance[] }>('GET', '/api/v1/me/grievances')).then(
      (r) => r && setItems(r.items),
    );
  useEffect(() => void load(), []);
  const file = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const v = values(form);
    const made = await run(() =>
      call<Grievance>('POST', '/api/v1/me/grievances', {
        category: v.category,
        description: v.description,
        ...(props.about ? { link: { kind: 'entitlement', id: props.about.id } } : {}),
      }),
    );
    if (made) {
      form.reset();
      setSaid(t('me.grievances.filed', { reference: made.reference }));
      await load();
    }
  };
  const appeal = async (e: Event, id: string) => {
    e.preventDefault();
    const v = values(e.currentTarget as HTMLFormElement);
    if (
      await run(() =>
        call('POST', `/api/v1/me/grievances/${encodeURIComponent(id)}/appeal`, {
          reason: v.reason,
        }),
      )
    ) {
      setSaid(t('me.grievances.appealed'));
      await load();
    }
  };
  return (
    <>
      <p>{t('me.grievances.intro')}</p>
      <form id="grievance-form" onSubmit={file}>
        <h2>{t('me.grievances.new')}</h2>
        <label>
          {t('me.grievances.category')}
          <select
            name="category"
            value={category}
            onChange={(e) => setCategory((e.target as HTMLSelectElement).value)}
          >
            {categories.map((c) => (
              <option key={c} value={c}>
                {t(`me.category.${c}` as MeKey)}
              </option>
            ))}
          </select>
        </label>
        {props.about ? (
          <p class="me-hint">
            {t('me.grievances.about')}: {props.about.name}
          </p>
        ) : null}
        <label>
          {t('me.grievances.description')}
          <textarea name="description" required minLength={5} maxLength={1000} rows={4} />
        </label>
        <button type="submit" disabled={busy}>
          {t('me.grievances.file')}
        </button>
      </form>
      {said ? (
        <p role="status" id="grievance-said" class="me-ok">
          {said}
        </p>
      ) : null}
      <Refusal error={error} />
      {items && items.length === 0 ? <p>{t('me.grievances.none')}</p> : null}
      <ul id="grievances" class="me-list">
        {(items ?? []).map((g) => (
          <li key={g.id} data-reference={g.reference} data-status={g.status}>
            <strong>{g.reference}</strong>{' '}
            <span class="me-tag">{t(`me.status.${g.status}` as MeKey)}</span>
            <div>{t(`me.category.${g.category}` as MeKey)}</div>
            <div class="me-hint">{t('me.grievances.due', { due: g.dueAt.slice(0, 10) })}</div>
            {g.outcome ? (
              <div>
                {t('me.grievances.resolution', {
                  outcome: t(`me.outcome.${g.outcome}` as MeKey),
                  reason: g.resolutionReason ?? '',
                })}
              </div>
            ) : null}
            {g.status === 'resolved' ? (
              <form class="appeal" onSubmit={(e) => void appeal(e, g.id)}>
                <label>
                  {t('me.grievances.appealReason')}
                  <input name="reason" required minLength={3} />
                </label>
                <button type="submit" disabled={busy}>
                  {t('me.grievances.appeal')}
                </button>
              </form>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

function Nominees() {
  interface N {
    id: string;
    live: boolean;
    nominee: { displayName: string; registryNumber: string };
  }
  const [items, setItems] = useState<N[] | null>(null);
  const [said, setSaid] = useState('');
  const { busy, error, run } = useRun();
  const load = () =>
    run(() => call<{ items: N[] }>('GET', '/api/v1/me/nominees')).then(
      (r) => r && setItems(r.items),
    );
  useEffect(() => void load(), []);
  const add = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const made = await run(() => call<{ nominee: N }>('POST', '/api/v1/me/nominees', values(form)));
    if (made) {
      form.reset();
      setSaid(t('me.nominee.added', { name: made.nominee.nominee.displayName }));
      await load();
    }
  };
  const remove = async (id: string) => {
    if (await run(() => call('POST', `/api/v1/me/nominees/${encodeURIComponent(id)}/revoke`, {})))
      await load();
  };
  const live = (items ?? []).filter((n) => n.live);
  return (
    <>
      <p>{t('me.nominee.intro')}</p>
      {items && live.length === 0 ? <p>{t('me.nominee.none')}</p> : null}
      <ul id="nominees" class="me-list">
        {live.map((n) => (
          <li key={n.id} data-nominee={n.nominee.registryNumber}>
            <strong>{n.nominee.displayName}</strong> <small>{n.nominee.registryNumber}</small>{' '}
            <button type="button" class="me-link" onClick={() => void remove(n.id)}>
              {t('me.nominee.remove')}
            </button>
          </li>
        ))}
      </ul>
      <form id="nominee-form" onSubmit={add}>
        <label>
          {t('me.nominee.registryNumber')}
          <input name="registryNumber" inputMode="numeric" required />
        </label>
        <label>
          {t('me.nominee.birthDate')}
          <input name="birthDate" type="date" required />
        </label>
        <button type="submit" disabled={busy}>
          {t('me.nominee.add')}
        </button>
      </form>
      {said ? (
        <p role="status" id="nominee-said" class="me-ok">
          {said}
        </p>
      ) : null}
      <Refusal error={error} />
    </>
  );
}

function Preferences(props: { me: Me }) {
  const { busy, error, run } = useRun();
  const [said, setSaid] = useState('');
  const save = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const v = values(form);
    if (
      await run(() =>
        call('PUT', '/api/v1/me/preferences', {
          language: v.language,
          optOutNonEssential: v.optOut === 'on',
        }),
      )
    )
      setSaid(t('me.preferences.saved'));
  };
  return (
    <form id="preferences-form" onSubmit={save}>
      <label>
        {t('me.preferences.language')}
        <select name="language" value={props.me.preferences.language}>
          <option value="es">Español</option>
          <option value="en">English</option>
        </select>
      </label>
      <label class="me-check">
        <input
          type="checkbox"
          name="optOut"
          defaultChecked={props.me.preferences.optOutNonEssential}
        />
        {t('me.preferences.optOut')}
      </label>
      <button type="submit" disabled={busy}>
        {t('me.preferences.save')}
      </button>
      {said ? <p role="status">{said}</p> : null}
      <Refusal error={error} />
    </form>
  );
}

/** The portal. */
export function MeApp() {
  const [lang, setLang] = useState(currentLanguage());
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [section, setSection] = useState<Section>('entitlements');
  const [about, setAbout] = useState<About | null>(null);
  useMeLanguage(lang);
  const load = () =>
    call<Me>('GET', '/api/v1/me')
      .then((m) => {
        setCsrf(m.csrfToken);
        setMe(m);
      })
      .catch(() => setMe(null));
  useEffect(() => {
    onExpired(() => setMe(null));
    void load();
  }, []);
  const switchLanguage = () => {
    const next = lang === 'es' ? 'en' : 'es';
    chooseLanguage(next);
    setLang(next);
  };
  const header = (
    <header class="me-top">
      <span class="me-brand">{t('me.title')}</span>
      <button type="button" class="me-link" id="me-language" onClick={switchLanguage}>
        {t('me.language')}
      </button>
      {me ? (
        <button
          type="button"
          class="me-link"
          id="me-sign-out"
          onClick={() => void call('POST', '/api/v1/me/sign-out').finally(() => setMe(null))}
        >
          {t('me.signOut')}
        </button>
      ) : null}
    </header>
  );
  if (me === undefined) return header;
  if (me === null)
    return (
      <>
        {header}
        <SignIn onIn={() => void load()} />
      </>
    );
  return (
    <>
      {header}
      <main class="me-card">
        <h1>{t('me.hello', { name: me.record.givenNames })}</h1>
        <nav id="me-nav">
          {sections.map((s) => (
            <button
              key={s}
              type="button"
              data-section={s}
              aria-current={s === section ? 'page' : undefined}
              onClick={() => (setAbout(null), setSection(s))}
            >
              {t(`me.nav.${s}` as MeKey)}
            </button>
          ))}
        </nav>
        <section id={`me-${section}`} aria-label={t(`me.nav.${section}` as MeKey)}>
          <h2>{t(`me.nav.${section}` as MeKey)}</h2>
          {section === 'entitlements' ? (
            <Entitlements onComplain={(a) => (setAbout(a), setSection('grievances'))} />
          ) : null}
          {section === 'record' ? <RecordView record={me.record} /> : null}
          {section === 'card' ? <Card /> : null}
          {section === 'wallet' ? <Wallet /> : null}
          {section === 'access' ? <AccessReport /> : null}
          {section === 'grievances' ? <Grievances key={about?.id ?? ''} about={about} /> : null}
          {section === 'nominee' ? <Nominees /> : null}
          {section === 'preferences' ? <Preferences me={me} /> : null}
        </section>
      </main>
    </>
  );
}
