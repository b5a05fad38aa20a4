// Settlement per point and local day (#/settlements?day=YYYY-MM-DD): the points of your
// regions that handed something over that day, each computed or not, approved or not; compute
// one, then open it (#/settlements/<id>) to read its lines — handed over, co-payments in cash
// and from wallets, what the programme owes — and approve it (a second finance officer: the
// server refuses who computed it). An approved line can be disputed. Selectors:
// form#settlement-day, #settlement-points tr[data-point], button[data-compute],
// #settlement-lines tr[data-programme], button#settlement-approve, form#dispute-form.
import { useEffect, useState } from 'preact/hooks';
import { api, localError } from '../../api';
import { calendarDate, count, dateTime, deploymentTimeZone } from '../../format';
import { t } from '../../i18n';
import { href, navigate } from '../../router';
import {
  can,
  formValues,
  OutcomeNotice,
  Page,
  SelectField,
  Submit,
  TextField,
  useAction,
  type Session,
} from '../../ui';
import { minorUnits, nameOf } from '../programmes/common';
import {
  daysAgo,
  money,
  settlementStatusWords,
  type Settlement,
  type SettlementDayEntry,
} from './common';

export function SettlementDay(props: { session: Session; query: URLSearchParams }) {
  const day = props.query.get('day') || daysAgo(deploymentTimeZone(), 1);
  const [items, setItems] = useState<SettlementDayEntry[] | null>(null);
  const action = useAction();
  const load = () =>
    api<{ items: SettlementDayEntry[] }>('GET', `/api/v1/settlements?day=${day}`).then((r) =>
      setItems(r.items),
    );
  useEffect(() => {
    void action.run(load);
  }, [day]);
  const compute = async (pointId: string) => {
    const s = await action.run(() =>
      api<Settlement>('POST', '/api/v1/settlements', { body: { pointId, day } }),
    );
    if (s) navigate(`/settlements/${s.id}`);
  };
  return (
    <Page title={t('money.settlement.title')}>
      <p>{t('money.settlement.intro')}</p>
      <form
        id="settlement-day"
        class="card"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const v = formValues(e.currentTarget as HTMLFormElement);
          if (!v.day) {
            action.setOutcome({
              ok: false,
              error: localError('day', t('money.settlement.needDay')),
            });
            return;
          }
          navigate('/settlements', { day: v.day });
        }}
      >
        <TextField
          label={t('money.settlement.day')}
          name="day"
          type="date"
          required
          defaultValue={day}
          hint={t('app.timeZone', { zone: deploymentTimeZone() })}
          error={action.error}
        />
        <Submit busy={action.busy} label={t('money.settlement.show')} />
      </form>
      <OutcomeNotice outcome={action.outcome} fields={['day']} />
      {items === null ? null : items.length === 0 ? (
        <p class="notice warn" role="status">
          {t('money.settlement.none', { day: calendarDate(day) })}
        </p>
      ) : (
        <div class="table-wrap" tabIndex={0} aria-label={t('money.settlement.title')}>
          <table id="settlement-points" class="stack">
            <thead>
              <tr>
                <th scope="col">{t('money.settlement.point')}</th>
                <th scope="col">{t('money.settlement.redemptions')}</th>
                <th scope="col">{t('money.settlement.state')}</th>
                <th scope="col">{t('money.settlement.action')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.pointId} data-point={p.pointCode}>
                  <td data-label={t('money.settlement.point')}>
                    {p.pointName} ({p.pointCode})
                  </td>
                  <td data-label={t('money.settlement.redemptions')}>{count(p.redemptions)}</td>
                  <td data-label={t('money.settlement.state')}>
                    {settlementStatusWords(p.status)}
                  </td>
                  <td data-label={t('money.settlement.action')}>
                    {p.status === 'not_computed' ? (
                      can(props.session, 'settlement:compute') ? (
                        <button
                          type="button"
                          data-compute={p.pointCode}
                          disabled={action.busy}
                          onClick={() => void compute(p.pointId)}
                        >
                          {t('money.settlement.compute')}
                        </button>
                      ) : (
                        t('common.none')
                      )
                    ) : (
                      <a href={href(`/settlements/${p.settlementId}`)}>
                        {t('money.settlement.open')}
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

export function SettlementScreen(props: { session: Session; id: string }) {
  const [s, setS] = useState<Settlement | null>(null);
  const action = useAction();
  const dispute = useAction();
  const url = `/api/v1/settlements/${props.id}`;
  const reload = () => api<Settlement>('GET', url).then(setS);
  useEffect(() => {
    void action.run(reload);
  }, [props.id]);
  const approve = () =>
    action.run(async () => {
      await api('POST', `${url}/approve`);
      await reload();
    }, t('money.settlement.approvedNow'));
  const recompute = () =>
    action.run(async () => {
      await api('POST', '/api/v1/settlements', { body: { pointId: s!.pointId, day: s!.day } });
      await reload();
    }, t('money.settlement.computedNow'));
  const openDispute = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const v = formValues(form);
    const claimed = minorUnits(v.claimed ?? '');
    if (!claimed || claimed === '0') {
      dispute.setOutcome({
        ok: false,
        error: localError('claimed', t('money.disputes.needAmount')),
      });
      return;
    }
    void dispute
      .run(
        () =>
          api('POST', '/api/v1/disputes', {
            body: {
              settlementId: props.id,
              programmeId: v.programmeId,
              direction: v.direction,
              claimed,
              reason: v.reason ?? '',
            },
          }),
        t('money.disputes.opened'),
      )
      .then((ok) => {
        if (ok) form.reset();
      });
  };
  return (
    <Page
      title={
        s
          ? t('money.settlement.of', {
              point: `${s.pointName ?? s.pointId} (${s.pointCode ?? ''})`,
              day: calendarDate(s.day),
            })
          : props.id
      }
      actions={
        <a class="button" href={href('/settlements', s ? { day: s.day } : {})}>
          {t('money.settlement.back')}
        </a>
      }
    >
      <OutcomeNotice outcome={action.outcome} />
      {s ? (
        <>
          <p id="settlement-state" data-status={s.status}>
            {settlementStatusWords(s.status)} ·{' '}
            {t('money.settlement.computedBy', {
              who: s.computedByName ?? s.computedBy,
              when: dateTime(s.computedAt),
            })}
            {s.approvedBy
              ? ` · ${t('money.settlement.approvedBy', { who: s.approvedByName ?? s.approvedBy, when: dateTime(s.approvedAt) })}`
              : ''}
          </p>
          <div class="table-wrap" tabIndex={0} aria-label={t('money.settlement.lines')}>
            <table id="settlement-lines" class="stack">
              <thead>
                <tr>
                  <th scope="col">{t('money.settlement.programme')}</th>
                  <th scope="col">{t('money.settlement.handedOver')}</th>
                  <th scope="col">{t('money.settlement.cash')}</th>
                  <th scope="col">{t('money.settlement.wallet')}</th>
                  <th scope="col">{t('money.settlement.rate')}</th>
                  <th scope="col">{t('money.settlement.owed')}</th>
                </tr>
              </thead>
              <tbody>
                {s.lines.map((l) => (
                  <tr key={l.programmeId} data-programme={l.programmeId}>
                    <td data-label={t('money.settlement.programme')}>
                      {l.programmeName ? nameOf(l.programmeName) : l.programmeId}
                    </td>
                    <td data-label={t('money.settlement.handedOver')}>
                      {t('money.settlement.units', {
                        units: count(l.quantity),
                        redemptions: count(l.redemptions),
                      })}
                    </td>
                    <td data-label={t('money.settlement.cash')}>{money(l.cash, l.currency)}</td>
                    <td data-label={t('money.settlement.wallet')}>{money(l.wallet, l.currency)}</td>
                    <td data-label={t('money.settlement.rate')}>
                      {l.rateId ? money(l.perUnit, l.currency) : t('money.settlement.noRate')}
                    </td>
                    <td data-label={t('money.settlement.owed')}>
                      <strong>{money(l.reimbursement, l.currency)}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {Object.entries(s.totals).map(([currency, x]) => (
            <p key={currency} id="settlement-total">
              {t('money.settlement.total', {
                owed: money(x.reimbursement, currency),
                cash: money(x.cash, currency),
                wallet: money(x.wallet, currency),
              })}
            </p>
          ))}
          {s.status === 'computed' && can(props.session, 'settlement:approve') ? (
            <p>
              <span class="hint">{t('money.settlement.fourEyes')}</span>{' '}
              <button
                type="button"
                id="settlement-approve"
                class="primary"
                disabled={action.busy}
                onClick={() => void approve()}
              >
                {t('money.settlement.approve')}
              </button>{' '}
              <button
                type="button"
                id="settlement-recompute"
                disabled={action.busy}
                onClick={() => void recompute()}
              >
                {t('money.settlement.recompute')}
              </button>
            </p>
          ) : null}
          {s.status === 'approved' && can(props.session, 'dispute:open') && s.lines.length > 0 ? (
            <form id="dispute-form" class="card" noValidate onSubmit={openDispute}>
              <h2>{t('money.disputes.open')}</h2>
              <SelectField
                label={t('money.settlement.programme')}
                name="programmeId"
                required
                options={s.lines.map((l) => ({
                  value: l.programmeId,
                  label: l.programmeName ? nameOf(l.programmeName) : l.programmeId,
                }))}
                error={dispute.error}
              />
              <SelectField
                label={t('money.disputes.direction')}
                name="direction"
                required
                options={(['underpaid', 'overpaid'] as const).map((d) => ({
                  value: d,
                  label: t(`money.disputes.direction.${d}` as const),
                }))}
                error={dispute.error}
              />
              <TextField
                label={t('money.disputes.claimed')}
                name="claimed"
                inputMode="decimal"
                required
                hint={t('money.disputes.claimed.hint')}
                error={dispute.error}
              />
              <TextField
                label={t('money.disputes.reason')}
                name="reason"
                required
                minLength={5}
                maxLength={1000}
                error={dispute.error}
              />
              <Submit busy={dispute.busy} label={t('money.disputes.submit')} />
              <OutcomeNotice
                outcome={dispute.outcome}
                fields={['programmeId', 'direction', 'claimed', 'reason']}
              />
            </form>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
