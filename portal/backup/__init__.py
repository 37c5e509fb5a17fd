"""Backup and restore of the database and the file store, in one portable folder.

A backup is a folder with one gzipped JSON-lines file per table, a copy of every stored file
under its key, and a manifest written last with the schema revision, row counts and SHA-256
checksums. Because values are written by column type, a backup of a PostgreSQL instance restores
into SQLite and back. `docs/backup.md` describes the procedure.
"""
