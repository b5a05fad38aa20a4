// The registration office's enrolment screens' words, in Spanish and English (keys prefixed 'enrolment.').

export const es = {
  'enrolment.title': 'enrolment',
} as const;

export const en: Record<keyof typeof es, string> = {
  'enrolment.title': 'enrolment',
};
