// A person's entitlements, on their record: what each programme gives them this cycle, how
// much is left, from which day they may collect, and, when they may not, why — the first
// thing to look at when someone says they were turned away.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api';
import { calendarDate } from '../../format';
import { t, type MessageKey } from '../../i18n';
import { OutcomeNotice, useAction } from '../../ui';
import type { EntitlementView } from '../../../../src/programs/entitlements';
import { money, nameOf } from '../programmes/common';
import type { PersonRecord } from './types';

function stateWords(e: EntitlementView): string {
  const state = t(`records.entitlements.state.${e.state}` as MessageKey);
  if (e.statusReason === null || e.state === 'redeemable') return state;
  return `${state} (${e.statusReason.replace(/_/g, ' ')})`;
}

function what(e: EntitlementView): string {
  if (e.kind === 'cash' || e.kind === 'one_time') return money(e.amount);
  return t('records.entitlements.remaining', { remaining: e.remaining, quantity: e.quantity });
}

export function EntitlementsSection(props: { person: PersonRecord; purpose: string }) {
  const [items, setItems] = useState<EntitlementView[] | null>(null);
  const listing = useAction();
  useEffect(() => {
    void (async () => {
      const answer = await listing.run(() =>
        api<{ items: EntitlementView[] }>(
          'GET',
          `/api/v1/persons/${props.person.id}/entitlements`,
          {
            purpose: props.purpose,
          },
        ),
      );
      if (answer) setItems(answer.items);
    })();
  }, [props.person.id, props.person.version]);
  return (
    <section id="entitlements" class="card" aria-labelledby="entitlements-title">
      <h2 id="entitlements-title">{t('records.entitlements.title')}</h2>
      <OutcomeNotice outcome={listing.outcome} />
      {items && items.length === 0 ? (
        <p id="entitlements-empty">{t('records.entitlements.none')}</p>
      ) : null}
      {items && items.length > 0 ? (
        <ul id="entitlements-list" class="entitlements">
          {items.map((e) => (
            <li key={e.id} data-state={e.state}>
              <strong>{nameOf(e.programmeName)}</strong> · {e.cycleLabel}
              <br />
              {what(e)} ·{' '}
              {t('records.entitlements.windowText', {
                from: calendarDate(e.opensOn),
                to: calendarDate(e.closesOn),
              })}
              <br />
              <span class={`entitlement-state state-${e.state}`}>{stateWords(e)}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
