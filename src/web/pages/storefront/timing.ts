// Read by the pages and by the benchmark that measures them (no DOM here).

/**
 * Typing pause before the search box asks the server. The budget is 150 ms from the last
 * keystroke to painted results; the API answers a cached search in ~1–3 ms through HTTP and
 * Chromium paints a results table in ~10–20 ms, so 60 ms leaves half the budget as headroom
 * while still skipping the requests of fast typing (30–60 ms between keys).
 */
export const DEBOUNCE_MS = 60;
