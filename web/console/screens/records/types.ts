// What the registry and card routes answer, as the records screens use it.

import type { Person } from '../../../../src/registry/person';

export type { Person };

/** GET /api/v1/persons/:id: the person, and whether their record awaits duplicate review. */
export interface PersonRecord extends Person {
  duplicateReview: { outcome: 'same_person' | 'possible_duplicate'; pairs: number } | null;
}

/** One search result: the person and how they matched. */
export interface SearchResult extends Person {
  match: { exact: boolean; birthDate: 'exact' | 'partial' | null };
}

export interface PersonVersion {
  version: number;
  validFrom: string;
  validTo: string | null;
  changedBy: string;
  reason: string;
  record: Person;
}

export interface Card {
  serial: number;
  status: 'active' | 'revoked' | 'replaced' | 'expired';
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
  replacedBy: number | null;
}

/** The purposes a registration officer may declare for reading a person. */
export const recordPurposes = [
  'enrolment',
  'card_issuance',
  'service_delivery',
  'grievance',
  'deduplication',
] as const;

/** The person's names in one line. */
export function fullName(p: Pick<Person, 'givenNames' | 'surname1' | 'surname2'>): string {
  return [p.givenNames, p.surname1, p.surname2].filter(Boolean).join(' ');
}
