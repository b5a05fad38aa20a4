// Target resolution times per category, in days: the defaults below, changed for a deployment
// by TESSERA_GRIEVANCE_TARGET_DAYS (`wrong_quantity=7,excluded=30`), or for one application
// context by configureGrievanceTargets (tests). Read once per context.
import type { AppContext } from '../shared/context';

/** What a grievance is about. */
export const grievanceCategories = [
  'not_served',
  'wrong_quantity',
  'wrong_data',
  'data_misuse',
  'excluded',
  'other',
] as const;
/** A grievance category. */
export type GrievanceCategory = (typeof grievanceCategories)[number];

/** Days to resolve, by category, unless the deployment says otherwise. */
export const targetDaysDefault: Readonly<Record<GrievanceCategory, number>> = {
  not_served: 5,
  wrong_quantity: 10,
  wrong_data: 15,
  data_misuse: 10,
  excluded: 20,
  other: 20,
};

const byApp = new WeakMap<AppContext, Record<GrievanceCategory, number>>();

/** Parses TESSERA_GRIEVANCE_TARGET_DAYS; throws naming the part it cannot read. */
export function parseTargetDays(text: string | undefined): Record<GrievanceCategory, number> {
  const days = { ...targetDaysDefault };
  if (!text) return days;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=').map((s) => s.trim());
    const n = Number(value);
    if (
      !(grievanceCategories as readonly string[]).includes(name ?? '') ||
      !Number.isInteger(n) ||
      n < 1 ||
      n > 365
    )
      throw new Error(
        `TESSERA_GRIEVANCE_TARGET_DAYS: "${part}" is not category=days (days 1 to 365; categories ${grievanceCategories.join(', ')})`,
      );
    days[name as GrievanceCategory] = n;
  }
  return days;
}

/** The target days of this context. */
export function grievanceTargets(app: AppContext): Readonly<Record<GrievanceCategory, number>> {
  let days = byApp.get(app);
  if (!days) {
    days = parseTargetDays(process.env.TESSERA_GRIEVANCE_TARGET_DAYS);
    byApp.set(app, days);
  }
  return days;
}

/** Sets some categories' targets for one context (tests, or a deployment's own wiring). */
export function configureGrievanceTargets(
  app: AppContext,
  days: Partial<Record<GrievanceCategory, number>>,
): void {
  byApp.set(app, { ...grievanceTargets(app), ...days });
}
