// The programme list (#/programmes): each programme's name in the reader's language, what it
// gives, to whom, how often, its version and status. Selectors: ul#programme-list
// li[data-code] a.programme-link, a#new-programme, a#open-rules.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { t } from '../../i18n';
import { href } from '../../router';
import { can, OutcomeNotice, Page, useAction, type Session } from '../../ui';
import { kindWords, nameOf, scheduleWords, targetWords, type Programme } from './common';

export function ProgrammeList(props: { session: Session }) {
  const load = useAction();
  const [items, setItems] = useState<Programme[] | null>(null);
  useEffect(() => {
    void load.run(async () => {
      setItems((await api<{ items: Programme[] }>('GET', '/api/v1/programmes')).items);
    });
  }, []);
  return (
    <Page
      title={t('programmes.title')}
      actions={
        <div class="buttons">
          {can(props.session, 'programme:write') ? (
            <a id="new-programme" class="button primary" href={href('/programmes/new')}>
              {t('programmes.new')}
            </a>
          ) : null}
          {can(props.session, 'cycle:manage') ? (
            <a id="open-rules" class="button" href={href('/rules')}>
              {t('programmes.rules.title')}
            </a>
          ) : null}
        </div>
      }
    >
      <p>{t('programmes.intro')}</p>
      <OutcomeNotice outcome={load.outcome} />
      {items === null && !load.error ? <p>{t('app.loading')}</p> : null}
      {items && items.length === 0 ? <p>{t('programmes.none')}</p> : null}
      <ul id="programme-list" class="plain programme-list">
        {(items ?? []).map((p) => (
          <li key={p.id} class="card" data-code={p.code} data-status={p.status}>
            <h2>
              <a class="programme-link" href={href(`/programmes/${p.id}`)}>
                {nameOf(p.current.name)}
              </a>
            </h2>
            <p class="facts-line">
              <span>{kindWords(p.kind)}</span>
              <span>{targetWords(p.target)}</span>
              <span>{scheduleWords(p.schedule)}</span>
              <span>{t('programmes.version', { n: p.currentVersion })}</span>
              <span class={`flag status-${p.status}`}>
                {t(`programmes.status.${p.status}` as const)}
              </span>
            </p>
          </li>
        ))}
      </ul>
    </Page>
  );
}
