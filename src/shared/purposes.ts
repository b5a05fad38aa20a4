// The fixed list of purposes a staff member may give for reading personal data
// (principle 3). The list is closed on purpose: a free-text "reason" turns into "misc"
// within a month, and a person's access report must say something they can understand.

/** Every purpose for a personal-data read, with the one line shown in the access report. */
export const purposeDescriptions = {
  enrolment: 'Registering a person or household, or recording a life event.',
  card_issuance: 'Issuing, replacing or revoking an identity card.',
  service_delivery: 'Handing over a benefit or checking what a person is entitled to.',
  grievance: 'Handling a complaint or appeal made by or about the person.',
  audit: 'Checking that staff used the system lawfully.',
  health_eligibility: 'Deciding eligibility for a health-related benefit such as medicine.',
  deduplication: 'Reviewing whether two records describe the same person.',
  subject_access: 'The person reading their own record.',
  export: 'A row-level export approved by two different staff members.',
} as const satisfies Record<string, string>;

/** A declared purpose for reading personal data. */
export type Purpose = keyof typeof purposeDescriptions;

/** All purposes, in a stable order (for schemas, menus and the permission matrix). */
export const purposes: readonly Purpose[] = Object.freeze(
  Object.keys(purposeDescriptions) as Purpose[],
);

/** Purposes under which health attributes may be read: only deciding health eligibility. */
export const healthPurposes: readonly Purpose[] = Object.freeze(['health_eligibility'] as const);

/** True when `value` is one of the fixed purposes (use on untrusted input). */
export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && Object.hasOwn(purposeDescriptions, value);
}

/** True when a read under `purpose` may include health attributes. */
export function allowsHealthAttributes(purpose: Purpose): boolean {
  return healthPurposes.includes(purpose);
}

/** The one-line description of a purpose, as shown to the person in their access report. */
export function describePurpose(purpose: Purpose): string {
  return purposeDescriptions[purpose];
}
