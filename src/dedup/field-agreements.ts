// The matcher's explanation of a pair, field by field: does each field agree, nearly agree or
// disagree. A leaf file with no imports, so that the screening route and the console's review
// screens (web/console/screens/enrolment/) read an explanation the same way.

/** How far a field of two records agrees. */
export type FieldAgreement = 'agree' | 'near' | 'disagree';

/** The fields the matcher compares, by the names the API and the screens use. */
export type ComparedField =
  'givenNames' | 'birthDate' | 'surnames' | 'sex' | 'documentNumber' | 'phone' | 'place';

/** One field's agreement, with the matcher's own level (in English, for a reviewer's details). */
export interface ScreenedField {
  field: ComparedField;
  agreement: FieldAgreement;
  level: string;
  weight: number;
}

/** One item of the matcher's explanation of a pair. */
export interface ExplanationItem {
  comparison: string;
  level: string;
  weight: number;
}

const fieldOfComparison: Record<string, ComparedField | undefined> = {
  surnames: 'surnames',
  sex: 'sex',
  document_number: 'documentNumber',
  phone: 'phone',
  place: 'place',
};

function agreementOf(level: string, first: boolean): FieldAgreement {
  if (first) return 'agree';
  return level === 'different' ? 'disagree' : 'near';
}

/** The explanation field by field (given names and birth date, scored jointly, apart). */
export function fieldAgreements(items: readonly ExplanationItem[]): ScreenedField[] {
  const out: ScreenedField[] = [];
  for (const item of items) {
    if (item.comparison === 'given_names_and_birth_date') {
      const m = /^given (.+), birth date (.+)$/.exec(item.level);
      const [given, date] = [m?.[1] ?? 'missing', m?.[2] ?? 'missing'];
      if (given !== 'missing')
        out.push({
          field: 'givenNames',
          agreement: agreementOf(given, given === 'exact'),
          level: given,
          weight: item.weight,
        });
      if (date !== 'missing')
        out.push({
          field: 'birthDate',
          agreement: agreementOf(date, date === 'exact'),
          level: date,
          weight: item.weight,
        });
      continue;
    }
    const field = fieldOfComparison[item.comparison];
    if (!field) continue;
    const first = ['exact', 'same', 'both exact', 'same locality'].includes(item.level);
    out.push({
      field,
      agreement: agreementOf(item.level, first),
      level: item.level,
      weight: item.weight,
    });
  }
  return out;
}
