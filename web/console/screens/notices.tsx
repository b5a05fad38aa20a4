// The notices screens: the editor of a programme's wording of a service event — it counts, as
// you type, what a phone will receive (GSM-7 or UCS-2, parts, units per part) and what a send
// costs — the wordings awaiting a second person's approval, and the statistics of what was
// sent. There is no screen, and no route, that sends a free text to anyone.
//
// Stable selectors for end-to-end tests:
//   #/notices        form#notice-editor (select[name=programmeId], select[name=event],
//                    textarea[name=es], textarea[name=en], input[name=recipients]),
//                    #segments-es, #segments-en (data-parts, data-encoding), ul#pending-wordings
//   #/notice-stats   table#notice-stats
import { useEffect, useState } from 'preact/hooks';
import { countSegments, sendCost, type SegmentCount } from '../../../src/notices/segments';
import { noticeEvents, sampleValues } from '../../../src/notices/templates';
import { api } from '../api';
import { count, dateTime } from '../format';
import { t, type MessageKey } from '../i18n';
import type { Screen, ScreenProps } from '../screens';
import {
  can,
  formValues,
  OutcomeNotice,
  Page,
  ReasonField,
  SelectField,
  Submit,
  useAction,
} from '../ui';

const programmeEvents = [
  'entitlement_ready',
  'redemption_receipt',
  'payment_received',
  'payment_failed',
] as const;
type ProgrammeEvent = (typeof programmeEvents)[number];

interface Programme {
  id: string;
  code: string;
}

interface Wording {
  id: string;
  programmeId: string;
  event: string;
  version: number;
  es: string;
  en: string;
  status: string;
  createdAt: string;
}

// The text as the phone receives it: placeholders filled with realistic values of the event.
function filled(text: string, event: ProgrammeEvent): string {
  const known: readonly string[] = noticeEvents[event].values;
  return text.replace(/\{(\w+)\}/g, (m, k: string) =>
    known.includes(k) ? (sampleValues[k] ?? m) : m,
  );
}

function SegmentsLine(props: {
  id: string;
  counted: SegmentCount;
  recipients: number;
  price: bigint;
}) {
  const { counted } = props;
  if (counted.parts === 0)
    return (
      <p id={props.id} class="hint" data-parts="0">
        {t('notices.count.empty')}
      </p>
    );
  return (
    <div
      id={props.id}
      data-parts={counted.parts}
      data-encoding={counted.encoding}
      aria-live="polite"
    >
      <p>
        {t('notices.count', {
          encoding: counted.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2',
          parts: counted.parts,
          units: counted.unitsInParts.join(' + '),
          perPart: counted.unitsPerPart,
          cost: sendCost(counted.parts, props.recipients, props.price).toString(),
        })}
      </p>
      {counted.nonGsm.length ? (
        <p class="hint">{t('notices.nonGsm', { chars: counted.nonGsm.join(' ') })}</p>
      ) : null}
    </div>
  );
}

function Editor(props: ScreenProps) {
  const action = useAction();
  const [programmes, setProgrammes] = useState<Programme[]>([]);
  const [event, setEvent] = useState<ProgrammeEvent>('redemption_receipt');
  const [es, setEs] = useState('');
  const [en, setEn] = useState('');
  const [recipients, setRecipients] = useState(1);
  const [price, setPrice] = useState(0n);
  useEffect(() => {
    void api<{ items: Programme[] }>('GET', '/api/v1/programmes')
      .then((r) => setProgrammes(r.items))
      .catch(() => setProgrammes([]));
    void api<{ pricePerPartMinor: string }>('POST', '/api/v1/notices/preview', {
      body: { text: '', recipients: 0 },
    })
      .then((r) => setPrice(BigInt(r.pricePerPartMinor)))
      .catch(() => setPrice(0n));
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const values = formValues(form);
    const saved = await action.run(() =>
      api<Wording>('POST', '/api/v1/notices/templates', {
        body: { programmeId: values.programmeId ?? '', event, es, en, reason: values.reason ?? '' },
      }),
    );
    if (saved)
      action.setOutcome({ ok: true, message: t('notices.created', { version: saved.version }) });
  };
  const eventOptions = programmeEvents.map((e) => ({
    value: e,
    label: t(`notices.event.${e}` as MessageKey),
  }));
  return (
    <section aria-labelledby="notice-editor-title">
      <h2 id="notice-editor-title">{t('notices.editor.title')}</h2>
      <form id="notice-editor" onSubmit={(e) => void submit(e)}>
        <SelectField
          label={t('notices.programme')}
          name="programmeId"
          required
          placeholder={t('notices.programme.choose')}
          options={programmes.map((p) => ({ value: p.id, label: p.code }))}
          error={action.error}
        />
        <SelectField
          label={t('notices.event')}
          name="event"
          value={event}
          options={eventOptions}
          onChange={(v) => setEvent(v as ProgrammeEvent)}
          error={action.error}
          hint={t('notices.values', {
            values: noticeEvents[event].values.map((v) => `{${v}}`).join(' '),
          })}
        />
        {(['es', 'en'] as const).map((lang) => (
          <div class="field" key={lang}>
            <label for={`notice-${lang}`}>{t(`notices.text.${lang}`)}</label>
            <textarea
              id={`notice-${lang}`}
              name={lang}
              rows={4}
              maxLength={612}
              required
              value={lang === 'es' ? es : en}
              onInput={(e) =>
                (lang === 'es' ? setEs : setEn)((e.target as HTMLTextAreaElement).value)
              }
              aria-describedby={`segments-${lang}`}
            />
            <SegmentsLine
              id={`segments-${lang}`}
              counted={countSegments(filled(lang === 'es' ? es : en, event))}
              recipients={recipients}
              price={price}
            />
          </div>
        ))}
        <div class="field">
          <label for="notice-recipients">{t('notices.recipients')}</label>
          <input
            id="notice-recipients"
            name="recipients"
            type="number"
            inputMode="numeric"
            min={0}
            max={100000000}
            value={recipients}
            onInput={(e) =>
              setRecipients(
                Math.max(0, Math.floor(Number((e.target as HTMLInputElement).value) || 0)),
              )
            }
          />
        </div>
        <ReasonField error={action.error} />
        <OutcomeNotice
          outcome={action.outcome}
          fields={['programmeId', 'event', 'es', 'en', 'reason']}
        />
        <Submit busy={action.busy} label={t('notices.submit')} />
      </form>
      {can(props.session, 'notice:template_approve') ? <Pending /> : null}
    </section>
  );
}

function Pending() {
  const action = useAction();
  const [items, setItems] = useState<Wording[]>([]);
  const load = () =>
    void api<{ items: Wording[] }>('GET', '/api/v1/notices/templates?status=pending')
      .then((r) => setItems(r.items))
      .catch(() => setItems([]));
  useEffect(load, []);
  const decide = async (id: string, approve: boolean, form: HTMLFormElement) => {
    const reason = formValues(form).reason ?? '';
    const done = await action.run(
      () =>
        api('POST', `/api/v1/notices/templates/${encodeURIComponent(id)}/decision`, {
          body: { approve, reason },
        }),
      t('notices.decided'),
    );
    if (done) load();
  };
  return (
    <section aria-labelledby="pending-title">
      <h2 id="pending-title">{t('notices.pending.title')}</h2>
      <OutcomeNotice outcome={action.outcome} />
      {items.length === 0 ? <p>{t('notices.pending.none')}</p> : null}
      <ul id="pending-wordings" class="cards">
        {items.map((w) => (
          <li key={w.id} data-id={w.id}>
            <p>
              <strong>{t(`notices.event.${w.event}` as MessageKey)}</strong> ·{' '}
              {t('notices.pending.by', { version: w.version, at: dateTime(w.createdAt) })}
            </p>
            <p lang="es">{w.es}</p>
            <p lang="en">{w.en}</p>
            <form onSubmit={(e) => e.preventDefault()}>
              <ReasonField error={action.error} />
              <button
                type="button"
                class="primary"
                onClick={(e) =>
                  void decide(w.id, true, (e.currentTarget as HTMLButtonElement).form!)
                }
              >
                {t('notices.approve')}
              </button>{' '}
              <button
                type="button"
                onClick={(e) =>
                  void decide(w.id, false, (e.currentTarget as HTMLButtonElement).form!)
                }
              >
                {t('notices.reject')}
              </button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}

function NoticesScreen(props: ScreenProps) {
  return (
    <Page title={t('notices.title')}>
      <p>{t('notices.intro')}</p>
      {can(props.session, 'notice:template') ? <Editor {...props} /> : <Pending />}
    </Page>
  );
}

interface Cell {
  labels: (string | null)[];
  value: number | null;
}

function StatsScreen() {
  const action = useAction();
  const [stats, setStats] = useState<Record<
    'sent' | 'delivered' | 'failed',
    { cells: Cell[]; dimensions: { labels: string[] }[] }
  > | null>(null);
  const load = async () => {
    const r = await action.run(() =>
      api<{ measures: NonNullable<typeof stats> }>('GET', '/api/v1/notices/stats'),
    );
    if (r) setStats(r.measures);
  };
  useEffect(() => void load(), []);
  const value = (m: 'sent' | 'delivered' | 'failed', template: string | null) => {
    const cell = stats?.[m].cells.find((c) => c.labels[0] === template && c.labels[1] === null);
    return cell?.value === null || cell === undefined
      ? t('notices.stats.suppressed')
      : count(cell.value);
  };
  const templates = stats?.sent.dimensions[0]?.labels ?? [];
  return (
    <Page title={t('notices.stats.title')}>
      <p>{t('notices.stats.intro')}</p>
      <OutcomeNotice outcome={action.outcome} />
      <div class="table-scroll">
        <table id="notice-stats">
          <thead>
            <tr>
              <th scope="col">{t('notices.stats.template')}</th>
              <th scope="col">{t('notices.stats.sent')}</th>
              <th scope="col">{t('notices.stats.delivered')}</th>
              <th scope="col">{t('notices.stats.failed')}</th>
            </tr>
          </thead>
          <tbody>
            {[...templates, null].map((tpl) => (
              <tr key={tpl ?? 'total'}>
                <th scope="row">{tpl ?? t('notices.stats.total')}</th>
                <td>{value('sent', tpl)}</td>
                <td>{value('delivered', tpl)}</td>
                <td>{value('failed', tpl)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  );
}

export const noticesScreens: readonly Screen[] = [
  {
    path: 'notices',
    title: 'notices.title',
    permissions: ['notice:template', 'notice:template_approve'],
    component: NoticesScreen,
  },
  {
    path: 'notice-stats',
    title: 'notices.stats.title',
    permissions: ['notice:read'],
    component: StatsScreen,
  },
];
