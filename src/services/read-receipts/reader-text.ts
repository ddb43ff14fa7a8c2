// "Read, not acknowledged" in words, the same on the board, in /board and on the lead page: the
// readers by name with when their read was first seen (a long list is cut, with the count of the rest).
import type { Locale } from "../../core/report-input";
import { shanghaiDateTime } from "../../core/time";
import { t } from "../../i18n";
import type { ChatReader } from "./readers";

/** "read, not acknowledged: 张三 (2026-11-24 10:02), 李四 (…)"; at most `max` names, then "and N more". */
export function readNotAcknowledgedText(locale: Locale, readers: readonly Pick<ChatReader, "name" | "at">[], max = 5): string {
  const listed = readers.slice(0, max).map((r) => t(locale, "reads.reader", { name: r.name, at: shanghaiDateTime(new Date(r.at)) }));
  if (readers.length > max) listed.push(t(locale, "reads.more_readers", { count: readers.length - max }));
  return t(locale, "reads.not_acknowledged_by", { readers: listed.join(t(locale, "reads.reader_separator")) });
}
