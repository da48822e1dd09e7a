// Popularity (units sold + plays) is search's last tie-breaker and the order of suggestions.
// Search reads it through this one relation with the columns of the store's coming
// `track_popularity(track_id, units_sold, plays, score)` view; when the view lands, the
// relation becomes the view's name and nothing else changes.
//
// Until then it is written out here: one row per track, each sum a seek in a covering index
// (idx_invoice_lines_track_quantity, track_play_counts' primary key), so a lookup for a
// handful of ids costs a handful of seeks (SQLite flattens this subquery into the caller).
const UNITS_SOLD = '(SELECT COALESCE(sum(il.quantity), 0) FROM chinook_invoice_lines il WHERE il.track_id = t.id)';
const PLAYS = 'COALESCE((SELECT pc.plays FROM track_play_counts pc WHERE pc.track_id = t.id), 0)';

export const TRACK_POPULARITY = `(SELECT t.id AS track_id, ${UNITS_SOLD} AS units_sold, ${PLAYS} AS plays, ${UNITS_SOLD} + ${PLAYS} AS score FROM chinook_tracks t)`;
