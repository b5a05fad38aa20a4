// A phonetic key for Spanish as spoken in Latin America (seseo, yeísmo): letters that
// sound alike there get one code, so that "Vásquez", "Basques" and "Vazquez" share a key.
// Input is expected in folded form (lower case a-z, see foldText); anything else is dropped.

const frontVowels = new Set(['e', 'i']);
const vowels = new Set(['a', 'e', 'i', 'o', 'u']);

/** The Spanish phonetic key of one folded word ('' for an empty word). */
export function spanishPhonetic(word: string): string {
  const s = word.replace(/[^a-z]/g, '');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    const next = s[i + 1] ?? '';
    const after = s[i + 2] ?? '';
    let code: string;
    switch (c) {
      case 'h':
        code = ''; // silent; "ch" is handled at the c
        break;
      case 'c':
        if (next === 'h') {
          code = 'X';
          i++;
        } else code = frontVowels.has(next) ? 's' : 'k';
        break;
      case 'q':
        code = 'k';
        if (next === 'u') i++;
        break;
      case 'g':
        if (next === 'u' && frontVowels.has(after)) {
          code = 'g';
          i++;
        } else code = frontVowels.has(next) ? 'j' : 'g';
        break;
      case 'l':
        if (next === 'l') {
          code = 'y';
          i++;
        } else code = 'l';
        break;
      case 'y':
        code = vowels.has(next) ? 'y' : 'i';
        break;
      case 'x':
        code = i === 0 ? 'j' : 's';
        break;
      case 'p':
        if (next === 'h') {
          code = 'f';
          i++;
        } else code = 'p';
        break;
      case 'v':
      case 'w':
        code = 'b';
        break;
      case 'z':
        code = 's';
        break;
      case 'k':
        code = 'k';
        break;
      default:
        code = c;
    }
    if (code !== '' && !out.endsWith(code)) out += code;
  }
  return out;
}
