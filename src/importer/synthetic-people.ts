// Writes the synthetic staff and customers: Chinook's management chain with enough sales
// support agents for the customers, and customers spread over Chinook's countries, each with
// one to three favourite genres that drive what they buy (synthetic-sales.ts).
import type { Db } from '../db/index.ts';
import { cumulative, Rng } from './rng.ts';
import type { TrackSampler } from './synthetic-sampling.ts';
import { asciiWord, customerCount, isoSeconds } from './synthetic-shape.ts';
import * as W from './synthetic-words.ts';

const countryCumulative = cumulative(W.COUNTRIES.map((c) => c.weight));

export interface CustomerInfo {
  address: string;
  city: string;
  state: string | null;
  country: string;
  postal: string;
  favourites: number[];
}

/** The customers as invoices need them: billing address and tastes, and cumulative activity (who buys how often). */
export interface Customers {
  info: CustomerInfo[];
  activity: number[];
}

export function writeEmployees(db: Db, n: number, seed: number): number[] {
  const r = new Rng(seed, 'employees');
  const ins = db.prepare(
    `INSERT INTO chinook_employees (id, last_name, first_name, title, reports_to, birth_date, hire_date, address, city, state, country, postal_code, phone, fax, email)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const customers = customerCount(n);
  const agentCount = Math.min(1000, Math.max(3, Math.ceil(customers / 20)));
  const canada = W.COUNTRIES.find((c) => c.name === 'Canada')!;
  const staff: [title: string, reportsTo: number | null][] = [
    ['General Manager', null],
    ['Sales Manager', 1],
    ['IT Manager', 1],
    ...Array.from({ length: agentCount }, () => ['Sales Support Agent', 2] as [string, number]),
    ['IT Staff', 3],
    ['IT Staff', 3],
  ];
  const agents: number[] = [];
  staff.forEach(([title, reportsTo], i) => {
    const id = i + 1;
    const first = r.pick(W.FIRST_NAMES);
    const last = r.pick(W.LAST_NAMES);
    const c = r.int(0, canada.cities.length - 1);
    const phone = `+1 (${r.int(200, 989)}) ${r.int(200, 999)}-${String(r.int(0, 9999)).padStart(4, '0')}`;
    const birth = Date.UTC(r.int(1950, 1998), r.int(0, 11), r.int(1, 28));
    const hire = Date.UTC(r.int(2016, 2023), r.int(0, 11), r.int(1, 28));
    ins.run(
      id,
      last,
      first,
      title,
      reportsTo,
      isoSeconds(birth),
      isoSeconds(hire),
      `${r.int(1, 9999)} ${r.pick(W.STREETS)}`,
      canada.cities[c],
      canada.states![c],
      'Canada',
      canada.postal(r.int(0, 99999)),
      phone,
      phone.replace(/\d{4}$/, String(r.int(0, 9999)).padStart(4, '0')),
      `${asciiWord(first)}${id > 8 ? id : ''}@chinookcorp.com`,
    );
    if (title === 'Sales Support Agent') agents.push(id);
  });
  return agents;
}

export function writeCustomers(db: Db, n: number, seed: number, agents: number[], sampler: TrackSampler): Customers {
  const r = new Rng(seed, 'customers');
  const count = customerCount(n);
  const ins = db.prepare(
    `INSERT INTO chinook_customers (id, first_name, last_name, company, address, city, state, country, postal_code, phone, fax, email, support_rep_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const genres = sampler.usedGenres();
  const genreCum = cumulative(genres.map((g) => W.GENRES[g - 1]!.weight * Math.sqrt(sampler.genreTrackCount(g))));
  const info: CustomerInfo[] = [];
  const activity: number[] = [];
  let sum = 0;
  for (let id = 1; id <= count; id++) {
    const country = W.COUNTRIES[r.weighted(countryCumulative)]!;
    const first = r.pick(W.FIRST_NAMES);
    const last = r.pick(W.LAST_NAMES);
    const c = r.int(0, country.cities.length - 1);
    const customer: CustomerInfo = {
      address: `${r.int(1, 9999)} ${r.pick(W.STREETS)}`,
      city: country.cities[c]!,
      state: country.states?.[c] ?? null,
      country: country.name,
      postal: country.postal(r.int(0, 9_999_999)),
      // Tastes: one to three genres, which drive most of what the customer buys.
      favourites: Array.from({ length: r.int(1, 3) }, () => genres[r.weighted(genreCum)]!),
    };
    const phone = `${country.phonePrefix} ${r.int(10, 99)} ${r.int(1000, 9999)}-${r.int(1000, 9999)}`;
    ins.run(
      id,
      first,
      last,
      r.chance(0.15) ? `${r.pick(W.LAST_NAMES)} ${r.pick(W.COMPANY_SUFFIXES)}` : null,
      customer.address,
      customer.city,
      customer.state,
      customer.country,
      customer.postal,
      phone,
      r.chance(0.2) ? phone.replace(/\d{4}$/, String(r.int(1000, 9999))) : null,
      `${asciiWord(first)}.${asciiWord(last)}${id}@${country.domain}`,
      agents[r.int(0, agents.length - 1)],
    );
    info.push(customer);
    sum += r.logNormal(1, 0.6);
    activity.push(sum);
  }
  return { info, activity };
}
