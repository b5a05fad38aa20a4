// Privacy tables: the audit log and its seals, and four-eyes approval requests.

/** An audit entry. Appended without hash; the sealer assigns chain_index and hash later. */
export interface AuditLogTable {
  id: string;
  at: string;
  actor_id: string | null;
  actor_role: string | null;
  operation: string;
  purpose: string | null;
  /** JSON array of the person ids this entry touched or read. */
  subject_ids: string;
  /** JSON object: fields changed, counts, parameters (never personal data values). */
  details: string;
  origin: string | null;
  chain_index: number | null;
  hash: string | null;
  /** How `hash` was computed (see audit-chain.ts): null for format 1, set by the sealer. */
  chain_format: number | null;
}

/** Which audit entries touched which person: the index behind a person's access report. */
export interface AuditSubjectsTable {
  audit_id: string;
  person_id: string;
  at: string;
}

/** A signed checkpoint of the audit chain head. */
export interface AuditSealsTable {
  chain_index: number;
  head_hash: string;
  sealed_at: string;
  key_id: string;
  signature: string;
}

/** A four-eyes request: nothing happens until a different staff member approves it. */
export interface ApprovalsTable {
  id: string;
  operation: string;
  /** JSON parameters of the operation to run on approval. */
  payload: string;
  region_code: string | null;
  requested_by: string;
  requested_at: string;
  request_reason: string;
  expires_at: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'failed';
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  /** JSON outcome of the operation once run. */
  result: string | null;
}

/** All privacy tables. */
export interface PrivacyTables {
  audit_log: AuditLogTable;
  audit_subjects: AuditSubjectsTable;
  audit_seals: AuditSealsTable;
  approvals: ApprovalsTable;
}

declare module '../db/schema' {
  interface Schema extends PrivacyTables {}
}
