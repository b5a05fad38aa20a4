// The records the matcher reads and the values it returns. Everything here is plain data
// so that a model, a candidate and its explanation can be stored or sent as JSON.

/** One person's record as the matcher sees it; every field but id and givenNames may be absent. */
export interface MatchRecord {
  readonly id: string;
  readonly givenNames: string;
  readonly surname1?: string;
  readonly surname2?: string;
  /** 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'. */
  readonly birthDate?: string;
  readonly sex?: string;
  readonly regionCode?: string;
  readonly locality?: string;
  readonly documentNumber?: string;
  readonly phone?: string;
  /** Street address, when a source has one (not in the registry's core schema). */
  readonly address?: string;
  /** Postal code, when a source has one. */
  readonly postcode?: string;
  /** E-mail address, when a source has one. */
  readonly email?: string;
}

/** The three decisions a comparison can lead to. */
export type MatchOutcome = 'same_person' | 'possible_duplicate' | 'distinct';

/** One field's contribution to a candidate's score. */
export interface ExplanationItem {
  readonly comparison: string;
  readonly level: string;
  /** log2 Bayes factor of this level: positive favours "same person". */
  readonly weight: number;
}

/** A scored pair with the reasons for its score. */
export interface ScoredPair {
  readonly leftId: string;
  readonly rightId: string;
  /** Prior plus the sum of the field weights, in bits. */
  readonly matchWeight: number;
  readonly matchProbability: number;
  readonly outcome: MatchOutcome;
  readonly explanation: readonly ExplanationItem[];
}

/** Thresholds on the match weight (bits) that separate the three outcomes. */
export interface MatchThresholds {
  readonly samePersonWeightMin: number;
  readonly possibleDuplicateWeightMin: number;
}
