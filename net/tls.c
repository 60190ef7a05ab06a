// SPDX-License-Identifier: MIT
#include "net/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/constants.h"
#include "lib/util.h"

/* Days from 1 January of year 0 (BearSSL's count) to 1970-01-01. */
#define TLS_DAYS_TO_UNIX_EPOCH 719528

/* Wait until fd is ready for events, at most timeout_ms. */
static int wait_fd(int fd, short events, uint32_t timeout_ms)
{
	return clock_poll_until(fd, events, clock_deadline_ms(timeout_ms));
}

static int low_read(void *ctx, unsigned char *buf, size_t len)
{
	struct tls_conn *t = ctx;

	for (;;) {
		ssize_t n = read(t->fd, buf, len);
		int r;

		if (n > 0)
			return (int)n;
		if (n == 0) {
			t->io_error = -ECONNRESET;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			t->io_error = -errno;
			return -1;
		}
		r = wait_fd(t->fd, POLLIN, t->timeout_ms);
		if (r < 0) {
			t->io_error = r;
			return -1;
		}
	}
}

static int low_write(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls_conn *t = ctx;

	for (;;) {
		ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);
		int r;

		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			t->io_error = -errno;
			return -1;
		}
		r = wait_fd(t->fd, POLLOUT, t->timeout_ms);
		if (r < 0) {
			t->io_error = r;
			return -1;
		}
	}
}

static int fail(struct tls_conn *t, struct error *err)
{
	int e = br_ssl_engine_last_error(&t->sc.eng);
	const char *n = t->server_name;

	if (t->io_error && (e == BR_ERR_OK || e == BR_ERR_IO)) {
		error_set(err, t->io_error, NULL, "the connection failed");
		error_reason(err, TLS_IO);
		return t->io_error;
	}
	switch (e) {
	case BR_ERR_X509_NOT_TRUSTED:
		error_set(err, -OCIBOOT_EVERIFY, NULL, "the server's "
			  "certificate does not chain to a trusted TLS CA");
		return error_reason(err, TLS_NOT_TRUSTED);
	case BR_ERR_X509_BAD_SERVER_NAME:
		error_set(err, -OCIBOOT_EVERIFY, NULL, "the server's "
			  "certificate is not for the host name %s", n);
		return error_reason(err, TLS_BAD_NAME);
	case BR_ERR_X509_EXPIRED:
		error_set(err, -OCIBOOT_EVERIFY, NULL, "a certificate of the "
			  "server's chain is not valid at %lld (Unix time)",
			  (long long)t->now);
		return error_reason(err, TLS_EXPIRED);
	}
	if (e >= BR_ERR_X509_OK && e < BR_ERR_X509_OK + 32) {
		error_set(err, -OCIBOOT_EVERIFY, NULL, "the server's "
			  "certificate was refused (BearSSL X.509 error %d)", e);
		return error_reason(err, TLS_CERTIFICATE);
	}
	if (e == BR_ERR_OK || e == BR_ERR_IO) {
		error_set(err, -ECONNRESET, NULL, "the connection closed");
		return error_reason(err, TLS_IO);
	}
	error_set(err, -OCIBOOT_EPROTO, NULL, "TLS failed (BearSSL error "
		  "%d)", e);
	return error_reason(err, TLS_PROTOCOL);
}

static bool is_ip_literal(const char *name)
{
	uint8_t a[16];

	return inet_pton(AF_INET, name, a) == 1 ||
	       inet_pton(AF_INET6, name, a) == 1;
}

/* The anchors of ts valid at now, as BearSSL takes them. */
static size_t load_anchors(struct tls_conn *t,
			   const struct x509_trust_store *ts, int64_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < ts->count; i++) {
		const struct x509_anchor *a = &ts->anchors[i];
		br_x509_trust_anchor *ta = &t->anchors[n];

		if (now < a->not_before || now > a->not_after)
			continue;
		ta->dn.data = (unsigned char *)a->dn;
		ta->dn.len = a->dn_len;
		ta->flags = BR_X509_TA_CA;
		ta->pkey.key_type = (unsigned char)a->key.type;
		if (a->key.type == BR_KEYTYPE_RSA)
			x509_pubkey_rsa(&a->key, &ta->pkey.key.rsa);
		else
			x509_pubkey_ec(&a->key, &ta->pkey.key.ec);
		n++;
	}
	return n;
}

int tls_connect(struct tls_conn *t, int fd, const char *server_name,
		const struct x509_trust_store *anchors, int64_t now,
		uint32_t timeout_ms, struct error *err)
{
	size_t n, name_len = strlen(server_name);

	memset(t, 0, offsetof(struct tls_conn, iobuf));
	t->fd = fd;
	t->timeout_ms = timeout_ms;
	t->now = now;
	if (name_len >= sizeof(t->server_name) || is_ip_literal(server_name)) {
		error_set(err, -EINVAL, NULL, "HTTPS needs a host name, not "
			  "an IP address: the certificate is checked against "
			  "it");
		return error_reason(err, TLS_IP_LITERAL);
	}
	memcpy(t->server_name, server_name, name_len + 1);
	if (now < 0)
		now = 0;
	n = load_anchors(t, anchors, now);
	if (n == 0) {
		error_set(err, -EINVAL, NULL, "no TLS CA certificate is valid "
			  "at %lld (Unix time)", (long long)now);
		return error_reason(err, TLS_NO_ANCHORS);
	}
	br_ssl_client_init_full(&t->sc, &t->xc, t->anchors, n);
	br_ssl_engine_set_versions(&t->sc.eng, BR_TLS12, BR_TLS12);
	br_x509_minimal_set_time(&t->xc,
		(uint32_t)(now / SECONDS_PER_DAY + TLS_DAYS_TO_UNIX_EPOCH),
		(uint32_t)(now % SECONDS_PER_DAY));
	br_x509_minimal_set_minrsa(&t->xc, X509_RSA_MIN_BITS / 8);
	br_ssl_engine_set_buffer(&t->sc.eng, t->iobuf, sizeof(t->iobuf), 1);
	if (!br_ssl_client_reset(&t->sc, t->server_name, 0))
		return fail(t, err);
	br_sslio_init(&t->ioc, &t->sc.eng, low_read, t, low_write, t);
	if (br_sslio_flush(&t->ioc) < 0)
		return fail(t, err);
	/* The handshake runs until the engine can take application data. */
	while (!(br_ssl_engine_current_state(&t->sc.eng) & BR_SSL_SENDAPP)) {
		unsigned st = br_ssl_engine_current_state(&t->sc.eng);

		if (st & BR_SSL_CLOSED)
			return fail(t, err);
		if (st & BR_SSL_SENDREC) {
			if (br_sslio_flush(&t->ioc) < 0)
				return fail(t, err);
			continue;
		}
		if (st & BR_SSL_RECVREC) {
			unsigned char *buf;
			size_t len;
			int r;

			buf = br_ssl_engine_recvrec_buf(&t->sc.eng, &len);
			r = low_read(t, buf, len);
			if (r < 0)
				return fail(t, err);
			br_ssl_engine_recvrec_ack(&t->sc.eng, (size_t)r);
			continue;
		}
		return fail(t, err);
	}
	return 0;
}

long tls_read(struct tls_conn *t, void *buf, size_t cap, struct error *err)
{
	int n = br_sslio_read(&t->ioc, buf, cap);

	if (n > 0)
		return n;
	if (br_ssl_engine_last_error(&t->sc.eng) == BR_ERR_OK &&
	    (br_ssl_engine_current_state(&t->sc.eng) & BR_SSL_CLOSED))
		return 0;
	return fail(t, err);
}

int tls_write(struct tls_conn *t, const void *buf, size_t len,
	      struct error *err)
{
	if (br_sslio_write_all(&t->ioc, buf, len) < 0 ||
	    br_sslio_flush(&t->ioc) < 0)
		return fail(t, err);
	return 0;
}
