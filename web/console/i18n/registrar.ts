// The registrar screens' words, in Spanish and English (keys prefixed 'registrar.').

export const es = {
  'registrar.title': 'registrar',
} as const;

export const en: Record<keyof typeof es, string> = {
  'registrar.title': 'registrar',
};
