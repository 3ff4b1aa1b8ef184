-- Most played artists, among plays matched to the catalog
SELECT sp.artist_id, a.name AS artist, COUNT(*) AS plays
FROM songplays sp
JOIN artists a ON a.artist_id = sp.artist_id
GROUP BY sp.artist_id, a.name
ORDER BY plays DESC, sp.artist_id
