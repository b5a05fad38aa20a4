// The rule editor: a monospace text box whose rule is checked as it is typed (400 ms after the
// last key), each problem said with its line and column, the offending span underlined and the
// server's suggestion offered; a valid rule is run at once as a dry run, and what comes back
// is counts only — total, by region, by age band, by sex — small groups suppressed. It never
// shows a person.
//
// Stable selectors for end-to-end tests: textarea.rule-text (name=rule), .rule-status[data-state],
// ul#rule-problems li[data-code] (.rule-place, .rule-suggestion), section#rule-counts
// (#rule-total, table#rule-by-region, table#rule-by-age, table#rule-by-sex).
import { ruleProblemCodes } from '../../../../src/programs/rules/problems';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api } from '../../api';
import { t } from '../../i18n';
import { count } from '../../format';
import { asApiError, OutcomeNotice, type Outcome } from '../../ui';
import {
  CountCell,
  countText,
  labelWords,
  valueOf,
  type Kind,
  type SuppressedTable,
  type Target,
} from './common';

export interface RuleProblem {
  code: string;
  message: string;
  line: number;
  column: number;
  offset: number;
  length: number;
  expected?: string[];
  suggestion?: string;
}

interface Uses {
  household: boolean;
  health: string[];
  programmes: string[];
  attributes: string[];
}

type Validation = { ok: true; rule: string; uses: Uses } | { ok: false; problems: RuleProblem[] };

interface DryRun {
  total: number | null;
  counts: SuppressedTable;
  uses: Uses;
  referenceDate: string;
  regions: string[];
  milliseconds: number;
}

type State =
  | { phase: 'empty' }
  | { phase: 'checking' }
  | { phase: 'problems'; problems: RuleProblem[] }
  | { phase: 'counting' }
  | { phase: 'counted'; result: DryRun }
  | { phase: 'failed'; outcome: Outcome };

const problemCodes = ruleProblemCodes;

function problemWords(code: string): string {
  const known = problemCodes.find((c) => c === code);
  return known ? t(`programmes.rule.problem.${known}`) : t('programmes.rule.problem.other');
}

/** The line a problem is on, and a caret line under its span. */
function markOf(text: string, p: RuleProblem): { line: string; caret: string } {
  const offset = Math.max(0, Math.min(p.offset, text.length));
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const endAt = text.indexOf('\n', offset);
  const end = endAt < 0 ? text.length : endAt;
  const line = text.slice(start, end);
  const width = Math.max(1, Math.min(p.length || 1, Math.max(1, end - offset)));
  // Tabs keep their width in the caret line, so the caret sits under the span.
  const lead = line.slice(0, offset - start).replace(/[^\t]/g, ' ');
  return { line, caret: `${lead}^${'~'.repeat(width - 1)}` };
}

/** The rule text box, checked as it is typed, with live suppressed counts when valid. */
export function RuleEditor(props: {
  value: string;
  onChange: (rule: string) => void;
  kind: Kind;
  target: Target;
  /** False when the session may not check rules (cycle:manage): the box only. */
  live: boolean;
  error?: string | null;
}) {
  const id = useId();
  const [state, setState] = useState<State>({ phase: 'empty' });
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (!props.live) return;
    const rule = props.value;
    if (rule.trim() === '') {
      setState({ phase: 'empty' });
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      void (async () => {
        setState({ phase: 'checking' });
        try {
          const checked = await api<Validation>('POST', '/api/v1/rules/validate', {
            body: { rule, kind: props.kind },
            signal: abort.signal,
          });
          if (abort.signal.aborted) return;
          if (!checked.ok) {
            setState({ phase: 'problems', problems: checked.problems });
            return;
          }
          setState({ phase: 'counting' });
          const result = await api<DryRun>('POST', '/api/v1/rules/dry-run', {
            body: { rule, kind: props.kind, target: props.target },
            signal: abort.signal,
          });
          if (!abort.signal.aborted) setState({ phase: 'counted', result });
        } catch (e) {
          if (abort.signal.aborted) return;
          const error = asApiError(e);
          const problems = (error.details as { problems?: RuleProblem[] } | undefined)?.problems;
          if (error.code === 'INVALID_RULE' && problems) setState({ phase: 'problems', problems });
          else setState({ phase: 'failed', outcome: { ok: false, error } });
        }
      })();
    }, 400);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [props.value, props.kind, props.target, props.live]);

  const useSuggestion = (p: RuleProblem) => {
    if (!p.suggestion) return;
    const text = props.value;
    props.onChange(text.slice(0, p.offset) + p.suggestion + text.slice(p.offset + p.length));
    box.current?.focus();
  };

  const statusText =
    state.phase === 'checking'
      ? t('programmes.rule.checking')
      : state.phase === 'counting'
        ? t('programmes.rule.counting')
        : state.phase === 'problems'
          ? t('programmes.rule.problems', { n: state.problems.length })
          : state.phase === 'counted'
            ? t('programmes.rule.valid')
            : '';
  const problems = state.phase === 'problems' ? state.problems : [];
  return (
    <div class="rule-editor">
      <div class={props.error ? 'field invalid' : 'field'}>
        <label for={id}>{t('programmes.rule')}</label>
        <textarea
          id={id}
          ref={box}
          class="rule-text"
          name="rule"
          rows={4}
          maxLength={4000}
          spellcheck={false}
          autocapitalize="off"
          autocomplete="off"
          aria-describedby={`${id}-hint ${id}-status`}
          aria-invalid={problems.length > 0 || props.error ? 'true' : undefined}
          value={props.value}
          onInput={(e) => props.onChange((e.target as HTMLTextAreaElement).value)}
        />
        <small id={`${id}-hint`} class="hint">
          {t('programmes.rule.hint')}
        </small>
        {props.error ? (
          <small class="field-error" role="alert">
            {props.error}
          </small>
        ) : null}
      </div>
      {props.live ? (
        <p
          id={`${id}-status`}
          class={`rule-status ${state.phase}`}
          role="status"
          aria-live="polite"
          data-state={state.phase}
        >
          {statusText}
        </p>
      ) : (
        <p id={`${id}-status`} class="hint">
          {t('programmes.rule.notLive')}
        </p>
      )}
      {problems.length > 0 ? (
        <ul id="rule-problems" class="plain rule-problems">
          {problems.map((p, i) => {
            const mark = markOf(props.value, p);
            return (
              <li key={`${p.offset}-${i}`} class="rule-problem" data-code={p.code}>
                <p>
                  <strong class="rule-place">
                    {t('programmes.rule.place', { line: p.line, column: p.column })}
                  </strong>{' '}
                  {problemWords(p.code)}
                </p>
                <pre class="rule-mark" aria-hidden="true">
                  <span>{mark.line || ' '}</span>
                  {'\n'}
                  <span class="rule-caret">{mark.caret}</span>
                </pre>
                <p class="rule-server">
                  {t('programmes.rule.server')} <span lang="en">{p.message}</span>
                </p>
                {p.suggestion ? (
                  <p class="rule-suggestion">
                    {t('programmes.rule.didYouMean')} <code>{p.suggestion}</code>{' '}
                    <button type="button" class="link" onClick={() => useSuggestion(p)}>
                      {t('programmes.rule.useSuggestion', { suggestion: p.suggestion })}
                    </button>
                  </p>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      {state.phase === 'failed' ? <OutcomeNotice outcome={state.outcome} /> : null}
      {state.phase === 'counted' ? (
        <RuleCounts result={state.result} target={props.target} />
      ) : null}
    </div>
  );
}

function Marginal(props: {
  id: string;
  caption: string;
  table: SuppressedTable;
  dimension: number;
}) {
  const dim = props.table.dimensions[props.dimension];
  if (!dim) return null;
  const labelsFor = (label: string | null) =>
    props.table.dimensions.map((_, i) => (i === props.dimension ? label : null));
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.caption}>
      <table id={props.id} class="counts">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t(`programmes.dimension.${dim.name as 'region'}`)}</th>
            <th scope="col" class="num">
              {t('programmes.count')}
            </th>
          </tr>
        </thead>
        <tbody>
          {dim.labels.map((label) => (
            <tr key={label}>
              <th scope="row">{labelWords(dim.name, label)}</th>
              <CountCell
                value={valueOf(props.table, labelsFor(label))}
                threshold={props.table.threshold}
              />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What a dry run found: counts only, suppressed. */
function RuleCounts(props: { result: DryRun; target: Target }) {
  const { result } = props;
  const threshold = result.counts.threshold;
  return (
    <section id="rule-counts" class="card rule-counts" aria-labelledby="rule-counts-title">
      <h3 id="rule-counts-title">{t('programmes.rule.counts')}</h3>
      <p class="headline">
        <span id="rule-total" class="big">
          {countText(result.total, threshold)}
        </span>{' '}
        {props.target === 'household'
          ? t('programmes.rule.total.household')
          : t('programmes.rule.total.person')}
      </p>
      <p class="hint">
        {t('programmes.rule.took', {
          ms: count(result.milliseconds),
          date: result.referenceDate,
        })}
      </p>
      <p class="hint">{t('programmes.suppression', { threshold: count(threshold) })}</p>
      <div class="count-tables">
        <Marginal
          id="rule-by-region"
          caption={t('programmes.rule.byRegion')}
          table={result.counts}
          dimension={0}
        />
        <Marginal
          id="rule-by-age"
          caption={t('programmes.rule.byAge')}
          table={result.counts}
          dimension={1}
        />
        <Marginal
          id="rule-by-sex"
          caption={t('programmes.rule.bySex')}
          table={result.counts}
          dimension={2}
        />
      </div>
    </section>
  );
}
