// Four-eyes requests as the approvals queue shows them: who asked and who decided by username
// and name (not an id), whether the request is the reader's own (the server refuses to let
// them decide it), whether it has run out of time, and what it would do, read from its
// payload. Staff names live in this domain, so the view is assembled here. No person's
// personal data is looked up: a request about a person's record says its region only.
import { z } from 'zod';
import type { Approval } from '../privacy';
import type { AppContext, Caller } from '../shared/context';
import { humanOf } from '../shared/access';

/** A staff member named by the queue. */
export interface StaffRef {
  id: string;
  username: string;
  displayName: string;
}

/** What a request would do, in facts a screen can put into words. */
export interface ApprovalSummary {
  operation: string;
  /** The account a staff operation acts on. */
  staff?: StaffRef | null;
  role?: string;
  regions?: readonly string[] | '*';
  /** The region of the person's record a registry operation acts on. */
  regionCode?: string | null;
}

/** A request with its people in words and what it would do. */
export type ApprovalView = Approval & {
  requester: StaffRef | null;
  decider: StaffRef | null;
  /** True when the reader filed it: they cannot decide it. */
  mine: boolean;
  /** Still pending, but past its expiry: it can no longer be approved. */
  expired: boolean;
  summary: ApprovalSummary;
};

const staffPayload = z.object({
  staffId: z.string(),
  role: z.string().optional(),
  regions: z.union([z.literal('*'), z.array(z.string())]).optional(),
});

// A decider recorded as a token ('token:<id>') is named by the token's owner.
async function staffOwning(
  app: AppContext,
  ids: readonly string[],
): Promise<Map<string, StaffRef>> {
  const tokenIds = ids.filter((id) => id.startsWith('token:')).map((id) => id.slice(6));
  const owners = new Map<string, string>();
  if (tokenIds.length > 0) {
    const rows = await app.db.kysely
      .selectFrom('api_tokens')
      .select(['id', 'staff_id'])
      .where('id', 'in', tokenIds)
      .execute();
    for (const r of rows) owners.set(`token:${r.id}`, r.staff_id);
  }
  const staffIds = [...new Set(ids.map((id) => owners.get(id) ?? id))];
  const found = new Map<string, StaffRef>();
  if (staffIds.length === 0) return found;
  const rows = await app.db.kysely
    .selectFrom('staff')
    .select(['id', 'username', 'display_name'])
    .where('id', 'in', staffIds)
    .execute();
  const byId = new Map(
    rows.map((r) => [r.id, { id: r.id, username: r.username, displayName: r.display_name }]),
  );
  for (const id of ids) {
    const ref = byId.get(owners.get(id) ?? id);
    if (ref) found.set(id, ref);
  }
  return found;
}

function summarise(approval: Approval, staff: Map<string, StaffRef>): ApprovalSummary {
  const summary: ApprovalSummary = { operation: approval.operation };
  if (approval.operation.startsWith('staff.')) {
    const parsed = staffPayload.safeParse(approval.payload);
    if (parsed.success) {
      summary.staff = staff.get(parsed.data.staffId) ?? null;
      if (parsed.data.role) summary.role = parsed.data.role;
      if (parsed.data.regions) summary.regions = parsed.data.regions;
    }
  } else if (approval.regionCode) summary.regionCode = approval.regionCode;
  return summary;
}

/** The requests as the queue shows them to `caller`. */
export async function viewApprovals(
  app: AppContext,
  caller: Caller,
  approvals: readonly Approval[],
): Promise<ApprovalView[]> {
  const ids = new Set<string>();
  for (const a of approvals) {
    ids.add(a.requestedBy);
    if (a.decidedBy) ids.add(a.decidedBy);
    const target = staffPayload.safeParse(a.payload);
    if (a.operation.startsWith('staff.') && target.success) ids.add(target.data.staffId);
  }
  const staff = await staffOwning(app, [...ids]);
  const me = humanOf(caller.actor);
  const now = app.now().toISOString();
  return approvals.map((a) => ({
    ...a,
    requester: staff.get(a.requestedBy) ?? null,
    decider: a.decidedBy ? (staff.get(a.decidedBy) ?? null) : null,
    mine: a.requestedBy === me,
    expired: a.status === 'expired' || (a.status === 'pending' && a.expiresAt <= now),
    summary: summarise(a, staff),
  }));
}
