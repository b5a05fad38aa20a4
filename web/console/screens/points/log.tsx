// A point's redemption log for one day (#/points/<id>/log?day=YYYY-MM-DD&purpose=…): it names
// people, so it asks why it is read — the way the records screens do — and the server records
// the purpose with every person shown. The day is the deployment's, in its time zone. Paged:
// "show more" follows the server's cursor. Selectors: form#log-form (input[name=day],
// select[name=purpose]), #log-table tbody tr[data-redemption], #log-empty, #log-more.
import { useEffect, useState } from 'preact/hooks';
import { api, localError } from '../../api';
import { calendarDate, deploymentTimeZone, timeOfDay } from '../../format';
import { t } from '../../i18n';
import { href, navigate } from '../../router';
import {
  formValues,
  OutcomeNotice,
  Page,
  PurposeField,
  Submit,
  TextField,
  useAction,
  type Session,
} from '../../ui';
import { nameOf } from '../programmes/common';
import {
  channelWords,
  collectedAsWords,
  proofWords,
  quantityText,
  todayIn,
  type LogLine,
  type LogPage,
  type Point,
} from './common';

/** The purposes the server accepts for a point's log. */
export const logPurposes = ['audit', 'grievance', 'service_delivery'] as const;

export function LogScreen(props: { session: Session; id: string; query: URLSearchParams }) {
  const asked = {
    day: props.query.get('day') ?? '',
    purpose: props.query.get('purpose') ?? '',
  };
  const [purpose, setPurpose] = useState(asked.purpose);
  const [point, setPoint] = useState<Point | null>(null);
  const [lines, setLines] = useState<LogLine[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const action = useAction();
  useEffect(() => {
    void api<Point>('GET', `/api/v1/points/${props.id}`)
      .then(setPoint)
      .catch(() => setPoint(null));
  }, [props.id]);

  const load = async (cursor?: string) => {
    const params = new URLSearchParams({ day: asked.day });
    if (cursor) params.set('cursor', cursor);
    const page = await action.run(() =>
      api<LogPage>('GET', `/api/v1/points/${props.id}/redemptions?${params.toString()}`, {
        purpose: asked.purpose,
      }),
    );
    if (!page) {
      if (!cursor) setLines(null);
      return;
    }
    setLines((before) => (cursor && before ? [...before, ...page.items] : page.items));
    setNext(page.next);
  };
  useEffect(() => {
    setPurpose(asked.purpose);
    if (asked.day && asked.purpose) void load();
    else setLines(null);
  }, [props.id, asked.day, asked.purpose]);

  const submit = (event: Event) => {
    event.preventDefault();
    const values = formValues(event.currentTarget as HTMLFormElement);
    if (!values.day) {
      action.setOutcome({ ok: false, error: localError('day', t('points.log.needDay')) });
      return;
    }
    if (!values.purpose) {
      action.setOutcome({ ok: false, error: localError('purpose', t('points.log.needPurpose')) });
      return;
    }
    if (values.day === asked.day && values.purpose === asked.purpose) void load();
    else navigate(`/points/${props.id}/log`, { day: values.day, purpose: values.purpose });
  };

  const name = point ? `${point.name} (${point.code})` : props.id;
  return (
    <Page
      title={t('points.log.title', { point: name })}
      actions={
        <a class="button" href={href(`/points/${props.id}`)}>
          {t('points.log.back')}
        </a>
      }
    >
      <form id="log-form" class="card" onSubmit={submit} noValidate>
        <p>{t('points.log.intro')}</p>
        <TextField
          label={t('points.log.day')}
          name="day"
          type="date"
          required
          defaultValue={asked.day || todayIn(deploymentTimeZone())}
          hint={t('app.timeZone', { zone: deploymentTimeZone() })}
          error={action.error}
        />
        <PurposeField
          purposes={logPurposes}
          value={purpose}
          onChange={setPurpose}
          error={action.error}
        />
        <Submit busy={action.busy} label={t('points.log.submit')} />
        <OutcomeNotice outcome={action.outcome} fields={['day', 'purpose']} />
      </form>
      {lines ? (
        <section aria-labelledby="log-results-title">
          <h2 id="log-results-title">{calendarDate(asked.day)}</h2>
          {lines.length === 0 ? (
            <p id="log-empty" class="notice warn" role="status">
              {t('points.log.none')}
            </p>
          ) : (
            <>
              <p role="status">{t('points.log.count', { count: lines.length })}</p>
              <div class="table-wrap" tabIndex={0} aria-labelledby="log-results-title">
                <table id="log-table" class="stack">
                  <thead>
                    <tr>
                      <th scope="col">{t('points.log.time')}</th>
                      <th scope="col">{t('points.log.person')}</th>
                      <th scope="col">{t('points.log.programme')}</th>
                      <th scope="col">{t('points.log.quantity')}</th>
                      <th scope="col">{t('points.log.proof')}</th>
                      <th scope="col">{t('points.log.collectedAs')}</th>
                      <th scope="col">{t('points.log.channel')}</th>
                      <th scope="col">{t('points.log.receipt')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {lines.map((l) => (
                      <tr key={l.id} data-redemption={l.id}>
                        <td data-label={t('points.log.time')}>{timeOfDay(l.redeemedAt)}</td>
                        <td data-label={t('points.log.person')}>
                          {l.person.displayName}
                          <br />
                          <span class="records-number">{l.person.registryNumber}</span>
                        </td>
                        <td data-label={t('points.log.programme')}>
                          {nameOf(l.programmeName)} · {l.cycleLabel}
                        </td>
                        <td data-label={t('points.log.quantity')}>
                          {quantityText(l.quantity, l.unit)}
                        </td>
                        <td data-label={t('points.log.proof')}>{proofWords(l.proofKind)}</td>
                        <td data-label={t('points.log.collectedAs')}>
                          {collectedAsWords(l.collectedAs)}
                        </td>
                        <td data-label={t('points.log.channel')}>{channelWords(l.channel)}</td>
                        <td data-label={t('points.log.receipt')}>
                          <code>{l.receiptCode}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {next ? (
                <button type="button" id="log-more" onClick={() => void load(next)}>
                  {t('points.log.more')}
                </button>
              ) : null}
            </>
          )}
        </section>
      ) : null}
    </Page>
  );
}
