// The measures of an exclusion report: a leaf file, so that the console draws the same list
// the server counts without loading the server.

/** The measures of an exclusion report, in the order they are shown. */
export const exclusionMeasures = [
  'eligible',
  'entitlements',
  'redeemed',
  'redeemedWithoutCard',
  'eligibleWithoutCard',
  'paused',
  'void',
  'unredeemed',
  'exclusionComplaints',
] as const;
/** One measure. */
export type ExclusionMeasure = (typeof exclusionMeasures)[number];
