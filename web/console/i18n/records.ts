// The registration office's records screens' words, in Spanish and English (keys prefixed 'records.').

export const es = {
  'records.title': 'records',
} as const;

export const en: Record<keyof typeof es, string> = {
  'records.title': 'records',
};
