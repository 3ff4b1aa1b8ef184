-- Most played songs, among plays matched to the catalog
SELECT sp.song_id, s.title, a.name AS artist, COUNT(*) AS plays
FROM songplays sp
JOIN songs s ON s.song_id = sp.song_id
LEFT JOIN artists a ON a.artist_id = sp.artist_id
GROUP BY sp.song_id, s.title, a.name
ORDER BY plays DESC, sp.song_id
