// Age in whole years, computed exactly as the SQL does: a partial birth date counts from its
// first day, and someone born on 29 February is a year older on 1 March in a common year.

/** Whole years from a stored birth date (YYYY, YYYY-MM or YYYY-MM-DD) to a reference date. */
export function ageAt(birthDate: string, referenceDate: string): number {
  const b = `${birthDate}-01-01`.slice(0, 10);
  const years = Number(referenceDate.slice(0, 4)) - Number(b.slice(0, 4));
  return years - (referenceDate.slice(5, 10) < b.slice(5, 10) ? 1 : 0);
}
