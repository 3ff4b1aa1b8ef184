-- Plays by level (free or paid) at the time of the play, with their share of all plays
-- The total comes from a one-row subquery rather than SUM(...) OVER (): a window with no partition pulls every
-- row into one task, and Spark warns about it on every run.
SELECT level, COUNT(*) AS plays, ROUND(COUNT(*) / MAX(total.plays), 6) AS share
FROM songplays CROSS JOIN (SELECT COUNT(*) AS plays FROM songplays) AS total
GROUP BY level
ORDER BY plays DESC, level
