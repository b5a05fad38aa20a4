// The admin screens' words, in Spanish and English (keys prefixed 'admin.').

export const es = {
  'admin.title': 'admin',
} as const;

export const en: Record<keyof typeof es, string> = {
  'admin.title': 'admin',
};
