/*
 * tls.c: owns certificate verification for TLS links whose library leaves
 * it to us (libetpan): the peer's DER chain is checked with GnuTLS against
 * the configured CA file or the system store, for the host name or IP
 * address we connected to (design rule 7).
 */
#include "tls.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longer chains are refused (GnuTLS's own default depth limit is 16). */
#define CHAIN_MAX 16

/* Set *err to a newly allocated formatted message (NULL when out of memory). */
static void __attribute__((format(printf, 2, 3)))
set_err(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
}

/* Fill the trust list from ca_file, or from the system store. Returns 0,
 * or -1 with *err set. */
static int
load_trust(gnutls_x509_trust_list_t tl, const char *ca_file, char **err)
{
	int r;

	if (ca_file == NULL || *ca_file == '\0') {
		r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
		if (r <= 0) {
			set_err(err, "cannot load the system CA certificates: %s",
				r < 0 ? gnutls_strerror(r) : "none found");
			return -1;
		}
		return 0;
	}
	r = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
	if (r == 0 || r == GNUTLS_E_NO_CERTIFICATE_FOUND) {
		/* No PEM certificate: perhaps one DER certificate. */
		int d = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL, GNUTLS_X509_FMT_DER, 0, 0);

		if (d > 0)
			return 0;
		r = 0;
	}
	if (r <= 0) {
		set_err(err, "cannot load CA certificates from %s: %s", ca_file,
			r < 0 ? gnutls_strerror(r) : "no certificate in it");
		return -1;
	}
	return 0;
}

int
tls_verify_chain(const struct tls_cert *chain, size_t n, const char *host, const char *ca_file,
		 char **err)
{
	gnutls_x509_crt_t crts[CHAIN_MAX];
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_typed_vdata_st vdata[2];
	unsigned char ip[16];
	unsigned int status = 0, ncrts = 0;
	int r, rc = -1;

	*err = NULL;
	if (chain == NULL || n == 0) {
		set_err(err, "the server sent no certificate");
		return -1;
	}
	if (n > CHAIN_MAX) {
		set_err(err, "the server sent %zu certificates (at most %d are accepted)", n, CHAIN_MAX);
		return -1;
	}
	if (host == NULL || *host == '\0') {
		set_err(err, "no host name to verify the certificate for");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		gnutls_datum_t d = { (unsigned char *)chain[i].der, (unsigned int)chain[i].len };

		if (chain[i].der == NULL || chain[i].len == 0 || chain[i].len > UINT_MAX) {
			set_err(err, "certificate %zu of the chain is empty or too large", i + 1);
			goto out;
		}
		if ((r = gnutls_x509_crt_init(&crts[ncrts])) < 0) {
			set_err(err, "%s", gnutls_strerror(r));
			goto out;
		}
		ncrts++;
		if ((r = gnutls_x509_crt_import(crts[ncrts - 1], &d, GNUTLS_X509_FMT_DER)) < 0) {
			set_err(err, "certificate %zu of the chain is unreadable: %s", i + 1, gnutls_strerror(r));
			goto out;
		}
	}
	if ((r = gnutls_x509_trust_list_init(&tl, 0)) < 0) {
		tl = NULL;
		set_err(err, "%s", gnutls_strerror(r));
		goto out;
	}
	if (load_trust(tl, ca_file, err) < 0)
		goto out;

	/* The name: a literal address is matched against the certificate's IP
	 * addresses, anything else as a DNS name. */
	if (inet_pton(AF_INET, host, ip) == 1) {
		vdata[0] = (gnutls_typed_vdata_st){ GNUTLS_DT_IP_ADDRESS, ip, 4 };
	} else if (inet_pton(AF_INET6, host, ip) == 1) {
		vdata[0] = (gnutls_typed_vdata_st){ GNUTLS_DT_IP_ADDRESS, ip, 16 };
	} else {
		vdata[0] = (gnutls_typed_vdata_st){ GNUTLS_DT_DNS_HOSTNAME, (unsigned char *)host, 0 };
	}
	vdata[1] = (gnutls_typed_vdata_st){ GNUTLS_DT_KEY_PURPOSE_OID,
					    (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER, 0 };
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, ncrts, vdata, 2, 0, &status, NULL);
	if (r < 0) {
		set_err(err, "cannot verify the certificate of %s: %s", host, gnutls_strerror(r));
		goto out;
	}
	if (status != 0) {
		gnutls_datum_t text = { NULL, 0 };

		if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) < 0 ||
		    text.data == NULL)
			set_err(err, "the certificate of %s is not trusted (status 0x%x)", host, status);
		else {
			/* The text ends in a space; it is one line. */
			while (text.size > 0 && text.data[text.size - 1] == ' ')
				text.data[--text.size] = '\0';
			set_err(err, "the certificate of %s is not trusted: %s", host, (const char *)text.data);
		}
		gnutls_free(text.data);
		goto out;
	}
	rc = 0;
out:
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (unsigned int i = 0; i < ncrts; i++)
		gnutls_x509_crt_deinit(crts[i]);
	return rc;
}
