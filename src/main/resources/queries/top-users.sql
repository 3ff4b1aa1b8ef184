-- Users with the most plays
SELECT sp.user_id, u.first_name, u.last_name, COUNT(*) AS plays
FROM songplays sp
LEFT JOIN users u ON u.user_id = sp.user_id
WHERE sp.user_id IS NOT NULL
GROUP BY sp.user_id, u.first_name, u.last_name
ORDER BY plays DESC, sp.user_id
