// The approvals queue (#/approvals), for whoever may decide four-eyes requests: each pending
// request says who asked, when, why and what it would do, in words; another person approves
// or refuses it with a reason. One's own requests wait for someone else; expired ones are
// marked; decided ones are listed with their outcome.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../../api';
import { t } from '../../i18n';
import { dateTime, regionName, words } from '../../format';
import { asApiError, formValues, OutcomeNotice, Page, ReasonField, useAction } from '../../ui';
import { who, whereText, type StaffRef } from './common';

interface Summary {
  operation: string;
  staff?: StaffRef | null;
  role?: string;
  regions?: '*' | string[];
  regionCode?: string | null;
}

interface ApprovalView {
  id: string;
  operation: string;
  requestedAt: string;
  reason: string;
  expiresAt: string;
  status: string;
  decidedAt: string | null;
  decisionReason: string | null;
  requester: StaffRef | null;
  decider: StaffRef | null;
  mine: boolean;
  expired: boolean;
  summary: Summary;
}

/** What a request would do, in the reader's words. */
export function summaryText(s: Summary): string {
  const role = words('role', s.role);
  const where = s.regionCode
    ? t('admin.summary.inRegion', { names: regionName(s.regionCode) })
    : '';
  switch (s.operation) {
    case 'staff.grant_role':
      return t('admin.summary.grant', { role, where: whereText(s.regions), who: who(s.staff) });
    case 'staff.revoke_admin':
      return t('admin.summary.revoke', { role, who: who(s.staff) });
    case 'staff.disable_admin':
      return t('admin.summary.disable', { who: who(s.staff) });
    case 'keys.rotate':
      return t('admin.summary.rotate');
    case 'registry.export':
      return t('admin.summary.export');
    case 'person.deactivate':
      return t('admin.summary.deactivate', { where }).trim();
    case 'person.merge':
      return t('admin.summary.merge', { where }).trim();
    case 'person.unmerge':
      return t('admin.summary.unmerge', { where }).trim();
    default:
      return t('admin.summary.other');
  }
}

// The server's refusals of a decision, in words for the case each names.
function decisionError(e: unknown): ApiError {
  const error = asApiError(e);
  const said =
    error.code === 'FORBIDDEN' && /someone other than/.test(error.message)
      ? t('admin.approvals.ownRefused')
      : error.code === 'INVALID_STATE' && /expired/.test(error.message)
        ? t('admin.approvals.expiredRefused')
        : error.code === 'CONFLICT' || /already/.test(error.message)
          ? t('admin.approvals.conflictRefused')
          : undefined;
  return said
    ? new ApiError(error.code, error.message, error.status, error.field, error.details, said)
    : error;
}

/** #/approvals. */
export function ApprovalsScreen() {
  const load = useAction();
  const [items, setItems] = useState<ApprovalView[] | null>(null);
  // The last decision, said above the lists (the request moves to the decided list).
  const [said, setSaid] = useState<string | null>(null);
  const reload = () =>
    void load.run(async () => {
      setItems((await api<{ items: ApprovalView[] }>('GET', '/api/v1/approvals')).items);
    });
  useEffect(reload, []);
  const pending = items?.filter((a) => a.status === 'pending') ?? [];
  const decided = items?.filter((a) => a.status !== 'pending') ?? [];
  return (
    <Page title={t('admin.approvals.title')}>
      <p>{t('admin.approvals.intro')}</p>
      <OutcomeNotice outcome={load.outcome} />
      <div role="status" aria-live="polite" id="approvals-outcome" class={said ? 'notice ok' : ''}>
        {said}
      </div>
      <h2 id="approvals-pending-title">{t('admin.approvals.pending')}</h2>
      {items === null ? <p>{t('app.loading')}</p> : null}
      {items && pending.length === 0 ? <p>{t('admin.approvals.nonePending')}</p> : null}
      <ul id="approvals-pending" class="plain" aria-labelledby="approvals-pending-title">
        {pending.map((a) => (
          <PendingRequest
            key={a.id}
            approval={a}
            onStart={() => setSaid(null)}
            onDecided={(message) => {
              setSaid(message);
              reload();
            }}
          />
        ))}
      </ul>
      <h2 id="approvals-decided-title">{t('admin.approvals.decided')}</h2>
      {items && decided.length === 0 ? <p>{t('admin.approvals.noneDecided')}</p> : null}
      <ul id="approvals-decided" class="plain" aria-labelledby="approvals-decided-title">
        {decided.map((a) => (
          <li key={a.id} class="card" data-approval-id={a.id} data-status={a.status}>
            <h3>{summaryText(a.summary)}</h3>
            <dl class="facts">
              <Asked approval={a} />
              <dt>{t('admin.approvals.outcome')}</dt>
              <dd class="outcome">
                <span class={`flag status-${a.status}`}>{words('status', a.status)}</span>
              </dd>
              {a.decider ? (
                <>
                  <dt>{t('admin.approvals.decidedBy')}</dt>
                  <dd>{who(a.decider)}</dd>
                </>
              ) : null}
              {a.decidedAt ? (
                <>
                  <dt>{t('admin.approvals.decidedAt')}</dt>
                  <dd>{dateTime(a.decidedAt)}</dd>
                </>
              ) : null}
              {a.decisionReason ? (
                <>
                  <dt>{t('admin.approvals.decisionReason')}</dt>
                  <dd>{a.decisionReason}</dd>
                </>
              ) : null}
            </dl>
          </li>
        ))}
      </ul>
    </Page>
  );
}

function Asked(props: { approval: ApprovalView }) {
  const a = props.approval;
  return (
    <>
      <dt>{t('admin.approvals.askedBy')}</dt>
      <dd class="requester">{who(a.requester)}</dd>
      <dt>{t('admin.approvals.askedAt')}</dt>
      <dd>{dateTime(a.requestedAt)}</dd>
      <dt>{t('admin.approvals.reason')}</dt>
      <dd class="reason">{a.reason}</dd>
    </>
  );
}

function PendingRequest(props: {
  approval: ApprovalView;
  onStart: () => void;
  onDecided: (said: string) => void;
}) {
  const a = props.approval;
  const action = useAction();
  const [busy, setBusy] = useState(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const approve = (event.submitter as HTMLButtonElement | null)?.value === 'approve';
    const values = formValues(form);
    action.setOutcome(null);
    props.onStart();
    setBusy(true);
    try {
      await api('POST', `/api/v1/approvals/${a.id}/decision`, {
        body: { approve, reason: values.reason ?? '' },
      });
      const what = summaryText(a.summary);
      props.onDecided(
        t(approve ? 'admin.approvals.approved' : 'admin.approvals.rejected', { what }),
      );
    } catch (e) {
      action.setOutcome({ ok: false, error: decisionError(e) });
    } finally {
      setBusy(false);
    }
  };
  const titleId = `approval-${a.id}-title`;
  return (
    <li class="card" data-approval-id={a.id} data-status={a.expired ? 'expired' : 'pending'}>
      <h3 id={titleId}>{summaryText(a.summary)}</h3>
      <dl class="facts">
        <Asked approval={a} />
        <dt>{t('admin.approvals.expiresAt')}</dt>
        <dd>{dateTime(a.expiresAt)}</dd>
      </dl>
      {a.expired ? (
        <p class="notice warn expired">{t('admin.approvals.expired')}</p>
      ) : a.mine ? (
        <p class="notice warn waiting-other">{t('admin.approvals.mine')}</p>
      ) : (
        <form
          id={`decision-form-${a.id}`}
          class="decision-form narrow"
          aria-labelledby={titleId}
          onSubmit={(e) => void submit(e as unknown as SubmitEvent)}
        >
          <ReasonField error={action.error} label="admin.approvals.decisionReason.label" />
          <OutcomeNotice outcome={action.outcome} fields={['reason']} />
          <div class="buttons">
            <button
              type="submit"
              name="decision"
              value="approve"
              class="primary approve"
              disabled={busy}
            >
              {t('admin.approvals.approve')}
            </button>
            <button
              type="submit"
              name="decision"
              value="reject"
              class="danger reject"
              disabled={busy}
            >
              {t('admin.approvals.reject')}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
