/**
 * Query templates name the server with {{server}} (inside a double-quoted PromQL or LogQL string,
 * e.g. instance="{{server}}") or {{server_regex}} (inside a regex matcher, e.g.
 * instance=~"{{server_regex}}(:[0-9]+)?"). Substituted values are escaped for exactly that
 * position, so a server id can never end the string and add matchers or operators of its own.
 */

/** Escapes a value for a double-quoted PromQL/LogQL string (Go string-literal rules). */
export function escapeQuoted(value: string): string {
  return value
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** Escapes RE2 metacharacters so the value matches itself literally. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`);
}

const PLACEHOLDERS = /\{\{\s*(server|server_regex)\s*\}\}/g;

/** Fills a query template for one server. */
export function renderQuery(template: string, server: string): string {
  return template.replace(PLACEHOLDERS, (_, which: string) =>
    which === 'server_regex' ? escapeQuoted(escapeRegex(server)) : escapeQuoted(server),
  );
}

/** Fills a URL template (dashboard links): the value is URL-encoded instead. */
export function renderUrl(template: string, server: string): string {
  return template.replace(PLACEHOLDERS, (_, which: string) =>
    encodeURIComponent(which === 'server_regex' ? escapeRegex(server) : server),
  );
}
