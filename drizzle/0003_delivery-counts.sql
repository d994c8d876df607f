CREATE TABLE `delivery_counts` (
	`target` text NOT NULL,
	`state` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`target`, `state`)
);
--> statement-breakpoint
DROP INDEX `deliveries_target_state_idx`;--> statement-breakpoint
DROP INDEX `deliveries_state_idx`;--> statement-breakpoint
CREATE INDEX `deliveries_pending_idx` ON `deliveries` (`target`,`id`) WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX `deliveries_failed_idx` ON `deliveries` (`id`) WHERE state = 'failed';--> statement-breakpoint
CREATE INDEX `deliveries_cancelled_idx` ON `deliveries` (`id`) WHERE state = 'cancelled';--> statement-breakpoint
-- Counts of the deliveries already stored, so an upgraded outbox starts with true numbers.
INSERT INTO `delivery_counts` (`target`, `state`, `n`)
  SELECT `target`, `state`, count(*) FROM `deliveries` GROUP BY `target`, `state`;
