// #/enrol: a new person, screened for duplicates while the officer types (and again before
// saving). Likely duplicates are shown beside the new entry with the reasons; saving one
// needs an explicit choice: open the existing record, or save anyway as a different person
// (the server flags the pair for a reviewer). `?household=<id>` comes back to that household.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../api';
import { t } from '../../i18n';
import { calendarDate, regionName, words } from '../../format';
import { href } from '../../router';
import type { ScreenProps } from '../../screens';
import { formValues, OutcomeNotice, Page, Submit, useAction } from '../../ui';
import {
  AgreementFlag,
  fullName,
  nest,
  PersonFields,
  placeText,
  reasonSentence,
  type FieldReason,
  type PersonView,
} from './shared';

interface ScreenedPerson {
  id: string;
  registryNumber: string;
  givenNames: string;
  surname1: string | null;
  surname2: string | null;
  birthDate: string;
  sex: string | null;
  regionCode: string;
  locality: string | null;
}

type Candidate =
  | {
      visible: true;
      outcome: 'same_person' | 'possible_duplicate';
      matchWeight: number;
      fields: FieldReason[];
      person: ScreenedPerson;
    }
  | { visible: false; outcome: 'same_person' | 'possible_duplicate' };

interface Screening {
  outcome: 'distinct' | 'same_person' | 'possible_duplicate';
  candidates: Candidate[];
}

type Enrolled = PersonView & {
  duplicateReview?: { status: string; outcome: string; pairIds: string[] };
};

/** The body the form says, phone and empty fields left out when empty. */
function bodyOf(form: HTMLFormElement): Record<string, unknown> {
  return nest(formValues(form));
}

function ready(body: Record<string, unknown>): boolean {
  const address = body.address as { regionCode?: string } | undefined;
  return (
    typeof body.givenNames === 'string' &&
    typeof body.birthDate === 'string' &&
    /^\d{4}(-\d{2}(-\d{2})?)?$/.test(body.birthDate) &&
    !!address?.regionCode
  );
}

export function EnrolScreen(props: ScreenProps) {
  const householdId = props.where.query.get('household');
  const formRef = useRef<HTMLFormElement>(null);
  const save = useAction();
  const [screening, setScreening] = useState<{ key: string; result: Screening } | null>(null);
  const [screenError, setScreenError] = useState<ApiError | null>(null);
  const [saveAnyway, setSaveAnyway] = useState(false);
  const [mustChoose, setMustChoose] = useState(false);
  const [enrolled, setEnrolled] = useState<Enrolled | null>(null);
  const [entry, setEntry] = useState<Record<string, unknown>>({});
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const latest = useRef('');

  async function screenNow(body: Record<string, unknown>): Promise<Screening | null> {
    const key = JSON.stringify(body);
    if (screening?.key === key) return screening.result;
    latest.current = key;
    try {
      const result = await api<Screening>('POST', '/api/v1/persons/screen', {
        body,
        purpose: 'enrolment',
      });
      if (latest.current === key) {
        setScreening({ key, result });
        setScreenError(null);
      }
      return result;
    } catch (e) {
      if (latest.current === key) {
        setScreening(null);
        setScreenError(e instanceof ApiError ? e : null);
      }
      return null;
    }
  }

  function changed() {
    const form = formRef.current;
    if (!form) return;
    const body = bodyOf(form);
    setEntry(body);
    setSaveAnyway(false);
    setMustChoose(false);
    clearTimeout(timer.current);
    if (!ready(body)) return;
    timer.current = setTimeout(() => void screenNow(body), 700);
  }
  useEffect(() => () => clearTimeout(timer.current), []);

  async function submit(e: Event) {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const body = bodyOf(form);
    setEntry(body);
    clearTimeout(timer.current);
    setEnrolled(null);
    if (!saveAnyway) {
      const result = ready(body) ? await screenNow(body) : null;
      if (result && result.candidates.length > 0) {
        setMustChoose(true);
        document.getElementById('candidates')?.focus();
        return;
      }
    }
    const person = await save.run(() => api<Enrolled>('POST', '/api/v1/persons', { body }));
    if (person) {
      setEnrolled(person);
      setScreening(null);
      setSaveAnyway(false);
      setMustChoose(false);
      form.reset();
      setEntry({});
      setTimeout(() => document.getElementById('enrolled')?.focus(), 0);
    }
  }

  const candidates = screening?.result.candidates ?? [];
  const error = save.error ?? screenError;
  return (
    <Page title={t('enrolment.enrol.title')}>
      <p>{t('enrolment.enrol.intro')}</p>
      {householdId ? (
        <p class="notice">
          {t('enrolment.enrol.forHousehold')}{' '}
          <a href={href(`/households/${householdId}`)}>{t('enrolment.household.back')}</a>
        </p>
      ) : null}
      {enrolled ? (
        <section id="enrolled" class="card" tabIndex={-1} aria-labelledby="enrolled-title">
          <h2 id="enrolled-title">{t('enrolment.enrolled.title', { name: fullName(enrolled) })}</h2>
          <p>{t('enrolment.enrolled.number')}</p>
          <p id="enrolled-number" class="registry-number">
            {enrolled.registryNumber}
          </p>
          {enrolled.duplicateReview ? (
            <p class="notice warn" id="enrolled-flagged">
              {t('enrolment.enrolled.flagged')}
            </p>
          ) : null}
          <div class="buttons">
            <a class="button" id="enrolled-record" href={href(`/persons/${enrolled.id}`)}>
              {t('enrolment.enrolled.open')}
            </a>
            {householdId ? (
              <a
                class="button primary"
                id="enrolled-to-household"
                href={href(`/households/${householdId}`, { add: enrolled.registryNumber })}
              >
                {t('enrolment.enrolled.addToHousehold')}
              </a>
            ) : (
              <a
                class="button"
                id="enrolled-new-household"
                href={href('/households', { head: enrolled.registryNumber })}
              >
                {t('enrolment.enrolled.newHousehold')}
              </a>
            )}
          </div>
        </section>
      ) : null}
      <div class="enrol-layout">
        <form
          id="enrol-form"
          class="card"
          ref={formRef}
          onSubmit={submit}
          onInput={changed}
          noValidate
        >
          <h2>{t('enrolment.enrol.newEntry')}</h2>
          <PersonFields session={props.session} error={error} />
          <OutcomeNotice
            outcome={save.outcome ?? (screenError ? { ok: false, error: screenError } : null)}
            fields={[
              'givenNames',
              'surname1',
              'surname2',
              'birthDate',
              'sex',
              'address.regionCode',
              'address.locality',
              'address.line',
              'phone',
            ]}
          />
          <div class="buttons">
            <button
              type="button"
              id="check-duplicates"
              onClick={() => {
                const form = formRef.current;
                if (form) void screenNow(bodyOf(form));
              }}
            >
              {t('enrolment.check')}
            </button>
            <Submit
              busy={save.busy}
              label={saveAnyway ? t('enrolment.saveAnyway') : t('enrolment.save')}
            />
          </div>
        </form>
        <section
          id="candidates"
          class="card"
          tabIndex={-1}
          aria-labelledby="candidates-title"
          aria-live="polite"
        >
          <h2 id="candidates-title">{t('enrolment.candidates.title')}</h2>
          {!screening ? (
            <p id="candidates-none">{t('enrolment.candidates.notYet')}</p>
          ) : candidates.length === 0 ? (
            <p id="candidates-none" class="notice ok">
              {t('enrolment.candidates.none')}
            </p>
          ) : (
            <>
              <p
                class={mustChoose ? 'notice error' : 'notice warn'}
                role={mustChoose ? 'alert' : undefined}
              >
                {mustChoose ? t('enrolment.candidates.choose') : t('enrolment.candidates.found')}
              </p>
              <ol class="plain-list" id="candidate-list">
                {candidates.map((c, i) => (
                  <li key={i}>
                    <CandidateCard candidate={c} entry={entry} />
                  </li>
                ))}
              </ol>
              <div class="card">
                <p>{t('enrolment.saveAnyway.explain')}</p>
                <label class="check-line">
                  <input
                    type="checkbox"
                    name="saveAnyway"
                    id="save-anyway"
                    checked={saveAnyway}
                    onChange={(e) => setSaveAnyway((e.target as HTMLInputElement).checked)}
                  />
                  {t('enrolment.saveAnyway.confirm')}
                </label>
              </div>
            </>
          )}
        </section>
      </div>
    </Page>
  );
}

function CandidateCard(props: { candidate: Candidate; entry: Record<string, unknown> }) {
  const c = props.candidate;
  if (!c.visible)
    return (
      <article class={`card candidate ${c.outcome}`}>
        <h3>{t(`enrolment.outcome.${c.outcome}`)}</h3>
        <p>{t('enrolment.candidates.elsewhere')}</p>
      </article>
    );
  const e = props.entry as {
    givenNames?: string;
    surname1?: string;
    surname2?: string;
    birthDate?: string;
    sex?: string;
    phone?: string;
    address?: { regionCode?: string; locality?: string };
  };
  const reason = (f: FieldReason['field']) => c.fields.find((r) => r.field === f);
  const p = c.person;
  const rows: Array<[string, string, string, FieldReason | undefined]> = [
    [t('enrolment.givenNames'), e.givenNames ?? '', p.givenNames, reason('givenNames')],
    [
      t('enrolment.surnames'),
      [e.surname1, e.surname2].filter(Boolean).join(' '),
      [p.surname1, p.surname2].filter(Boolean).join(' '),
      reason('surnames'),
    ],
    [
      t('enrolment.birthDate'),
      e.birthDate ? calendarDate(e.birthDate) : '',
      calendarDate(p.birthDate),
      reason('birthDate'),
    ],
    [t('enrolment.sex'), e.sex ? words('sex', e.sex) : '', words('sex', p.sex), reason('sex')],
    [
      t('enrolment.place'),
      placeText(e.address?.regionCode, e.address?.locality),
      placeText(p.regionCode, p.locality),
      reason('place'),
    ],
  ];
  const phone = reason('phone');
  const titleId = `candidate-${p.id}`;
  return (
    <article class={`card candidate ${c.outcome}`} aria-labelledby={titleId} data-person={p.id}>
      <h3 id={titleId}>
        {t(`enrolment.outcome.${c.outcome}`)}: {fullName(p)}
      </h3>
      <p class="candidate-reason">{reasonSentence(c.fields)}</p>
      <div class="table-wrap" tabIndex={0}>
        <table class="compare">
          <caption class="visually-hidden">
            {t('enrolment.candidates.caption', { name: fullName(p) })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('enrolment.field')}</th>
              <th scope="col">{t('enrolment.newEntry')}</th>
              <th scope="col">{t('enrolment.existing', { number: p.registryNumber })}</th>
              <th scope="col">{t('enrolment.agreement')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, mine, theirs, r]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td>{mine || t('common.none')}</td>
                <td>{theirs || t('common.none')}</td>
                <td>
                  <AgreementFlag reason={r} />
                </td>
              </tr>
            ))}
            {phone ? (
              <tr>
                <th scope="row">{t('enrolment.phone')}</th>
                <td>{e.phone ?? t('common.none')}</td>
                <td>{t('enrolment.notShown')}</td>
                <td>
                  <AgreementFlag reason={phone} />
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <p>
        {t('enrolment.registryNumber')}: <strong>{p.registryNumber}</strong> ·{' '}
        {regionName(p.regionCode)}
      </p>
      <a class="button primary open-existing" href={href(`/persons/${p.id}`)}>
        {t('enrolment.openExisting')}
      </a>
    </article>
  );
}
