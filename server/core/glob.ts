/**
 * Path globs, as journal patterns and forced NSX realization states name paths: `*` is one
 * segment, `**` anything, and a trailing `/**` also matches the path it hangs from.
 */

const globs = new Map<string, RegExp>();

/** The glob as a regular expression (cached: patterns are matched against every request). */
export function globRegex(glob: string): RegExp {
  let re = globs.get(glob);
  if (!re) {
    // `/**` also matches nothing at all: `/api/vsvip/**` covers `/api/vsvip` itself
    const body = glob
      .replace(/\/+$/, '')
      .split(/(\/\*\*|\*\*|\*)/)
      .map((part) => (part === '/**' ? '(?:/.*)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}/?$`);
    if (globs.size > 1000) globs.clear();
    globs.set(glob, re);
  }
  return re;
}
