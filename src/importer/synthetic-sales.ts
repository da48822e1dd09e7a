// Writes the synthetic playlists and invoices, sampling tracks by popularity (TrackSampler):
// per-genre "essentials", mood and genre mixes, whole discographies ("This Is …"), themed
// lists; and invoices that grow around what is already in the basket.
import type { Db } from '../db/index.ts';
import { cumulative, Rng } from './rng.ts';
import type { Customers } from './synthetic-people.ts';
import type { TrackSampler } from './synthetic-sampling.ts';
import { DAY_MS, INVOICE_DAYS, INVOICES_FROM, invoiceCount, isoSeconds, LINES_PER_INVOICE, type Progress, playlistEntryTarget } from './synthetic-shape.ts';
import * as W from './synthetic-words.ts';

export function writePlaylists(db: Db, n: number, seed: number, sampler: TrackSampler, progress: Progress): void {
  const target = playlistEntryTarget(n);
  const r = new Rng(seed, 'playlists');
  const insList = db.prepare('INSERT INTO chinook_playlists (id, name) VALUES (?, ?)');
  const insEntry = db.prepare('INSERT INTO chinook_playlist_track (playlist_id, track_id) VALUES (?, ?)');
  const artistName = db.prepare('SELECT name FROM chinook_artists WHERE id = ?').pluck();
  const genres = sampler.usedGenres();
  const genreCum = cumulative(genres.map((g) => W.GENRES[g - 1]!.weight));
  let id = 0;
  let entries = 0;
  const write = (name: string, tracks: Set<number>) => {
    insList.run(++id, name);
    for (const t of [...tracks].sort((a, b) => a - b)) insEntry.run(id, t);
    entries += tracks.size;
    progress(tracks.size, 'playlists');
  };
  const fill = (size: number, draw: () => number) => {
    const out = new Set<number>();
    for (let tries = 0; out.size < size && tries < size * 4; tries++) out.add(draw());
    return out;
  };
  // One "essentials" list per genre: the most popular tracks of that genre are the most likely members.
  for (const g of genres) {
    const size = Math.min(sampler.genreTrackCount(g), r.int(25, 100));
    write(
      `${W.GENRES[g - 1]!.name} ${r.pick(['Essentials', 'Classics', 'Greatest Hits', 'Top 25'])}`,
      fill(size, () => sampler.sampleGenre(r, g)),
    );
  }
  while (entries < target) {
    const u = r.float();
    const size = Math.min(Math.round(r.logNormal(35, 0.8)) + 5, 1500, target - entries + 5);
    if (u < 0.55) {
      // Mostly one or two genres, with a sprinkle of anything popular.
      const main = genres[r.weighted(genreCum)]!;
      const second = r.chance(0.35) ? genres[r.weighted(genreCum)]! : main;
      const genreName = second === main ? W.GENRES[main - 1]!.name : `${W.GENRES[main - 1]!.name} & ${W.GENRES[second - 1]!.name}`;
      const name = r.chance(0.5) ? `${r.pick(W.MOODS)} ${genreName}` : `${genreName} ${r.pick(W.LIST_SUFFIXES)}`;
      const cap = Math.min(size, sampler.genreTrackCount(main) + sampler.genreTrackCount(second));
      write(
        name,
        fill(cap, () => (r.chance(0.15) ? sampler.sampleRange(r, 1, n) : sampler.sampleGenre(r, r.chance(0.7) ? main : second))),
      );
    } else if (u < 0.75) {
      // "This Is <artist>": a whole discography, the strongest co-occurrence there is.
      const [lo, hi] = sampler.artistRange(sampler.sampleRange(r, 1, n));
      const tracks = new Set<number>();
      for (let t = lo; t <= hi && tracks.size < 100; t++) tracks.add(t);
      write(`This Is ${artistName.get(sampler.artistOf(lo)) as string}`, tracks);
    } else {
      write(
        `${r.pick(W.THEMED_PLAYLISTS)}${r.chance(0.6) ? ` ${r.int(1, 99)}` : ''}`,
        fill(size, () => sampler.sampleRange(r, 1, n)),
      );
    }
  }
}

export function writeInvoices(db: Db, n: number, seed: number, sampler: TrackSampler, customers: Customers, progress: Progress): void {
  const invoices = invoiceCount(n);
  const r = new Rng(seed, 'invoices');
  const insInvoice = db.prepare(
    `INSERT INTO chinook_invoices (id, customer_id, invoice_date, billing_address, billing_city, billing_state, billing_country, billing_postal_code, total)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insLine = db.prepare('INSERT INTO chinook_invoice_lines (id, invoice_id, track_id, unit_price, quantity) VALUES (?, ?, ?, ?, 1)');
  let lineId = 0;
  const lines: number[] = [];
  for (let id = 1; id <= invoices; id++) {
    const customerId = r.weighted(customers.activity) + 1;
    const customer = customers.info[customerId - 1]!;
    const count = r.weighted(LINES_PER_INVOICE) + 1;
    const fresh = () => (r.chance(0.7) ? sampler.sampleGenre(r, r.pick(customer.favourites)) : sampler.sampleRange(r, 1, n));
    lines.length = 0;
    // A basket grows around what is already in it: more from the same album or artist, else another pick to taste.
    for (let tries = 0; lines.length < count && tries < count * 4; tries++) {
      let t: number;
      const prev = lines.at(-1);
      const u = r.float();
      if (prev !== undefined && u < 0.45) t = sampler.sampleRange(r, ...sampler.albumRange(prev));
      else if (prev !== undefined && u < 0.6) t = sampler.sampleRange(r, ...sampler.artistRange(prev));
      else t = fresh();
      if (!lines.includes(t)) lines.push(t);
    }
    let cents = 0;
    for (const t of lines) cents += sampler.mediaOf(t) === W.VIDEO_MEDIA_TYPE ? 199 : 99;
    // Ids follow dates, as in Chinook: sales spread evenly over five years.
    const day = Math.floor(((id - 1) / invoices) * INVOICE_DAYS);
    insInvoice.run(
      id,
      customerId,
      isoSeconds(INVOICES_FROM + day * DAY_MS),
      customer.address,
      customer.city,
      customer.state,
      customer.country,
      customer.postal,
      cents / 100,
    );
    for (const t of lines) insLine.run(++lineId, id, t, sampler.mediaOf(t) === W.VIDEO_MEDIA_TYPE ? 1.99 : 0.99);
    progress(lines.length, 'invoices');
  }
}
