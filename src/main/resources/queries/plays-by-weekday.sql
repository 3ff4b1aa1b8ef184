-- Plays per ISO day of the week (1 = Monday ... 7 = Sunday, UTC), all 7 days
SELECT d.id AS weekday,
       element_at(array('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'),
                  CAST(d.id AS INT)) AS day_name,
       COUNT(t.start_time) AS plays
FROM range(1, 8) d
LEFT JOIN (SELECT t.weekday, t.start_time FROM songplays sp JOIN time t ON t.start_time = sp.start_time) t
  ON t.weekday = d.id
GROUP BY d.id
ORDER BY weekday
