/** Already canonical unless it reads as a number: lower-case ASCII letters, digits, `-`, `_`. */
const PLAIN = /^[a-z0-9_-]+$/;
/** A scheme and authority in front of the path: an absolute-form request target. */
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * The canonical form of one path parameter value (or URL segment), so that spellings a handler
 * reads as one value share one counter: Unicode NFKC, trimmed, lower case, and a value that
 * reads as a number (as `Number()` and Nest's pipes read it: `01`, `+1`, `1e0`, `0x1`) as that
 * number in decimal. Merging two values costs a caller quota, never gains it.
 * @example canonicalSegment('007') // '7'
 * @example canonicalSegment('ABC ') // 'abc'
 */
export function canonicalSegment(value: string): string {
  const text = PLAIN.test(value)
    ? value
    : value.normalize('NFKC').trim().toUpperCase().toLowerCase();
  if (text === '') return text;
  const number = Number(text);
  return Number.isFinite(number) ? String(number) : text;
}

/**
 * The canonical form of a URL path, for requests whose route template the framework does not
 * report: scheme and host of an absolute-form target dropped, query dropped, each segment
 * percent-decoded and made canonical ({@link canonicalSegment}), empty and `.` segments dropped,
 * `..` resolved.
 * @example canonicalUrlPath('http://h/API//v1/./x/../Widgets/01?a=1') // '/api/v1/widgets/1'
 */
export function canonicalUrlPath(url: string): string {
  const path = url.replace(ABSOLUTE_FORM, '');
  const end = path.search(/[?#]/);
  const segments: string[] = [];
  for (const raw of (end === -1 ? path : path.slice(0, end)).split('/')) {
    const segment = canonicalSegment(decodeSegment(raw));
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    // Malformed escapes stay as written: still one spelling, one counter.
    return segment;
  }
}
