// An endpoint URL may carry credentials: `http://user:pass@host/v1` (Node's fetch refuses such a URL and
// its error prints it whole) or `...?api_key=KEY` (appended to the path by the client, it would end up
// inside the request path). Both are taken out of the URL: userinfo becomes a Basic Authorization header,
// the query goes with every request as a query, and every message shows the URL redacted.
import { EndpointError } from './errors';

export interface EndpointUrl {
  /** The API root without userinfo, query or fragment, no trailing slash: what the client is given. */
  root: string;
  /** `Basic …` from the URL's userinfo, when it has any. */
  authorization?: string;
  /** The URL's query parameters, sent with every request. */
  query: Record<string, string>;
  /** The URL as messages, logs, reports and samples show it: `http://***@host/v1?api_key=***`. */
  display: string;
  /** Every secret the URL holds (user, password, query values), for redacting what a server echoes. */
  secrets: string[];
}

/** The URL redacted for display: userinfo as ***, each query value as ***; '(invalid URL)' when unparsable. */
export function displayUrl(baseURL: string): string {
  let u: URL;
  try {
    u = new URL(baseURL.trim());
  } catch {
    return '(invalid URL)';
  }
  const auth = u.username || u.password ? '***@' : '';
  const names = [...new Set([...u.searchParams.keys()])];
  const query = names.length ? `?${names.map((n) => `${encodeURIComponent(n)}=***`).join('&')}` : '';
  return `${u.protocol}//${auth}${u.host}${u.pathname.replace(/\/+$/, '')}${query}`;
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Splits an http(s) API root into what the client needs; a CONFIG error (redacted) for anything else. */
export function parseEndpointUrl(baseURL: string): EndpointUrl {
  const display = displayUrl(baseURL);
  let u: URL;
  try {
    u = new URL(baseURL.trim());
  } catch {
    throw new EndpointError(
      'CONFIG',
      `not a valid URL: ${display}; give the server's API root, e.g. http://127.0.0.1:8080/v1`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new EndpointError('CONFIG', `an endpoint URL must start with http:// or https://, got ${u.protocol}`);
  }
  const user = decoded(u.username);
  const password = decoded(u.password);
  const query: Record<string, string> = {};
  for (const [name, value] of u.searchParams) query[name] = value;
  const secrets = [user, password, u.username, u.password, ...Object.values(query)].filter((s) => s.length >= 4);
  const authorization =
    u.username || u.password ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : undefined;
  const root = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  return { root, ...(authorization ? { authorization } : {}), query, display, secrets: [...new Set(secrets)] };
}

/** `text` with every secret replaced by ***, longest first so one secret inside another is covered too. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= 4) out = out.split(s).join('***');
  }
  return out;
}
