// SPDX-License-Identifier: MIT
#include "net/http_parse.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "lib/util.h"

#define CONTENT_LENGTH_DIGITS_MAX 18	/* below 10^18 < 2^63 */
#define RETRY_AFTER_DIGITS_MAX 9

/* --- the end of the head -------------------------------------------------- */

int http_head_end(const char *buf, size_t len, struct error *err)
{
	size_t line_start = 0;

	for (size_t i = 0; i < len && i < HTTP_HEAD_MAX; i++) {
		char c = buf[i];

		if (c == '\r') {
			if (i + 1 < len && buf[i + 1] != '\n')
				goto bare;
			continue;
		}
		if (c == '\n') {
			if (i == 0 || buf[i - 1] != '\r')
				goto bare;
			if (i - line_start == 1) {
				if (line_start == 0)
					return error_set(err,
						-OCIBOOT_EMALFORMED, "response",
						"starts with an empty line");
				return (int)(i + 1);
			}
			line_start = i + 1;
			continue;
		}
		if (i - line_start >= HTTP_LINE_MAX) {
			error_set(err, -OCIBOOT_ETOOBIG, "response head",
				  "a line is over %d bytes", HTTP_LINE_MAX);
			error_at_offset(err, line_start);
			return -OCIBOOT_ETOOBIG;
		}
	}
	if (len >= HTTP_HEAD_MAX)
		return error_set(err, -OCIBOOT_ETOOBIG, "response head",
				 "no end within %d bytes", HTTP_HEAD_MAX);
	return 0;
bare:
	error_set(err, -OCIBOOT_EMALFORMED, "response head",
		  "a line ends in a bare CR or LF, not CRLF");
	error_at_offset(err, 0);
	return -OCIBOOT_EMALFORMED;
}

/* --- lines and fields ----------------------------------------------------- */

struct line {
	const char *p;
	size_t len;
	size_t offset;		/* in the head */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_field_vchar(unsigned char c)
{
	return (c >= 0x21 && c <= 0x7e) || c == ' ' || c == '\t' || c >= 0x80;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static int bad(struct error *err, int code, const struct line *l,
	       const char *why)
{
	error_set(err, code, "response head", "%s", why);
	error_at_offset(err, l->offset);
	return code;
}

/* Digits only, at most max of them, into *out. */
static bool parse_decimal(const char *s, size_t len, size_t max,
			  uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static int parse_status_line(const struct line *l, struct http_head *h,
			     struct error *err)
{
	const char *p = l->p;
	uint64_t status;

	if (l->len < 12 || memcmp(p, "HTTP/", 5) != 0 || !is_digit(p[5]) ||
	    p[6] != '.' || !is_digit(p[7]) || p[8] != ' ')
		return bad(err, -OCIBOOT_EMALFORMED, l, "the status line is "
			   "not \"HTTP/x.y NNN reason\"");
	if (p[5] != '1' || p[7] > '1')
		return bad(err, -EOPNOTSUPP, l, "the HTTP version is not 1.0 "
			   "or 1.1");
	if (!parse_decimal(p + 9, 3, 3, &status) || status < 100 ||
	    status > 599 || (l->len > 12 && p[12] != ' '))
		return bad(err, -OCIBOOT_EMALFORMED, l, "the status is not "
			   "three digits from 100 to 599");
	for (size_t i = 13; i < l->len; i++)
		if (!is_field_vchar((unsigned char)p[i]))
			return bad(err, -OCIBOOT_EMALFORMED, l, "the reason "
				   "phrase has a control character");
	h->version_minor = p[7] - '0';
	h->status = (int)status;
	h->keep_alive = h->version_minor == 1;
	return 0;
}

static bool name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* Keep value in out[cap + 1], once. */
static int keep(const struct line *l, char *out, size_t cap,
		const char *v, size_t len, struct error *err)
{
	if (out[0])
		return bad(err, -OCIBOOT_EMALFORMED, l, "a field the client "
			   "reads comes twice");
	if (len == 0)
		return bad(err, -OCIBOOT_EMALFORMED, l, "a field the client "
			   "reads is empty");
	if (len > cap)
		return bad(err, -OCIBOOT_ETOOBIG, l, "a field value is over "
			   "its cap");
	memcpy(out, v, len);
	out[len] = '\0';
	return 0;
}

static int content_length(const struct line *l, struct http_head *h,
			  const char *v, size_t len, struct error *err)
{
	uint64_t n;

	if (!parse_decimal(v, len, CONTENT_LENGTH_DIGITS_MAX, &n))
		return bad(err, -OCIBOOT_EMALFORMED, l, "Content-Length is "
			   "not a number");
	if (h->content_length >= 0 && (uint64_t)h->content_length != n)
		return bad(err, -OCIBOOT_EMALFORMED, l, "two different "
			   "Content-Length values");
	h->content_length = (int64_t)n;
	return 0;
}

/* "bytes F-L/C" or "bytes F-L/ *" (no space). */
static int content_range(const struct line *l, struct http_head *h,
			 const char *v, size_t len, struct error *err)
{
	const char *dash, *slash, *end = v + len;
	uint64_t first, last, complete;

	if (h->has_content_range || len < 6 || memcmp(v, "bytes ", 6) != 0)
		goto malformed;
	v += 6;
	dash = memchr(v, '-', (size_t)(end - v));
	slash = dash ? memchr(dash, '/', (size_t)(end - dash)) : NULL;
	if (!slash ||
	    !parse_decimal(v, (size_t)(dash - v), CONTENT_LENGTH_DIGITS_MAX,
			   &first) ||
	    !parse_decimal(dash + 1, (size_t)(slash - dash - 1),
			   CONTENT_LENGTH_DIGITS_MAX, &last) || first > last)
		goto malformed;
	if (end - slash == 2 && slash[1] == '*') {
		h->range_complete = -1;
	} else if (parse_decimal(slash + 1, (size_t)(end - slash - 1),
				  CONTENT_LENGTH_DIGITS_MAX, &complete) &&
		   last < complete) {
		h->range_complete = (int64_t)complete;
	} else {
		goto malformed;
	}
	h->has_content_range = true;
	h->range_first = first;
	h->range_last = last;
	return 0;
malformed:
	return bad(err, -OCIBOOT_EMALFORMED, l, "Content-Range is not "
		   "\"bytes FIRST-LAST/LENGTH\"");
}

/* Connection: a comma-separated list of tokens. */
static void connection(struct http_head *h, const char *v, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start, n;

		while (i < len && (is_ows(v[i]) || v[i] == ','))
			i++;
		start = i;
		while (i < len && v[i] != ',' && !is_ows(v[i]))
			i++;
		n = i - start;
		if (name_is(v + start, n, "close"))
			h->keep_alive = false;
		else if (name_is(v + start, n, "keep-alive") &&
			 h->version_minor == 0)
			h->keep_alive = true;
	}
}

static int authenticate(const struct line *l, struct http_head *h,
			const char *v, size_t len, struct error *err)
{
	bool bearer = len > 7 && strncasecmp(v, "Bearer ", 7) == 0;
	bool kept_bearer = strncasecmp(h->authenticate, "Bearer ", 7) == 0;

	if (h->authenticate[0] && (kept_bearer || !bearer))
		return 0;
	if (len > HTTP_AUTHENTICATE_MAX)
		return bad(err, -OCIBOOT_ETOOBIG, l, "WWW-Authenticate is "
			   "over its cap");
	h->authenticate[0] = '\0';
	return keep(l, h->authenticate, HTTP_AUTHENTICATE_MAX, v, len, err);
}

static int field(const struct line *l, struct http_head *h,
		 struct error *err)
{
	const char *p = l->p, *v;
	size_t name_len = 0, len;
	uint64_t n;

	while (name_len < l->len && is_tchar(p[name_len]))
		name_len++;
	if (name_len == 0 || name_len == l->len || p[name_len] != ':')
		return bad(err, -OCIBOOT_EMALFORMED, l, "a field line is not "
			   "\"name: value\"");
	v = p + name_len + 1;
	len = l->len - name_len - 1;
	for (size_t i = 0; i < len; i++)
		if (!is_field_vchar((unsigned char)v[i]))
			return bad(err, -OCIBOOT_EMALFORMED, l, "a field value "
				   "has a control character");
	while (len && is_ows(v[0])) {
		v++;
		len--;
	}
	while (len && is_ows(v[len - 1]))
		len--;

	if (name_is(p, name_len, "content-length"))
		return content_length(l, h, v, len, err);
	if (name_is(p, name_len, "transfer-encoding")) {
		if (h->chunked)
			return bad(err, -OCIBOOT_EMALFORMED, l,
				   "Transfer-Encoding comes twice");
		if (!name_is(v, len, "chunked"))
			return bad(err, -EOPNOTSUPP, l, "a transfer coding "
				   "other than chunked");
		h->chunked = true;
		return 0;
	}
	if (name_is(p, name_len, "connection")) {
		connection(h, v, len);
		return 0;
	}
	if (name_is(p, name_len, "location"))
		return keep(l, h->location, HTTP_LOCATION_MAX, v, len, err);
	if (name_is(p, name_len, "content-type"))
		return keep(l, h->content_type, HTTP_CONTENT_TYPE_MAX, v, len,
			    err);
	if (name_is(p, name_len, "docker-content-digest"))
		return keep(l, h->docker_digest, HTTP_DIGEST_MAX, v, len, err);
	if (name_is(p, name_len, "www-authenticate"))
		return authenticate(l, h, v, len, err);
	if (name_is(p, name_len, "content-range"))
		return content_range(l, h, v, len, err);
	if (name_is(p, name_len, "retry-after")) {
		if (parse_decimal(v, len, RETRY_AFTER_DIGITS_MAX, &n))
			h->retry_after = n > HTTP_RETRY_AFTER_MAX ?
					 HTTP_RETRY_AFTER_MAX : (int64_t)n;
		return 0;
	}
	return 0;
}

/* The next CRLF-ended line of buf[*pos..len) into *l. */
static bool next_line(const char *buf, size_t len, size_t *pos,
		      struct line *l)
{
	const char *p = buf + *pos;
	const char *lf = memchr(p, '\n', len - *pos);

	if (!lf || lf == p || lf[-1] != '\r')
		return false;
	l->p = p;
	l->len = (size_t)(lf - p) - 1;
	l->offset = *pos;
	*pos += l->len + 2;
	return true;
}

int http_head_parse(const char *buf, size_t len, struct http_head *h,
		    struct error *err)
{
	struct http_head tmp;
	struct line l = { buf, 0, 0 };
	size_t pos = 0, fields = 0;
	int r;

	memset(&tmp, 0, sizeof(tmp));
	tmp.content_length = -1;
	tmp.range_complete = -1;
	tmp.retry_after = -1;
	if (len > HTTP_HEAD_MAX)
		return bad(err, -OCIBOOT_ETOOBIG, &l, "the head is over its "
			   "cap");
	if (!next_line(buf, len, &pos, &l))
		return bad(err, -OCIBOOT_EMALFORMED, &l, "no status line");
	r = parse_status_line(&l, &tmp, err);
	while (r == 0) {
		if (!next_line(buf, len, &pos, &l))
			return bad(err, -OCIBOOT_EMALFORMED, &l, "a line does "
				   "not end in CRLF");
		if (l.len == 0)
			break;
		if (l.len > HTTP_LINE_MAX)
			return bad(err, -OCIBOOT_ETOOBIG, &l, "a line is over "
				   "its cap");
		if (is_ows(l.p[0]))
			return bad(err, -OCIBOOT_EMALFORMED, &l, "obsolete "
				   "line folding");
		if (++fields > HTTP_FIELDS_MAX)
			return bad(err, -OCIBOOT_ETOOBIG, &l, "more than 100 "
				   "header fields");
		r = field(&l, &tmp, err);
	}
	if (r < 0)
		return r;
	if (pos != len)
		return bad(err, -OCIBOOT_EMALFORMED, &l, "bytes after the "
			   "empty line that ends the head");
	if (tmp.chunked && tmp.content_length >= 0)
		return bad(err, -OCIBOOT_EMALFORMED, &l, "both "
			   "Transfer-Encoding and Content-Length");
	*h = tmp;
	return 0;
}

enum http_body_kind http_body_kind(const struct http_head *h, bool head)
{
	if (head || h->status < 200 || h->status == 204 || h->status == 304)
		return HTTP_BODY_NONE;
	if (h->chunked)
		return HTTP_BODY_CHUNKED;
	if (h->content_length >= 0)
		return HTTP_BODY_LENGTH;
	return HTTP_BODY_CLOSE;
}

/* --- chunked bodies ------------------------------------------------------- */

enum {
	CHUNK_SIZE,		/* hex digits */
	CHUNK_EXT,		/* after the size: ';' extensions or spaces */
	CHUNK_SIZE_LF,		/* CR seen after the size line */
	CHUNK_DATA,
	CHUNK_DATA_CR,		/* the CRLF after the data */
	CHUNK_DATA_LF,
	CHUNK_TRAILER,		/* at the start of a trailer line */
	CHUNK_TRAILER_LINE,
	CHUNK_TRAILER_LF,
	CHUNK_END_LF,		/* CR of the empty line seen */
	CHUNK_DONE,
};

void http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof(*c));
	c->state = CHUNK_SIZE;
}

bool http_chunked_done(const struct http_chunked *c)
{
	return c->state == CHUNK_DONE;
}

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int chunk_error(struct http_chunked *c, size_t i, int code,
		       const char *why, struct error *err)
{
	error_set(err, code, "chunked body", "%s", why);
	error_at_offset(err, c->offset + i);
	return code;
}

/* One framing byte b. Returns 0 or an error. */
static int framing_byte(struct http_chunked *c, uint8_t b, size_t i,
			struct error *err)
{
	int v;

	if (c->state != CHUNK_DATA_CR && c->state != CHUNK_DATA_LF &&
	    ++c->line > HTTP_CHUNK_LINE_MAX && c->state < CHUNK_TRAILER)
		return chunk_error(c, i, -OCIBOOT_ETOOBIG, "a chunk size line "
				   "is over its cap", err);
	switch (c->state) {
	case CHUNK_SIZE:
		v = hex_value(b);
		if (v >= 0) {
			if (++c->digits > HTTP_CHUNK_SIZE_DIGITS_MAX)
				return chunk_error(c, i, -OCIBOOT_ETOOBIG,
						   "a chunk size is over its "
						   "cap", err);
			c->left = c->left * 16 + (uint64_t)v;
			return 0;
		}
		if (c->digits == 0)
			return chunk_error(c, i, -OCIBOOT_EMALFORMED, "a chunk "
					   "size is not hex", err);
		if (b == '\r') {
			c->state = CHUNK_SIZE_LF;
			return 0;
		}
		if (b != ';' && b != ' ' && b != '\t')
			return chunk_error(c, i, -OCIBOOT_EMALFORMED, "a chunk "
					   "size is not hex", err);
		c->state = CHUNK_EXT;
		return 0;
	case CHUNK_EXT:
		if (b == '\r')
			c->state = CHUNK_SIZE_LF;
		else if (!is_field_vchar(b))
			return chunk_error(c, i, -OCIBOOT_EMALFORMED, "a chunk "
					   "extension has a control byte", err);
		return 0;
	case CHUNK_SIZE_LF:
		if (b != '\n')
			return chunk_error(c, i, -OCIBOOT_EMALFORMED, "a chunk "
					   "size line does not end in CRLF",
					   err);
		c->line = 0;
		c->digits = 0;
		c->state = c->left ? CHUNK_DATA : CHUNK_TRAILER;
		return 0;
	case CHUNK_DATA_CR:
	case CHUNK_DATA_LF:
		if (b != (c->state == CHUNK_DATA_CR ? '\r' : '\n'))
			return chunk_error(c, i, -OCIBOOT_EMALFORMED, "chunk "
					   "data is not followed by CRLF", err);
		if (c->state == CHUNK_DATA_CR) {
			c->state = CHUNK_DATA_LF;
		} else {
			c->state = CHUNK_SIZE;
			c->line = 0;
		}
		return 0;
	default:
		break;
	}
	if (++c->trailer > HTTP_TRAILER_MAX)
		return chunk_error(c, i, -OCIBOOT_ETOOBIG, "the trailer is "
				   "over its cap", err);
	switch (c->state) {
	case CHUNK_TRAILER:
		c->state = b == '\r' ? CHUNK_END_LF : CHUNK_TRAILER_LINE;
		if (b != '\r' && !is_tchar((char)b))
			goto bad_trailer;
		return 0;
	case CHUNK_TRAILER_LINE:
		if (b == '\r')
			c->state = CHUNK_TRAILER_LF;
		else if (!is_field_vchar(b) && b != ':')
			goto bad_trailer;
		return 0;
	case CHUNK_TRAILER_LF:
	case CHUNK_END_LF:
		if (b != '\n')
			goto bad_trailer;
		c->state = c->state == CHUNK_END_LF ? CHUNK_DONE :
			   CHUNK_TRAILER;
		return 0;
	}
bad_trailer:
	return chunk_error(c, i, -OCIBOOT_EMALFORMED, "the trailer is not "
			   "CRLF-ended field lines", err);
}

long http_chunked_decode(struct http_chunked *c, const uint8_t *in,
			 size_t len, size_t *data_off, size_t *data_len,
			 struct error *err)
{
	size_t i = 0;
	int r;

	*data_off = 0;
	*data_len = 0;
	while (i < len && c->state != CHUNK_DONE) {
		if (c->state == CHUNK_DATA) {
			size_t n = len - i;

			if (n > c->left)
				n = (size_t)c->left;
			*data_off = i;
			*data_len = n;
			c->left -= n;
			if (c->left == 0)
				c->state = CHUNK_DATA_CR;
			i += n;
			break;
		}
		r = framing_byte(c, in[i], i, err);
		if (r < 0)
			return r;
		i++;
		if (c->state == CHUNK_DATA)
			continue;
	}
	c->offset += i;
	return (long)i;
}
