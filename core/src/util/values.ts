/** Parsers for the value syntaxes pipelines share with Kubernetes, Go and Docker. */

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity (`500m`, `2`, `4Gi`, `1e3`) as a number, or undefined when malformed. */
export function parseQuantity(v: string | number): { value: number; suffix: string } | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? { value: v, suffix: '' } : undefined;
  const m = QUANTITY.exec(v.trim());
  if (!m) return undefined;
  const suffix = m[2] ?? '';
  const num = Number(m[1]);
  if (/^[eE]/.test(suffix)) return { value: num * 10 ** Number(suffix.slice(1)), suffix };
  return { value: num * FACTORS[suffix]!, suffix };
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A Go-style duration (`90s`, `15m`, `1h30m`, `30d`) in milliseconds, or undefined when malformed. */
export function parseDuration(v: string): number | undefined {
  const s = v.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  return total;
}

// The grammar of distribution/reference, written out: [registry[:port]/]path[:tag][@digest].
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const IMAGE = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`);

/** An image reference split into its parts, or undefined when it is not valid. */
export function parseImage(ref: string): { name: string; tag?: string; digest?: string } | undefined {
  if (ref.length > 255) return undefined;
  const m = IMAGE.exec(ref);
  if (!m) return undefined;
  const name = m[1] ? `${m[1]}/${m[2]}` : m[2]!;
  return { name, ...(m[3] ? { tag: m[3] } : {}), ...(m[4] ? { digest: m[4] } : {}) };
}

const zoneCache = new Map<string, boolean>();

/** True for an IANA time zone name the runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  let ok = zoneCache.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = tz.length > 0 && !/^[+-]?\d/.test(tz);
    } catch {
      ok = false;
    }
    zoneCache.set(tz, ok);
  }
  return ok;
}
