// Finding a person: one box for a registry number or a name, an optional date of birth, and
// the purpose the server records. The search lives in the address (#/search?q=…&purpose=…),
// so going back from a record shows the same results again.
import { useEffect, useState } from 'preact/hooks';
import { api, localError } from '../../api';
import { calendarDate, regionName, words } from '../../format';
import { t } from '../../i18n';
import { href, navigate } from '../../router';
import type { ScreenProps } from '../../screens';
import {
  formValues,
  OutcomeNotice,
  Page,
  PurposeField,
  Submit,
  TextField,
  useAction,
} from '../../ui';
import { fullName, recordPurposes, type SearchResult } from './types';

interface ResultPage {
  items: SearchResult[];
  next: string | null;
}

export function SearchScreen(props: ScreenProps) {
  const { query } = props.where;
  const asked = {
    q: query.get('q') ?? '',
    birthDate: query.get('birthDate') ?? '',
    purpose: query.get('purpose') ?? '',
  };
  const [purpose, setPurpose] = useState(asked.purpose);
  const [found, setFound] = useState<SearchResult[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const action = useAction();

  const load = async (after?: string) => {
    const params = new URLSearchParams({ q: asked.q });
    if (asked.birthDate) params.set('birthDate', asked.birthDate);
    if (after) params.set('after', after);
    const page = await action.run(() =>
      api<ResultPage>('GET', `/api/v1/persons?${params.toString()}`, { purpose: asked.purpose }),
    );
    if (!page) {
      if (!after) setFound(null);
      return;
    }
    setFound((before) => (after && before ? [...before, ...page.items] : page.items));
    setNext(page.next);
  };

  useEffect(() => {
    setPurpose(asked.purpose);
    if (asked.q && asked.purpose) void load();
    else setFound(null);
  }, [asked.q, asked.birthDate, asked.purpose]);

  const submit = (event: Event) => {
    event.preventDefault();
    const values = formValues(event.currentTarget as HTMLFormElement);
    if (!values.purpose) {
      action.setOutcome({
        ok: false,
        error: localError('purpose', t('records.search.needPurpose')),
      });
      return;
    }
    if (!values.q) {
      action.setOutcome({ ok: false, error: localError('q', t('records.search.needQuery')) });
      return;
    }
    const wanted: Record<string, string> = { q: values.q, purpose: values.purpose };
    if (values.birthDate) wanted.birthDate = values.birthDate;
    if (
      wanted.q === asked.q &&
      wanted.purpose === asked.purpose &&
      (wanted.birthDate ?? '') === asked.birthDate
    )
      void load();
    else navigate('/search', wanted);
  };

  return (
    <Page title={t('records.search.title')}>
      <form id="search-form" class="card" onSubmit={submit} noValidate>
        <p>{t('records.search.intro')}</p>
        <div class="side-by-side records-search-fields">
          <TextField
            label={t('records.search.q')}
            name="q"
            hint={t('records.search.q.hint')}
            defaultValue={asked.q}
            autoComplete="off"
            autoCapitalize="words"
            spellcheck={false}
            required
            maxLength={200}
            error={action.error}
          />
          <TextField
            label={t('records.search.birthDate')}
            name="birthDate"
            hint={t('records.search.birthDate.hint')}
            defaultValue={asked.birthDate}
            inputMode="numeric"
            placeholder="AAAA-MM-DD"
            autoComplete="off"
            maxLength={10}
            error={action.error}
          />
        </div>
        <PurposeField
          purposes={recordPurposes}
          value={purpose}
          onChange={setPurpose}
          error={action.error}
        />
        <Submit busy={action.busy} label={t('records.search.submit')} />
        <OutcomeNotice outcome={action.outcome} fields={['q', 'birthDate', 'purpose']} />
      </form>
      {found ? (
        <section aria-labelledby="results-title">
          <h2 id="results-title">{t('records.search.results')}</h2>
          {found.length === 0 ? (
            <p id="results-empty" class="notice warn" role="status">
              {t('records.search.none')}
            </p>
          ) : (
            <>
              <p role="status">
                {found.length === 1
                  ? t('records.search.count.one')
                  : t('records.search.count', { count: found.length })}
              </p>
              <ol id="results" class="records-results">
                {found.map((p) => (
                  <ResultRow key={p.id} person={p} purpose={asked.purpose} />
                ))}
              </ol>
              {next ? (
                <button type="button" id="results-more" onClick={() => void load(next)}>
                  {t('records.search.more')}
                </button>
              ) : null}
            </>
          )}
        </section>
      ) : null}
    </Page>
  );
}

function ResultRow(props: { person: SearchResult; purpose: string }) {
  const p = props.person;
  const partial =
    p.match.birthDate === 'partial'
      ? p.birthDatePrecision === 'year'
        ? t('records.match.partialDate')
        : t('records.match.partialMonth')
      : null;
  return (
    <li class="card records-result" data-person={p.id}>
      <a class="records-result-name" href={href(`/persons/${p.id}`, { purpose: props.purpose })}>
        {fullName(p)}
      </a>
      <span class="records-number">{p.registryNumber}</span>
      <span>
        {calendarDate(p.birthDate)} · {regionName(p.address.regionCode)}
        {p.status !== 'active' ? ` · ${words('status', p.status)}` : ''}
      </span>
      {p.match.exact || partial ? (
        <span class="records-badges">
          {p.match.exact ? <span class="flag ok-flag">{t('records.match.exact')}</span> : null}
          {partial ? <span class="flag partial-match">{partial}</span> : null}
        </span>
      ) : null}
    </li>
  );
}
