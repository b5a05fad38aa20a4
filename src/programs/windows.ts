// The staggered calendar: a person's collection window opens on a day of the cycle chosen by
// the last digit of their registry number, so the country does not queue on the first day.
// The window stays open until the cycle closes: someone who misses their day is late, never
// excluded. Registry numbers end in a Damm check digit, which spreads evenly over 0–9.

/** The date `days` after `isoDate` (YYYY-MM-DD), as YYYY-MM-DD. */
export function addDays(isoDate: string, days: number): string {
  const t = Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** The opening day for each last digit 0..9, never after the cycle's last day. */
export function windowOpenings(
  opensOn: string,
  closesOn: string,
  stagger: readonly number[],
): string[] {
  return stagger.map((day) => {
    const date = addDays(opensOn, day);
    return date > closesOn ? closesOn : date;
  });
}
