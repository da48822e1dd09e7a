// Numbers for people: durations, prices, dates, and readable URL slugs.

/** 343719 → "5:43"; an hour or more → "1:02:03". */
export function duration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Long durations in words, for totals: "1 h 12 min", "43 min". */
export function durationWords(ms: number): string {
  const min = Math.round(ms / 60000);
  return min >= 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${min} min`;
}

// Chinook's prices are US dollars.
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
export const price = (n: number) => usd.format(n);

export const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

const dateFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
const timeFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
export const date = (iso: string) => dateFmt.format(new Date(iso));
export const dateTime = (iso: string) => timeFmt.format(new Date(iso));

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** "AC/DC", 1 → "ac-dc-1": readable, and the trailing id is what the page looks up. */
export function slug(name: string, id: number): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return words ? `${words}-${id}` : String(id);
}

/** The id at the end of a slug ("ac-dc-1" → 1), or null. */
export function idFromSlug(s: string): number | null {
  const m = /(?:^|-)(\d{1,15})$/.exec(s);
  const id = m ? Number(m[1]) : Number.NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}
