// The downloader we use (node-llama-cpp's, built on ipull) calls the global fetch, which follows
// redirects on its own, https→http included, and has no option to refuse them. While a download runs,
// the global fetch is swapped for one that follows redirects itself and refuses any hop that is not
// https:. A refusal is answered with a 4xx response, not an exception: the downloader retries
// exceptions for minutes but gives up at once on a client error; the caller reads the real reason
// from `refusal`.

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

export interface HttpsOnlyFetch {
  fetch: typeof fetch;
  /** Why the last request was refused (the first refusal wins), if one was. */
  readonly refusal: string | undefined;
}

function urlOf(input: Parameters<typeof fetch>[0]): URL {
  if (typeof input === 'string' || input instanceof URL) return new URL(input);
  return new URL(input.url);
}

/** Headers without Authorization, for a hop to another origin (what fetch itself does on a redirect). */
function withoutAuthorization(headers: RequestInit['headers']): Headers {
  const h = new Headers(headers);
  h.delete('authorization');
  return h;
}

export function httpsOnlyFetch(base: typeof fetch): HttpsOnlyFetch {
  let refusal: string | undefined;
  const refuse = (why: string): Response => {
    refusal ??= why;
    return new Response(why, { status: 403, statusText: 'Refused: not https' });
  };
  const guarded = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    let url = urlOf(input);
    if (url.protocol !== 'https:')
      return refuse(`Downloads go over https: only; refused ${url.protocol} request to ${url.host}`);
    let opts: RequestInit = { ...init, redirect: 'manual' };
    for (let hop = 0; ; hop++) {
      const res = await base(url, opts);
      const location = res.headers.get('location');
      if (!REDIRECTS.has(res.status) || !location || init?.redirect === 'manual') return res;
      await res.body?.cancel().catch(() => undefined);
      const next = new URL(location, url);
      if (next.protocol !== 'https:') {
        return refuse(
          `${url.host} redirected the download to ${next.protocol}//${next.host}, which is not https: the ` +
            `redirect was refused`,
        );
      }
      if (hop >= MAX_REDIRECTS) return refuse(`More than ${MAX_REDIRECTS} redirects from ${url.host}: refused`);
      if (next.origin !== url.origin) opts = { ...opts, headers: withoutAuthorization(opts.headers) };
      if (res.status === 303 && opts.method && !/^(GET|HEAD)$/i.test(opts.method))
        opts = { ...opts, method: 'GET', body: undefined };
      url = next;
    }
  };
  return {
    fetch: guarded as typeof fetch,
    get refusal() {
      return refusal;
    },
  };
}

/**
 * Runs `work` with the global fetch guarded. Nested or overlapping calls share one guard; the original
 * fetch comes back when the last one ends.
 */
let active: { guard: HttpsOnlyFetch; original: typeof fetch; users: number } | undefined;

export async function withHttpsOnlyFetch<T>(work: (guard: HttpsOnlyFetch) => Promise<T>): Promise<T> {
  if (!active) {
    const original = globalThis.fetch;
    active = { guard: httpsOnlyFetch(original), original, users: 0 };
    globalThis.fetch = active.guard.fetch;
  }
  const mine = active;
  mine.users++;
  try {
    return await work(mine.guard);
  } finally {
    if (--mine.users === 0) {
      globalThis.fetch = mine.original;
      active = undefined;
    }
  }
}
