-- Statistics deliverables (issue 18 item 4): a recurring deliverable marked as a statistics table, and
-- the comparison of a submitted workbook with the computed figures, stored with the file.
ALTER TABLE `deliverables` ADD `statistics` text;--> statement-breakpoint
ALTER TABLE `submission_files` ADD `figure_check` text;
