// The PDF receipt is rendered once per report and language and served from memory afterwards: a
// render costs ~0.3 s of CPU (font subsetting), so repeated or parallel downloads of one receipt must
// not each pay it. Concurrent requests for the same key share one render. Keyed by report id and
// language only (never the receipt code or anything of the tipster's); bounded in entries and bytes,
// and an entry lives no longer than the receipt cookie that lets anyone download it.

export interface ReceiptPdfCacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  ttlMs: number;
  now: () => number;
}

export interface ReceiptPdfCache {
  /** The cached PDF for `reportId` + `locale`, else the result of `render` (at most one render per key at a time). */
  get(reportId: string, locale: string, render: () => Promise<Uint8Array>): Promise<Uint8Array>;
}

export function createReceiptPdfCache(options: ReceiptPdfCacheOptions): ReceiptPdfCache {
  const maxEntries = options.maxEntries ?? 128;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  // Map order is recency order: a hit is moved to the end, eviction takes from the front.
  const entries = new Map<string, { pdf: Uint8Array; storedAt: number }>();
  const rendering = new Map<string, Promise<Uint8Array>>();
  let bytes = 0;

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.pdf.byteLength;
  };

  const store = (key: string, pdf: Uint8Array) => {
    drop(key);
    if (pdf.byteLength > maxBytes) return;
    entries.set(key, { pdf, storedAt: options.now() });
    bytes += pdf.byteLength;
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      drop(oldest);
    }
  };

  return {
    get(reportId, locale, render) {
      const key = `${reportId}|${locale}`;
      const entry = entries.get(key);
      if (entry && options.now() - entry.storedAt < options.ttlMs) {
        entries.delete(key);
        entries.set(key, entry);
        return Promise.resolve(entry.pdf);
      }
      drop(key);
      const pending = rendering.get(key);
      if (pending) return pending;
      const started = render().then(
        (pdf) => {
          rendering.delete(key);
          store(key, pdf);
          return pdf;
        },
        // A failed render is not remembered: the next download tries again.
        (err: unknown) => {
          rendering.delete(key);
          throw err;
        },
      );
      rendering.set(key, started);
      return started;
    },
  };
}
