// The staff console: sign-in with a second factor, then search and read records — every
// read with a declared purpose. Plain JavaScript, no build step; the server does the checks.
const $ = (id) => document.getElementById(id);
const sections = ['sign-in', 'enrol', 'recovery', 'password', 'search', 'person', 'no-search'];
let csrf = sessionStorage.getItem('csrf') ?? '';
let lastPurpose = '';
let pendingNext = 'ready';

function show(...ids) {
  for (const id of sections) $(id).hidden = !ids.includes(id);
}

function say(text, isError = false) {
  $('message').textContent = text;
  $('message').className = isError ? 'error' : '';
}

async function api(method, url, body, purpose) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrf) headers['x-csrf-token'] = csrf;
  if (purpose) headers['x-purpose'] = purpose;
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = response.headers.get('content-type')?.includes('json')
    ? await response.json()
    : null;
  if (!response.ok) {
    const error = new Error(data?.error?.message ?? `HTTP ${response.status}`);
    error.code = data?.error?.code;
    error.status = response.status;
    throw error;
  }
  return data;
}

function text(value) {
  return value === null || value === undefined || value === '' ? '—' : String(value);
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of [].concat(children)) node.append(child);
  return node;
}

async function route(next) {
  pendingNext = next;
  if (next === 'enrol-second-factor') {
    const enrol = await api('POST', '/api/v1/auth/second-factor/enrol');
    $('enrol-secret').textContent = enrol.secret;
    $('enrol-qr').innerHTML = enrol.qrSvg ?? '';
    show('enrol');
    return;
  }
  if (next === 'change-password') {
    show('password');
    return;
  }
  const session = await api('GET', '/api/v1/auth/session');
  $('nav').hidden = false;
  $('who').textContent = session.roles
    .map((r) => `${r.role} (${r.regions === '*' ? 'national' : r.regions.join(', ')})`)
    .join(' · ');
  const canSearch = session.permissions.some((p) => p.permission === 'person:search');
  show(canSearch ? 'search' : 'no-search');
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { username: form.get('username'), password: form.get('password') };
  if (form.get('code')) body.code = String(form.get('code')).replace(/\s/g, '');
  try {
    const result = await api('POST', '/api/v1/auth/sign-in', body);
    csrf = result.csrfToken;
    sessionStorage.setItem('csrf', csrf);
    say('');
    await route(result.next);
  } catch (e) {
    if (e.code === 'SECOND_FACTOR_REQUIRED') {
      $('code-field').hidden = false;
      say('Enter the code from your authenticator app.');
    } else say(e.message, true);
  }
});

$('enrol-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const result = await api('POST', '/api/v1/auth/second-factor/confirm', {
      code: new FormData(event.target).get('code').replace(/\s/g, ''),
    });
    // The session has a new token (its cookie is set by the response) and a new CSRF token.
    csrf = result.csrfToken;
    sessionStorage.setItem('csrf', csrf);
    $('recovery-codes').replaceChildren(
      ...result.recoveryCodes.map((c) => el('li', { textContent: c })),
    );
    pendingNext = result.next;
    say('Second factor enrolled.');
    show('recovery');
  } catch (e) {
    say(e.message, true);
  }
});

$('recovery-done').addEventListener('click', () =>
  route(pendingNext).catch((e) => say(e.message, true)),
);

$('password-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    await api('POST', '/api/v1/auth/password', {
      currentPassword: form.get('currentPassword'),
      newPassword: form.get('newPassword'),
    });
    say('Password changed.');
    await route('ready');
  } catch (e) {
    say(e.message, true);
  }
});

$('search-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const q = String(form.get('q')).trim();
  lastPurpose = String(form.get('purpose'));
  if (!lastPurpose)
    return say('Choose why you are looking: every read is recorded with its purpose.', true);
  const params = new URLSearchParams();
  if (/^[\d\s.-]{12,16}$/.test(q)) params.set('registryNumber', q);
  else params.set('name', q);
  const birth = String(form.get('birthDate') ?? '').trim();
  if (birth) params.set('birthDate', birth);
  try {
    const page = await api('GET', `/api/v1/persons?${params}`, undefined, lastPurpose);
    $('results').replaceChildren(
      ...page.items.map((p) => {
        const button = el('button', { type: 'button' }, [
          el('strong', {
            textContent: [p.givenNames, p.surname1, p.surname2].filter(Boolean).join(' '),
          }),
          el('br'),
          el('span', {
            className: 'num',
            textContent: `${p.registryNumber} · ${p.birthDate} · ${p.address.regionCode}`,
          }),
        ]);
        button.addEventListener('click', () => openPerson(p.id).catch((e) => say(e.message, true)));
        return el('li', {}, button);
      }),
    );
    say(
      page.items.length === 0
        ? 'Nobody found in your regions.'
        : `${page.items.length} found${page.next ? ' (more: refine the search)' : ''}.`,
    );
  } catch (e) {
    say(e.message, true);
  }
});

async function openPerson(id) {
  const person = await api('GET', `/api/v1/persons/${id}`, undefined, lastPurpose);
  const rows = [
    ['Registry number', person.registryNumber],
    ['Given names', person.givenNames],
    ['Surnames', [person.surname1, person.surname2].filter(Boolean).join(' ')],
    ['Born', `${person.birthDate}${person.birthDatePrecision === 'year' ? ' (year only)' : ''}`],
    ['Sex', person.sex],
    ['Region', person.address.regionCode],
    ['Locality', person.address.locality],
    ['Address', person.address.line],
    ['Phone', person.phone],
    ['Status', person.status],
  ];
  $('person-card').replaceChildren(
    el('h2', {
      textContent: [person.givenNames, person.surname1, person.surname2].filter(Boolean).join(' '),
    }),
    el(
      'dl',
      {},
      rows.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: text(v) })]),
    ),
  );
  const history = await api('GET', `/api/v1/persons/${id}/history`, undefined, lastPurpose);
  $('history').replaceChildren(
    ...history.items.map((v) =>
      el('li', {
        textContent: `v${v.version} · ${v.validFrom.slice(0, 16).replace('T', ' ')} · ${v.reason}`,
      }),
    ),
  );
  try {
    const report = await api('GET', `/api/v1/persons/${id}/access-report`, undefined, lastPurpose);
    const entries = report.entries ?? report.items ?? [];
    $('access').replaceChildren(
      ...entries.slice(0, 20).map((a) =>
        el('li', {
          textContent: `${String(a.at).slice(0, 16).replace('T', ' ')} · ${a.description}${a.purpose ? ` Purpose: ${a.purpose.code}.` : ''}${a.role ? ` (${a.role}, ${a.staff})` : ''}`,
        }),
      ),
    );
  } catch {
    $('access').replaceChildren(el('li', { textContent: 'Not available to your role.' }));
  }
  say('');
  show('person');
}

$('back').addEventListener('click', () => show('search'));

$('sign-out').addEventListener('click', async () => {
  try {
    await api('POST', '/api/v1/auth/sign-out');
  } finally {
    csrf = '';
    sessionStorage.removeItem('csrf');
    $('nav').hidden = true;
    say('Signed out.');
    show('sign-in');
  }
});

api('GET', '/api/v1/auth/session')
  .then((s) => {
    csrf = s.csrfToken;
    sessionStorage.setItem('csrf', csrf);
    return route(s.next);
  })
  .catch(() => show('sign-in'));
