-- A member's latest action of any kind (chat, web, CLI), for the workspace's People page: the newest
-- event by that actor is one descent of this index. Partial: system and public events carry no actor.
CREATE INDEX `events_actor_idx` ON `events` (`actor_id`,`id`) WHERE actor_id IS NOT NULL;
