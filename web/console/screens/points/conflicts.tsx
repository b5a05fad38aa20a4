// The conflict review queue (#/conflicts, #/conflicts?status=resolved): offline records that
// could not count as a delivery, oldest first, in the reader's regions — naming no one. A
// programme administrator resolves each with a resolution and a note; resolving never makes a
// second delivery. Selectors: form#conflict-filter, #conflict-list li[data-conflict][data-status],
// form.resolve-conflict (select[name=resolution], input[name=note]), #conflicts-more.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { count, dateTime, regionName } from '../../format';
import { t } from '../../i18n';
import { navigate } from '../../router';
import type { ScreenProps } from '../../screens';
import {
  can,
  formValues,
  OutcomeNotice,
  Page,
  SelectField,
  Submit,
  TextField,
  useAction,
} from '../../ui';
import { conflictReasonWords, type Conflict } from './common';

const resolutions = ['confirmed_loss', 'recovered', 'error'] as const;

export function ConflictQueue(props: ScreenProps) {
  const status = props.where.query.get('status') === 'resolved' ? 'resolved' : 'open';
  const load = useAction();
  const [items, setItems] = useState<Conflict[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [shown, setShown] = useState(status);
  const fetchPage = async (cursor?: string) => {
    const params = new URLSearchParams({ status });
    if (cursor) params.set('cursor', cursor);
    const page = await load.run(() =>
      api<{ items: Conflict[]; next: string | null }>(
        'GET',
        `/api/v1/conflicts?${params.toString()}`,
      ),
    );
    if (!page) return;
    setItems((before) => (cursor && before ? [...before, ...page.items] : page.items));
    setNext(page.next);
  };
  useEffect(() => {
    setItems(null);
    setShown(status);
    void fetchPage();
  }, [status]);
  const resolver = can(props.session, 'conflict:resolve');
  return (
    <Page title={t('points.conflicts.title')}>
      <p>{t('points.conflicts.intro')}</p>
      <form
        id="conflict-filter"
        class="card filter-row"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/conflicts', shown === 'resolved' ? { status: 'resolved' } : {});
        }}
      >
        <SelectField
          label={t('points.conflicts.show')}
          name="status"
          value={shown}
          onChange={(v) => setShown(v === 'resolved' ? 'resolved' : 'open')}
          options={[
            { value: 'open', label: t('points.conflicts.status.open') },
            { value: 'resolved', label: t('points.conflicts.status.resolved') },
          ]}
        />
        <button type="submit">{t('points.filter')}</button>
      </form>
      <OutcomeNotice outcome={load.outcome} />
      {items === null && !load.error ? <p>{t('app.loading')}</p> : null}
      {items && items.length === 0 ? (
        <p id="conflicts-empty" class="notice ok" role="status">
          {status === 'open' ? t('points.conflicts.none') : t('points.conflicts.noneResolved')}
        </p>
      ) : null}
      <ul id="conflict-list" class="plain">
        {(items ?? []).map((c) => (
          <ConflictCard
            key={c.id}
            conflict={c}
            resolver={resolver}
            onResolved={(done) =>
              setItems((before) => (before ?? []).map((x) => (x.id === done.id ? done : x)))
            }
          />
        ))}
      </ul>
      {next ? (
        <button type="button" id="conflicts-more" onClick={() => void fetchPage(next)}>
          {t('points.conflicts.more')}
        </button>
      ) : null}
    </Page>
  );
}

function ConflictCard(props: {
  conflict: Conflict;
  resolver: boolean;
  onResolved: (c: Conflict) => void;
}) {
  const c = props.conflict;
  const action = useAction();
  const resolve = async (event: Event) => {
    event.preventDefault();
    const values = formValues(event.currentTarget as HTMLFormElement);
    const done = await action.run(
      () =>
        api<Conflict>('POST', `/api/v1/conflicts/${c.id}/resolve`, {
          body: { resolution: values.resolution ?? '', note: values.note ?? '' },
        }),
      t('points.conflicts.resolved'),
    );
    if (done) props.onResolved(done);
  };
  const titleId = `conflict-${c.id}-title`;
  return (
    <li class="card conflict" data-conflict={c.id} data-status={c.status}>
      <h2 id={titleId}>{conflictReasonWords(c.reason)}</h2>
      <p class="facts-line">
        <span>
          {t('points.conflicts.where', {
            point: c.point
              ? `${c.point.name} (${c.point.code}, ${regionName(c.point.regionCode)})`
              : t('common.none'),
            device: c.device?.name ?? t('common.none'),
          })}
        </span>
      </p>
      <p>
        {t('points.conflicts.what', {
          cycle: c.cycleLabel ?? c.cycleId,
          quantity: count(c.quantity),
          when: dateTime(c.createdAt),
        })}
      </p>
      {c.redemptionId ? <p class="notice warn">{t('points.conflicts.collides')}</p> : null}
      {c.status === 'resolved' ? (
        <p class="notice ok conflict-resolution">
          {t('points.conflicts.resolvedBy', {
            who: c.resolvedByUsername ?? c.resolvedBy ?? t('common.none'),
            when: dateTime(c.resolvedAt),
            resolution: c.resolution
              ? t(`points.conflicts.resolution.${c.resolution}` as const)
              : '',
            note: c.resolutionNote ?? '',
          })}
        </p>
      ) : null}
      {props.resolver && c.status === 'open' ? (
        <form class="resolve-conflict" onSubmit={(e) => void resolve(e)}>
          <SelectField
            label={t('points.conflicts.resolution')}
            name="resolution"
            required
            placeholder={t('points.conflicts.resolution.choose')}
            options={resolutions.map((r) => ({
              value: r,
              label: t(`points.conflicts.resolution.${r}` as const),
            }))}
            error={action.error}
          />
          <TextField
            label={t('points.conflicts.note')}
            name="note"
            required
            minLength={3}
            maxLength={500}
            hint={t('points.conflicts.note.hint')}
            error={action.error}
          />
          <Submit busy={action.busy} label={t('points.conflicts.resolve')} />
        </form>
      ) : null}
      <OutcomeNotice outcome={action.outcome} fields={['resolution', 'note']} />
    </li>
  );
}
