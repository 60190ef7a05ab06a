/* SPDX-License-Identifier: MIT */
/*
 * TLS 1.2 client connections over BearSSL, for HTTPS to registries.
 *
 * Trust: the anchors are a crypto/x509 trust store the caller loads (the
 * init from its own directory of CA files in the initrd, separate from
 * the manifest-signing CA: a registry's TLS CA must never be able to sign
 * a system manifest, nor the reverse). Anchors not valid at the check
 * time are left out, as crypto/x509 does for manifests.
 *
 * Checks: BearSSL's x509 "minimal" engine validates the server's chain to
 * an anchor and matches the server name against the certificate's
 * subjectAltName dNSName entries (wildcards in the first label only);
 * the name is also sent as SNI. The engine knows no iPAddress names, so
 * tls_connect() refuses an IP literal as server name: HTTPS needs a host
 * name. Only TLS 1.2 is offered (BearSSL has no 1.3).
 *
 * Time: certificates are checked at the Unix time the caller passes; the
 * init passes its clock but never earlier than its build time (the same
 * floor crypto/x509 and trust/ use for the manifest's chain; see
 * crypto/x509.h), so a reset RTC still talks to a registry whose
 * certificate was valid when the kernel.efi was built.
 *
 * Memory: struct tls_conn holds every buffer (about 35 KiB; BearSSL's
 * bidirectional I/O buffer); no allocation. I/O is on a non-blocking
 * socket, each read or write waiting at most the timeout the caller set.
 * The connection is never closed with a TLS close_notify exchange
 * (br_sslio_close() was seen to spin on a stream not read to its end):
 * the caller closes the socket.
 */
#ifndef OCIBOOT_NET_TLS_H
#define OCIBOOT_NET_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl_ssl.h>
#include <bearssl_x509.h>

#include "crypto/x509.h"
#include "lib/error.h"

/* Reasons (error_reason) of a failed handshake or read. */
enum tls_reason {
	TLS_OK = 0,
	TLS_NOT_TRUSTED,	/* chain does not end at one of our anchors */
	TLS_BAD_NAME,		/* certificate is not for the server name */
	TLS_EXPIRED,		/* a certificate is not valid at the time */
	TLS_CERTIFICATE,	/* other certificate failure */
	TLS_PROTOCOL,		/* a TLS protocol failure */
	TLS_IO,			/* the socket failed or timed out */
	TLS_NO_ANCHORS,		/* no anchor valid at the time */
	TLS_IP_LITERAL,		/* an IP address as server name */
};

struct tls_conn {
	br_ssl_client_context sc;
	br_x509_minimal_context xc;
	br_sslio_context ioc;
	br_x509_trust_anchor anchors[X509_ANCHORS_MAX];
	int fd;
	uint32_t timeout_ms;	/* each socket wait */
	int io_error;		/* the last socket -errno, 0 */
	int64_t now;		/* the check time, for messages */
	char server_name[256];
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

/*
 * Start TLS on the connected socket fd (non-blocking; owned by the
 * caller) to server_name, and run the handshake. Returns 0, or:
 *   -OCIBOOT_EVERIFY  the server's certificate was refused (reason
 *                     TLS_NOT_TRUSTED, _BAD_NAME, _EXPIRED, _CERTIFICATE);
 *   -OCIBOOT_EPROTO   a protocol failure (TLS_PROTOCOL);
 *   -OCIBOOT_ETIMEOUT, -errno  the socket (TLS_IO);
 *   -EINVAL           an IP literal server name (TLS_IP_LITERAL) or no
 *                     anchor valid at now (TLS_NO_ANCHORS).
 * err's what is "TLS to NAME", its why says which check and why.
 */
int tls_connect(struct tls_conn *t, int fd, const char *server_name,
		const struct x509_trust_store *anchors, int64_t now,
		uint32_t timeout_ms, struct error *err);

/* Read up to cap bytes: > 0, 0 at the end of the stream, or as above. */
long tls_read(struct tls_conn *t, void *buf, size_t cap, struct error *err);

/* Write all of buf[0..len) and flush. Returns 0 or as above. */
int tls_write(struct tls_conn *t, const void *buf, size_t len,
	      struct error *err);

#endif
