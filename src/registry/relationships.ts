// Relationships to the head of household: a leaf file, so the import worker can use it
// without loading the household service.

/** Relationships to the head of household. */
export const relationships = [
  'head',
  'spouse',
  'partner',
  'child',
  'stepchild',
  'parent',
  'sibling',
  'grandchild',
  'grandparent',
  'other_relative',
  'non_relative',
] as const;
