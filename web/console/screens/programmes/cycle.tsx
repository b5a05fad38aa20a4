// A cycle (#/cycles/<id>): its steps as a vertical timeline — created, frozen, generated,
// approved, closed (or cancelled) — each with who took it and when, in the deployment's zone,
// and the counts it produced; the buttons its status and the session's permissions allow;
// the registry changes since the freeze (counts: they do not alter the cycle); and, for cash
// and one-time programmes, payment to wallets in a named batch. Approval is four-eyes: the
// server refuses it to whoever froze or generated the cycle, and the page says so plainly.
//
// Selectors: ol#cycle-timeline li[data-step][data-done], #cycle-actions button#freeze-cycle,
// #generate-cycle, #approve-cycle, #close-cycle, form#cancel-cycle-form, button#pay-cycle,
// #cycle-outcome (OutcomeNotice, data-code on refusal), #cycle-busy, #cycle-changes,
// #payment-result [data-batch].
import type { ChangesSinceFreeze } from '../../../../src/programs/changed-since-freeze';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../../api';
import { t } from '../../i18n';
import { calendarDate, count, dateTime } from '../../format';
import { href } from '../../router';
import {
  asApiError,
  can,
  formValues,
  OutcomeNotice,
  Page,
  ReasonField,
  Submit,
  useAction,
  type Session,
} from '../../ui';
import {
  cycleStatusWords,
  nameOf,
  newBatchId,
  type CycleDetail,
  type CycleEvent,
  type CycleEventName,
  type Programme,
} from './common';

type Changes = ChangesSinceFreeze;

interface Payment {
  batchId: string;
  paid: number;
  skipped: number;
  repeated: boolean;
}

const steps: readonly CycleEventName[] = ['created', 'frozen', 'generated', 'approved', 'closed'];
type Step = 'freeze' | 'generate' | 'approve' | 'close';

// The server's refusal of an approval by the same person, in plain words.
function stepError(e: unknown): ApiError {
  const error = asApiError(e);
  const said =
    error.code === 'FORBIDDEN' && /someone other than/.test(error.message)
      ? t('programmes.cycle.approve.ownRefused')
      : undefined;
  return said
    ? new ApiError(error.code, error.message, error.status, error.field, error.details, said)
    : error;
}

function stepCounts(cycle: CycleDetail, step: CycleEventName, event: CycleEvent | undefined) {
  if (step === 'frozen' && cycle.eligibleCount !== null)
    return t('programmes.cycle.eligibleN', { n: count(cycle.eligibleCount) });
  if (step === 'generated' && cycle.entitlementCount !== null)
    return t('programmes.cycle.entitlementsN', { n: count(cycle.entitlementCount) });
  if (step === 'paid' && event) {
    const paid = Number(event.details.paid ?? 0);
    const skipped = Number(event.details.skipped ?? 0);
    return t('programmes.pay.summary', { paid: count(paid), skipped: count(skipped) });
  }
  if (step === 'cancelled' && cycle.cancelReason)
    return t('programmes.version.reason', { reason: cycle.cancelReason });
  return '';
}

function Timeline(props: { cycle: CycleDetail }) {
  const { cycle } = props;
  const first = (e: CycleEventName) => cycle.timeline.find((x) => x.event === e);
  const cancelled = cycle.status === 'cancelled';
  const shown: CycleEventName[] = cancelled
    ? [...steps.filter((s) => first(s)), 'cancelled']
    : [...steps];
  const paid = cycle.timeline.filter((e) => e.event === 'paid');
  const nextIndex = shown.findIndex((s) => !first(s));
  return (
    <ol id="cycle-timeline" class="timeline" aria-label={t('programmes.cycle.timeline')}>
      {shown.map((step, i) => {
        const event = first(step);
        const state = event ? 'done' : i === nextIndex ? 'next' : 'later';
        const counts = stepCounts(cycle, step, event);
        return (
          <li
            key={step}
            data-step={step}
            data-done={event ? 'true' : 'false'}
            class={`step ${state}`}
          >
            <span class="dot" aria-hidden="true" />
            <div>
              <strong>{t(`programmes.step.${step}` as const)}</strong>
              <span class="visually-hidden"> ({t(`programmes.step.state.${state}` as const)})</span>
              {event ? (
                <p class="step-who">
                  {t('programmes.step.by', {
                    who: event.actorUsername ?? t('programmes.step.system'),
                    when: dateTime(event.at),
                  })}
                </p>
              ) : (
                <p class="step-who hint">{t(`programmes.step.state.${state}` as const)}</p>
              )}
              {counts ? <p class="step-counts">{counts}</p> : null}
            </div>
          </li>
        );
      })}
      {paid.map((event, i) => (
        <li key={`paid-${i}`} data-step="paid" data-done="true" class="step done">
          <span class="dot" aria-hidden="true" />
          <div>
            <strong>{t('programmes.step.paid')}</strong>
            <p class="step-who">
              {t('programmes.step.by', {
                who: event.actorUsername ?? t('programmes.step.system'),
                when: dateTime(event.at),
              })}
            </p>
            <p class="step-counts">{stepCounts(cycle, 'paid', event)}</p>
            {typeof event.details.batchId === 'string' ? (
              <p class="hint">{t('programmes.pay.batch', { batch: event.details.batchId })}</p>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

function ChangesSinceFreeze(props: { changes: Changes }) {
  const c = props.changes;
  return (
    <section id="cycle-changes" class="card" aria-labelledby="cycle-changes-title">
      <h2 id="cycle-changes-title">{t('programmes.changes.title')}</h2>
      <p>{t('programmes.changes.intro', { when: dateTime(c.frozenAt) })}</p>
      <dl class="facts">
        <dt>{t('programmes.changes.changed')}</dt>
        <dd>{count(c.changed)}</dd>
        <dt>{t('programmes.changes.inSnapshot')}</dt>
        <dd>{count(c.inSnapshot)}</dd>
        <dt>{t('programmes.changes.noLongerActive')}</dt>
        <dd>{count(c.noLongerActive)}</dd>
        <dt>{t('programmes.changes.newlyEligible')}</dt>
        <dd>{count(c.newlyEligible)}</dd>
        <dt>{t('programmes.changes.noLongerEligible')}</dt>
        <dd>{count(c.noLongerEligible)}</dd>
      </dl>
    </section>
  );
}

/** #/cycles/<id>. */
export function CycleScreen(props: { session: Session; id: string }) {
  const load = useAction();
  const act = useAction();
  const [cycle, setCycle] = useState<CycleDetail | null>(null);
  const [programme, setProgramme] = useState<Programme | null>(null);
  const [changes, setChanges] = useState<Changes | null>(null);
  const [running, setRunning] = useState<Step | 'pay' | 'cancel' | null>(null);
  const [batchId, setBatchId] = useState<string | null>(null);
  const [payment, setPayment] = useState<Payment | null>(null);
  const manage = can(props.session, 'cycle:manage');
  const reload = async () => {
    await load.run(async () => {
      const c = await api<CycleDetail>('GET', `/api/v1/cycles/${encodeURIComponent(props.id)}`);
      setCycle(c);
      const p = await api<Programme>(
        'GET',
        `/api/v1/programmes/${encodeURIComponent(c.programmeId)}`,
      );
      setProgramme(p);
      if (manage && ['frozen', 'generated', 'approved'].includes(c.status))
        setChanges(
          await api<Changes>('GET', `/api/v1/cycles/${encodeURIComponent(c.id)}/changes`).catch(
            () => null,
          ),
        );
      else setChanges(null);
    });
  };
  useEffect(() => {
    void reload();
  }, [props.id]);

  const step = async (name: Step, success: string) => {
    setRunning(name);
    setPayment(null);
    const done = await act.run(async () => {
      try {
        return await api('POST', `/api/v1/cycles/${encodeURIComponent(props.id)}/${name}`);
      } catch (e) {
        throw stepError(e);
      }
    }, success);
    setRunning(null);
    if (done !== undefined) await reload();
  };

  const pay = async () => {
    const batch = newBatchId();
    setBatchId(batch);
    setPayment(null);
    setRunning('pay');
    const result = await act.run(
      () =>
        api<Payment>('POST', `/api/v1/cycles/${encodeURIComponent(props.id)}/payments`, {
          body: { batchId: batch },
        }),
      t('programmes.pay.done', { batch }),
    );
    setRunning(null);
    if (result) {
      setPayment(result);
      await reload();
    }
  };

  if (!cycle || !programme)
    return (
      <Page title={t('programmes.cycle.title', { label: '' })}>
        <OutcomeNotice outcome={load.outcome} />
        {!load.error ? <p>{t('app.loading')}</p> : null}
      </Page>
    );
  const status = cycle.status;
  const today = new Date().toISOString().slice(0, 10);
  const closable = today >= cycle.closesOn;
  const paying = programme.kind === 'cash' || programme.kind === 'one_time';
  const busyWords =
    running === 'generate'
      ? t('programmes.cycle.busy.generate')
      : running === 'freeze'
        ? t('programmes.cycle.busy.freeze')
        : running === 'pay'
          ? t('programmes.cycle.busy.pay')
          : running
            ? t('common.working')
            : null;
  const preparedBy = cycle.timeline
    .filter((e) => e.event === 'frozen' || e.event === 'generated')
    .map((e) => e.actorUsername);
  const mine = preparedBy.includes(props.session.username);
  return (
    <Page
      title={t('programmes.cycle.named', {
        label: cycle.label,
        programme: nameOf(programme.current.name),
      })}
    >
      <p>
        <a href={href(`/programmes/${programme.id}`)}>
          {t('programmes.cycle.backTo', { name: nameOf(programme.current.name) })}
        </a>
      </p>
      <section class="card" aria-labelledby="cycle-facts-title">
        <h2 id="cycle-facts-title" class="visually-hidden">
          {t('programmes.cycle.facts')}
        </h2>
        <dl class="facts" id="cycle-facts">
          <dt>{t('common.status')}</dt>
          <dd>
            <span class={`flag cycle-${status}`} id="cycle-status" data-status={status}>
              {cycleStatusWords(status)}
            </span>
          </dd>
          <dt>{t('programmes.cycle.periodLabel')}</dt>
          <dd>
            {t('programmes.cycle.period', {
              from: calendarDate(cycle.opensOn),
              to: calendarDate(cycle.closesOn),
            })}
          </dd>
          <dt>{t('programmes.cycle.referenceDate')}</dt>
          <dd>{calendarDate(cycle.referenceDate)}</dd>
          <dt>{t('programmes.cycle.version')}</dt>
          <dd>{t('programmes.version', { n: cycle.programmeVersion })}</dd>
        </dl>
      </section>

      <h2>{t('programmes.cycle.timeline')}</h2>
      <Timeline cycle={cycle} />

      <section id="cycle-actions" aria-labelledby="cycle-actions-title">
        <h2 id="cycle-actions-title">{t('programmes.cycle.actions')}</h2>
        {busyWords ? (
          <div id="cycle-busy" class="notice warn busy" role="status" aria-live="polite">
            <span>{busyWords}</span>
            <progress aria-label={busyWords} />
          </div>
        ) : null}
        <div id="cycle-outcome">
          <OutcomeNotice outcome={act.outcome} />
        </div>
        <div class="buttons">
          {manage && status === 'draft' ? (
            <button
              type="button"
              id="freeze-cycle"
              class="primary"
              disabled={act.busy}
              onClick={() => void step('freeze', t('programmes.cycle.frozen'))}
            >
              {t('programmes.cycle.freeze')}
            </button>
          ) : null}
          {manage && status === 'frozen' ? (
            <button
              type="button"
              id="generate-cycle"
              class="primary"
              disabled={act.busy}
              aria-busy={running === 'generate'}
              onClick={() => void step('generate', t('programmes.cycle.generated'))}
            >
              {t('programmes.cycle.generate')}
            </button>
          ) : null}
          {can(props.session, 'cycle:approve') && status === 'generated' ? (
            <button
              type="button"
              id="approve-cycle"
              class="primary"
              disabled={act.busy}
              aria-describedby="approve-hint"
              onClick={() => void step('approve', t('programmes.cycle.approved'))}
            >
              {t('programmes.cycle.approve')}
            </button>
          ) : null}
          {manage && status === 'approved' ? (
            <button
              type="button"
              id="close-cycle"
              disabled={act.busy || !closable}
              aria-describedby={closable ? undefined : 'close-hint'}
              onClick={() => void step('close', t('programmes.cycle.closed'))}
            >
              {t('programmes.cycle.close')}
            </button>
          ) : null}
          {manage && paying && status === 'approved' ? (
            <button
              type="button"
              id="pay-cycle"
              class="primary"
              disabled={act.busy}
              onClick={() => void pay()}
            >
              {t('programmes.pay')}
            </button>
          ) : null}
        </div>
        {can(props.session, 'cycle:approve') && status === 'generated' ? (
          <p id="approve-hint" class={mine ? 'notice warn' : 'hint'}>
            {mine ? t('programmes.cycle.approve.yours') : t('programmes.cycle.approve.hint')}
          </p>
        ) : null}
        {manage && status === 'approved' && !closable ? (
          <p id="close-hint" class="hint">
            {t('programmes.cycle.close.hint', { date: calendarDate(cycle.closesOn) })}
          </p>
        ) : null}
        {batchId ? (
          <div id="payment-result" class="card" data-batch={batchId}>
            <p>{t('programmes.pay.batch', { batch: batchId })}</p>
            {payment ? (
              <p>
                {t('programmes.pay.summary', {
                  paid: count(payment.paid),
                  skipped: count(payment.skipped),
                })}
                {payment.repeated ? ` ${t('programmes.pay.repeated')}` : ''}
              </p>
            ) : null}
          </div>
        ) : null}
        {manage && ['draft', 'frozen', 'generated'].includes(status) ? (
          <CancelForm id={cycle.id} onDone={() => void reload()} />
        ) : null}
      </section>

      {changes ? <ChangesSinceFreeze changes={changes} /> : null}

      {can(props.session, 'exclusion:read') &&
      cycle.entitlementCount !== null &&
      status !== 'cancelled' ? (
        <p>
          <a id="open-exclusion" class="button" href={href(`/exclusion/${cycle.id}`)}>
            {t('programmes.exclusion.open')}
          </a>
        </p>
      ) : null}
      <OutcomeNotice outcome={load.outcome} />
    </Page>
  );
}

function CancelForm(props: { id: string; onDone: () => void }) {
  const action = useAction();
  return (
    <details class="card">
      <summary>{t('programmes.cycle.cancel')}</summary>
      <form
        id="cancel-cycle-form"
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget);
          void action
            .run(
              () =>
                api('POST', `/api/v1/cycles/${encodeURIComponent(props.id)}/cancel`, {
                  body: { reason: v.reason ?? '' },
                }),
              t('programmes.cycle.cancelled'),
            )
            .then((done) => done !== undefined && props.onDone());
        }}
      >
        <p>{t('programmes.cycle.cancel.intro')}</p>
        <ReasonField error={action.error} />
        <OutcomeNotice outcome={action.outcome} fields={['reason']} />
        <Submit busy={action.busy} label={t('programmes.cycle.cancel')} class="danger" />
      </form>
    </details>
  );
}
