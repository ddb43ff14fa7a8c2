-- What bureaus report of a conclusion (issue 18): funds recovered, the fine, and the measures taken (JSON array of codes, src/core/measures.ts).
ALTER TABLE `leads` ADD `recovered_fen` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `fine_fen` integer;--> statement-breakpoint
ALTER TABLE `leads` ADD `measures` text;
