-- Plays per hour of the day (UTC), all 24 hours
SELECT h.id AS hour, COUNT(t.start_time) AS plays
FROM range(24) h
LEFT JOIN (SELECT t.hour, t.start_time FROM songplays sp JOIN time t ON t.start_time = sp.start_time) t
  ON t.hour = h.id
GROUP BY h.id
ORDER BY hour
