// What loadSynthetic (index.ts) hands out: the generator and the word lists.
export { importSynthetic } from './synthetic.ts';
export { ADJECTIVES, FIRST_NAMES, LAST_NAMES, METAL_NOUNS, NOUNS, PLURALS, VERBS_ING } from './synthetic-words.ts';
