/** URL slug: diacritics folded, lowercase ASCII words joined by '-', never empty. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  return slug || 'track';
}

/** Track slugs carry the id so that two tracks of the same name never collide. */
export function trackSlug(name: string, id: number): string {
  return `${slugify(name)}-${id}`;
}
