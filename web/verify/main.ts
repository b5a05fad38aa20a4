// The offline card check: verify a QR with the published trust and revocation lists, in this
// browser, with the same verifier the server and `tessera verify` run. The lists are kept in
// IndexedDB and the page itself by a service worker, so after one visit it loads and checks
// with no network at all.
import jsQR from 'jsqr';
import {
  readRevocationList,
  readTrustList,
  verifyCard,
  type CardVerdict,
  type ReasonCode,
} from '../../src/credentials/verifier';
import { chooseLanguage, currentLanguage, fill, isLanguage } from '../i18n/language';
import { reasonCatalog, verifyCatalog, type Language, type VerifyKey } from '../i18n/verify';
import { loadLists, saveLists, type StoredLists } from './lists-store';

let language: Language = currentLanguage();
const t = (key: VerifyKey, values?: Record<string, string | number>) =>
  fill(verifyCatalog[language][key], values);

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** Writes every [data-i18n] element's words in the current language. */
function translatePage(): void {
  document.documentElement.lang = language;
  document.title = t('page.title');
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]'))
    el.textContent = t(el.dataset.i18n as VerifyKey);
  $<HTMLSelectElement>('language').value = language;
}

type Message = { key: VerifyKey; values?: Record<string, string | number> } | { text: string };
let message: { what: Message; isError: boolean } | null = null;

function say(what: Message | null, isError = false): void {
  message = what ? { what, isError } : null;
  const el = $('message');
  el.textContent = what ? ('key' in what ? t(what.key, what.values) : what.text) : '';
  el.className = isError ? 'error' : '';
  el.dataset.state = what ? (isError ? 'error' : 'ok') : '';
}

let lists: StoredLists | null = null;

function describeLists(): void {
  if (!lists) {
    $('lists').textContent = t('lists.none');
    return;
  }
  const hours = Math.round((Date.now() - lists.fetchedAt) / 3_600_000);
  $('lists').textContent = hours < 1 ? t('lists.fresh') : t('lists.age', { hours });
}

async function refresh(): Promise<void> {
  try {
    const [trust, revocations] = await Promise.all(
      ['/api/v1/trust-list', '/api/v1/revocations'].map(async (url) => {
        // Asking for the latest means the latest: revalidate past the HTTP cache.
        const response = await fetch(url, { cache: 'no-cache' });
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return (await response.json()) as unknown;
      }),
    );
    lists = { trust, revocations, fetchedAt: Date.now() };
    await saveLists(lists);
    say({ key: 'lists.downloaded' });
  } catch (e) {
    say({ key: 'lists.failed', values: { error: (e as Error).message } }, true);
  }
  describeLists();
}

async function qrFromPhoto(file: File): Promise<string> {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas in this browser');
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  const found = jsQR(pixels.data, pixels.width, pixels.height);
  if (!found) throw new Error(t('card.noQr'));
  return found.data;
}

let verdict: CardVerdict | null = null;

async function check(): Promise<void> {
  // A new check starts clean: an earlier "valid" must never stand beside a later failure.
  showVerdict(null);
  say(null);
  if (!lists) return say({ key: 'lists.first' }, true);
  try {
    const file = $<HTMLInputElement>('photo').files?.[0];
    const qrText = file
      ? await qrFromPhoto(file)
      : $<HTMLTextAreaElement>('qr').value.replace(/\r?\n$/, '');
    const trustList = await readTrustList(lists.trust);
    const revocations = await readRevocationList(lists.revocations, { keys: trustList.keys });
    showVerdict(await verifyCard(qrText, { trustList, revocations, now: new Date() }));
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    say(
      typeof code === 'string' && code in reasonCatalog[language]
        ? { text: reasonCatalog[language][code as ReasonCode] }
        : { text: (e as Error).message },
      true,
    );
  }
}

/**
 * A card's YYYYMMDD as 1984-01-18; a birth known by month or year only (YYYYMM00, YYYY0000,
 * as Tessera writes it) as 1984-01 or 1984; an ISO time as its date; anything else as is.
 */
function formatDate(value: string | undefined | null): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) return /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : value;
  if (m[2] === '00') return m[1];
  return m[3] === '00' ? `${m[1]}-${m[2]}` : `${m[1]}-${m[2]}-${m[3]}`;
}

function showVerdict(shown: CardVerdict | null): void {
  verdict = shown;
  const section = $('verdict');
  section.hidden = shown === null;
  const title = $('verdict-title');
  if (!shown) {
    title.textContent = '';
    title.dataset.reason = '';
    $('verdict-message').textContent = '';
    $('verdict-claims').replaceChildren();
    return;
  }
  title.dataset.reason = shown.reason;
  title.textContent = shown.valid ? t('verdict.valid') : `${t('verdict.refused')}: ${shown.reason}`;
  title.className = shown.valid ? 'ok' : 'bad';
  const words = shown.valid
    ? t('verdict.validMessage')
    : shown.reason === 'VALID'
      ? shown.message
      : shown.reason === 'BAD_CLAIM' && shown.signatureVerified
        ? t('verdict.oddClaim')
        : reasonCatalog[language][shown.reason];
  const age = shown.revocationListAgeSeconds;
  $('verdict-message').textContent =
    age === undefined
      ? words
      : `${words} ${t('verdict.listAge', { days: Math.round(age / 86400) })}`;
  const c = shown.claims ?? {};
  const rows: [VerifyKey, unknown][] = [
    ['claim.id', c.id],
    ['claim.fullName', c.fullName],
    ['claim.firstName', c.fullName ? undefined : c.firstName],
    ['claim.lastName', c.fullName ? undefined : c.lastName],
    ['claim.dateOfBirth', formatDate(c.dateOfBirth)],
    ['claim.card', shown.cardSerial],
    ['claim.expires', formatDate(shown.expiresAt)],
    ['verdict.key', shown.kid],
  ];
  $('verdict-claims').replaceChildren(
    ...rows
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .flatMap(([k, v]) => {
        const dt = document.createElement('dt');
        const dd = document.createElement('dd');
        dt.textContent = t(k);
        dd.textContent = String(v);
        return [dt, dd];
      }),
  );
}

$('refresh').addEventListener('click', () => void refresh());
$('check').addEventListener('click', () => void check());
$<HTMLSelectElement>('language').addEventListener('change', (event) => {
  const chosen = (event.target as HTMLSelectElement).value;
  if (!isLanguage(chosen)) return;
  language = chosen;
  chooseLanguage(chosen);
  translatePage();
  describeLists();
  if (message) say(message.what, message.isError);
  if (verdict) showVerdict(verdict);
});

translatePage();
void loadLists()
  .then((kept) => {
    lists = kept;
    describeLists();
  })
  .catch((e: unknown) => say({ text: (e as Error).message }, true));

// Keep this page for offline use. A failure here only means no offline copy.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker
    .register('/sw.js', { scope: '/' })
    .then(() => navigator.serviceWorker.ready)
    .then(() => {
      $('offline').textContent = t('offline.ready');
      $('offline').dataset.i18n = 'offline.ready';
    })
    .catch(() => undefined);
}
