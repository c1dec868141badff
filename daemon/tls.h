/* tls.h: certificate chain verification for transports whose TLS library
 * does not verify (libetpan for IMAP). */
#ifndef HD_TLS_H
#define HD_TLS_H

#include <stddef.h>

/* One DER-encoded certificate, as the peer sent it. */
struct tls_cert {
	const unsigned char *der;
	size_t len;
};

/*
 * Verify the peer's chain (leaf first, n certificates) for host: signed up
 * to a CA in ca_file (PEM or DER), or in the system store when ca_file is
 * NULL or ""; in its validity period; for TLS server use; and issued to
 * host (a DNS name, or a literal IPv4/IPv6 address matched against the
 * certificate's IP addresses). Returns 0 when trusted, else -1 with *err a
 * newly allocated one-line reason (or NULL when out of memory).
 */
int tls_verify_chain(const struct tls_cert *chain, size_t n, const char *host, const char *ca_file,
		     char **err);

#endif
