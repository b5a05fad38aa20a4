// Principle 1: the registry cannot hold political opinion, party membership or activity,
// voting or election participation, religion, trade-union membership, sexual life, or
// social-media identities. A declared category is checked, and so are the attribute's name
// and description, so that `voted_2024`, `partido` or `twitter_handle` are caught whatever
// category someone claims for them.
import { foldForSearch } from '../shared/text';

/** The prohibited categories, and the words (English and Spanish) that reveal each. */
export const prohibitedCategories = {
  political_opinion: [
    'politic',
    'ideolog',
    'chavis',
    'oposicion',
    'opposition',
    'opositor',
    'oficialis',
    'patriota',
    'simpatiz',
    'sympathi',
    'loyalty',
    'lealtad',
    'revolucionari',
  ],
  party_membership: [
    'party',
    'parties',
    'partido',
    'partidos',
    'militan',
    'afiliacion',
    'affiliation',
    'psuv',
    'carnet del partido',
  ],
  political_activity: [
    'rally',
    'rallies',
    'marcha',
    'mitin',
    'protest',
    'manifestacion',
    'activis',
    'campaign',
    'campana electoral',
    'movilizacion',
    'mobiliz',
  ],
  voting: ['vot', 'sufragi', 'ballot', 'boleta electoral', 'urna'],
  election_participation: [
    'election',
    'elections',
    'electoral',
    'elector',
    'electores',
    'eleccion',
    'elecciones',
    'comicios',
    'referendum',
    'referendo',
    'plebiscit',
    'turnout',
    'participacion electoral',
    'punto rojo',
  ],
  religion: [
    'religion',
    'religious',
    'religios',
    'church',
    'iglesia',
    'mosque',
    'mezquita',
    'synagogue',
    'sinagoga',
    'faith',
    'creencia',
    'creyente',
    'denominacion',
    'catolic',
    'catholic',
    'evangelic',
    'protestant',
    'muslim',
    'musulman',
    'jewish',
    'judio',
    'ateo',
    'atheist',
    'santeria',
  ],
  trade_union: [
    'trade union',
    'labor union',
    'labour union',
    'union member',
    'sindicat',
    'sindical',
    'gremio',
    'gremial',
  ],
  sexual_life: [
    'sexual',
    'sexualidad',
    'sexuality',
    'orientation',
    'orientacion',
    'lgbt',
    'gay',
    'lesbian',
    'lesbiana',
    'homosexual',
    'bisexual',
    'transgender',
  ],
  social_media: [
    'twitter',
    'facebook',
    'instagram',
    'tiktok',
    'telegram',
    'youtube',
    'snapchat',
    'linkedin',
    'whatsapp',
    'social media',
    'socialmedia',
    'redes sociales',
    'red social',
    'handle',
    'followers',
    'seguidores',
  ],
} as const;

/** A prohibited category name. */
export type ProhibitedCategory = keyof typeof prohibitedCategories;

/** Extra names people use for prohibited categories when declaring them. */
const categoryAliases: Record<string, ProhibitedCategory> = {
  political: 'political_opinion',
  politics: 'political_opinion',
  party: 'party_membership',
  party_member: 'party_membership',
  political_party: 'party_membership',
  vote: 'voting',
  voting_record: 'voting',
  election: 'election_participation',
  elections: 'election_participation',
  religious_belief: 'religion',
  belief: 'religion',
  union: 'trade_union',
  trade_union_membership: 'trade_union',
  sex_life: 'sexual_life',
  sexual_orientation: 'sexual_life',
  social_media_identity: 'social_media',
};

/** Splits `voted2024`, `votedIn2024`, `twitter_handle` into folded words. */
function words(text: string): string {
  const spaced = text.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Za-z])(\d)/g, '$1 $2');
  return ` ${foldForSearch(spaced.replace(/_/g, ' '))} `;
}

/** The prohibited category a declared category names, if any. */
export function prohibitedCategoryOf(category: string): ProhibitedCategory | null {
  const key = foldForSearch(category).replace(/ /g, '_');
  if (key in prohibitedCategories) return key as ProhibitedCategory;
  return categoryAliases[key] ?? null;
}

/**
 * The prohibited category that a name or description reveals, with the word that gave it
 * away; null when the text is clean. Stems match the start of a word ("militan" catches
 * "militante", "militancia"); multi-word stems match a phrase.
 */
export function prohibitedTopicIn(
  text: string,
): { category: ProhibitedCategory; word: string } | null {
  const folded = words(text);
  for (const [category, stems] of Object.entries(prohibitedCategories) as [
    ProhibitedCategory,
    readonly string[],
  ][]) {
    for (const stem of stems) {
      if (folded.includes(` ${stem}`)) return { category, word: stem };
    }
  }
  return null;
}
