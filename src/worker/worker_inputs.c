#include "worker_inputs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int worker_resolve_input(const char *folder, const char *rel, char **abs_out, zisk_err *err) {
    *abs_out = NULL;
    if (!rel || !*rel) return zisk_err_set(err, "input path is empty");
    if (strlen(rel) > 1024) return zisk_err_set(err, "input path is longer than 1024 characters");
    if (rel[0] == '/') return zisk_err_set(err, "input path '%s' is absolute: give it relative to the inputs folder", rel);
    /* Reject ".." as a whole component anywhere: a/../b, ../x, x/.. */
    for (const char *p = rel; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return zisk_err_set(err, "input path '%s' contains '..': it must stay inside the inputs folder", rel);
        p += len;
        while (*p == '/') p++;
    }
    char root[PATH_MAX], joined[PATH_MAX * 2], real[PATH_MAX];
    if (!realpath(folder, root)) return zisk_err_set(err, "inputs folder '%s': %s", folder, strerror(errno));
    snprintf(joined, sizeof joined, "%s/%s", root, rel);
    if (!realpath(joined, real)) {
        if (errno == ENOENT) return zisk_err_set(err, "input '%s' not found in the inputs folder '%s'", rel, folder);
        return zisk_err_set(err, "input '%s': %s", rel, strerror(errno));
    }
    size_t rlen = strlen(root);
    int inside = strncmp(real, root, rlen) == 0 && (real[rlen] == '/' || (rlen == 1 && root[0] == '/'));
    if (!inside)
        return zisk_err_set(err, "input '%s' resolves to '%s', outside the inputs folder '%s' (symlink?)", rel, real, root);
    struct stat st;
    if (stat(real, &st) != 0) return zisk_err_set(err, "input '%s': %s", rel, strerror(errno));
    if (!S_ISREG(st.st_mode)) return zisk_err_set(err, "input '%s' is not a regular file", rel);
    *abs_out = zisk_xstrdup(real);
    return 0;
}
