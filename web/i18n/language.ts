// Which language a person reads: their own choice, remembered on this device, else the
// deployment's (the page's `lang`, Spanish in the demo). `lang` on <html> always follows it.
import { languages, type Language } from './verify';

const storageKey = 'tessera.language';

/** True when `value` is a language the app speaks. */
export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/** The language to show now. */
export function currentLanguage(): Language {
  let chosen: string | null = null;
  try {
    chosen = localStorage.getItem(storageKey);
  } catch {
    // Storage can be off (private mode): fall back to the page's language.
  }
  if (isLanguage(chosen)) return chosen;
  const page = document.documentElement.lang;
  return isLanguage(page) ? page : languages[0];
}

/** Remembers a person's choice and marks the page with it. */
export function chooseLanguage(language: Language): void {
  try {
    localStorage.setItem(storageKey, language);
  } catch {
    // Not remembered, but still applied to this page.
  }
  document.documentElement.lang = language;
}

/** Fills `{name}` placeholders. */
export function fill(text: string, values: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
