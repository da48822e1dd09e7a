// Names for a synthetic catalog: people, artists, albums, tracks and composer credits, in the
// style of each genre (the word lists are in synthetic-words.ts). Every name is drawn from the
// one `names` random stream, in catalog order, so a seed always gives the same names.
import type { Rng } from './rng.ts';
import * as W from './synthetic-words.ts';

/** What naming needs to know about an artist (the catalog writer plans the rest). */
export interface ArtistPlan {
  id: number;
  name: string;
  genre: W.GenreProfile;
  members: string[];
  separator: string;
  popularity: number;
  firstYear: number;
}

/** A classical work being spread over an album's tracks, one movement a track. */
export interface Work {
  title: string;
  movements: number;
  movement: number;
}

export class NameMaker {
  constructor(private readonly r: Rng) {}

  /** An artist's members, name, credit separator and first year, in the style of its genre. */
  artist(genre: W.GenreProfile): Pick<ArtistPlan, 'members' | 'name' | 'separator' | 'firstYear'> {
    const r = this.r;
    const members = Array.from({ length: genre.style === 'classical' || genre.style === 'opera' ? 1 : r.int(1, 4) }, () => this.person(genre.style));
    const name = this.artistName(genre.style, members);
    const earliest = genre.id === 5 ? 1952 : genre.style === 'classical' || genre.style === 'opera' ? 1950 : genre.video ? 1995 : 1962;
    const separator = r.pick([', ', ', ', ' / ', ' & ', '/']);
    return { members, name, separator, firstYear: r.int(earliest, 2022) };
  }

  person(style: W.Style): string {
    const r = this.r;
    const first = r.pick(W.FIRST_NAMES);
    let last = r.pick(W.LAST_NAMES);
    // Latin and Brazilian artists get Iberian surnames more often, and sometimes two of them.
    if ((style === 'latin' || style === 'brazil') && r.chance(0.6)) {
      last = r.pick([
        'Silva',
        'Santos',
        'Araújo',
        'Gonçalves',
        'Magalhães',
        'Conceição',
        'García',
        'Peña',
        'Núñez',
        'Jiménez',
        'Muñoz',
        'Fernández',
        'Assunção',
        'Brandão',
      ]);
      if (r.chance(0.3)) last = `${last} ${r.pick(['de Souza', 'da Costa', 'do Nascimento', 'y Ortega', 'Jobim', 'Lins'])}`;
    }
    if (r.chance(0.08)) return `${first} ${String.fromCharCode(65 + r.int(0, 25))}. ${last}`;
    return `${first} ${last}`;
  }

  artistName(style: W.Style, members: string[]): string {
    const r = this.r;
    const lead = members[0]!;
    const leadLast = lead.split(' ').at(-1)!;
    const u = r.float();
    switch (style) {
      case 'metal':
        if (u < 0.45) return `${r.pick(W.METAL_ADJ)} ${r.pick(W.METAL_NOUNS)}`;
        if (u < 0.75) return r.pick(W.METAL_NOUNS) + r.pick(['', '', ' of Doom', ' Ritual', 'fall', 'throne']);
        return `${lead} & The ${r.pick(W.METAL_NOUNS)}`;
      case 'jazz':
      case 'blues':
        if (u < 0.45) return `${lead} ${r.pick(W.ENSEMBLES)}`;
        if (u < 0.6) return `${lead} & His Orchestra`;
        if (u < 0.75) return `${lead} & ${members[1] ?? this.person(style)}`;
        return lead;
      case 'latin':
        if (u < 0.3) return `Los ${r.pick(W.SPANISH_PLURALS)}${r.chance(0.3) ? ` del ${r.pick(W.SPANISH_NOUNS)}` : ''}`;
        if (u < 0.45) return `${lead} y Su Orquesta`;
        if (u < 0.55) return `Grupo ${r.pick(W.SPANISH_NOUNS)}`;
        return lead;
      case 'brazil':
      case 'world':
        if (u < 0.55) return lead;
        if (u < 0.75) return `${lead} & ${members[1] ?? this.person(style)}`;
        return `${r.pick(['Banda', 'Trio', 'Quarteto', 'Orquestra'])} ${r.pick(W.PORTUGUESE_NOUNS)}`;
      case 'reggae':
        if (u < 0.4) return `${lead} & The ${r.pick(W.REGGAE_WORDS)} ${r.pick(['Band', 'Crew', 'Rockers', 'Wailers', 'Squad'])}`;
        if (u < 0.7) return `${r.pick(W.REGGAE_WORDS)} ${r.pick(W.REGGAE_WORDS)}`;
        return lead;
      case 'hiphop':
        if (u < 0.35) return `${r.pick(['MC', 'DJ', "Lil'", 'Big', 'Young'])} ${r.pick(W.HIPHOP_WORDS)}`;
        if (u < 0.55) return `${r.pick(W.HIPHOP_WORDS)} ${r.pick(['Crew', 'Collective', 'Squad', 'Gang', 'Clique'])}`;
        if (u < 0.75) return `${r.pick(['MC', 'DJ'])} ${r.pick(W.HIPHOP_WORDS)} feat. ${this.person(style)}`;
        return lead;
      case 'electronic':
        if (u < 0.4) return `${r.pick(W.ELECTRONIC_WORDS)}${r.pick(W.ELECTRONIC_WORDS).toLowerCase()}`;
        if (u < 0.7) return `${r.pick(W.ADJECTIVES)} ${r.pick(W.ELECTRONIC_WORDS)}`;
        return `DJ ${leadLast}`;
      case 'classical':
      case 'opera':
        if (u < 0.3)
          return `${r.pick(W.CITIES_FOR_ORCHESTRAS)} ${r.pick(['Philharmonic Orchestra', 'Symphony Orchestra', 'Chamber Orchestra', 'Radio Symphony'])}`;
        if (u < 0.55)
          return `${lead}, ${r.pick(W.CITIES_FOR_ORCHESTRAS)} ${r.pick(['Symphony Orchestra', 'Philharmonic', 'Sinfonietta'])} & ${this.person(style)}`;
        if (u < 0.7) return `${lead} & ${r.pick(W.CITIES_FOR_ORCHESTRAS)} ${r.pick(['Chamber Ensemble', 'Baroque Soloists', 'String Quartet'])}`;
        return lead;
      case 'tv':
        if (u < 0.35) return r.pick(W.TV_WORDS);
        if (u < 0.65) return `The ${r.pick(W.NOUNS)} ${r.pick(W.TV_WORDS)}`;
        return `${r.pick(W.ADJECTIVES)} ${r.pick(W.TV_WORDS)}`;
      case 'soundtrack':
        if (u < 0.5) return lead;
        return `${r.pick(W.ADJECTIVES)} ${r.pick(W.NOUNS)} (Original Soundtrack)`;
      default:
        // rock, punk, pop, soul
        if (u < 0.3) return `The ${r.pick(W.ADJECTIVES)} ${r.pick(W.PLURALS)}`;
        if (u < 0.45) return `${r.pick(W.ADJECTIVES)} ${r.pick(W.NOUNS)}`;
        if (u < 0.55) return `${r.pick(W.NOUNS)} ${r.pick(W.NOUNS)}`;
        if (u < 0.65) return `${lead} & The ${r.pick(W.PLURALS)}`;
        if (u < 0.7) return `${lead} feat. ${this.person(style)}`;
        if (u < 0.75) return `${r.pick(W.PLURALS)} & ${r.pick(W.PLURALS)}`;
        return lead;
    }
  }

  albumTitle(artist: ArtistPlan, genre: W.GenreProfile, index: number): string {
    const r = this.r;
    if (genre.video) return `${artist.name}, Season ${index + 1}`;
    const u = r.float();
    switch (genre.style) {
      case 'classical':
      case 'opera':
        if (u < 0.4) return `${r.pick(W.LAST_NAMES)}: ${r.pick(W.CLASSICAL_FORMS)}s`;
        if (u < 0.6) return `Great Recordings of the Century - ${r.pick(W.LAST_NAMES)}: ${r.pick(W.CLASSICAL_FORMS)}s`;
        return `${r.pick(W.OPERA_WORDS)}${r.chance(0.5) ? ` (${r.pick(['Highlights', 'Complete', 'Live'])})` : ''}`;
      case 'latin':
        if (u < 0.5) return `${r.pick(W.SPANISH_NOUNS)} y ${r.pick(W.SPANISH_NOUNS)}`;
        break;
      case 'brazil':
      case 'world':
        if (u < 0.5) return `${r.pick(W.PORTUGUESE_NOUNS)}${r.chance(0.3) ? ' (Ao Vivo)' : ''}`;
        break;
      case 'metal':
        if (u < 0.5) return `${r.pick(W.METAL_ADJ)} ${r.pick(W.METAL_NOUNS)}`;
        break;
    }
    const v = r.float();
    if (index > 1 && v < 0.08) return `The Best of ${artist.name}`;
    if (v < 0.16) return r.pick(W.ALBUM_PATTERNS_EXTRA);
    if (v < 0.45) return `${r.pick(W.ADJECTIVES)} ${r.pick(W.NOUNS)}`;
    if (v < 0.6) return `${r.pick(W.NOUNS)} & ${r.pick(W.NOUNS)}`;
    if (v < 0.72) return `${r.pick(W.NOUNS)}, Vol. ${r.int(1, 4)}`;
    if (v < 0.85) return `${r.pick(W.PREPOSITIONS)} the ${r.pick(W.NOUNS)}`;
    return r.pick(W.PHRASES);
  }

  trackTitle(genre: W.GenreProfile, artist: ArtistPlan, pos: number, work: Work): string {
    const r = this.r;
    switch (genre.style) {
      case 'tv':
        if (pos === 1 && r.chance(0.5)) return 'Pilot';
        if (r.chance(0.15)) return `${r.pick(W.EPISODE_WORDS)}, Pt. ${r.int(1, 2)}`;
        return r.chance(0.5) ? r.pick(W.EPISODE_WORDS) : `${r.pick(W.ADJECTIVES)} ${r.pick(W.NOUNS)}`;
      case 'classical':
        if (work.movement >= work.movements) {
          work.title = `${r.pick(W.CLASSICAL_FORMS)} No. ${r.int(1, 9)} in ${r.pick(W.KEYS)} ${r.pick(['Major', 'Minor'])}, Op. ${r.int(1, 130)}`;
          work.movements = r.int(2, 4);
          work.movement = 0;
        }
        work.movement++;
        return `${work.title}: ${W.ROMAN[work.movement - 1]}. ${r.pick(W.TEMPI)}`;
      case 'opera':
        return `${r.pick(W.OPERA_WORDS)}: Act ${W.ROMAN[r.int(0, 2)]}, "${r.pick(W.ARIAS)}"`;
      case 'metal':
        if (r.chance(0.5)) return `${r.pick(W.METAL_ADJ)} ${r.pick(W.METAL_NOUNS)}${r.chance(0.05) ? r.pick(W.TRACK_SUFFIXES) : ''}`;
        break;
      case 'latin':
        if (r.chance(0.6)) return r.chance(0.5) ? `${r.pick(W.SPANISH_NOUNS)} de ${r.pick(W.SPANISH_NOUNS)}` : `Mi ${r.pick(W.SPANISH_NOUNS)}`;
        break;
      case 'brazil':
      case 'world':
        if (r.chance(0.6))
          return r.chance(0.5)
            ? `${r.pick(W.PORTUGUESE_NOUNS)} de ${r.pick(W.PORTUGUESE_NOUNS)}`
            : r.chance(0.5)
              ? `Meu ${r.pick(W.PORTUGUESE_MASCULINE)}`
              : `Minha ${r.pick(W.PORTUGUESE_FEMININE)}`;
        break;
      case 'hiphop':
        if (r.chance(0.3)) return `${r.pick(W.PHRASES)} (feat. ${r.pick(['MC', 'Lil', 'DJ'])} ${r.pick(W.HIPHOP_WORDS)})`;
        break;
      case 'pop':
      case 'soul':
        if (r.chance(0.1)) return `${r.pick(W.PHRASES)} (feat. ${this.person(genre.style)})`;
        break;
      case 'electronic':
        if (r.chance(0.3)) return `${r.pick(W.ELECTRONIC_WORDS)} ${r.pick(W.NOUNS)}${r.chance(0.3) ? ` (${artist.name} Remix)` : ''}`;
        break;
    }
    const u = r.float();
    let title: string;
    if (u < 0.25) title = `${r.pick(W.ADJECTIVES)} ${r.pick(W.NOUNS)}`;
    else if (u < 0.4) title = `${r.pick(W.NOUNS)} of ${r.chance(0.5) ? 'the ' + r.pick(W.NOUNS) : r.pick(W.PLURALS)}`;
    else if (u < 0.55) title = `${r.pick(W.VERBS_ING)} ${r.pick(W.PREPOSITIONS)} the ${r.pick(W.NOUNS)}`;
    else if (u < 0.85) title = r.pick(W.PHRASES);
    else if (u < 0.93) title = r.pick(W.NOUNS);
    else title = `${r.pick(W.NOUNS)} & ${r.pick(W.NOUNS)}`;
    return r.chance(0.07) ? title + r.pick(W.TRACK_SUFFIXES) : title;
  }

  composer(artist: ArtistPlan): string {
    const r = this.r;
    const m = artist.members;
    if (m.length === 1) return r.chance(0.8) ? m[0]! : `${m[0]}${artist.separator}${this.person(artist.genre.style)}`;
    // A band credits one to all of its members, the lead most often.
    const count = r.int(1, m.length);
    const start = r.chance(0.6) ? 0 : r.int(0, m.length - count);
    return m.slice(start, start + count).join(artist.separator);
  }
}
