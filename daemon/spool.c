/* spool.c: content-addressed, crash-safe files under spool_dir. */
#include "spool.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
spool_mkdirs(char *path)
{
	for (char *s = path + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0750) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return mkdir(path, 0750) < 0 && errno != EEXIST ? -1 : 0;
}

static int
write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
spool_put(const char *spool_dir, const char *kind, const void *data, size_t len,
	  char sha[65], char **relpath)
{
	char *dir = NULL, *path = NULL, *tmp = NULL;
	int fd = -1, rc = -1, saved;
	struct stat sb;

	*relpath = NULL;
	sha256_hex(data, len, sha);
	if (asprintf(relpath, "%s/%.2s/%s", kind, sha, sha) < 0) {
		*relpath = NULL;
		return -1;
	}
	if (asprintf(&dir, "%s/%s/%.2s", spool_dir, kind, sha) < 0 ||
	    asprintf(&path, "%s/%s", dir, sha) < 0 ||
	    asprintf(&tmp, "%s/.%s.%d.tmp", dir, sha, (int)gettid()) < 0)
		goto out;
	if (stat(path, &sb) == 0 && (size_t)sb.st_size == len) {
		rc = 0;	/* the same content is already there */
		goto out;
	}
	if (spool_mkdirs(dir) < 0 ||
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0 ||
	    write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto out;
	if (close(fd) < 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto out;
	/* Make the rename itself durable before the commit that names it. */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
		fd = -1;
	}
	rc = 0;
out:
	saved = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp != NULL)
		unlink(tmp);
	free(dir);
	free(path);
	free(tmp);
	if (rc < 0) {
		free(*relpath);
		*relpath = NULL;
		errno = saved;
	}
	return rc;
}

int
spool_inside(const char *rel)
{
	const char *c = rel;

	if (*rel == '\0' || *rel == '/')
		return 0;
	while (*c != '\0') {
		size_t len = strcspn(c, "/");

		if (len == 2 && c[0] == '.' && c[1] == '.')
			return 0;
		c += len;
		if (*c == '/')
			c++;
	}
	return 1;
}
