// The distribution domain's tables as Kysely sees them: points of service and their operators,
// devices and their keys, stock, redemptions with the proof each was made with, idempotency
// keys, offline leases, the chain of offline entries each device uploads, conflicts, one-time
// proof codes, and nominees. Large tables (redemptions, leases, offline entries) carry
// person_id or device_id, the distribution key for a sharded cluster.

/** A point of service: where benefits are handed over. */
export interface PointsTable {
  id: string;
  /** Short stable code shown on receipts (e.g. "DEP-CCS-0012"). */
  code: string;
  name: string;
  kind: 'food_depot' | 'pharmacy' | 'fuel_station' | 'bank_agent' | 'registration_office';
  region_code: string;
  locality: string | null;
  /** JSON array of programme ids the point serves. */
  programmes: string;
  /** The ledger account co-payments and reimbursements of this point go to (merchant). */
  merchant_account_id: string | null;
  status: 'active' | 'closed';
  created_at: string;
  created_by: string;
  closed_at: string | null;
  closed_by: string | null;
}

/** A staff member assigned to operate a point (their operator role must cover its region). */
export interface PointOperatorsTable {
  point_id: string;
  staff_id: string;
  assigned_at: string;
  assigned_by: string;
  removed_at: string | null;
  removed_by: string | null;
}

/** A device of a point: registered with a one-time code, then holding its own key and token. */
export interface DevicesTable {
  id: string;
  point_id: string;
  name: string;
  status: 'awaiting_enrolment' | 'active' | 'revoked';
  /** SHA-256 of the one-time enrolment code; cleared once used. */
  enrolment_code_hash: string | null;
  enrolment_expires_at: string | null;
  /** The device's Ed25519 public key (raw 32 bytes, base64url), set at enrolment. */
  public_key: string | null;
  /** The api_tokens row the device authenticates with. */
  token_id: string | null;
  /** Units the device may hand out offline per day (0: offline redemption refused). */
  offline_daily_cap: number;
  /** The last offline entry accepted from the device: its counter and hash (the chain head). */
  chain_counter: number;
  chain_head: string | null;
  registered_at: string;
  registered_by: string;
  enrolled_at: string | null;
  enrolled_by: string | null;
  last_seen_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

/** Stock a point received (or an audited adjustment) for one cycle of an in-kind programme. */
export interface StockMovementsTable {
  id: string;
  point_id: string;
  cycle_id: string;
  kind: 'received' | 'adjustment';
  /** Units; an adjustment may be negative (loss, spoilage), with a reason. */
  quantity: number;
  reference: string;
  at: string;
  by: string;
}

/** One handing-over: what, how much, by which proof, where, by whom. Never updated. */
export interface RedemptionsTable {
  id: string;
  cycle_id: string;
  person_id: string;
  programme_id: string;
  point_id: string;
  device_id: string | null;
  /** The staff member behind the device or session (humanOf). */
  operator_id: string;
  quantity: number;
  proof_kind: 'card' | 'sms_code' | 'document';
  /** JSON: card serial and key id; or the code id; or document type, number and reason. */
  proof_details: string;
  /** Who collected when it was not the holder: a nominee or a household member. */
  collected_by_person_id: string | null;
  collected_as: 'holder' | 'nominee' | 'household_member';
  channel: 'online' | 'offline';
  co_payment_method: 'none' | 'cash' | 'wallet';
  co_payment_minor: number | bigint;
  co_payment_id: string | null;
  /** Short code printed on the receipt, to complain about this redemption. */
  receipt_code: string;
  /** When it happened at the point (the device's clock for offline entries). */
  redeemed_at: string;
  /** When the server recorded it. */
  recorded_at: string;
  /** For offline entries: the device's counter. */
  offline_counter: number | null;
}

/** An Idempotency-Key and what the first request with it got. */
export interface IdempotencyKeysTable {
  /** Who sent it (token or staff id) and the key, joined: keys are per client. */
  scope: string;
  key: string;
  /** SHA-256 of the method, path and canonical body: the same key with another request is refused. */
  request_hash: string;
  state: 'in_progress' | 'done';
  /** While in progress: when another attempt may take over (a crashed server's attempt). */
  locked_until: string;
  status_code: number | null;
  /** JSON of the first result. */
  response: string | null;
  created_at: string;
  completed_at: string | null;
}

/** An entitlement leased to one device's offline pack for a period. */
export interface LeasesTable {
  id: string;
  cycle_id: string;
  person_id: string;
  device_id: string;
  pack_id: string;
  leased_at: string;
  expires_at: string;
  released_at: string | null;
  release_reason: string | null;
}

/** A pack a device downloaded: its salt and what it held (the leases name it). */
export interface PacksTable {
  id: string;
  device_id: string;
  salt: string;
  created_at: string;
  expires_at: string;
  lease_count: number;
}

/** One entry of a device's offline chain, as accepted on sync (never updated). */
export interface OfflineEntriesTable {
  device_id: string;
  counter: number;
  /** SHA-256 (hex) of the entry's canonical bytes and signature: the next entry's `prev`. */
  hash: string;
  prev_hash: string;
  /** JSON: the entry as the device signed it. */
  entry: string;
  signature: string;
  outcome: 'redeemed' | 'conflict';
  redemption_id: string | null;
  conflict_id: string | null;
  received_at: string;
}

/** A redemption that could not be a valid delivery: for review, never a second delivery. */
export interface ConflictsTable {
  id: string;
  cycle_id: string;
  person_id: string;
  point_id: string;
  device_id: string;
  /** not_leased, already_redeemed, lease_expired, over_daily_cap, device_revoked, … */
  reason: string;
  /** The valid redemption it collides with, when there is one. */
  redemption_id: string | null;
  quantity: number;
  offline_counter: number | null;
  details: string;
  status: 'open' | 'resolved';
  resolution: 'confirmed_loss' | 'recovered' | 'error' | null;
  resolution_note: string | null;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

/** A one-time code sent by SMS to the phone on record, for a redemption without a card. */
export interface ProofCodesTable {
  id: string;
  person_id: string;
  /** HMAC of the code under the data key; the code itself is only in the SMS. */
  code_hash: string;
  point_id: string;
  requested_by: string;
  created_at: string;
  expires_at: string;
  tries: number;
  used_at: string | null;
}

/** A person designated by a beneficiary to collect for them, with their consent. */
export interface NomineesTable {
  id: string;
  beneficiary_id: string;
  nominee_id: string;
  /** How the beneficiary's consent was taken (in person at an office, signed form, …). */
  consent: string;
  recorded_at: string;
  recorded_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

/** A cycle whose distribution detail was reduced to what the person's record needs. */
export interface DistributionReductionsTable {
  cycle_id: string;
  reduced_at: string;
  redemptions: number;
}

/** All tables of the distribution domain. */
export interface DistributionTables {
  points: PointsTable;
  point_operators: PointOperatorsTable;
  devices: DevicesTable;
  stock_movements: StockMovementsTable;
  redemptions: RedemptionsTable;
  idempotency_keys: IdempotencyKeysTable;
  leases: LeasesTable;
  packs: PacksTable;
  offline_entries: OfflineEntriesTable;
  conflicts: ConflictsTable;
  proof_codes: ProofCodesTable;
  nominees: NomineesTable;
  distribution_reductions: DistributionReductionsTable;
}

declare module '../db/schema' {
  interface Schema extends DistributionTables {}
}
