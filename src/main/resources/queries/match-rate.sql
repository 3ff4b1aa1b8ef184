-- Share of plays matched to a song of the catalog
SELECT COUNT(*) AS plays, COUNT(song_id) AS matched, ROUND(COUNT(song_id) / NULLIF(COUNT(*), 0), 6) AS share
FROM songplays
