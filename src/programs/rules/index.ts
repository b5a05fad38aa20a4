// The eligibility rule language: a programme's rule as text, parsed and checked against the
// registry's declared attributes and the project's principles, then run inside the database
// as one SELECT (SQLite and PostgreSQL alike) or in memory with the same meaning.
export type { ParsedRule, RuleNode } from './ast';
export type {
  CheckedExpr,
  CheckedRule,
  RuleAttribute,
  RuleEnvironment,
  RuleUses,
  RuleValueType,
} from './checked';
export { checkRule, validateRule } from './check';
export { evaluateRule, type RuleWorld, type RuleWorldPerson } from './evaluate';
export { maxListItems, maxRuleLength, maxRuleNodes } from './limits';
export { parseRule } from './parser';
export { RuleError, ruleProblemCodes, type RuleProblem, type RuleProblemCode } from './problems';
export { ruleSelect, type RuleSelectOptions, type RuleSelectRow } from './select';
