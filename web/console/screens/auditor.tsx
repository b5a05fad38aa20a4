// The auditor screens: a person's access report found by registry number (for a grievance or
// an audit, without opening the record), the audit log filtered by staff member, operation
// and days, and the verification of the audit hash chain.
//
// Stable selectors for end-to-end tests:
//   #/access-report  form#access-report-form (input[name=registryNumber], select[name=purpose]),
//                    table#access-report, one tbody row per entry with data-operation="<code>"
//   #/audit          form#audit-filter-form (input[name=staff], select[name=operation],
//                    input[name=from], input[name=to]), table#audit-entries (rows with
//                    data-operation), button#verify-chain, #chain-result (data-ok="true|false")
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { activeLanguage, t } from '../i18n';
import { count, dateTime, words } from '../format';
import type { Screen } from '../screens';
import {
  formValues,
  OutcomeNotice,
  Page,
  PurposeField,
  SelectField,
  Submit,
  TextField,
  useAction,
} from '../ui';

interface ReportEntry {
  at: string;
  operation: string;
  description: string;
  descriptionEs: string;
  purpose: { code: string } | null;
  role: string | null;
  origin: string | null;
  staff: string;
  staffUsername: string | null;
}

interface Report {
  registryNumber: string;
  items: ReportEntry[];
  next: string | null;
}

function who(entry: { staff: string; staffUsername: string | null }): string {
  if (entry.staffUsername) return entry.staffUsername;
  return entry.staff === 'system'
    ? t('auditor.accessReport.system')
    : t('auditor.accessReport.unknownStaff');
}

function AccessReportScreen() {
  const action = useAction();
  const [purpose, setPurpose] = useState('grievance');
  const [report, setReport] = useState<Report | null>(null);
  const [asked, setAsked] = useState<{ number: string; purpose: string } | null>(null);

  const load = async (number: string, chosen: string, after?: string) => {
    const query = after ? `?after=${encodeURIComponent(after)}` : '';
    const result = await action.run(() =>
      api<Report>('GET', `/api/v1/access-reports/by-number/${encodeURIComponent(number)}${query}`, {
        purpose: chosen,
      }),
    );
    if (result)
      setReport((earlier) =>
        after && earlier ? { ...result, items: [...earlier.items, ...result.items] } : result,
      );
    else if (!after) setReport(null);
  };
  const submit = (event: Event) => {
    event.preventDefault();
    const form = formValues(event.currentTarget as HTMLFormElement);
    const number = form.registryNumber ?? '';
    setAsked({ number, purpose });
    setReport(null);
    void load(number, purpose);
  };
  const es = activeLanguage() === 'es';
  return (
    <Page title={t('auditor.accessReport.title')}>
      <p>{t('auditor.accessReport.intro')}</p>
      <form id="access-report-form" class="card" onSubmit={submit}>
        <TextField
          label={t('auditor.accessReport.number')}
          name="registryNumber"
          hint={t('auditor.accessReport.number.hint')}
          inputMode="numeric"
          autoComplete="off"
          required
          maxLength={20}
          error={action.error}
        />
        <PurposeField
          purposes={['grievance', 'audit']}
          value={purpose}
          onChange={setPurpose}
          error={action.error}
        />
        <Submit busy={action.busy} label={t('auditor.accessReport.submit')} />
      </form>
      <OutcomeNotice outcome={action.outcome} fields={['registryNumber', 'purpose']} />
      {report ? (
        <section aria-labelledby="access-report-heading">
          <h2 id="access-report-heading">
            {t('auditor.accessReport.heading', { number: report.registryNumber })}
          </h2>
          <p>{t('auditor.accessReport.count', { count: count(report.items.length) })}</p>
          <div
            class="table-wrap"
            tabIndex={0}
            role="region"
            aria-label={t('auditor.accessReport.title')}
          >
            <table id="access-report">
              <thead>
                <tr>
                  <th scope="col">{t('common.when')}</th>
                  <th scope="col">{t('common.who')}</th>
                  <th scope="col">{t('auditor.accessReport.what')}</th>
                  <th scope="col">{t('auditor.accessReport.why')}</th>
                  <th scope="col">{t('auditor.accessReport.role')}</th>
                </tr>
              </thead>
              <tbody>
                {report.items.map((entry, i) => (
                  <tr key={`${entry.at}-${i}`} data-operation={entry.operation}>
                    <td>{dateTime(entry.at)}</td>
                    <td>{who(entry)}</td>
                    <td>{es ? entry.descriptionEs : entry.description}</td>
                    <td>{words('purpose', entry.purpose?.code ?? null)}</td>
                    <td>{words('role', entry.role)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {report.next && asked ? (
            <button
              type="button"
              disabled={action.busy}
              onClick={() => void load(asked.number, asked.purpose, report.next ?? undefined)}
            >
              {t('auditor.more')}
            </button>
          ) : null}
        </section>
      ) : null}
    </Page>
  );
}

interface OperationWords {
  operation: string;
  es: string;
  en: string;
}

interface AuditRecord {
  id: string;
  at: string;
  chainIndex: number | null;
  actorId: string | null;
  actorUsername: string | null;
  actorRole: string | null;
  operation: string;
  purpose: string | null;
  subjectIds: string[];
}

interface AuditPage {
  items: AuditRecord[];
  next: string | null;
}

type ChainResult =
  | { ok: true; entriesChecked: number; sealsChecked: number; unsealedEntries: number }
  | { ok: false; problem: string; chainIndex: number; unsealedEntries: number };

// The day after a YYYY-MM-DD date, so that "to" includes the day named.
function dayAfter(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function AuditScreen() {
  const action = useAction();
  const [operations, setOperations] = useState<OperationWords[]>([]);
  const [page, setPage] = useState<AuditPage | null>(null);
  const [filters, setFilters] = useState<URLSearchParams | null>(null);
  useEffect(() => {
    void api<{ items: OperationWords[] }>('GET', '/api/v1/audit/operations')
      .then((r) => setOperations(r.items))
      .catch(() => setOperations([]));
  }, []);
  const es = activeLanguage() === 'es';
  const wordsOf = (op: string) => {
    const found = operations.find((o) => o.operation === op);
    return found ? (es ? found.es : found.en) : op;
  };

  const load = async (query: URLSearchParams, after?: string) => {
    const q = new URLSearchParams(query);
    if (after) q.set('after', after);
    const result = await action.run(() => api<AuditPage>('GET', `/api/v1/audit?${q.toString()}`));
    if (result)
      setPage((earlier) =>
        after && earlier ? { ...result, items: [...earlier.items, ...result.items] } : result,
      );
    else if (!after) setPage(null);
  };
  const submit = (event: Event) => {
    event.preventDefault();
    const form = formValues(event.currentTarget as HTMLFormElement);
    const q = new URLSearchParams();
    if (form.staff) q.set('staff', form.staff);
    if (form.operation) q.set('operation', form.operation);
    if (form.from) q.set('from', form.from);
    if (form.to) q.set('to', dayAfter(form.to));
    setFilters(q);
    void load(q);
  };
  const options = operations
    .map((o) => ({ value: o.operation, label: es ? o.es : o.en }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return (
    <Page title={t('auditor.log.title')}>
      <form id="audit-filter-form" class="card" onSubmit={submit}>
        <div class="side-by-side">
          <TextField
            label={t('auditor.log.staff')}
            name="staff"
            autoComplete="off"
            autoCapitalize="none"
            error={action.error}
          />
          <SelectField
            label={t('auditor.log.operation')}
            name="operation"
            placeholder={t('auditor.log.anyOperation')}
            options={options}
            error={action.error}
          />
        </div>
        <div class="side-by-side">
          <TextField label={t('auditor.log.from')} name="from" type="date" error={action.error} />
          <TextField label={t('auditor.log.to')} name="to" type="date" error={action.error} />
        </div>
        <Submit busy={action.busy} label={t('auditor.log.submit')} />
      </form>
      <OutcomeNotice outcome={action.outcome} fields={['staff', 'operation', 'from', 'to']} />
      {page ? (
        <section aria-labelledby="audit-entries-heading">
          <h2 id="audit-entries-heading" class="visually-hidden">
            {t('auditor.log.title')}
          </h2>
          <p>{t('auditor.log.count', { count: count(page.items.length) })}</p>
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t('auditor.log.title')}>
            <table id="audit-entries">
              <thead>
                <tr>
                  <th scope="col">{t('common.when')}</th>
                  <th scope="col">{t('common.who')}</th>
                  <th scope="col">{t('auditor.log.operation')}</th>
                  <th scope="col">{t('auditor.accessReport.why')}</th>
                  <th scope="col">{t('auditor.log.persons')}</th>
                  <th scope="col">{t('auditor.log.chained')}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((entry) => (
                  <tr key={entry.id} data-operation={entry.operation}>
                    <td>{dateTime(entry.at)}</td>
                    <td>
                      {entry.actorUsername ??
                        (entry.actorId?.startsWith('system:') || entry.actorId === null
                          ? t('auditor.accessReport.system')
                          : t('auditor.accessReport.unknownStaff'))}
                      {entry.actorRole ? ` (${words('role', entry.actorRole)})` : null}
                    </td>
                    <td>{wordsOf(entry.operation)}</td>
                    <td>{words('purpose', entry.purpose)}</td>
                    <td>{count(entry.subjectIds.length)}</td>
                    <td>
                      {entry.chainIndex === null
                        ? t('auditor.log.pending')
                        : `#${count(entry.chainIndex)}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {page.next && filters ? (
            <button
              type="button"
              disabled={action.busy}
              onClick={() => void load(filters, page.next ?? undefined)}
            >
              {t('auditor.more')}
            </button>
          ) : null}
        </section>
      ) : null}
      <ChainCheck />
    </Page>
  );
}

const problems = [
  'altered',
  'removed',
  'reordered',
  'inserted',
  'bad_seal',
  'index_altered',
  'unsealed',
  'bad_anchor',
] as const;

function problemWords(problem: string): string {
  const known = problems.find((p) => p === problem);
  return known ? t(`auditor.chain.problem.${known}`) : problem;
}

function ChainCheck() {
  const action = useAction();
  const [result, setResult] = useState<ChainResult | null>(null);
  const verify = async () => {
    setResult(null);
    const r = await action.run(() => api<ChainResult>('GET', '/api/v1/audit/verify'));
    if (r) setResult(r);
  };
  return (
    <section class="card" aria-labelledby="chain-heading">
      <h2 id="chain-heading">{t('auditor.chain.title')}</h2>
      <p>{t('auditor.chain.intro')}</p>
      <button
        type="button"
        id="verify-chain"
        class="primary"
        disabled={action.busy}
        aria-busy={action.busy}
        onClick={() => void verify()}
      >
        {action.busy ? t('common.working') : t('auditor.chain.verify')}
      </button>
      <div
        id="chain-result"
        role="status"
        aria-live="polite"
        data-ok={result ? String(result.ok) : undefined}
      >
        {result ? (
          result.ok ? (
            <p class="notice ok">
              {t('auditor.chain.ok', {
                entries: count(result.entriesChecked),
                seals: count(result.sealsChecked),
                unsealed: count(result.unsealedEntries),
              })}
            </p>
          ) : (
            <p class="notice error">
              {t('auditor.chain.broken', {
                index: count(result.chainIndex),
                problem: problemWords(result.problem),
              })}
            </p>
          )
        ) : null}
      </div>
      <OutcomeNotice outcome={action.outcome} />
    </section>
  );
}

export const auditorScreens: readonly Screen[] = [
  {
    path: 'access-report',
    title: 'auditor.accessReport.title',
    permissions: ['access-report:read'],
    component: AccessReportScreen,
  },
  {
    path: 'audit',
    title: 'auditor.log.title',
    permissions: ['audit:read'],
    component: AuditScreen,
  },
];
