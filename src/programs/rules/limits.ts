// How large a rule may be. A rule becomes one SQL statement run over the whole registry:
// these bounds keep that statement, and the time to plan it, small.

/** Longest rule text, in UTF-16 units. */
export const maxRuleLength = 4000;
/** Most expression nodes in one rule (the items of an `in` list are not counted). */
export const maxRuleNodes = 200;
/** Most items in one `in` list. */
export const maxListItems = 500;
