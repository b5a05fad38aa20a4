// The exclusion dashboard (#/exclusion/<cycleId>): who a cycle left out. Headline numbers
// (eligible, collected, eligible without a card — people who must still be served — and not
// collected), the eight measures by region with small cells shown as "< threshold", a bar
// chart by region and a trend over the programme's cycles. The charts are drawn with uPlot,
// loaded only when the report arrives (the analyst screen's chunk), each with a text
// alternative saying the same values.
//
// Selectors: #exclusion-headline [data-measure], table#exclusion-table (td.suppressed),
// figure#exclusion-chart, figure#exclusion-trend, table#exclusion-trend-table.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api';
import { t } from '../../i18n';
import { count, dateTime, regionName } from '../../format';
import { href } from '../../router';
import { OutcomeNotice, Page, useAction, type Session } from '../../ui';
import {
  CountCell,
  countText,
  nameOf,
  valueOf,
  type CycleDetail,
  type Programme,
  type SuppressedTable,
} from './common';
import {
  exclusionMeasures,
  type ExclusionMeasure,
} from '../../../../src/programs/exclusion-measures';

const measures = exclusionMeasures;
type Measure = ExclusionMeasure;
const headline: readonly Measure[] = [
  'eligible',
  'redeemed',
  'eligibleWithoutCard',
  'unredeemed',
  'exclusionComplaints',
];

interface Report {
  id: string | null;
  cycleId: string;
  generatedAt: string;
  final: boolean;
  regions: string[];
  threshold: number;
  measures: Record<Measure, SuppressedTable>;
}

interface TrendItem {
  cycleId: string;
  label: string;
  status: string;
  eligible: number | null;
  redeemed: number | null;
  unredeemed: number | null;
  eligibleWithoutCard: number | null;
}

const colours = {
  eligible: '#1f4e79',
  redeemed: '#2e7d32',
  unredeemed: '#b3261e',
  eligibleWithoutCard: '#8a5a00',
} as const;

function measureWords(m: Measure): string {
  return t(`programmes.measure.${m}` as const);
}

function total(report: Report, m: Measure): number | null {
  return valueOf(report.measures[m], [null]);
}

function Legend(props: { series: ReadonlyArray<keyof typeof colours> }) {
  return (
    <ul class="plain chart-legend" aria-hidden="true">
      {props.series.map((s) => (
        <li key={s}>
          <span class="swatch" style={{ background: colours[s] }} />
          {measureWords(s)}
        </li>
      ))}
    </ul>
  );
}

type UPlotModule = typeof import('../analyst-chart');

/** Draws a chart when uPlot has loaded; says so while it loads or if it fails. */
function useChart(
  draw: (module: UPlotModule, holder: HTMLDivElement) => { destroy(): void },
  deps: unknown[],
) {
  const holder = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  useEffect(() => {
    let chart: { destroy(): void } | null = null;
    let cancelled = false;
    setState('loading');
    void import('../analyst-chart')
      .then((module) => {
        if (cancelled || !holder.current) return;
        chart = draw(module, holder.current);
        setState('ready');
      })
      .catch(() => !cancelled && setState('failed'));
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, deps);
  return { holder, state };
}

function ChartState(props: { state: 'loading' | 'ready' | 'failed' }) {
  if (props.state === 'loading') return <p>{t('programmes.chart.loading')}</p>;
  if (props.state === 'failed') return <p class="notice error">{t('programmes.chart.failed')}</p>;
  return null;
}

const barSeries = ['eligible', 'redeemed', 'unredeemed'] as const;

function RegionChart(props: { report: Report }) {
  const { report } = props;
  const regions = report.regions;
  const { holder, state } = useChart(
    ({ uPlot }, node) => {
      // Three bars per region: x = 4·region + series, one slot left empty between regions.
      const xs: number[] = [];
      for (let i = 0; i < regions.length; i++) xs.push(4 * i, 4 * i + 1, 4 * i + 2);
      const ys = barSeries.map((m, j) =>
        xs.map((x) =>
          x % 4 === j ? valueOf(report.measures[m], [regions[Math.floor(x / 4)] ?? null]) : null,
        ),
      );
      const width = Math.max(node.clientWidth || 320, regions.length * 40 + 90);
      const bars = uPlot.paths.bars?.({ size: [0.9, 40] });
      return new uPlot(
        {
          width,
          height: 300,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false, range: [-1, 4 * regions.length - 1] } },
          axes: [
            {
              splits: () => regions.map((_, i) => 4 * i + 1),
              values: (_u, splits) => splits.map((s) => regionName(regions[(s - 1) / 4])),
              rotate: -90,
              size: 140,
            },
            { values: (_u, splits) => splits.map((s) => count(s)), size: 60 },
          ],
          series: [
            {},
            ...barSeries.map((m) => ({
              label: measureWords(m),
              stroke: colours[m],
              fill: colours[m],
              ...(bars ? { paths: bars } : {}),
              points: { show: false },
            })),
          ],
        },
        [xs, ...ys],
        node,
      );
    },
    [report],
  );
  const values = regions
    .map(
      (r) =>
        `${regionName(r)}: ${barSeries
          .map(
            (m) =>
              `${measureWords(m)} ${countText(valueOf(report.measures[m], [r]), report.threshold)}`,
          )
          .join(', ')}`,
    )
    .join('; ');
  const alt = t('programmes.chart.regions.alt', { values });
  return (
    <figure id="exclusion-chart" class="card chart">
      <figcaption>{t('programmes.chart.regions')}</figcaption>
      <Legend series={barSeries} />
      <div
        class="chart-scroll"
        tabIndex={0}
        role="region"
        aria-label={t('programmes.chart.regions')}
      >
        <div ref={holder} role="img" aria-label={alt} />
      </div>
      <ChartState state={state} />
    </figure>
  );
}

const trendSeries = ['eligible', 'redeemed', 'unredeemed', 'eligibleWithoutCard'] as const;

function TrendChart(props: { items: TrendItem[]; threshold: number }) {
  const { items } = props;
  const { holder, state } = useChart(
    ({ uPlot }, node) => {
      const xs = items.map((_, i) => i);
      const width = Math.max(node.clientWidth || 320, items.length * 60 + 90);
      return new uPlot(
        {
          width,
          height: 240,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false, range: [-0.5, Math.max(0.5, items.length - 0.5)] } },
          axes: [
            {
              splits: () => xs,
              values: (_u, splits) => splits.map((s) => items[s]?.label ?? ''),
            },
            { values: (_u, splits) => splits.map((s) => count(s)), size: 60 },
          ],
          series: [
            {},
            ...trendSeries.map((m) => ({
              label: measureWords(m),
              stroke: colours[m],
              width: 2,
              points: { show: true, size: 8, fill: colours[m] },
            })),
          ],
        },
        [xs, ...trendSeries.map((m) => items.map((i) => i[m]))],
        node,
      );
    },
    [items],
  );
  const values = items
    .map(
      (i) =>
        `${i.label}: ${trendSeries.map((m) => `${measureWords(m)} ${countText(i[m], props.threshold)}`).join(', ')}`,
    )
    .join('; ');
  return (
    <figure id="exclusion-trend" class="card chart">
      <figcaption>{t('programmes.chart.trend')}</figcaption>
      <Legend series={trendSeries} />
      <div class="chart-scroll" tabIndex={0} role="region" aria-label={t('programmes.chart.trend')}>
        <div ref={holder} role="img" aria-label={t('programmes.chart.trend.alt', { values })} />
      </div>
      <ChartState state={state} />
    </figure>
  );
}

function TrendTable(props: { items: TrendItem[]; threshold: number; current: string }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={t('programmes.chart.trend')}>
      <table id="exclusion-trend-table" class="counts wide">
        <caption class="visually-hidden">{t('programmes.chart.trend')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('programmes.cycle.label')}</th>
            {trendSeries.map((m) => (
              <th scope="col" class="num" key={m}>
                {measureWords(m)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.items.map((i) => (
            <tr key={i.cycleId} class={i.cycleId === props.current ? 'current' : undefined}>
              <th scope="row">
                <a href={href(`/exclusion/${i.cycleId}`)}>{i.label}</a>
              </th>
              {trendSeries.map((m) => (
                <CountCell key={m} value={i[m]} threshold={props.threshold} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** #/exclusion/<cycleId>. */
export function ExclusionScreen(props: { session: Session; id: string }) {
  const load = useAction();
  const [report, setReport] = useState<Report | null>(null);
  const [cycle, setCycle] = useState<CycleDetail | null>(null);
  const [programme, setProgramme] = useState<Programme | null>(null);
  const [trend, setTrend] = useState<TrendItem[] | null>(null);
  useEffect(() => {
    setReport(null);
    void load.run(async () => {
      const id = encodeURIComponent(props.id);
      const [r, c] = await Promise.all([
        api<Report>('GET', `/api/v1/cycles/${id}/exclusion`),
        api<CycleDetail>('GET', `/api/v1/cycles/${id}`),
      ]);
      const pid = encodeURIComponent(c.programmeId);
      const [p, tr] = await Promise.all([
        api<Programme>('GET', `/api/v1/programmes/${pid}`),
        api<{ items: TrendItem[] }>('GET', `/api/v1/programmes/${pid}/exclusion`),
      ]);
      setCycle(c);
      setProgramme(p);
      setTrend(tr.items);
      setReport(r);
    });
  }, [props.id]);
  const title =
    cycle && programme
      ? t('programmes.exclusion.title', {
          programme: nameOf(programme.current.name),
          label: cycle.label,
        })
      : t('programmes.exclusion.short');
  if (!report || !cycle || !programme)
    return (
      <Page title={title}>
        <OutcomeNotice outcome={load.outcome} />
        {!load.error ? <p>{t('app.loading')}</p> : null}
      </Page>
    );
  const threshold = report.threshold;
  const hasTotal = report.measures.eligible.cells.some((c) => c.isTotal);
  return (
    <Page title={title}>
      <p>
        <a href={href(`/cycles/${cycle.id}`)}>{t('programmes.exclusion.backToCycle')}</a>
      </p>
      <p class="why">{t('programmes.exclusion.why')}</p>
      <p class="hint">
        {report.final
          ? t('programmes.exclusion.final', { when: dateTime(report.generatedAt) })
          : t('programmes.exclusion.live', { when: dateTime(report.generatedAt) })}{' '}
        {t('programmes.suppression', { threshold: count(threshold) })}
      </p>
      <ul id="exclusion-headline" class="plain headline-grid">
        {headline.map((m) => (
          <li key={m} class={`card headline-${m}`} data-measure={m}>
            <span class="big">{hasTotal ? countText(total(report, m), threshold) : '—'}</span>
            <span>{measureWords(m)}</span>
            {m === 'eligibleWithoutCard' || m === 'exclusionComplaints' ? (
              <small class="hint">{t(`programmes.measure.${m}.hint` as const)}</small>
            ) : null}
          </li>
        ))}
      </ul>
      {!hasTotal ? <p class="hint">{t('programmes.exclusion.noTotal')}</p> : null}
      <h2 id="exclusion-table-title">{t('programmes.exclusion.byRegion')}</h2>
      <div
        class="table-wrap sticky-first"
        tabIndex={0}
        role="region"
        aria-labelledby="exclusion-table-title"
      >
        <table id="exclusion-table" class="counts wide">
          <caption class="visually-hidden">{t('programmes.exclusion.byRegion')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('common.region')}</th>
              {measures.map((m) => (
                <th scope="col" class="num" key={m}>
                  {measureWords(m)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.regions.map((r) => (
              <tr key={r}>
                <th scope="row">{regionName(r)}</th>
                {measures.map((m) => (
                  <CountCell
                    key={m}
                    value={valueOf(report.measures[m], [r])}
                    threshold={threshold}
                  />
                ))}
              </tr>
            ))}
            {hasTotal ? (
              <tr class="total">
                <th scope="row">{t('programmes.total')}</th>
                {measures.map((m) => (
                  <CountCell key={m} value={total(report, m)} threshold={threshold} />
                ))}
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <RegionChart report={report} />
      {trend && trend.length > 0 ? (
        <>
          <TrendChart items={trend} threshold={threshold} />
          <TrendTable items={trend} threshold={threshold} current={cycle.id} />
        </>
      ) : null}
    </Page>
  );
}
