// A person's identity cards, on their record: the list, issuing (after an explicit
// confirmation when the record awaits duplicate review), seeing and printing the card face
// straight from the browser, replacing a lost, stolen or damaged card, and revoking one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, download } from '../../api';
import { calendarDate, dateTime } from '../../format';
import { t } from '../../i18n';
import {
  formValues,
  OutcomeNotice,
  ReasonField,
  SelectField,
  Submit,
  TextField,
  useAction,
} from '../../ui';
import type { Card, PersonRecord } from './types';

/** The purpose declared when fetching a card's face: printing a card is card issuance. */
const printPurpose = 'card_issuance';

interface Preview {
  serial: number;
  front: string;
  back: string;
}

function statusText(card: Card): string {
  if (card.replacedBy !== null) {
    const why = card.revocationReason;
    return why === 'lost' || why === 'stolen' || why === 'damaged'
      ? t('records.cards.replacedWhy', {
          why: t(`records.cards.reason.${why}`),
          serial: card.replacedBy,
        })
      : t('records.cards.replacedBy', { serial: card.replacedBy });
  }
  return t(`records.cards.status.${card.status}`);
}

export function CardsSection(props: { person: PersonRecord; purpose: string }) {
  const { person } = props;
  const [cards, setCards] = useState<Card[] | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const listing = useAction();
  const action = useAction();
  const viewing = useAction();

  const load = async () => {
    const answer = await listing.run(() =>
      api<{ items: Card[] }>('GET', `/api/v1/persons/${person.id}/cards`, {
        purpose: props.purpose,
      }),
    );
    if (answer) setCards(answer.items);
  };
  useEffect(() => {
    void load();
  }, [person.id, person.version]);

  // Object URLs hold the card's image in memory: let them go when replaced or on leaving.
  const shown = useRef<Preview | null>(null);
  useEffect(() => {
    const before = shown.current;
    shown.current = preview;
    if (before && before !== preview) {
      URL.revokeObjectURL(before.front);
      URL.revokeObjectURL(before.back);
    }
  }, [preview]);
  useEffect(
    () => () => {
      if (shown.current) {
        URL.revokeObjectURL(shown.current.front);
        URL.revokeObjectURL(shown.current.back);
      }
    },
    [],
  );

  const active = cards?.find((c) => c.status === 'active') ?? null;

  const issue = async () => {
    setConfirming(false);
    const card = await action.run(
      () => api<Card>('POST', `/api/v1/persons/${person.id}/cards`),
      undefined,
    );
    if (card) {
      action.setOutcome({ ok: true, message: t('records.cards.issued', { serial: card.serial }) });
      await load();
    }
  };

  const view = async (serial: number) => {
    const faces = await viewing.run(async () => {
      const [front, back] = await Promise.all([
        download(`/api/v1/cards/${serial}/face.png`, printPurpose),
        download(`/api/v1/cards/${serial}/face.png?side=back`, printPurpose),
      ]);
      return { serial, front: URL.createObjectURL(front), back: URL.createObjectURL(back) };
    });
    if (faces) {
      setPreview(faces);
      requestAnimationFrame(() => document.getElementById('card-preview-title')?.focus());
    }
  };

  const print = () => {
    document.body.classList.add('records-print-card');
    const done = () => {
      document.body.classList.remove('records-print-card');
      removeEventListener('afterprint', done);
    };
    addEventListener('afterprint', done);
    window.print();
  };

  const downloadPdf = async (serial: number) => {
    const blob = await viewing.run(
      () => download(`/api/v1/cards/${serial}/face.pdf`, printPurpose),
      t('records.cards.pdfReady'),
    );
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `tarjeta-${serial}.pdf`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };

  const replace = async (event: Event) => {
    event.preventDefault();
    if (!active) return;
    const form = event.currentTarget as HTMLFormElement;
    const values = formValues(form);
    const done = await action.run(() =>
      api<{ old: Card; card: Card }>('POST', `/api/v1/cards/${active.serial}/replace`, {
        body: { reason: values.reason ?? '', ...(values.note ? { note: values.note } : {}) },
      }),
    );
    if (done) {
      form.reset();
      setPreview(null);
      viewing.setOutcome(null);
      action.setOutcome({
        ok: true,
        message: t('records.cards.replaced', { old: done.old.serial, serial: done.card.serial }),
      });
      await load();
    }
  };

  const revoke = async (event: Event) => {
    event.preventDefault();
    if (!active) return;
    const form = event.currentTarget as HTMLFormElement;
    const values = formValues(form);
    const done = await action.run(() =>
      api<Card>('POST', `/api/v1/cards/${active.serial}/revoke`, {
        body: { reason: values.reason ?? '' },
      }),
    );
    if (done) {
      form.reset();
      setPreview(null);
      viewing.setOutcome(null);
      action.setOutcome({
        ok: true,
        message: t('records.cards.revoked', { serial: active.serial }),
      });
      await load();
    }
  };

  return (
    <section id="cards" class="card" aria-labelledby="cards-title">
      <h2 id="cards-title">{t('records.cards.title')}</h2>
      <OutcomeNotice outcome={listing.outcome} />
      {cards && cards.length === 0 ? <p id="cards-empty">{t('records.cards.none')}</p> : null}
      {cards && cards.length > 0 ? (
        <div class="table-wrap" tabIndex={0}>
          <table id="cards-table">
            <caption class="visually-hidden">{t('records.cards.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('records.cards.serial')}</th>
                <th scope="col">{t('records.cards.status')}</th>
                <th scope="col">{t('records.cards.issuedAt')}</th>
                <th scope="col">{t('records.cards.expiresAt')}</th>
              </tr>
            </thead>
            <tbody>
              {cards.map((c) => (
                <tr key={c.serial} data-serial={c.serial} data-status={c.status}>
                  <td>{c.serial}</td>
                  <td class="card-status">{statusText(c)}</td>
                  <td>{dateTime(c.issuedAt)}</td>
                  <td>{calendarDate(c.expiresAt.slice(0, 10))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {active ? (
        <div class="buttons">
          <button
            type="button"
            class="records-view"
            data-serial={active.serial}
            onClick={() => void view(active.serial)}
          >
            {t('records.cards.view', { serial: active.serial })}
          </button>
        </div>
      ) : null}
      <OutcomeNotice outcome={viewing.outcome} />
      {preview ? (
        <figure id="card-preview" class="records-card-preview">
          <figcaption>
            <h3 id="card-preview-title" tabIndex={-1}>
              {t('records.cards.preview', { serial: preview.serial })}
            </h3>
          </figcaption>
          <img
            id="card-png"
            src={preview.front}
            alt={t('records.cards.front', { serial: preview.serial })}
          />
          <img
            id="card-png-back"
            src={preview.back}
            alt={t('records.cards.back', { serial: preview.serial })}
          />
          <p class="hint records-no-print">{t('records.cards.printPurpose')}</p>
          <div class="buttons records-no-print">
            <button type="button" id="print-card" class="primary" onClick={print}>
              {t('records.cards.print')}
            </button>
            <button
              type="button"
              id="download-pdf"
              onClick={() => void downloadPdf(preview.serial)}
            >
              {t('records.cards.pdf')}
            </button>
          </div>
        </figure>
      ) : null}
      {cards && !active && person.status === 'active' ? (
        <form
          id="issue-card-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (person.duplicateReview) setConfirming(true);
            else void issue();
          }}
        >
          {confirming ? (
            <div
              id="confirm-duplicate-issue"
              class="notice warn"
              role="alertdialog"
              aria-labelledby="confirm-duplicate-title"
              aria-describedby="confirm-duplicate-text"
            >
              <h3 id="confirm-duplicate-title">{t('records.cards.confirm.title')}</h3>
              <p id="confirm-duplicate-text">{t('records.cards.confirm.text')}</p>
              <div class="buttons">
                <button
                  type="button"
                  id="confirm-issue"
                  class="primary"
                  onClick={() => void issue()}
                >
                  {t('records.cards.confirm.yes')}
                </button>
                <button type="button" id="cancel-issue" onClick={() => setConfirming(false)}>
                  {t('records.cards.confirm.no')}
                </button>
              </div>
            </div>
          ) : (
            <Submit busy={action.busy} label={t('records.cards.issue')} />
          )}
        </form>
      ) : null}
      <div id="card-outcome">
        <OutcomeNotice outcome={action.outcome} fields={['reason', 'note']} />
      </div>
      {active ? (
        <div class="side-by-side records-card-actions">
          <form id="replace-form" onSubmit={(e) => void replace(e)}>
            <h3>{t('records.cards.replace')}</h3>
            <SelectField
              label={t('records.cards.replace.reason')}
              name="reason"
              required
              placeholder={t('records.cards.replace.choose')}
              options={(['lost', 'stolen', 'damaged'] as const).map((r) => ({
                value: r,
                label: t(`records.cards.replace.${r}`),
              }))}
              error={action.error}
            />
            <TextField
              label={t('records.cards.replace.note')}
              name="note"
              minLength={3}
              maxLength={500}
              hint={t('common.reason.hint')}
              error={action.error}
            />
            <Submit busy={action.busy} label={t('records.cards.replace.submit')} />
          </form>
          <form id="revoke-form" onSubmit={(e) => void revoke(e)}>
            <h3>{t('records.cards.revoke')}</h3>
            <p>{t('records.cards.revoke.intro')}</p>
            <ReasonField error={action.error} />
            <Submit busy={action.busy} label={t('records.cards.revoke.submit')} class="danger" />
          </form>
        </div>
      ) : null}
    </section>
  );
}
