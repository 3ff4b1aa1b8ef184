-- Plays by level (free or paid) at the time of the play, with their share of all plays
SELECT level, COUNT(*) AS plays, ROUND(COUNT(*) / SUM(COUNT(*)) OVER (), 4) AS share
FROM songplays
GROUP BY level
ORDER BY plays DESC, level
