// The point's home screen: where the device is, whether it is online, where sync stands (the
// pack and its expiry, redemptions queued for upload, online ones awaiting an answer, the last
// sync and its conflicts), and the four things an operator does: scan a card, serve someone
// without one, download a pack, sync.
import { dateTime } from '../console/format';
import { t } from '../console/i18n';
import { OutcomeNotice, type Outcome } from '../console/ui';
import type { LastSync, StoredDevice, StoredPack, SyncedEntry } from './store';

/** Where the device's offline work stands. */
export interface Status {
  pack: StoredPack | null;
  queued: number;
  pending: number;
  lastSync: LastSync | null;
  synced: SyncedEntry[];
}

function chainReason(reason: string | undefined): string {
  const known = [
    'gap',
    'out_of_order',
    'prev_mismatch',
    'bad_signature',
    'changed',
    'wrong_device',
  ];
  return reason && known.includes(reason)
    ? t(`pos.sync.chain.${reason}` as 'pos.sync.chain.gap')
    : (reason ?? '');
}

/** Says what the last sync did: counts, and a refusal of the whole upload in plain words. */
export function LastSyncText(props: { last: LastSync | null }) {
  const { last } = props;
  if (!last) return <>{t('pos.status.neverSynced')}</>;
  if (last.refused)
    return (
      <span class="bad" data-refused={last.refused.code}>
        {last.refused.code === 'CHAIN_BROKEN'
          ? t('pos.sync.chainBroken', {
              counter: last.refused.counter ?? '?',
              why: chainReason(last.refused.reason),
            })
          : t('pos.sync.refused', { message: last.refused.message })}{' '}
        ({dateTime(last.at)})
      </span>
    );
  return (
    <>
      {t('pos.status.lastSyncText', {
        when: dateTime(last.at),
        redeemed: last.redeemed,
        conflicts: last.conflicts,
      })}
    </>
  );
}

/** The home screen. */
export function Home(props: {
  device: StoredDevice;
  status: Status;
  online: boolean;
  busy: boolean;
  outcome: Outcome;
  offlineReady: boolean;
  onScan: () => void;
  onNoCard: () => void;
  onDownload: () => void;
  onSync: () => void;
}) {
  const { status, device } = props;
  const pack = status.pack;
  const expired = pack ? new Date(pack.pack.expiresAt).getTime() <= Date.now() : false;
  const conflicts = status.synced.filter((s) => s.outcome === 'conflict');
  return (
    <section id="home" class="page" aria-labelledby="point-name">
      <h1 id="point-name" tabIndex={-1}>
        {device.pointName}
      </h1>
      <p class="muted">{t('pos.home.point', { code: device.pointCode })}</p>
      <div class="pos-actions">
        <button type="button" id="scan" class="primary big" onClick={props.onScan}>
          {t('pos.home.scan')}
        </button>
        <button type="button" id="no-card" class="big" onClick={props.onNoCard}>
          {t('pos.home.noCard')}
        </button>
      </div>
      <OutcomeNotice outcome={props.outcome} />
      <h2>{t('pos.status.title')}</h2>
      <dl id="sync-status" class="facts">
        <dt>{t('pos.status.pack')}</dt>
        <dd id="pack-status" data-leases={pack ? pack.pack.leases.length : 0}>
          {pack ? (
            <>
              {t('pos.status.packText', {
                when: dateTime(pack.downloadedAt),
                leases: pack.pack.leases.length,
              })}{' '}
              <span class={expired ? 'bad' : ''}>
                {t(expired ? 'pos.status.packExpired' : 'pos.status.packExpires', {
                  when: dateTime(pack.pack.expiresAt),
                })}
              </span>
            </>
          ) : (
            t('pos.status.noPack')
          )}
        </dd>
        <dt>{t('pos.status.queued')}</dt>
        <dd id="queued" data-count={status.queued}>
          {t('pos.status.queuedText', { count: status.queued })}
        </dd>
        {status.pending > 0 ? (
          <>
            <dt>{t('pos.status.pending')}</dt>
            <dd id="pending" data-count={status.pending}>
              {t('pos.status.pendingText', { count: status.pending })}
            </dd>
          </>
        ) : null}
        <dt>{t('pos.status.lastSync')}</dt>
        <dd id="last-sync">
          <LastSyncText last={status.lastSync} />
        </dd>
        <dt>{t('pos.status.conflicts')}</dt>
        <dd id="conflicts" data-count={conflicts.length}>
          {conflicts.length === 0
            ? t('pos.status.noConflicts')
            : t('pos.status.conflictsText', { count: conflicts.length })}
        </dd>
      </dl>
      <div class="pos-actions">
        <button
          type="button"
          id="download-pack"
          disabled={props.busy || !props.online}
          onClick={props.onDownload}
        >
          {t('pos.home.download')}
        </button>
        <button
          type="button"
          id="sync"
          disabled={props.busy || !props.online}
          onClick={props.onSync}
        >
          {t('pos.home.sync')}
        </button>
      </div>
      {!props.online ? <p class="note">{t('pos.home.offlineNote')}</p> : null}
      {status.synced.length > 0 ? (
        <>
          <h2>{t('pos.sync.results')}</h2>
          <ul id="sync-results" class="pos-results">
            {status.synced.slice(0, 20).map((s) => (
              <li key={s.counter} data-outcome={s.outcome} data-counter={s.counter}>
                {s.outcome === 'redeemed'
                  ? t('pos.sync.redeemed', {
                      counter: s.counter,
                      quantity: s.quantity,
                      receipt: s.receiptCode ?? '—',
                    })
                  : t('pos.sync.conflict', {
                      counter: s.counter,
                      quantity: s.quantity,
                      reason: conflictWords(s.reason),
                    })}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {props.offlineReady ? (
        <p class="note" id="offline-ready">
          {t('pos.home.offlineReady')}
        </p>
      ) : null}
    </section>
  );
}

const conflictReasons = [
  'not_leased',
  'before_lease',
  'lease_expired',
  'over_daily_cap',
  'no_entitlement',
  'not_served_here',
  'already_redeemed',
  'wrong_quantity',
];

/** A conflict's reason in words (an unknown one as the server said it). */
export function conflictWords(reason: string | undefined): string {
  if (reason && conflictReasons.includes(reason))
    return t(`pos.conflict.${reason}` as 'pos.conflict.not_leased');
  if (reason?.startsWith('not_redeemable:')) return t('pos.conflict.not_redeemable');
  return reason ?? '';
}
