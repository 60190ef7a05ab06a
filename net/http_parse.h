/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 response framing (RFC 9112), without I/O: finding the end of a
 * response head, parsing its status line and the header fields a client
 * of a registry needs, and decoding a chunked body. The client in
 * net/http.h feeds these from its socket; the tests and the fuzzer feed
 * them bytes.
 *
 * Strict on purpose, since a response a client reads differently from a
 * proxy on the way is how requests get smuggled: lines end in CRLF (a bare
 * LF or CR is refused); no obsolete line folding; field names are tokens;
 * field values hold visible ASCII, space, tab and obs-text only; the
 * version is HTTP/1.0 or HTTP/1.1; the status is three digits 100-599;
 * Content-Length is digits only and, when repeated, the same each time;
 * Transfer-Encoding must be exactly "chunked" (anything else is
 * -EOPNOTSUPP) and may not come with Content-Length; a field the client
 * keeps (Location, Content-Type...) may not come twice.
 *
 * Caps: HTTP_LINE_MAX bytes a line, HTTP_FIELDS_MAX fields, HTTP_HEAD_MAX
 * bytes in the head; each kept value has its own cap (over it:
 * -OCIBOOT_ETOOBIG). Nothing here allocates or logs; failures fill a
 * struct error (lib/error.h) whose where is the byte offset.
 */
#ifndef OCIBOOT_NET_HTTP_PARSE_H
#define OCIBOOT_NET_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "net/url.h"

#define HTTP_LINE_MAX 8192		/* one status or field line */
#define HTTP_FIELDS_MAX 100		/* header fields in one response */
#define HTTP_HEAD_MAX 65536		/* status line + fields + CRLF */
#define HTTP_LOCATION_MAX (URL_STR_MAX - 1)
#define HTTP_CONTENT_TYPE_MAX 255	/* an OCI media type fits */
#define HTTP_DIGEST_MAX 135		/* "sha512:" + 128 hex */
#define HTTP_AUTHENTICATE_MAX 2048	/* one WWW-Authenticate */
#define HTTP_RETRY_AFTER_MAX 3600	/* seconds kept from Retry-After */
#define HTTP_CHUNK_LINE_MAX 1024	/* chunk size line with extensions */
#define HTTP_TRAILER_MAX 8192		/* all trailer lines */
#define HTTP_CHUNK_SIZE_DIGITS_MAX 15	/* hex digits: below 2^60 */

/* What a response head says, as far as a client here cares. */
struct http_head {
	int version_minor;		/* 0 or 1 */
	int status;			/* 100-599 */
	int64_t content_length;		/* -1 when absent */
	bool chunked;			/* Transfer-Encoding: chunked */
	bool keep_alive;		/* the connection may be reused */
	bool has_content_range;
	uint64_t range_first, range_last; /* Content-Range: bytes F-L/C */
	int64_t range_complete;		/* C, or -1 for "*" */
	int64_t retry_after;		/* seconds (capped), -1 when absent
					 * or an HTTP date */
	char location[HTTP_LOCATION_MAX + 1];	/* "" when absent */
	char content_type[HTTP_CONTENT_TYPE_MAX + 1];
	char docker_digest[HTTP_DIGEST_MAX + 1]; /* Docker-Content-Digest */
	char authenticate[HTTP_AUTHENTICATE_MAX + 1]; /* the first Bearer
						       * (or first) one */
};

/*
 * The length of the head at the start of buf[0..len), up to and including
 * the empty line that ends it: > 0 when complete, 0 when more bytes are
 * needed, -OCIBOOT_ETOOBIG when HTTP_HEAD_MAX bytes hold no end (or a
 * line is over HTTP_LINE_MAX), -OCIBOOT_EMALFORMED for a bare CR or LF.
 */
int http_head_end(const char *buf, size_t len, struct error *err);

/*
 * Parse the complete head buf[0..len) (as http_head_end() measured it)
 * into *h. Returns 0, -OCIBOOT_EMALFORMED, -OCIBOOT_ETOOBIG or
 * -EOPNOTSUPP (a transfer coding other than chunked, an HTTP version
 * other than 1.x). *h is written only on success.
 */
int http_head_parse(const char *buf, size_t len, struct http_head *h,
		    struct error *err);

/*
 * Whether a response to a request with method has a body at all, and
 * how it is framed: HTTP_BODY_NONE (HEAD, 1xx, 204, 304), _LENGTH
 * (content_length bytes), _CHUNKED, or _CLOSE (until the server closes:
 * only HTTP/1.0 style, which a caller may refuse).
 */
enum http_body_kind {
	HTTP_BODY_NONE,
	HTTP_BODY_LENGTH,
	HTTP_BODY_CHUNKED,
	HTTP_BODY_CLOSE,
};
enum http_body_kind http_body_kind(const struct http_head *h, bool head);

/* A chunked-body decoder; its state needs no buffer of the caller's. */
struct http_chunked {
	int state;
	uint64_t left;		/* data bytes left in this chunk */
	unsigned int digits;	/* hex digits of the size so far */
	size_t line;		/* bytes of the current framing line */
	size_t trailer;		/* bytes of trailer so far */
	uint64_t offset;	/* body bytes consumed, for errors */
};

void http_chunked_init(struct http_chunked *c);

/* True once the last chunk and the trailer were consumed. */
bool http_chunked_done(const struct http_chunked *c);

/*
 * Decode in[0..len): consumes framing bytes until it reaches chunk data,
 * then at most one run of data. Returns the bytes consumed (>= 0; 0 only
 * when len is 0 or the body is done), with *data_off and *data_len (in
 * in[]) the payload among them (*data_len 0 when none). Errors:
 * -OCIBOOT_EMALFORMED (not a hex size, a missing CRLF),
 * -OCIBOOT_ETOOBIG (a size, line or trailer over its cap).
 */
long http_chunked_decode(struct http_chunked *c, const uint8_t *in,
			 size_t len, size_t *data_off, size_t *data_len,
			 struct error *err);

#endif
