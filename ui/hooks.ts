import { useEffect, useRef, useState } from 'preact/hooks';

/** The part of the address after `#`, kept in step with navigation. */
export function useHash(): string {
  const read = () => decodeURIComponent(location.hash.slice(1));
  const [hash, setHash] = useState(read);
  useEffect(() => {
    const on = () => setHash(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

export interface Polled<T> {
  data?: T;
  error?: unknown;
  /** fetch again now */
  refresh: () => void;
}

/**
 * `load` now and every `ms` while the page is visible (0: once), again when `deps` change. An
 * answer that arrives after a newer call started is dropped.
 */
export function usePoll<T>(load: () => Promise<T>, ms: number, deps: unknown[]): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown }>({});
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const run = async () => {
      const n = ++latest.current;
      try {
        const data = await load();
        if (!stopped && n === latest.current) setState({ data });
      } catch (error) {
        if (!stopped && n === latest.current) setState((s) => ({ data: s.data, error }));
      }
      if (!stopped && ms > 0) timer = setTimeout(run, document.hidden ? ms * 4 : ms);
    };
    void run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { ...state, refresh: () => setTick((t) => t + 1) };
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
