// The auditor screens' words, in Spanish and English (keys prefixed 'auditor.').

export const es = {
  'auditor.title': 'auditor',
} as const;

export const en: Record<keyof typeof es, string> = {
  'auditor.title': 'auditor',
};
