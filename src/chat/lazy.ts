// Loads a platform's library (grammY, Bolt) on first use instead of at start: a configured platform
// costs its memory only once its webhook is hit or a message goes out. `lazyAdapter` is a ChatAdapter
// with the loaded adapter's shape (methods, findDelivered) known up front, so the outbox sees no difference.
import type { ChatAdapter, Platform } from "./types";

/** A value built on first `get()`; a failed load is not kept, so the next call tries again. */
export interface Lazy<T> {
  get(): Promise<T>;
  /** The value if it was built already (no load started here). */
  readonly loaded: T | null;
}

export function lazy<T>(load: () => Promise<T>): Lazy<T> {
  let pending: Promise<T> | null = null;
  let value: T | null = null;
  return {
    get() {
      pending ??= load().then(
        (v) => (value = v),
        (err: unknown) => {
          pending = null;
          throw err;
        },
      );
      return pending;
    },
    get loaded() {
      return value;
    },
  };
}

export interface LazyAdapterShape {
  platform: Platform;
  methods?: { send: string; edit: string };
  /** Whether the loaded adapter can search for an interrupted post (ChatAdapter.findDelivered). */
  findsDelivered?: boolean;
}

/**
 * A ChatAdapter that loads the real one on its first call, or at once in the background with `warm`
 * (the first delivery then waits for no import; a failed load is retried by the first call).
 */
export function lazyAdapter(shape: LazyAdapterShape, load: () => Promise<ChatAdapter>, options: { warm?: boolean; onWarm?: (loading: Promise<unknown>) => void } = {}): ChatAdapter {
  const adapter = lazy(load);
  if (options.warm) options.onWarm?.(adapter.get().catch(() => undefined));
  return {
    platform: shape.platform,
    ...(shape.methods ? { methods: shape.methods } : {}),
    send: async (target, message, options) => (await adapter.get()).send(target, message, options),
    edit: async (target, messageId, message) => (await adapter.get()).edit(target, messageId, message),
    ...(shape.findsDelivered ? { findDelivered: async (target, lookup) => (await adapter.get()).findDelivered!(target, lookup) } : {}),
  } satisfies ChatAdapter;
}
