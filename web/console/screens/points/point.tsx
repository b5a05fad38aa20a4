// One point of service (#/points/<id>): what it is and serves; its operators (assign one whose
// operator role covers the region, remove one — kept as history); its devices (register one and
// see its one-time enrolment code once; revoke a lost one with a reason); its stock per cycle
// (received, adjustments, delivered, left — an overdrawn cycle in red and in words — and
// recording a receipt or an adjustment); and a link to its redemption log.
// Selectors: #point-facts, #operator-list li[data-staff], form#assign-operator,
// #device-list li[data-device][data-status], form#register-device, #device-code,
// form#revoke-device, #stock-list [data-cycle][data-overdrawn], form#stock-form, a#open-log.
import { useEffect, useState } from 'preact/hooks';
import { api, localError } from '../../api';
import { count, dateTime, regionName } from '../../format';
import { t } from '../../i18n';
import { href } from '../../router';
import {
  can,
  formValues,
  OutcomeNotice,
  Page,
  ReasonField,
  SelectField,
  Submit,
  TextField,
  useAction,
  type Session,
} from '../../ui';
import { ShownOnce } from '../admin/common';
import { nameOf, type Programme } from '../programmes/common';
import {
  deviceStatusWords,
  kindWords,
  pointStatusWords,
  quantityText,
  type Device,
  type OperatorCandidate,
  type PointDetail,
  type StockLine,
} from './common';

export function PointScreen(props: { session: Session; id: string }) {
  const load = useAction();
  const [point, setPoint] = useState<PointDetail | null>(null);
  const [programmes, setProgrammes] = useState<Programme[]>([]);
  const reload = async () => {
    await load.run(async () => {
      setPoint(await api<PointDetail>('GET', `/api/v1/points/${props.id}`));
    });
  };
  useEffect(() => {
    void reload();
    if (can(props.session, 'programme:read'))
      void api<{ items: Programme[] }>('GET', '/api/v1/programmes')
        .then((r) => setProgrammes(r.items))
        .catch(() => setProgrammes([]));
  }, [props.id]);
  return (
    <Page
      title={point ? point.name : t('points.title')}
      actions={
        <a class="button" href={href('/points')}>
          {t('points.back')}
        </a>
      }
    >
      <OutcomeNotice outcome={load.outcome} />
      {point === null && !load.error ? <p>{t('app.loading')}</p> : null}
      {point ? (
        <>
          <section class="card" aria-labelledby="point-facts-title">
            <h2 id="point-facts-title" class="visually-hidden">
              {point.name}
            </h2>
            <dl id="point-facts" class="facts">
              <dt>{t('points.code')}</dt>
              <dd>{point.code}</dd>
              <dt>{t('points.kind')}</dt>
              <dd>{kindWords(point.kind)}</dd>
              <dt>{t('points.region')}</dt>
              <dd>{regionName(point.regionCode)}</dd>
              <dt>{t('points.locality')}</dt>
              <dd>{point.locality ?? t('common.none')}</dd>
              <dt>{t('points.state')}</dt>
              <dd>{pointStatusWords(point.status)}</dd>
              <dt>{t('points.programmes')}</dt>
              <dd>
                {point.programmeIds.length === 0
                  ? t('points.programmes.none')
                  : point.programmeIds
                      .map((id) => {
                        const p = programmes.find((x) => x.id === id);
                        return p ? nameOf(p.current.name) : id;
                      })
                      .join(', ')}
              </dd>
            </dl>
            {can(props.session, 'redemption:read') ? (
              <div class="buttons">
                <a id="open-log" class="button" href={href(`/points/${point.id}/log`)}>
                  {t('points.log.open')}
                </a>
              </div>
            ) : null}
          </section>
          <Operators session={props.session} point={point} onChanged={reload} />
          <Devices session={props.session} point={point} onChanged={reload} />
          {can(props.session, 'stock:read') ? (
            <Stock session={props.session} point={point} />
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

function Operators(props: {
  session: Session;
  point: PointDetail;
  onChanged: () => Promise<void>;
}) {
  const writer = can(props.session, 'point:write');
  const action = useAction();
  const [candidates, setCandidates] = useState<OperatorCandidate[] | null>(null);
  const [chosen, setChosen] = useState('');
  const loadCandidates = async () => {
    if (!writer) return;
    const got = await api<{ items: OperatorCandidate[] }>(
      'GET',
      `/api/v1/points/${props.point.id}/operator-candidates`,
    ).catch(() => ({ items: [] }));
    setCandidates(got.items.filter((c) => !c.assigned));
  };
  useEffect(() => {
    void loadCandidates();
  }, [props.point.id, props.point.operators.length]);
  const set = async (staffId: string, name: string, assigned: boolean) => {
    const done = await action.run(
      () =>
        api(assigned ? 'PUT' : 'DELETE', `/api/v1/points/${props.point.id}/operators/${staffId}`),
      t(assigned ? 'points.operators.assigned' : 'points.operators.removed', { name }),
    );
    if (done !== undefined) {
      setChosen('');
      await props.onChanged();
    }
  };
  return (
    <section id="operators" class="card" aria-labelledby="operators-title">
      <h2 id="operators-title">{t('points.operators.title')}</h2>
      {props.point.operators.length === 0 ? <p>{t('points.operators.none')}</p> : null}
      <ul id="operator-list" class="plain rows">
        {props.point.operators.map((o) => (
          <li key={o.staffId} data-staff={o.staffId} data-username={o.username}>
            <span>
              <strong>{o.username}</strong>{' '}
              {t('points.operators.since', { when: dateTime(o.assignedAt) })}
            </span>
            {writer ? (
              <button
                type="button"
                class="remove-operator"
                aria-label={t('points.operators.removeWhich', { name: o.username })}
                onClick={() => void set(o.staffId, o.username, false)}
              >
                {t('points.operators.remove')}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {writer && candidates ? (
        <form
          id="assign-operator"
          onSubmit={(e) => {
            e.preventDefault();
            const c = candidates.find((x) => x.staffId === chosen);
            if (!c) {
              action.setOutcome({
                ok: false,
                error: localError('staffId', t('points.operators.choose')),
              });
              return;
            }
            void set(c.staffId, c.username, true);
          }}
        >
          <h3>{t('points.operators.assign')}</h3>
          {candidates.length === 0 ? (
            <p>{t('points.operators.noCandidates')}</p>
          ) : (
            <>
              <SelectField
                label={t('points.operators.person')}
                name="staffId"
                value={chosen}
                onChange={setChosen}
                placeholder={t('points.operators.choose')}
                options={candidates.map((c) => ({
                  value: c.staffId,
                  label: `${c.username} (${c.displayName})`,
                }))}
                error={action.error}
              />
              <Submit busy={action.busy} label={t('points.operators.assign')} />
            </>
          )}
        </form>
      ) : null}
      <OutcomeNotice outcome={action.outcome} fields={['staffId']} />
    </section>
  );
}

function deviceLine(d: Device): string {
  const parts = [t('points.devices.registered', { when: dateTime(d.registeredAt) })];
  if (d.enrolledAt) parts.push(t('points.devices.enrolled', { when: dateTime(d.enrolledAt) }));
  if (d.lastSeenAt) parts.push(t('points.devices.lastSeen', { when: dateTime(d.lastSeenAt) }));
  if (d.revokedAt)
    parts.push(
      t('points.devices.revokedWhy', { when: dateTime(d.revokedAt), reason: d.revokeReason ?? '' }),
    );
  return parts.join(' · ');
}

function Devices(props: { session: Session; point: PointDetail; onChanged: () => Promise<void> }) {
  const manager = can(props.session, 'device:manage');
  const register = useAction();
  const revoke = useAction();
  const [code, setCode] = useState<{ code: string; expiresAt: string } | null>(null);
  const [revoking, setRevoking] = useState<Device | null>(null);
  const onRegister = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const values = formValues(form);
    setCode(null);
    const made = await register.run(() =>
      api<{ enrolmentCode: string; expiresAt: string }>('POST', '/api/v1/devices', {
        body: {
          pointId: props.point.id,
          name: values.name ?? '',
          ...(values.offlineDailyCap ? { offlineDailyCap: Number(values.offlineDailyCap) } : {}),
        },
      }),
    );
    if (made) {
      form.reset();
      setCode({ code: made.enrolmentCode, expiresAt: made.expiresAt });
      await props.onChanged();
    }
  };
  const onRevoke = async (event: Event) => {
    event.preventDefault();
    if (!revoking) return;
    const values = formValues(event.currentTarget as HTMLFormElement);
    const done = await revoke.run(
      () =>
        api('POST', `/api/v1/devices/${revoking.id}/revoke`, {
          body: { reason: values.reason ?? '' },
        }),
      t('points.devices.revoke.done'),
    );
    if (done !== undefined) {
      setRevoking(null);
      await props.onChanged();
    }
  };
  return (
    <section id="devices" class="card" aria-labelledby="devices-title">
      <h2 id="devices-title">{t('points.devices.title')}</h2>
      {props.point.devices.length === 0 ? <p>{t('points.devices.none')}</p> : null}
      <ul id="device-list" class="plain rows">
        {props.point.devices.map((d) => (
          <li key={d.id} data-device={d.id} data-status={d.status}>
            <span>
              <strong>{d.name}</strong>{' '}
              <span class={`flag device-${d.status}`}>{deviceStatusWords(d.status)}</span>
              <br />
              <small>
                {deviceLine(d)} · {t('points.devices.cap', { cap: count(d.offlineDailyCap) })}
              </small>
            </span>
            {manager && d.status !== 'revoked' ? (
              <button
                type="button"
                class="revoke-device"
                aria-label={t('points.devices.revokeWhich', { name: d.name })}
                onClick={() => {
                  revoke.setOutcome(null);
                  setRevoking(d);
                }}
              >
                {t('points.devices.revoke')}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {revoking ? (
        <form id="revoke-device" class="card inset" onSubmit={(e) => void onRevoke(e)}>
          <h3>{t('points.devices.revoke.title', { name: revoking.name })}</h3>
          <p>{t('points.devices.revoke.intro')}</p>
          <ReasonField error={revoke.error} />
          <div class="buttons">
            <Submit busy={revoke.busy} label={t('points.devices.revoke.submit')} class="danger" />
            <button type="button" onClick={() => setRevoking(null)}>
              {t('points.devices.cancel')}
            </button>
          </div>
        </form>
      ) : null}
      <OutcomeNotice outcome={revoke.outcome} fields={['reason']} />
      {code ? (
        <ShownOnce
          id="device-code"
          title={t('points.devices.code.title')}
          intro={t('points.devices.code.intro', { when: dateTime(code.expiresAt) })}
          secret={code.code}
          copyLabel={t('points.devices.code.copy')}
        />
      ) : null}
      {manager && props.point.status === 'active' ? (
        <form id="register-device" onSubmit={(e) => void onRegister(e)}>
          <h3>{t('points.devices.register')}</h3>
          <TextField
            label={t('points.devices.name')}
            name="name"
            required
            minLength={3}
            maxLength={80}
            hint={t('points.devices.name.hint')}
            error={register.error}
          />
          <TextField
            label={t('points.devices.offlineCap')}
            name="offlineDailyCap"
            type="number"
            inputMode="numeric"
            min={0}
            max={100000}
            defaultValue="300"
            hint={t('points.devices.offlineCap.hint')}
            error={register.error}
          />
          <OutcomeNotice outcome={register.outcome} fields={['name', 'offlineDailyCap']} />
          <Submit busy={register.busy} label={t('points.devices.submit')} />
        </form>
      ) : null}
    </section>
  );
}

function Stock(props: { session: Session; point: PointDetail }) {
  const load = useAction();
  const record = useAction();
  const [items, setItems] = useState<StockLine[] | null>(null);
  const [kind, setKind] = useState<'received' | 'adjustment'>('received');
  const [cycleId, setCycleId] = useState('');
  const reload = async () => {
    const got = await load.run(() =>
      api<{ items: StockLine[] }>('GET', `/api/v1/points/${props.point.id}/stock`),
    );
    if (got) {
      setItems(got.items);
      setCycleId((was) => was || got.items[0]?.cycleId || '');
    }
  };
  useEffect(() => {
    void reload();
  }, [props.point.id]);
  const onRecord = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const values = formValues(form);
    if (!cycleId) {
      record.setOutcome({ ok: false, error: localError('cycleId', t('points.stock.noCycle')) });
      return;
    }
    const quantity = Number((values.quantity ?? '').replace('−', '-'));
    const done = await record.run(
      () =>
        api('POST', `/api/v1/points/${props.point.id}/stock`, {
          body: {
            cycleId,
            kind,
            quantity: Number.isFinite(quantity) ? quantity : values.quantity,
            ...(kind === 'received' && values.reference ? { reference: values.reference } : {}),
            ...(kind === 'adjustment' && values.reason ? { reason: values.reason } : {}),
          },
        }),
      t('points.stock.done'),
    );
    if (done !== undefined) {
      form.reset();
      await reload();
    }
  };
  const writer = can(props.session, 'stock:write');
  return (
    <section id="stock" class="card" aria-labelledby="stock-title">
      <h2 id="stock-title">{t('points.stock.title')}</h2>
      <OutcomeNotice outcome={load.outcome} />
      {items && items.length === 0 ? <p>{t('points.stock.none')}</p> : null}
      {items && items.length > 0 ? (
        <ul id="stock-list" class="plain stock-list">
          {items.map((s) => (
            <li
              key={s.cycleId}
              class={s.overdrawn ? 'stock-line overdrawn' : 'stock-line'}
              data-cycle={s.cycleId}
              data-overdrawn={String(s.overdrawn)}
            >
              <h3>
                {nameOf(s.programmeName)} · {s.cycleLabel}
              </h3>
              <dl class="facts stock-facts">
                <dt>{t('points.stock.received')}</dt>
                <dd data-fact="received">{quantityText(s.received, s.unit)}</dd>
                <dt>{t('points.stock.adjusted')}</dt>
                <dd data-fact="adjusted">{quantityText(s.adjusted, s.unit)}</dd>
                <dt>{t('points.stock.delivered')}</dt>
                <dd data-fact="delivered">{quantityText(s.delivered, s.unit)}</dd>
                <dt>{t('points.stock.left')}</dt>
                <dd data-fact="left">{quantityText(s.left, s.unit)}</dd>
              </dl>
              <p class={s.overdrawn ? 'stock-state bad' : 'stock-state ok'}>
                {s.overdrawn
                  ? t('points.stock.overdrawn', { gap: quantityText(-s.left, s.unit) })
                  : t('points.stock.ok')}
              </p>
              {s.movements.length > 0 ? (
                <details>
                  <summary>{t('points.stock.movements')}</summary>
                  <ul class="plain">
                    {s.movements.map((m) => (
                      <li key={m.id}>
                        {dateTime(m.at)} · {t(`points.stock.movement.${m.kind}` as const)}{' '}
                        {m.quantity > 0 ? '+' : ''}
                        {count(m.quantity)}
                        {m.reference ? ` · ${m.reference}` : ''}
                      </li>
                    ))}
                  </ul>
                </details>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {writer && items && items.length > 0 ? (
        <form id="stock-form" onSubmit={(e) => void onRecord(e)} noValidate>
          <h3>{t('points.stock.record')}</h3>
          <SelectField
            label={t('points.stock.cycle')}
            name="cycleId"
            value={cycleId}
            onChange={setCycleId}
            options={items.map((s) => ({
              value: s.cycleId,
              label: `${nameOf(s.programmeName)} · ${s.cycleLabel}`,
            }))}
            error={record.error}
          />
          <SelectField
            label={t('points.stock.kind')}
            name="kind"
            hint={t('points.stock.kind.hint')}
            value={kind}
            onChange={(v) => setKind(v === 'adjustment' ? 'adjustment' : 'received')}
            options={[
              { value: 'received', label: t('points.stock.kind.received') },
              { value: 'adjustment', label: t('points.stock.kind.adjustment') },
            ]}
            error={record.error}
          />
          <TextField
            label={t('points.stock.quantity')}
            name="quantity"
            inputMode="numeric"
            required
            autoComplete="off"
            hint={t('points.stock.quantity.hint')}
            error={record.error}
          />
          {kind === 'received' ? (
            <TextField
              label={t('points.stock.reference')}
              name="reference"
              maxLength={120}
              autoComplete="off"
              error={record.error}
            />
          ) : (
            <ReasonField error={record.error} label="points.stock.reason" />
          )}
          <OutcomeNotice
            outcome={record.outcome}
            fields={['cycleId', 'kind', 'quantity', 'reference', 'reason']}
          />
          <Submit busy={record.busy} label={t('points.stock.submit')} />
        </form>
      ) : null}
    </section>
  );
}
