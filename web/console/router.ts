// Where the console is: the part of the address after `#`, as `/screen/arg?key=value`. A hash
// keeps every screen on one served page (/), so a reload or a shared link opens the same screen.
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  /** Path segments, e.g. ['persons', 'p-123']. */
  segments: string[];
  query: URLSearchParams;
}

function parse(hash: string): Location {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  return {
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  };
}

/** Goes to a screen (`/persons/p-1`, with an optional query). */
export function navigate(path: string, query?: Record<string, string>): void {
  const search = query ? new URLSearchParams(query).toString() : '';
  location.hash = `#${path}${search ? `?${search}` : ''}`;
}

/** A link's href to a screen. */
export function href(path: string, query?: Record<string, string>): string {
  const search = query ? new URLSearchParams(query).toString() : '';
  return `#${path}${search ? `?${search}` : ''}`;
}

/** The current location, following the address bar. */
export function useLocation(): Location {
  const [where, setWhere] = useState(() => parse(location.hash));
  useEffect(() => {
    const follow = () => setWhere(parse(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return where;
}
