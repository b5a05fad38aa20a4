// The analyst screen: registry statistics (counts of active persons by region, age band and
// sex), small cells suppressed by the server and shown as the word "suppressed", never as 0.
// A bar chart of the totals by the first dimension is drawn with uPlot, loaded only when the
// table arrives (dynamic import), so it is not part of the first screen's JavaScript; its text
// alternative says the same values in words.
//
// Stable selectors for end-to-end tests:
//   #/statistics  form#statistics-form (select[name=by]), table#statistics-table (cells
//                 with class "suppressed" where hidden), figure#statistics-chart
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { t, type MessageKey } from '../i18n';
import { count, dateTime, regionName, words } from '../format';
import type { Screen } from '../screens';
import { OutcomeNotice, Page, SelectField, Submit, useAction } from '../ui';
import '../analyst.css';

interface Cell {
  labels: (string | null)[];
  isTotal: boolean;
  value: number | null;
  suppressed: boolean;
}

interface Statistics {
  dimensions: Array<{ name: string; labels: string[] }>;
  threshold: number;
  cells: Cell[];
  asOf: string;
}

const groupings = [
  'region,sex',
  'region,ageBand',
  'ageBand,sex',
  'region',
  'ageBand',
  'sex',
] as const;

function labelWords(dimension: string, label: string | null): string {
  if (label === null) return t('analyst.statistics.total');
  if (dimension === 'region') return regionName(label);
  if (dimension === 'sex') return words('sex', label);
  if (dimension === 'ageBand')
    return label === '75+'
      ? t('analyst.statistics.ageBand.75+')
      : t('analyst.statistics.ageBand', { band: label.replace('-', '–') });
  return label;
}

function dimensionWords(name: string): string {
  const key = `analyst.dimension.${name}` as MessageKey;
  return name === 'region' || name === 'ageBand' || name === 'sex' ? t(key) : name;
}

function cellOf(stats: Statistics, labels: (string | null)[]): Cell | undefined {
  return stats.cells.find((c) => c.labels.every((l, d) => l === labels[d]));
}

function Value(props: { cell: Cell | undefined; header?: boolean }) {
  const { cell } = props;
  if (!cell || cell.suppressed || cell.value === null)
    return <td class="suppressed">{t('analyst.statistics.suppressed')}</td>;
  return <td class={cell.isTotal ? 'num total' : 'num'}>{count(cell.value)}</td>;
}

function StatisticsTable(props: { stats: Statistics }) {
  const { stats } = props;
  const [rows, cols] = stats.dimensions;
  if (!rows) return null;
  const rowLabels = [...rows.labels, null];
  const colLabels = cols ? [...cols.labels, null] : [];
  const by = stats.dimensions.map((d) => dimensionWords(d.name)).join(' / ');
  const caption = t('analyst.statistics.caption', {
    by,
    asOf: dateTime(stats.asOf),
    threshold: count(stats.threshold),
  });
  return (
    <>
      <p class="stats-caption">{caption}</p>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t('analyst.statistics.title')}>
        <table id="statistics-table">
          <caption class="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" class="dimension">
                {dimensionWords(rows.name)}
              </th>
              {cols ? (
                colLabels.map((c) => (
                  <th scope="col" key={String(c)}>
                    {labelWords(cols.name, c)}
                  </th>
                ))
              ) : (
                <th scope="col">{t('analyst.statistics.count')}</th>
              )}
            </tr>
          </thead>
          <tbody>
            {rowLabels.map((r) => (
              <tr key={String(r)} class={r === null ? 'total' : undefined}>
                <th scope="row">{labelWords(rows.name, r)}</th>
                {cols ? (
                  colLabels.map((c) => <Value key={String(c)} cell={cellOf(stats, [r, c])} />)
                ) : (
                  <Value cell={cellOf(stats, [r])} />
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

// Totals over every other dimension, by the first one's labels (null where suppressed).
function firstDimensionTotals(stats: Statistics): Array<{ label: string; value: number | null }> {
  const first = stats.dimensions[0];
  if (!first) return [];
  const rest = stats.dimensions.slice(1).map(() => null);
  return first.labels.map((label) => {
    const cell = cellOf(stats, [label, ...rest]);
    return {
      label: labelWords(first.name, label),
      value: cell && !cell.suppressed ? cell.value : null,
    };
  });
}

function StatisticsChart(props: { stats: Statistics }) {
  const holder = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const totals = firstDimensionTotals(props.stats);
  const dimension = dimensionWords(props.stats.dimensions[0]?.name ?? '');
  useEffect(() => {
    let chart: { destroy(): void } | null = null;
    let cancelled = false;
    setState('loading');
    void import('./analyst-chart')
      .then((module) => {
        if (cancelled || !holder.current) return;
        const uPlot = module.uPlot;
        const width = Math.max(280, Math.min(holder.current.clientWidth || 600, 900));
        const xs = totals.map((_, i) => i);
        const ys = totals.map((v) => v.value);
        const bars = uPlot.paths.bars?.({ size: [0.6, 60] });
        chart = new uPlot(
          {
            width,
            height: 240,
            legend: { show: false },
            cursor: { show: false },
            scales: { x: { time: false, range: [-0.5, totals.length - 0.5] } },
            axes: [
              {
                splits: () => xs,
                values: (_u, splits) => splits.map((s) => totals[s]?.label ?? ''),
                rotate: totals.length > 4 ? -90 : 0,
                size: totals.length > 4 ? 130 : 40,
              },
              { values: (_u, splits) => splits.map((s) => count(s)) },
            ],
            series: [
              {},
              {
                label: t('analyst.statistics.count'),
                stroke: '#1f4e79',
                fill: '#3a78b5',
                ...(bars ? { paths: bars } : {}),
                points: { show: false },
              },
            ],
          },
          [xs, ys],
          holder.current,
        );
        setState('ready');
      })
      .catch(() => !cancelled && setState('failed'));
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [props.stats]);
  const values = totals
    .map(
      (v) => `${v.label} ${v.value === null ? t('analyst.statistics.suppressed') : count(v.value)}`,
    )
    .join('; ');
  const altId = 'statistics-chart-alt';
  return (
    <figure id="statistics-chart" class="card stats-chart" aria-describedby={altId}>
      <figcaption>{t('analyst.statistics.chart.title', { dimension })}</figcaption>
      <div
        ref={holder}
        role="img"
        aria-label={t('analyst.statistics.chart.alt', { dimension, values })}
      />
      <p id={altId} class="visually-hidden">
        {t('analyst.statistics.chart.alt', { dimension, values })}
      </p>
      {state === 'loading' ? <p>{t('analyst.statistics.chart.loading')}</p> : null}
      {state === 'failed' ? (
        <p class="notice error">{t('analyst.statistics.chart.failed')}</p>
      ) : null}
    </figure>
  );
}

function StatisticsScreen() {
  const action = useAction();
  const [by, setBy] = useState<string>('region,sex');
  const [stats, setStats] = useState<Statistics | null>(null);
  const load = async (grouping: string) => {
    setStats(null);
    const result = await action.run(() =>
      api<Statistics>('GET', `/api/v1/statistics/registry?by=${encodeURIComponent(grouping)}`),
    );
    if (result) setStats(result);
  };
  useEffect(() => {
    void load(by);
  }, []);
  return (
    <Page title={t('analyst.statistics.title')}>
      <p>{t('analyst.statistics.intro')}</p>
      <form
        id="statistics-form"
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void load(by);
        }}
      >
        <SelectField
          label={t('analyst.statistics.by')}
          name="by"
          value={by}
          onChange={setBy}
          options={groupings.map((g) => ({
            value: g,
            label: t(`analyst.statistics.by.${g}`),
          }))}
          error={action.error}
        />
        <Submit busy={action.busy} label={t('analyst.statistics.submit')} />
      </form>
      <OutcomeNotice outcome={action.outcome} fields={['by']} />
      {stats ? (
        <>
          <StatisticsTable stats={stats} />
          <StatisticsChart stats={stats} />
        </>
      ) : null}
    </Page>
  );
}

export const analystScreens: readonly Screen[] = [
  {
    path: 'statistics',
    title: 'analyst.statistics.title',
    permissions: ['stats:read'],
    component: StatisticsScreen,
  },
];
