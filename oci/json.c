/* SPDX-License-Identifier: MIT */
/*
 * Strict RFC 8259 parser: one pass over the input, no recursion. The open
 * containers form a chain through each token's parent index, so the only
 * state is the current container and what the grammar expects next.
 */
#include "oci/json.h"

#include <errno.h>
#include <string.h>

#include "lib/hex.h"
#include "lib/util.h"

#define NO_TOKEN UINT32_MAX

/* json_token.flags */
#define TOKEN_ESCAPED 0x01	/* string with at least one backslash */
#define TOKEN_INTEGER 0x02	/* number without fraction or exponent */
#define TOKEN_KEY 0x04		/* string that is an object key */

/* Longest key text json_path prints before "...". */
#define PATH_KEY_MAX 64

_Static_assert(JSON_INPUT_MAX < UINT32_MAX, "offsets fit in 32 bits");
_Static_assert(JSON_TOKENS_MAX < INT32_MAX, "indices fit in an int");

enum expect {
	EXPECT_VALUE,
	EXPECT_VALUE_OR_CLOSE,	/* just after '[' */
	EXPECT_KEY,
	EXPECT_KEY_OR_CLOSE,	/* just after '{' */
	EXPECT_COMMA_OR_CLOSE,	/* just after a value */
};

struct parser {
	const unsigned char *buf;
	size_t len;
	size_t pos;
	struct json_token *tok;
	size_t max;
	size_t n;		/* tokens used */
	uint32_t cur;		/* innermost open container, or NO_TOKEN */
	unsigned int depth;
	size_t compare_budget;	/* code points duplicate_key may compare */
	/* the failure, if any */
	int err;
	const char *reason;
	size_t err_pos;
	uint32_t err_token;	/* token the path is reported for */
};

/* --- code points --------------------------------------------------------- */

/*
 * Decode one UTF-8 sequence (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF) from s[0..len). Returns its length, 0 if invalid.
 */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static size_t utf8_encode(uint32_t cp, unsigned char out[4])
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The 4 hex digits of a \uXXXX escape at s[0..len) (s at the backslash). */
static int read_u_escape(const unsigned char *s, size_t len, uint32_t *unit)
{
	uint32_t v = 0;

	if (len < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	for (size_t i = 2; i < 6; i++) {
		int d = hex_digit_value_any_case((char)s[i]);

		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*unit = v;
	return 0;
}

/* One escape at s[0..len), s[0] being the backslash. */
static size_t escape_decode(const unsigned char *s, size_t len, uint32_t *cp,
			    const char **reason)
{
	static const char plain[] = "\"\\/bfnrt";
	static const char value[] = "\"\\/\b\f\n\r\t";
	const char *p;
	uint32_t hi, lo;

	if (len < 2) {
		*reason = "unterminated string";
		return 0;
	}
	if (s[1] != 'u') {
		p = memchr(plain, s[1], sizeof(plain) - 1);
		if (!p) {
			*reason = "invalid escape in string";
			return 0;
		}
		*cp = (unsigned char)value[p - plain];
		return 2;
	}
	if (read_u_escape(s, len, &hi) < 0) {
		*reason = "invalid \\u escape in string";
		return 0;
	}
	if (hi < 0xd800 || hi > 0xdfff) {
		*cp = hi;
		return 6;
	}
	if (hi >= 0xdc00 || read_u_escape(s + 6, len - 6, &lo) < 0 ||
	    lo < 0xdc00 || lo > 0xdfff) {
		*reason = "unpaired UTF-16 surrogate escape in string";
		return 0;
	}
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return 12;
}

/*
 * The next code point of string contents s[0..len) at *pos: an escape or a
 * UTF-8 sequence. Returns 0 and advances *pos, or -1 with *reason.
 */
static int next_code_point(const unsigned char *s, size_t len, size_t *pos,
			   uint32_t *cp, const char **reason)
{
	size_t n;

	if (s[*pos] == '\\') {
		n = escape_decode(s + *pos, len - *pos, cp, reason);
	} else {
		n = utf8_decode(s + *pos, len - *pos, cp);
		if (!n)
			*reason = "invalid UTF-8 in string";
	}
	if (!n)
		return -1;
	*pos += n;
	return 0;
}

static uint32_t hash_step(uint32_t h, uint32_t cp)
{
	return (h ^ cp) * 16777619u;
}

/* --- reading tokens once parsed ----------------------------------------- */

/* Decoded code points of a checked string token, one at a time. */
struct string_iter {
	const unsigned char *s;
	size_t len;
	size_t pos;
};

static void string_iter_init(struct string_iter *it, const char *buf,
			     const struct json_token *t)
{
	it->s = (const unsigned char *)buf + t->start;
	it->len = t->len;
	it->pos = 0;
}

/* 1 and *cp, or 0 at the end (or, defensively, on malformed contents). */
static int string_iter_next(struct string_iter *it, uint32_t *cp)
{
	const char *reason;

	if (it->pos >= it->len)
		return 0;
	if (next_code_point(it->s, it->len, &it->pos, cp, &reason) < 0) {
		it->pos = it->len;
		return 0;
	}
	return 1;
}

/*
 * Whether two string tokens are equal once unescaped, code point by code
 * point through fold when it is not NULL: 1 or 0, or -1 when *budget (code
 * points left to compare) runs out first.
 */
static int string_tokens_match(const char *buf, const struct json_token *a,
			       const struct json_token *b, size_t *budget,
			       uint32_t (*fold)(uint32_t cp))
{
	struct string_iter x, y;
	uint32_t cx, cy;
	int rx, ry;

	string_iter_init(&x, buf, a);
	string_iter_init(&y, buf, b);
	for (;;) {
		if (*budget == 0)
			return -1;
		--*budget;
		rx = string_iter_next(&x, &cx);
		ry = string_iter_next(&y, &cy);
		if (rx != ry)
			return 0;
		if (!rx)
			return 1;
		if (fold ? fold(cx) != fold(cy) : cx != cy)
			return 0;
	}
}

/*
 * Whether two string tokens are equal once unescaped: 1 or 0, or -1 when
 * *budget (code points left to compare) runs out first.
 */
static int string_tokens_equal(const char *buf, const struct json_token *a,
			       const struct json_token *b, size_t *budget)
{
	if (a->aux != b->aux)
		return 0;
	return string_tokens_match(buf, a, b, budget, NULL);
}

static bool string_token_eq(const char *buf, const struct json_token *t,
			    const char *s)
{
	struct string_iter it;
	unsigned char utf8[4];
	uint32_t cp;
	size_t j = 0;

	string_iter_init(&it, buf, t);
	while (string_iter_next(&it, &cp)) {
		size_t n = utf8_encode(cp, utf8);

		if (cp == 0)
			return false;
		/* No byte of utf8 is 0, so s is never read past its NUL. */
		for (size_t k = 0; k < n; k++)
			if ((unsigned char)s[j++] != utf8[k])
				return false;
	}
	return s[j] == '\0';
}

/* Offset of token t's first character in the input (a string's quote). */
static size_t token_offset(const struct json_token *t)
{
	return t->type == JSON_STRING ? t->start - 1 : t->start;
}

/* --- paths for error messages -------------------------------------------- */

struct path_writer {
	char *out;
	size_t room;		/* bytes we may fill, keeping 3 for "..." */
	size_t used;
	bool cut;
};

static void path_putc(struct path_writer *w, char c)
{
	if (w->cut)
		return;
	if (w->used >= w->room) {
		w->cut = true;
		return;
	}
	w->out[w->used++] = c;
}

static void path_puts(struct path_writer *w, const char *s)
{
	while (*s)
		path_putc(w, *s++);
}

static void path_put_index(struct path_writer *w, size_t n)
{
	char digits[24];
	size_t i = sizeof(digits);

	digits[--i] = '\0';
	do {
		digits[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n && i > 0);
	path_putc(w, '[');
	path_puts(w, digits + i);
	path_putc(w, ']');
}

/* ".key", printable ASCII only, long keys shortened. */
static void path_put_key(struct path_writer *w, const char *buf,
			 const struct json_token *key)
{
	struct string_iter it;
	uint32_t cp;
	size_t n = 0;

	path_putc(w, '.');
	string_iter_init(&it, buf, key);
	while (string_iter_next(&it, &cp)) {
		if (n++ == PATH_KEY_MAX) {
			path_puts(w, "...");
			return;
		}
		path_putc(w, cp > 0x20 && cp < 0x7f ? (char)cp : '?');
	}
}

static void path_put_cstr_key(struct path_writer *w, const char *key)
{
	path_putc(w, '.');
	for (size_t n = 0; key[n]; n++) {
		unsigned char c = (unsigned char)key[n];

		if (n == PATH_KEY_MAX) {
			path_puts(w, "...");
			return;
		}
		path_putc(w, c > 0x20 && c < 0x7f ? (char)c : '?');
	}
}

/* Position of token t among the elements of array a (all of them before t
 * complete, which holds while parsing too). */
static size_t array_position(const struct json_token *tok, uint32_t a,
			     uint32_t t)
{
	size_t n = 0;

	for (uint32_t e = a + 1; e < t; n++) {
		if (tok[e].end <= e)
			break;
		e = tok[e].end;
	}
	return n;
}

/*
 * Path of token t among tokens tok[0..n). The chain of parents is at most
 * JSON_DEPTH_MAX + 1 long; collect it, then print it root first.
 */
static void path_build(const char *buf, const struct json_token *tok,
		       size_t n, uint32_t t, struct path_writer *w)
{
	uint32_t chain[JSON_DEPTH_MAX + 2];
	size_t depth = 0;

	path_putc(w, '$');
	if (t >= n)
		return;
	while (tok[t].parent != NO_TOKEN && tok[t].parent < t &&
	       depth < ARRAY_SIZE(chain)) {
		chain[depth++] = t;
		t = tok[t].parent;
	}
	while (depth > 0) {
		uint32_t c = chain[--depth], p = tok[c].parent;

		if (tok[p].type == JSON_ARRAY)
			path_put_index(w, array_position(tok, p, c));
		else if (tok[c].flags & TOKEN_KEY)
			path_put_key(w, buf, &tok[c]);
		else if (c > 0 && (tok[c - 1].flags & TOKEN_KEY))
			path_put_key(w, buf, &tok[c - 1]);
	}
}

static void path_writer_init(struct path_writer *w, char *out, size_t size)
{
	w->out = out;
	w->room = size > 4 ? size - 4 : 0;
	w->used = 0;
	w->cut = false;
}

static void path_writer_end(struct path_writer *w)
{
	if (w->cut) {
		memcpy(w->out + w->used, "...", 3);
		w->used += 3;
	}
	w->out[w->used] = '\0';
}

/* --- the parser ---------------------------------------------------------- */

static int fail(struct parser *p, int err, const char *reason)
{
	p->err = err;
	p->reason = reason;
	p->err_pos = p->pos;
	return err;
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->buf[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		p->pos++;
	}
}

/* A new token of type at the current position, child of p->cur. */
static int new_token(struct parser *p, enum json_type type, uint32_t *index)
{
	struct json_token *t;

	if (p->n >= p->max)
		return fail(p, -OCIBOOT_ETOOBIG, "too many JSON tokens");
	*index = (uint32_t)p->n;
	t = &p->tok[p->n++];
	t->type = (uint8_t)type;
	t->flags = 0;
	t->start = (uint32_t)p->pos;
	t->len = 0;
	t->parent = p->cur;
	t->end = *index + 1;
	t->aux = 0;
	p->err_token = *index;
	return 0;
}

static int scan_string(struct parser *p, uint32_t index)
{
	struct json_token *t = &p->tok[index];
	const char *reason;
	uint32_t cp, hash = 2166136261u;
	size_t start = ++p->pos;	/* past the opening quote */

	for (;;) {
		unsigned char c;

		if (p->pos >= p->len)
			return fail(p, -OCIBOOT_EMALFORMED,
				    "unterminated string");
		c = p->buf[p->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(p, -OCIBOOT_EMALFORMED,
				    "control character in string");
		if (c == '\\')
			t->flags |= TOKEN_ESCAPED;
		if (next_code_point(p->buf, p->len, &p->pos, &cp,
				    &reason) < 0)
			return fail(p, -OCIBOOT_EMALFORMED, reason);
		hash = hash_step(hash, cp);
	}
	t->start = (uint32_t)start;
	t->len = (uint32_t)(p->pos - start);
	t->aux = hash;
	p->pos++;			/* past the closing quote */
	return 0;
}

static bool is_digit(const struct parser *p)
{
	return p->pos < p->len && p->buf[p->pos] >= '0' &&
	       p->buf[p->pos] <= '9';
}

static bool is_char(const struct parser *p, char c)
{
	return p->pos < p->len && p->buf[p->pos] == (unsigned char)c;
}

static void skip_digits(struct parser *p)
{
	while (is_digit(p))
		p->pos++;
}

static int scan_number(struct parser *p, uint32_t index)
{
	struct json_token *t = &p->tok[index];
	size_t start = p->pos;

	t->flags |= TOKEN_INTEGER;
	if (is_char(p, '-'))
		p->pos++;
	if (!is_digit(p))
		return fail(p, -OCIBOOT_EMALFORMED, "invalid number");
	if (is_char(p, '0')) {
		p->pos++;
		if (is_digit(p))
			return fail(p, -OCIBOOT_EMALFORMED,
				    "leading zero in number");
	} else {
		skip_digits(p);
	}
	if (is_char(p, '.')) {
		p->pos++;
		t->flags &= (uint8_t)~TOKEN_INTEGER;
		if (!is_digit(p))
			return fail(p, -OCIBOOT_EMALFORMED,
				    "digit expected after decimal point");
		skip_digits(p);
	}
	if (is_char(p, 'e') || is_char(p, 'E')) {
		p->pos++;
		t->flags &= (uint8_t)~TOKEN_INTEGER;
		if (is_char(p, '+') || is_char(p, '-'))
			p->pos++;
		if (!is_digit(p))
			return fail(p, -OCIBOOT_EMALFORMED,
				    "digit expected in exponent");
		skip_digits(p);
	}
	if (p->pos - start > JSON_NUMBER_LEN_MAX)
		return fail(p, -OCIBOOT_ETOOBIG, "number too long");
	t->len = (uint32_t)(p->pos - start);
	return 0;
}

static int scan_literal(struct parser *p, uint32_t index, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->buf + p->pos, word, n) != 0)
		return fail(p, -OCIBOOT_EMALFORMED, "invalid literal");
	p->tok[index].len = (uint32_t)n;
	p->pos += n;
	return 0;
}

static int open_container(struct parser *p, uint32_t index)
{
	if (p->depth >= JSON_DEPTH_MAX)
		return fail(p, -OCIBOOT_ETOOBIG, "JSON nested too deeply");
	p->depth++;
	p->cur = index;
	p->pos++;
	return 0;
}

static void close_container(struct parser *p)
{
	struct json_token *t = &p->tok[p->cur];

	p->pos++;
	t->len = (uint32_t)(p->pos - t->start);
	t->end = (uint32_t)p->n;
	p->depth--;
	p->cur = t->parent;
	p->err_token = p->cur;
}

/* Parse one value; sets *next to what the grammar expects after it. */
static int parse_value(struct parser *p, enum expect *next)
{
	uint32_t index;
	int r;

	if (p->pos >= p->len)
		return fail(p, -OCIBOOT_EMALFORMED, "unexpected end of input");
	switch (p->buf[p->pos]) {
	case '{':
	case '[':
		r = new_token(p, p->buf[p->pos] == '{' ? JSON_OBJECT :
			      JSON_ARRAY, &index);
		if (r < 0)
			return r;
		*next = p->buf[p->pos] == '{' ? EXPECT_KEY_OR_CLOSE :
			EXPECT_VALUE_OR_CLOSE;
		return open_container(p, index);
	case '"':
		r = new_token(p, JSON_STRING, &index);
		if (r == 0)
			r = scan_string(p, index);
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		r = new_token(p, JSON_NUMBER, &index);
		if (r == 0)
			r = scan_number(p, index);
		break;
	case 't':
		r = new_token(p, JSON_TRUE, &index);
		if (r == 0)
			r = scan_literal(p, index, "true");
		break;
	case 'f':
		r = new_token(p, JSON_FALSE, &index);
		if (r == 0)
			r = scan_literal(p, index, "false");
		break;
	case 'n':
		r = new_token(p, JSON_NULL, &index);
		if (r == 0)
			r = scan_literal(p, index, "null");
		break;
	default:
		return fail(p, -OCIBOOT_EMALFORMED, "a value was expected");
	}
	if (r < 0)
		return r;
	p->err_token = p->cur;
	*next = EXPECT_COMMA_OR_CLOSE;
	return 0;
}

/*
 * Whether the new key token k repeats a key of object p->cur: 1 or 0, or
 * -1 when the keys compared so far (only those of equal hash are) used up
 * the document's budget, which only keys made to collide can do.
 */
static int duplicate_key(struct parser *p, uint32_t k)
{
	const char *buf = (const char *)p->buf;

	for (uint32_t q = p->cur + 1; q < k; q = p->tok[q + 1].end) {
		int r = string_tokens_equal(buf, &p->tok[q], &p->tok[k],
					    &p->compare_budget);

		if (r != 0)
			return r;
		if (p->tok[q + 1].end <= q + 1)
			break;
	}
	return 0;
}

static int parse_key(struct parser *p)
{
	struct json_token *obj = &p->tok[p->cur];
	uint32_t index;
	int r;

	if (p->pos >= p->len)
		return fail(p, -OCIBOOT_EMALFORMED, "unexpected end of input");
	if (p->buf[p->pos] != '"')
		return fail(p, -OCIBOOT_EMALFORMED,
			    "a string key was expected");
	if (obj->aux >= JSON_OBJECT_MEMBERS_MAX)
		return fail(p, -OCIBOOT_ETOOBIG, "too many members in object");
	r = new_token(p, JSON_STRING, &index);
	if (r < 0)
		return r;
	p->tok[index].flags |= TOKEN_KEY;
	p->err_token = p->cur;		/* the key is not readable yet */
	r = scan_string(p, index);
	if (r < 0)
		return r;
	p->err_token = index;
	r = duplicate_key(p, index);
	if (r < 0)
		return fail(p, -OCIBOOT_ETOOBIG,
			    "too much work to check keys are unique");
	if (r > 0) {
		p->pos = token_offset(&p->tok[index]);
		return fail(p, -OCIBOOT_EMALFORMED, "duplicate key in object");
	}
	obj->aux++;
	skip_space(p);
	if (!is_char(p, ':'))
		return fail(p, -OCIBOOT_EMALFORMED, "':' was expected");
	p->pos++;
	return 0;
}

/* After a value: ',' or the close of the current container. */
static int parse_after_value(struct parser *p, enum expect *next)
{
	bool object = p->tok[p->cur].type == JSON_OBJECT;

	if (p->pos >= p->len)
		return fail(p, -OCIBOOT_EMALFORMED, "unexpected end of input");
	if (p->buf[p->pos] == ',') {
		p->pos++;
		*next = object ? EXPECT_KEY : EXPECT_VALUE;
		return 0;
	}
	if (p->buf[p->pos] == (object ? '}' : ']')) {
		close_container(p);
		*next = EXPECT_COMMA_OR_CLOSE;
		return 0;
	}
	return fail(p, -OCIBOOT_EMALFORMED, object ?
		    "',' or '}' was expected" : "',' or ']' was expected");
}

/* A value is one more element of an enclosing array. */
static void count_element(struct parser *p)
{
	if (p->cur != NO_TOKEN && p->tok[p->cur].type == JSON_ARRAY)
		p->tok[p->cur].aux++;
}

static int parse_document(struct parser *p)
{
	enum expect e = EXPECT_VALUE;
	int r = 0;

	for (;;) {
		skip_space(p);
		switch (e) {
		case EXPECT_VALUE_OR_CLOSE:
			if (is_char(p, ']')) {
				close_container(p);
				e = EXPECT_COMMA_OR_CLOSE;
				continue;
			}
			/* fall through */
		case EXPECT_VALUE:
			count_element(p);
			r = parse_value(p, &e);
			break;
		case EXPECT_KEY_OR_CLOSE:
			if (is_char(p, '}')) {
				close_container(p);
				e = EXPECT_COMMA_OR_CLOSE;
				continue;
			}
			/* fall through */
		case EXPECT_KEY:
			r = parse_key(p);
			e = EXPECT_VALUE;
			break;
		case EXPECT_COMMA_OR_CLOSE:
			if (p->cur == NO_TOKEN)
				return 0;
			r = parse_after_value(p, &e);
			break;
		}
		if (r < 0)
			return r;
	}
}

static void report(const struct parser *p, struct error *err)
{
	char path[JSON_PATH_MAX];
	struct path_writer w;

	if (!err)
		return;
	error_set(err, p->err, NULL, "%s", p->reason);
	error_at_offset(err, p->err_pos);
	path_writer_init(&w, path, sizeof(path));
	path_build((const char *)p->buf, p->tok, p->n,
		   p->err_token, &w);
	path_writer_end(&w);
	error_at(err, "%s", path);
}

int json_parse(struct json_doc *doc, const char *buf, size_t len,
	       struct json_token *tokens, size_t max_tokens,
	       struct error *err)
{
	struct parser p = {
		.buf = (const unsigned char *)buf,
		.len = len,
		.tok = tokens,
		.max = max_tokens < JSON_TOKENS_MAX ? max_tokens :
			JSON_TOKENS_MAX,
		.cur = NO_TOKEN,
		.err_token = NO_TOKEN,
		.compare_budget = JSON_KEY_COMPARE_MAX,
	};
	int r;

	if (len > JSON_INPUT_MAX)
		r = fail(&p, -OCIBOOT_ETOOBIG, "JSON document too large");
	else if (len == 0)
		r = fail(&p, -OCIBOOT_EMALFORMED, "empty document");
	else
		r = parse_document(&p);
	if (r == 0) {
		skip_space(&p);
		if (p.pos != p.len)
			r = fail(&p, -OCIBOOT_EMALFORMED,
				 "unexpected data after the document");
	}
	if (r < 0) {
		report(&p, err);
		return r;
	}
	doc->buf = buf;
	doc->len = len;
	doc->tokens = tokens;
	doc->count = p.n;
	return (int)p.n;
}

/* --- accessors ----------------------------------------------------------- */

static const struct json_token *token(const struct json_doc *doc, int i)
{
	if (i < 0 || (size_t)i >= doc->count)
		return NULL;
	return &doc->tokens[i];
}

static const struct json_token *token_of(const struct json_doc *doc, int i,
					 enum json_type type)
{
	const struct json_token *t = token(doc, i);

	return t && t->type == type ? t : NULL;
}

enum json_type json_type(const struct json_doc *doc, int i)
{
	const struct json_token *t = token(doc, i);

	return t ? (enum json_type)t->type : JSON_NONE;
}

size_t json_count(const struct json_doc *doc, int i)
{
	const struct json_token *t = token(doc, i);

	if (!t || (t->type != JSON_OBJECT && t->type != JSON_ARRAY))
		return 0;
	return t->aux;
}

int json_array_first(const struct json_doc *doc, int i)
{
	const struct json_token *t = token_of(doc, i, JSON_ARRAY);

	return t && t->aux ? i + 1 : -ENOENT;
}

int json_array_next(const struct json_doc *doc, int i, int e)
{
	const struct json_token *t = token_of(doc, i, JSON_ARRAY);
	const struct json_token *el = token(doc, e);

	if (!t || !el || e <= i || el->end >= t->end)
		return -ENOENT;
	return (int)el->end;
}

int json_member_first(const struct json_doc *doc, int i)
{
	const struct json_token *t = token_of(doc, i, JSON_OBJECT);

	return t && t->aux ? i + 1 : -ENOENT;
}

int json_member_next(const struct json_doc *doc, int i, int k)
{
	const struct json_token *t = token_of(doc, i, JSON_OBJECT);
	const struct json_token *value = token(doc, k + 1);

	if (!t || !value || k <= i || value->end >= t->end)
		return -ENOENT;
	return (int)value->end;
}

int json_object_get(const struct json_doc *doc, int i, const char *key)
{
	int k;

	if (!token_of(doc, i, JSON_OBJECT))
		return -EINVAL;
	for (k = json_member_first(doc, i); k >= 0;
	     k = json_member_next(doc, i, k))
		if (string_token_eq(doc->buf, &doc->tokens[k], key))
			return k + 1;
	return -ENOENT;
}

bool json_string_eq(const struct json_doc *doc, int i, const char *s)
{
	const struct json_token *t = token_of(doc, i, JSON_STRING);

	return t && string_token_eq(doc->buf, t, s);
}

int json_string(const struct json_doc *doc, int i, char *out, size_t size)
{
	const struct json_token *t = token_of(doc, i, JSON_STRING);
	struct string_iter it;
	unsigned char utf8[4];
	size_t n = 0;
	uint32_t cp;

	if (!t)
		return -EINVAL;
	string_iter_init(&it, doc->buf, t);
	while (string_iter_next(&it, &cp)) {
		if (cp == 0)
			return -OCIBOOT_EMALFORMED;
		n += utf8_encode(cp, utf8);
	}
	if (n >= size)
		return -OCIBOOT_ETOOBIG;
	n = 0;
	string_iter_init(&it, doc->buf, t);
	while (string_iter_next(&it, &cp))
		n += utf8_encode(cp, (unsigned char *)out + n);
	out[n] = '\0';
	return (int)n;
}

/* The magnitude of integer token t into *mag, and its sign. */
static int integer_magnitude(const struct json_doc *doc,
			     const struct json_token *t, uint64_t *mag,
			     bool *negative)
{
	const char *s = doc->buf + t->start;
	size_t n = t->len, i = 0;
	uint64_t v = 0;

	if (t->type != JSON_NUMBER || !(t->flags & TOKEN_INTEGER))
		return -EINVAL;
	*negative = n > 0 && s[0] == '-';
	if (*negative)
		i++;
	for (; i < n; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (d > 9)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*mag = v;
	return 0;
}

/* The magnitude and sign of the integer token i. */
static int integer_at(const struct json_doc *doc, int i, uint64_t *mag,
		      bool *negative)
{
	const struct json_token *t = token(doc, i);

	if (!t)
		return -EINVAL;
	return integer_magnitude(doc, t, mag, negative);
}

int json_int64(const struct json_doc *doc, int i, int64_t *out)
{
	uint64_t mag;
	bool negative;
	int r;

	r = integer_at(doc, i, &mag, &negative);
	if (r < 0)
		return r;
	if (negative) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
			-(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return -ERANGE;
		*out = (int64_t)mag;
	}
	return 0;
}

int json_uint64(const struct json_doc *doc, int i, uint64_t *out)
{
	uint64_t mag;
	bool negative;
	int r;

	r = integer_at(doc, i, &mag, &negative);
	if (r < 0)
		return r;
	if (negative)
		return -ERANGE;
	*out = mag;
	return 0;
}

const char *json_raw(const struct json_doc *doc, int i, size_t *len)
{
	const struct json_token *t = token(doc, i);

	*len = t ? t->len : 0;
	return t ? doc->buf + t->start : NULL;
}

int json_bool(const struct json_doc *doc, int i, bool *out)
{
	enum json_type type = json_type(doc, i);

	if (type != JSON_TRUE && type != JSON_FALSE)
		return -EINVAL;
	*out = type == JSON_TRUE;
	return 0;
}

void json_path(const struct json_doc *doc, int i, char *out, size_t size)
{
	struct path_writer w;

	path_writer_init(&w, out, size);
	path_build(doc->buf, doc->tokens, doc->count,
		   i < 0 ? NO_TOKEN : (uint32_t)i, &w);
	path_writer_end(&w);
}

void json_error_where(struct error *err, const struct json_doc *doc, int i,
		      const char *key)
{
	const struct json_token *t = token(doc, i);
	char path[JSON_PATH_MAX];
	struct path_writer w;

	if (!err)
		return;
	error_at_offset(err, t ? token_offset(t) : 0);
	path_writer_init(&w, path, sizeof(path));
	path_build(doc->buf, doc->tokens, doc->count,
		   i < 0 ? NO_TOKEN : (uint32_t)i, &w);
	if (key)
		path_put_cstr_key(&w, key);
	path_writer_end(&w);
	error_at(err, "%s", path);
}

/* --- keys as Go's encoding/json matches them ----------------------------- */

/*
 * Go's encoding/json folds a key to the smallest code point of each
 * character's simple case-folding orbit. The code points whose orbit holds
 * an ASCII letter are the ASCII letters, U+017F (long s, orbit {S, s, ſ})
 * and U+212A (Kelvin sign, orbit {K, k, K}); every other code point is kept
 * as it is here (see json.h for why that is enough).
 */
static uint32_t go_fold(uint32_t cp)
{
	if (cp >= 'a' && cp <= 'z')
		return cp - ('a' - 'A');
	if (cp == 0x17f)
		return 'S';
	if (cp == 0x212a)
		return 'K';
	return cp;
}

static uint32_t fold_hash(const char *buf, const struct json_token *t)
{
	struct string_iter it;
	uint32_t cp, hash = 2166136261u;

	string_iter_init(&it, buf, t);
	while (string_iter_next(&it, &cp))
		hash = hash_step(hash, go_fold(cp));
	return hash;
}

/* Whether string token t folds to the ASCII string name. */
static bool fold_eq_name(const char *buf, const struct json_token *t,
			 const char *name)
{
	struct string_iter it;
	uint32_t cp;
	size_t j = 0;

	string_iter_init(&it, buf, t);
	while (string_iter_next(&it, &cp)) {
		if (name[j] == '\0' || go_fold(cp) != go_fold((uint8_t)name[j]))
			return false;
		j++;
	}
	return name[j] == '\0';
}

/*
 * Whether two string tokens fold to the same: 1 or 0, or -1 when *budget
 * (code points left to compare) runs out first.
 */
static int fold_tokens_equal(const char *buf, const struct json_token *a,
			     const struct json_token *b, size_t *budget)
{
	return string_tokens_match(buf, a, b, budget, go_fold);
}

static int struct_key_refuse(const struct json_doc *doc, int k, int code,
			     struct error *err, const char *fmt,
			     const char *name)
{
	error_set(err, code, NULL, fmt, name);
	json_error_where(err, doc, k, NULL);
	return code;
}

/* Key k against the field names: exact, or refused if it only folds. */
static int struct_key_field(const struct json_doc *doc, int k,
			    const char *const *fields, size_t n,
			    struct error *err)
{
	const struct json_token *t = &doc->tokens[k];

	for (size_t j = 0; j < n; j++) {
		if (!fold_eq_name(doc->buf, t, fields[j]))
			continue;
		if (string_token_eq(doc->buf, t, fields[j]))
			return 0;
		return struct_key_refuse(doc, k, -OCIBOOT_EMALFORMED, err,
					 "key differs from the field \"%s\" "
					 "only in case (Go's encoding/json "
					 "reads it as that field)",
					 fields[j]);
	}
	return 0;
}

int json_check_struct_keys(const struct json_doc *doc, int i,
			   const char *const *fields, size_t n,
			   struct error *err)
{
	uint32_t hashes[JSON_OBJECT_MEMBERS_MAX];
	int keys[JSON_OBJECT_MEMBERS_MAX];
	size_t count = 0, budget = JSON_KEY_COMPARE_MAX;
	int k, r;

	if (!token_of(doc, i, JSON_OBJECT))
		return -EINVAL;
	for (k = json_member_first(doc, i); k >= 0 &&
	     count < JSON_OBJECT_MEMBERS_MAX;
	     k = json_member_next(doc, i, k)) {
		const struct json_token *t = &doc->tokens[k];

		r = struct_key_field(doc, k, fields, n, err);
		if (r < 0)
			return r;
		hashes[count] = fold_hash(doc->buf, t);
		for (size_t q = 0; q < count; q++) {
			if (hashes[q] != hashes[count])
				continue;
			r = fold_tokens_equal(doc->buf,
					      &doc->tokens[keys[q]], t,
					      &budget);
			if (r < 0)
				return struct_key_refuse(
					doc, k, -OCIBOOT_ETOOBIG, err, "%s",
					"too much work to check keys differ "
					"in more than case");
			if (r > 0)
				return struct_key_refuse(
					doc, k, -OCIBOOT_EMALFORMED, err, "%s",
					"two keys of this object differ only "
					"in case (Go's encoding/json reads "
					"the last)");
		}
		keys[count++] = k;
	}
	return 0;
}
