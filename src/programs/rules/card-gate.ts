// Principle 2: eligibility may never depend on having or using an identity card. A card is
// a convenience for the person, never a condition; so no rule may even name one, whether it
// is declared as an attribute or not.

const cardWords = ['card', 'cards', 'cardholder', 'cardholders'];
const cardStems = ['tarjeta', 'carnet'];

/**
 * Whether a rule name refers to identity cards: `card`, `card_status`, `has_card`, `idcard`,
 * `tiene_tarjeta`, `carnet_patria`. Words of the name are split on `_`; `cardiac` is not a card.
 */
export function namesACard(name: string): boolean {
  return name
    .toLowerCase()
    .split('_')
    .some(
      (w) =>
        cardWords.includes(w) ||
        w.endsWith('card') ||
        w.endsWith('cards') ||
        cardStems.some((s) => w.startsWith(s)),
    );
}
