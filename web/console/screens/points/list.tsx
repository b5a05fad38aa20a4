// The points of service (#/points, #/points?region=VE-A): each point's name, kind, region and
// status, filtered by region; above them, for readers of stock, the points that delivered more
// than they received in a recent cycle. Selectors: form#points-filter select[name=region],
// ul#point-list li[data-code] a.point-link, #overdrawn-list li[data-point].
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { allRegions, count, regionName } from '../../format';
import { t } from '../../i18n';
import { href, navigate } from '../../router';
import type { ScreenProps } from '../../screens';
import { can, OutcomeNotice, Page, SelectField, regionsWith, useAction } from '../../ui';
import { kindWords, pointStatusWords, type Point } from './common';

interface OverdrawnLine {
  pointId: string;
  pointCode: string;
  pointName: string;
  regionCode: string;
  cycleId: string;
  cycleLabel: string;
  received: number;
  delivered: number;
  gap: number;
}

export function PointList(props: ScreenProps) {
  const region = props.where.query.get('region') ?? '';
  const [chosen, setChosen] = useState(region);
  useEffect(() => setChosen(region), [region]);
  const load = useAction();
  const [items, setItems] = useState<Point[] | null>(null);
  useEffect(() => {
    setItems(null);
    void load.run(async () => {
      const query = region ? `?regionCode=${encodeURIComponent(region)}` : '';
      setItems((await api<{ items: Point[] }>('GET', `/api/v1/points${query}`)).items);
    });
  }, [region]);
  const held = regionsWith(props.session, 'point:read');
  const regions =
    held === '*' ? allRegions() : held.map((code) => ({ code, name: regionName(code) }));
  return (
    <Page title={t('points.title')}>
      <p>{t('points.intro')}</p>
      {can(props.session, 'stock:read') ? <Overdrawn region={region} /> : null}
      <form
        id="points-filter"
        class="card filter-row"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/points', chosen ? { region: chosen } : {});
        }}
      >
        <SelectField
          label={t('points.region')}
          name="region"
          value={chosen}
          onChange={setChosen}
          placeholder={t('points.region.all')}
          options={regions.map((r) => ({ value: r.code, label: r.name }))}
        />
        <button type="submit">{t('points.filter')}</button>
      </form>
      <OutcomeNotice outcome={load.outcome} />
      {items === null && !load.error ? <p>{t('app.loading')}</p> : null}
      {items && items.length === 0 ? <p id="points-empty">{t('points.none')}</p> : null}
      {items && items.length > 0 ? (
        <p role="status">{t('points.count', { count: count(items.length) })}</p>
      ) : null}
      <ul id="point-list" class="plain point-list">
        {(items ?? []).map((p) => (
          <li key={p.id} class="card" data-code={p.code} data-status={p.status}>
            <h2>
              <a class="point-link" href={href(`/points/${p.id}`)}>
                {p.name}
              </a>
            </h2>
            <p class="facts-line">
              <span>{p.code}</span>
              <span>{kindWords(p.kind)}</span>
              <span>
                {regionName(p.regionCode)}
                {p.locality ? ` (${p.locality})` : ''}
              </span>
              <span class={`flag point-${p.status}`}>{pointStatusWords(p.status)}</span>
            </p>
          </li>
        ))}
      </ul>
    </Page>
  );
}

/** The points in the reader's regions that delivered more than they received. */
function Overdrawn(props: { region: string }) {
  const load = useAction();
  const [items, setItems] = useState<OverdrawnLine[] | null>(null);
  useEffect(() => {
    void load.run(async () => {
      const query = props.region ? `?regionCode=${encodeURIComponent(props.region)}` : '';
      setItems(
        (await api<{ items: OverdrawnLine[] }>('GET', `/api/v1/stock/overdrawn${query}`)).items,
      );
    });
  }, [props.region]);
  return (
    <section id="overdrawn" class="card" aria-labelledby="overdrawn-title">
      <h2 id="overdrawn-title">{t('points.overdrawn.title')}</h2>
      <p>{t('points.overdrawn.intro')}</p>
      <OutcomeNotice outcome={load.outcome} />
      {items && items.length === 0 ? (
        <p id="overdrawn-none" class="notice ok">
          {t('points.overdrawn.none')}
        </p>
      ) : null}
      {items && items.length > 0 ? (
        <ul id="overdrawn-list" class="plain">
          {items.map((o) => (
            <li key={`${o.pointId}.${o.cycleId}`} class="overdrawn" data-point={o.pointId}>
              <a href={href(`/points/${o.pointId}`)}>
                {t('points.overdrawn.line', {
                  point: `${o.pointName} (${o.pointCode}, ${regionName(o.regionCode)})`,
                  cycle: o.cycleLabel,
                  received: count(o.received),
                  delivered: count(o.delivered),
                  gap: count(o.gap),
                })}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
