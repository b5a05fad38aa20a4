// The closed list of audit operations. Each domain declares the operations it writes, with
// the words a person reads in their access report, in Spanish and English (its
// `audit-operations.ts`, merged into `AuditOperationRegistry` below). `appendAudit` takes only
// an `AuditOperation`, so an operation without a description does not compile, and the module
// list checks with `satisfies Record<AuditOperation, …>` that every one is described.

/** Whether an operation read a person's data, changed it, or is about the system. */
export type AuditOperationKind = 'read' | 'change' | 'other';

/** One operation in plain words, as the person whose record it touched reads it. */
export interface AuditOperationDescription {
  kind: AuditOperationKind;
  en: string;
  es: string;
  /**
   * For reads: `false` when the read does not count toward the reader's hourly volume limit,
   * because four-eyes approval already bounds it (exports) or it shows no personal values.
   */
  metered?: false;
  /**
   * The entry concerns every person whose record existed when it was written (a whole-registry
   * export): each of their access reports shows it, without an index row per person.
   */
  coversEveryone?: true;
}

/** A domain's audit operations, by name. */
export type AuditOperationTable = Readonly<Record<string, AuditOperationDescription>>;

/** Every audit operation of every domain; each domain merges its own names in. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AuditOperationRegistry {}
/** An audit operation name, e.g. `person.read`. */
export type AuditOperation = keyof AuditOperationRegistry & string;
