/* spool.h: files kept beside the database: raw messages and attachments. */
#ifndef HD_SPOOL_H
#define HD_SPOOL_H

#include <stddef.h>

/*
 * Store data[0..len) under spool_dir/kind/XX/SHA256 (XX = the first two hex
 * digits), named by its content's SHA-256, never by anything a sender
 * chose. The file is written to a temporary name, fsync'ed and renamed, so
 * a crash leaves either nothing or the whole file; storing the same content
 * twice keeps one file. sha gets the hex digest and *relpath (malloc'ed) the
 * path relative to spool_dir. Returns 0, or -1 with errno set.
 */
int spool_put(const char *spool_dir, const char *kind, const void *data, size_t len,
	      char sha[65], char **relpath);

/* Create path and its missing parents (mode 0750); existing ones are fine.
 * path is modified while working and restored. Returns 0, or -1 with errno. */
int spool_mkdirs(char *path);

/* Whether rel is a relative path that stays below the directory it is
 * taken in: not empty, not absolute, no ".." component. */
int spool_inside(const char *rel);

#endif
