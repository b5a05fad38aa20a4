// Offline card check: verify a QR with the published trust and revocation lists, in the
// browser, with the same verifier the server uses. Lists are kept in localStorage.
import { jsQR, readRevocationList, readTrustList, verifyCard } from '/verifier.js';

const $ = (id) => document.getElementById(id);
const stored = () => {
  const raw = localStorage.getItem('tessera.lists');
  return raw ? JSON.parse(raw) : null;
};

function say(text, isError = false) {
  $('message').textContent = text;
  $('message').className = isError ? 'error' : '';
}

function describeLists() {
  const lists = stored();
  if (!lists) {
    $('lists').textContent = 'Not downloaded yet: connect once and download them.';
    return;
  }
  const hours = Math.round((Date.now() - lists.fetchedAt) / 3600000);
  $('lists').textContent = `Downloaded ${hours < 1 ? 'less than an hour' : `${hours} hours`} ago.`;
}

async function refresh() {
  try {
    const [trust, revocations] = await Promise.all(
      ['/api/v1/trust-list', '/api/v1/revocations'].map(async (url) => {
        // Asking for the latest means the latest: revalidate past the HTTP cache.
        const response = await fetch(url, { cache: 'no-cache' });
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return response.json();
      }),
    );
    localStorage.setItem(
      'tessera.lists',
      JSON.stringify({ trust, revocations, fetchedAt: Date.now() }),
    );
    say('Lists downloaded.');
  } catch (e) {
    say(`Could not download the lists (${e.message}); the ones on this device are kept.`, true);
  }
  describeLists();
}

async function qrFromPhoto(file) {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  const found = jsQR(pixels.data, pixels.width, pixels.height);
  if (!found)
    throw new Error('No QR code found in the photo: hold the card flat and fill the frame.');
  return found.data;
}

async function check() {
  const lists = stored();
  if (!lists) return say('Download the lists first.', true);
  try {
    const file = $('photo').files?.[0];
    const qrText = file ? await qrFromPhoto(file) : $('qr').value.replace(/\r?\n$/, '');
    const trustList = await readTrustList(lists.trust);
    const revocations = await readRevocationList(lists.revocations, { keys: trustList.keys });
    const verdict = await verifyCard(qrText, { trustList, revocations, now: new Date() });
    show(verdict);
    say('');
  } catch (e) {
    say(e.message, true);
  }
}

// YYYYMMDD as 1984-01-18; a birth known by month or year only (YYYYMM00, YYYY0000) as
// 1984-01 or 1984, as Tessera writes it; anything else as the card has it.
function readableDate(compact) {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(compact ?? '');
  if (!m) return compact;
  if (m[2] === '00') return m[1];
  return m[3] === '00' ? `${m[1]}-${m[2]}` : `${m[1]}-${m[2]}-${m[3]}`;
}

function show(verdict) {
  $('verdict').hidden = false;
  $('verdict-title').textContent = verdict.valid ? 'Valid card' : `Refused: ${verdict.reason}`;
  $('verdict-title').className = verdict.valid ? 'ok' : 'bad';
  const age = verdict.revocationListAgeSeconds;
  $('verdict-message').textContent =
    `${verdict.message}${age !== undefined ? ` (revocation list is ${Math.round(age / 86400)} days old)` : ''}`;
  const c = verdict.claims ?? {};
  const rows = [
    ['Registry number', c.id],
    ['Given names', c.firstName],
    ['Surnames', c.lastName],
    ['Born', readableDate(c.dateOfBirth)],
    ['Card', verdict.cardSerial],
    ['Expires', verdict.expiresAt?.slice(0, 10)],
  ].filter(([, v]) => v);
  $('verdict-claims').replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = k;
      dd.textContent = String(v);
      return [dt, dd];
    }),
  );
}

$('refresh').addEventListener('click', () => void refresh());
$('check').addEventListener('click', () => void check());
describeLists();
