/* SPDX-License-Identifier: MIT */
/* modules.dep parser and load-order resolver; see moddep.h. */
#include <stdint.h>
#include <stdlib.h>

#include "lib/util.h"
#include "ukify/moddep.h"

static const char *const module_suffixes[] = {
	".ko", ".ko.xz", ".ko.zst", ".ko.gz",
};

/* Growing arrays while parsing; moved into struct moddep on success. */
struct parser {
	char *text;
	struct moddep_module *modules;
	size_t count, cap;
	const char **deps;
	size_t dep_total, dep_cap;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the suffix that makes base a module file name, or 0. */
static size_t module_suffix_len(const char *base, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(module_suffixes); i++) {
		size_t n = strlen(module_suffixes[i]);

		if (len > n &&
		    memcmp(base + len - n, module_suffixes[i], n) == 0)
			return n;
	}
	return 0;
}

/* Copy a name of len bytes with '-' turned to '_'; false when too long. */
static bool copy_name(const char *s, size_t len, char out[MODDEP_NAME_MAX])
{
	if (len == 0 || len >= MODDEP_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = s[i] == '-' ? '_' : s[i];
	out[len] = '\0';
	return true;
}

static bool is_bad_component(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '.') ||
	       (n == 2 && s[0] == '.' && s[1] == '.');
}

/* Check a relative module path; on success write its name to name. */
static bool check_path(const char *path, size_t len,
		       char name[MODDEP_NAME_MAX])
{
	size_t comp = 0, suffix;

	if (len == 0 || len > MODDEP_PATH_MAX || path[0] == '/')
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || path[i] == '/') {
			if (is_bad_component(path + comp, i - comp))
				return false;
			if (i < len)
				comp = i + 1;
		} else if (path[i] <= ' ' || path[i] > '~') {
			return false;
		}
	}
	suffix = module_suffix_len(path + comp, len - comp);
	return suffix && copy_name(path + comp, len - comp - suffix, name);
}

static int add_module(struct parser *p, const char *path, size_t len,
		      bool builtin)
{
	struct moddep_module *m;

	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct moddep_module *n = reallocarray(p->modules, cap,
						       sizeof(*n));
		if (!n)
			return -ENOMEM;
		p->modules = n;
		p->cap = cap;
	}
	m = &p->modules[p->count];
	memset(m, 0, sizeof(*m));
	if (!check_path(path, len, m->name))
		return -OCIBOOT_EMALFORMED;
	m->path = path;
	m->builtin = builtin;
	m->first_dep = p->dep_total;
	p->count++;
	return 0;
}

static int add_dep(struct parser *p, const char *path, size_t len)
{
	char name[MODDEP_NAME_MAX];

	if (!check_path(path, len, name))
		return -OCIBOOT_EMALFORMED;
	if (p->dep_total == p->dep_cap) {
		size_t cap = p->dep_cap ? p->dep_cap * 2 : 1024;
		const char **n = reallocarray(p->deps, cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->deps = n;
		p->dep_cap = cap;
	}
	p->deps[p->dep_total++] = path;
	p->modules[p->count - 1].dep_count++;
	return 0;
}

/* Cut the blank-separated words of line[0..len) (NUL-terminating each). */
static int parse_deps(struct parser *p, char *line, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && is_blank(line[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_blank(line[i]))
			i++;
		if (p->modules[p->count - 1].dep_count >= MODDEP_DEPS_MAX)
			return -OCIBOOT_ETOOBIG;
		line[i] = '\0';	/* a blank, or the line's own terminator */
		if (add_dep(p, line + start, i - start) < 0)
			return -OCIBOOT_EMALFORMED;
		i++;
	}
	return 0;
}

/* One NUL-terminated line of len bytes, not blank, not a comment. */
static int parse_line(struct parser *p, char *line, size_t len, bool builtin)
{
	char *colon;
	int r;

	if (builtin)
		return add_module(p, line, len, true);
	colon = memchr(line, ':', len);
	if (!colon)
		return -OCIBOOT_EMALFORMED;
	*colon = '\0';
	r = add_module(p, line, (size_t)(colon - line), false);
	if (r < 0)
		return r;
	return parse_deps(p, colon + 1, len - (size_t)(colon - line) - 1);
}

static bool is_skipped_line(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && is_blank(line[i]))
		i++;
	return i == len || line[i] == '#';
}

/* Parse text[0..len) in place; text[len] is a NUL. */
static int parse_file(struct parser *p, char *text, size_t len, bool builtin)
{
	size_t start = 0, lines = 0;

	while (start < len) {
		char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		int r;

		if (end - start > MODDEP_LINE_MAX)
			return -OCIBOOT_ETOOBIG;
		text[end] = '\0';
		if (!is_skipped_line(text + start, end - start)) {
			if (++lines > MODDEP_MODULES_MAX)
				return -OCIBOOT_ETOOBIG;
			r = parse_line(p, text + start, end - start, builtin);
			if (r < 0)
				return r;
		}
		start = end + 1;
	}
	return 0;
}

static int by_path_cmp(const void *a, const void *b, void *arg)
{
	const struct moddep_module *mods = arg;

	return strcmp(mods[*(const size_t *)a].path,
		      mods[*(const size_t *)b].path);
}

/* Index loadable modules by path; a path listed twice is malformed. */
static int index_paths(struct parser *p, size_t loadable, size_t **out)
{
	size_t *idx = calloc(loadable ? loadable : 1, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < loadable; i++)
		idx[i] = i;
	qsort_r(idx, loadable, sizeof(*idx), by_path_cmp, p->modules);
	for (size_t i = 1; i < loadable; i++) {
		if (by_path_cmp(&idx[i - 1], &idx[i], p->modules) == 0) {
			free(idx);
			return -OCIBOOT_EMALFORMED;
		}
	}
	*out = idx;
	return 0;
}

static int parse_both(struct parser *p, const char *dep, size_t dep_len,
		      const char *builtin, size_t builtin_len,
		      size_t *loadable)
{
	char *btext;
	int r;

	if (memchr(dep, '\0', dep_len) ||
	    (builtin && memchr(builtin, '\0', builtin_len)))
		return -OCIBOOT_EMALFORMED;
	p->text = malloc(dep_len + builtin_len + 2);
	if (!p->text)
		return -ENOMEM;
	memcpy(p->text, dep, dep_len);
	p->text[dep_len] = '\0';
	btext = p->text + dep_len + 1;
	if (builtin_len)
		memcpy(btext, builtin, builtin_len);
	btext[builtin_len] = '\0';
	r = parse_file(p, p->text, dep_len, false);
	if (r < 0)
		return r;
	*loadable = p->count;
	return parse_file(p, btext, builtin_len, true);
}

int moddep_parse(struct moddep *md, const char *dep, size_t dep_len,
		 const char *builtin, size_t builtin_len)
{
	struct parser p = { 0 };
	size_t loadable = 0, *by_path;
	int r;

	if (!builtin)
		builtin_len = 0;
	if (dep_len > MODDEP_FILE_MAX || builtin_len > MODDEP_FILE_MAX)
		return -OCIBOOT_ETOOBIG;
	r = parse_both(&p, dep, dep_len, builtin, builtin_len, &loadable);
	if (r >= 0)
		r = index_paths(&p, loadable, &by_path);
	if (r < 0) {
		free(p.text);
		free(p.modules);
		free(p.deps);
		return r;
	}
	*md = (struct moddep){
		.text = p.text, .modules = p.modules, .count = p.count,
		.deps = p.deps, .dep_total = p.dep_total,
		.by_path = by_path, .loadable = loadable,
	};
	return 0;
}

void moddep_free(struct moddep *md)
{
	free(md->text);
	free(md->modules);
	free(md->deps);
	free(md->by_path);
	memset(md, 0, sizeof(*md));
}

int moddep_normalize_name(const char *name, char out[MODDEP_NAME_MAX])
{
	size_t len = strnlen(name, MODDEP_PATH_MAX + 1);

	if (len > MODDEP_PATH_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] <= ' ' || name[i] > '~')
			return -EINVAL;
	len -= module_suffix_len(name, len);
	return copy_name(name, len, out) ? 0 : -EINVAL;
}

long moddep_find(const struct moddep *md, const char *name)
{
	char want[MODDEP_NAME_MAX];

	if (moddep_normalize_name(name, want) < 0)
		return -EINVAL;
	for (size_t i = 0; i < md->count; i++)
		if (streq(md->modules[i].name, want))
			return (long)i;
	return -ENOENT;
}

static long find_path(const struct moddep *md, const char *path)
{
	size_t lo = 0, hi = md->loadable;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(md->modules[md->by_path[mid]].path, path);

		if (r == 0)
			return (long)md->by_path[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -ENOENT;
}

enum { UNSEEN, VISITING, DONE };

struct frame {
	size_t module;
	size_t next;		/* dependencies visited so far */
};

/* Depth-first walk from start, appending finished modules to order. */
struct walk {
	const struct moddep *md;
	uint8_t *state;
	size_t *order;
	size_t order_max;
	size_t order_len;
	const char *culprit;
};

static int walk_push(struct walk *w, struct frame *stack, size_t *depth,
		     size_t module)
{
	if (*depth >= MODDEP_DEPTH_MAX) {
		w->culprit = w->md->modules[module].path;
		return -OCIBOOT_ETOOBIG;
	}
	stack[(*depth)++] = (struct frame){ module, 0 };
	w->state[module] = VISITING;
	return 0;
}

/* Take the next dependency of the top frame: push it or skip it. */
static int walk_step(struct walk *w, struct frame *stack, size_t *depth)
{
	struct frame *top = &stack[*depth - 1];
	const struct moddep_module *m = &w->md->modules[top->module];
	const char *path;
	long dep;

	path = w->md->deps[m->first_dep + m->dep_count - 1 - top->next];
	top->next++;
	dep = find_path(w->md, path);
	if (dep < 0 || w->state[dep] == VISITING) {
		w->culprit = path;
		return dep < 0 ? -ENOENT : -ELOOP;
	}
	if (w->state[dep] == DONE)
		return 0;
	return walk_push(w, stack, depth, (size_t)dep);
}

static int walk(struct walk *w, size_t start)
{
	struct frame stack[MODDEP_DEPTH_MAX];
	size_t depth = 0;
	int r;

	r = walk_push(w, stack, &depth, start);
	while (r >= 0 && depth > 0) {
		struct frame *top = &stack[depth - 1];

		if (top->next < w->md->modules[top->module].dep_count) {
			r = walk_step(w, stack, &depth);
			continue;
		}
		if (w->order_len >= w->order_max) {
			w->culprit = w->md->modules[top->module].path;
			return -OCIBOOT_ETOOBIG;
		}
		w->state[top->module] = DONE;
		w->order[w->order_len++] = top->module;
		depth--;
	}
	return r;
}

int moddep_resolve(const struct moddep *md, const char *const *names,
		   size_t count, size_t *order, size_t order_max,
		   size_t *order_len, const char **culprit)
{
	struct walk w = { md, NULL, order, order_max, 0, NULL };
	int r = 0;

	w.state = calloc(md->count ? md->count : 1, 1);
	if (!w.state)
		return -ENOMEM;
	for (size_t i = 0; i < count && r >= 0; i++) {
		long m = moddep_find(md, names[i]);

		if (m < 0) {
			w.culprit = names[i];
			r = (int)m;
		} else if (!md->modules[m].builtin &&
			   w.state[m] == UNSEEN) {
			r = walk(&w, (size_t)m);
		}
	}
	free(w.state);
	if (r < 0) {
		if (culprit)
			*culprit = w.culprit;
		return r;
	}
	*order_len = w.order_len;
	return 0;
}
