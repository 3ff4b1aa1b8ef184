-- Plays per calendar day (UTC)
SELECT make_date(t.year, t.month, t.day) AS day, COUNT(*) AS plays
FROM songplays sp
JOIN time t ON t.start_time = sp.start_time
GROUP BY t.year, t.month, t.day
ORDER BY day
