-- Locations with the most plays
SELECT location, COUNT(*) AS plays
FROM songplays
WHERE location IS NOT NULL
GROUP BY location
ORDER BY plays DESC, location
