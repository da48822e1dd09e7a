// Popularity (units sold + plays) is search's last tie-breaker and the order of suggestions. It
// has one definition, the store's `track_popularity(track_id, units_sold, plays, score)` view
// (migration 009); search reads it through this name and defines nothing of its own. A lookup
// by track id is a primary-key seek plus two index seeks (~1.3 µs a track on Chinook).
export const TRACK_POPULARITY = 'track_popularity';
