// The analyst screens' words, in Spanish and English (keys prefixed 'analyst.').

export const es = {
  'analyst.title': 'analyst',
} as const;

export const en: Record<keyof typeof es, string> = {
  'analyst.title': 'analyst',
};
