/* test_tls.c: unit tests for daemon/tls.c: certificates made here with the GnuTLS API
 * (a CA, an intermediate, servers, a self-signed one) verified against a CA file. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "tls.h"
#include "unit.h"

#define HOUR 3600

/* Stop the test on a GnuTLS setup failure: nothing below would mean anything. */
static void
must(int r, const char *what)
{
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", what, gnutls_strerror(r));
		exit(2);
	}
}

struct cert {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	gnutls_datum_t der;
};

struct spec {
	const char *dn;
	bool ca;
	const char *dns;	/* subjectAltName DNS name, or NULL */
	bool ip;		/* subjectAltName 127.0.0.1 and ::1 */
	const char *purpose;	/* extended key usage, or NULL */
	time_t from, to;
	unsigned char serial;
};

/* Make a certificate as spec says, signed by issuer (NULL: self-signed). */
static void
make(struct cert *c, const struct spec *s, const struct cert *issuer)
{
	unsigned char v4[4], v6[16], id[64];
	size_t idlen = sizeof(id);

	must(gnutls_x509_privkey_init(&c->key), "privkey_init");
	must(gnutls_x509_privkey_generate(c->key, GNUTLS_PK_ECDSA,
					  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), "generate");
	must(gnutls_x509_crt_init(&c->crt), "crt_init");
	must(gnutls_x509_crt_set_version(c->crt, 3), "set_version");
	must(gnutls_x509_crt_set_serial(c->crt, &s->serial, 1), "set_serial");
	must(gnutls_x509_crt_set_dn(c->crt, s->dn, NULL), "set_dn");
	must(gnutls_x509_crt_set_key(c->crt, c->key), "set_key");
	must(gnutls_x509_crt_set_activation_time(c->crt, s->from), "activation");
	must(gnutls_x509_crt_set_expiration_time(c->crt, s->to), "expiration");
	must(gnutls_x509_crt_set_basic_constraints(c->crt, s->ca, -1), "basic_constraints");
	must(gnutls_x509_crt_set_key_usage(c->crt, s->ca ? GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN
						       : GNUTLS_KEY_DIGITAL_SIGNATURE), "key_usage");
	must(gnutls_x509_crt_get_key_id(c->crt, 0, id, &idlen), "get_key_id");
	must(gnutls_x509_crt_set_subject_key_id(c->crt, id, idlen), "subject_key_id");
	if (s->dns != NULL)
		must(gnutls_x509_crt_set_subject_alt_name(c->crt, GNUTLS_SAN_DNSNAME, s->dns,
							  (unsigned int)strlen(s->dns), GNUTLS_FSAN_APPEND), "san dns");
	if (s->ip) {
		inet_pton(AF_INET, "127.0.0.1", v4);
		inet_pton(AF_INET6, "::1", v6);
		must(gnutls_x509_crt_set_subject_alt_name(c->crt, GNUTLS_SAN_IPADDRESS, v4, 4,
							  GNUTLS_FSAN_APPEND), "san ip4");
		must(gnutls_x509_crt_set_subject_alt_name(c->crt, GNUTLS_SAN_IPADDRESS, v6, 16,
							  GNUTLS_FSAN_APPEND), "san ip6");
	}
	if (s->purpose != NULL)
		must(gnutls_x509_crt_set_key_purpose_oid(c->crt, s->purpose, 0), "key_purpose");
	if (issuer != NULL) {
		idlen = sizeof(id);
		must(gnutls_x509_crt_get_subject_key_id(issuer->crt, id, &idlen, NULL), "issuer key id");
		must(gnutls_x509_crt_set_authority_key_id(c->crt, id, idlen), "authority_key_id");
	}
	must(gnutls_x509_crt_sign2(c->crt, issuer ? issuer->crt : c->crt, issuer ? issuer->key : c->key,
				   GNUTLS_DIG_SHA256, 0), "sign");
	must(gnutls_x509_crt_export2(c->crt, GNUTLS_X509_FMT_DER, &c->der), "export");
}

static void
drop(struct cert *c)
{
	gnutls_free(c->der.data);
	gnutls_x509_crt_deinit(c->crt);
	gnutls_x509_privkey_deinit(c->key);
}

static struct tls_cert
der(const struct cert *c)
{
	return (struct tls_cert){ c->der.data, c->der.size };
}

static char *
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) < 0 || (f = fopen(path, "wb")) == NULL ||
	    fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(name);
		exit(2);
	}
	return path;
}

/* Verify and check the outcome; want_in: a piece of the reason, or NULL. */
static void
expect(const struct tls_cert *chain, size_t n, const char *host, const char *ca, int want,
       const char *want_in, int line)
{
	char *err = (char *)"unset";
	int r = tls_verify_chain(chain, n, host, ca, &err);

	if (r != want || (want == 0) != (err == NULL) ||
	    (want_in != NULL && (err == NULL || strstr(err, want_in) == NULL)))
		fprintf(stderr, "line %d: host %s: got %d, err \"%s\"\n", line, host ? host : "(null)", r,
			err ? err : "(null)");
	CHECK(r == want);
	CHECK((want == 0) == (err == NULL));
	if (want_in != NULL)
		CHECK(err != NULL && strstr(err, want_in) != NULL);
	if (err != NULL)
		CHECK(strchr(err, '\n') == NULL);
	free(err);
}

#define EXPECT(chain, n, host, ca, want, in) expect(chain, n, host, ca, want, in, __LINE__)

int
main(void)
{
	time_t now = time(NULL);
	struct cert ca, inter, srv, leaf2, self, old, client;
	struct spec s_ca = { "CN=helpdeskd test CA,O=Diskominfo", true, NULL, false, NULL,
			     now - HOUR, now + 48 * HOUR, 1 };
	struct spec s_inter = { "CN=helpdeskd test intermediate", true, NULL, false, NULL,
				now - HOUR, now + 48 * HOUR, 2 };
	struct spec s_srv = { "CN=localhost", false, "localhost", true, GNUTLS_KP_TLS_WWW_SERVER,
			      now - HOUR, now + 24 * HOUR, 3 };
	struct spec s_leaf2 = { "CN=mail.example.go.id", false, "mail.example.go.id", false, NULL,
				now - HOUR, now + 24 * HOUR, 4 };
	struct spec s_self = { "CN=localhost", false, "localhost", true, GNUTLS_KP_TLS_WWW_SERVER,
			       now - HOUR, now + 24 * HOUR, 5 };
	struct spec s_old = { "CN=localhost", false, "localhost", false, NULL,
			      now - 48 * HOUR, now - 24 * HOUR, 6 };
	struct spec s_client = { "CN=localhost", false, "localhost", false, GNUTLS_KP_TLS_WWW_CLIENT,
				 now - HOUR, now + 24 * HOUR, 7 };
	char dir[] = "/tmp/test_tls.XXXXXX", *pem_path, *der_path, *empty_path, *missing_path;
	gnutls_datum_t pem;
	static const unsigned char garbage[] = "\x30\x82\x01\x00 this is not a certificate";

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	make(&ca, &s_ca, NULL);
	make(&inter, &s_inter, &ca);
	make(&srv, &s_srv, &ca);
	make(&leaf2, &s_leaf2, &inter);
	make(&self, &s_self, NULL);
	make(&old, &s_old, &ca);
	make(&client, &s_client, &ca);
	must(gnutls_x509_crt_export2(ca.crt, GNUTLS_X509_FMT_PEM, &pem), "export pem");
	pem_path = write_file(dir, "ca.pem", pem.data, pem.size);
	der_path = write_file(dir, "ca.der", ca.der.data, ca.der.size);
	empty_path = write_file(dir, "empty.pem", "", 0);
	if (asprintf(&missing_path, "%s/missing.pem", dir) < 0)
		return 2;
	gnutls_free(pem.data);

	struct tls_cert c_srv[] = { der(&srv), der(&ca) }, c_leaf2[] = { der(&leaf2), der(&inter) },
			c_full[] = { der(&leaf2), der(&inter), der(&ca) }, c_self[] = { der(&self) },
			c_old[] = { der(&old) }, c_client[] = { der(&client) },
			c_garbage[] = { { garbage, sizeof(garbage) - 1 } },
			c_trailing[] = { der(&srv), { garbage, sizeof(garbage) - 1 } },
			c_null[] = { { NULL, 0 } }, c_long[17];

	for (size_t i = 0; i < 17; i++)
		c_long[i] = der(&srv);

	/* Trusted: the leaf alone, with its CA, through an intermediate (in
	 * with the root too), against PEM or DER CA files; by name and by address. */
	EXPECT(c_srv, 1, "localhost", pem_path, 0, NULL);
	EXPECT(c_srv, 2, "localhost", pem_path, 0, NULL);
	EXPECT(c_srv, 1, "LOCALHOST", pem_path, 0, NULL);
	EXPECT(c_srv, 1, "localhost", der_path, 0, NULL);
	EXPECT(c_srv, 1, "127.0.0.1", pem_path, 0, NULL);
	EXPECT(c_srv, 1, "::1", pem_path, 0, NULL);
	EXPECT(c_leaf2, 2, "mail.example.go.id", pem_path, 0, NULL);
	EXPECT(c_full, 3, "mail.example.go.id", pem_path, 0, NULL);

	/* Wrong name or address. */
	EXPECT(c_srv, 1, "example.org", pem_path, -1, "does not match");
	EXPECT(c_srv, 1, "mail.localhost", pem_path, -1, "does not match");
	EXPECT(c_srv, 1, "127.0.0.2", pem_path, -1, "does not match");
	EXPECT(c_srv, 1, "::2", pem_path, -1, "does not match");
	EXPECT(c_leaf2, 2, "localhost", pem_path, -1, "does not match");
	EXPECT(c_srv, 1, "", pem_path, -1, "no host name");
	EXPECT(c_srv, 1, NULL, pem_path, -1, "no host name");

	/* Untrusted: self-signed, missing intermediate, not ours, expired, not a server's. */
	EXPECT(c_self, 1, "localhost", pem_path, -1, "not trusted");
	EXPECT(c_self, 1, "localhost", NULL, -1, NULL);
	EXPECT(c_self, 1, "localhost", "", -1, NULL);
	EXPECT(c_srv, 1, "localhost", NULL, -1, NULL);	/* the system store does not know our CA */
	EXPECT(c_leaf2, 1, "mail.example.go.id", pem_path, -1, "issuer");
	EXPECT(c_old, 1, "localhost", pem_path, -1, "expired");
	EXPECT(c_client, 1, "localhost", pem_path, -1, "not trusted");

	/* Nothing, garbage, or a bad CA file. */
	EXPECT(c_srv, 0, "localhost", pem_path, -1, "no certificate");
	EXPECT(NULL, 0, "localhost", pem_path, -1, "no certificate");
	EXPECT(c_garbage, 1, "localhost", pem_path, -1, "unreadable");
	EXPECT(c_trailing, 2, "localhost", pem_path, -1, "certificate 2");
	EXPECT(c_null, 1, "localhost", pem_path, -1, "empty");
	EXPECT(c_long, 17, "localhost", pem_path, -1, "17 certificates");
	EXPECT(c_srv, 1, "localhost", empty_path, -1, "no certificate in it");
	EXPECT(c_srv, 1, "localhost", missing_path, -1, missing_path);

	unlink(pem_path);
	unlink(der_path);
	unlink(empty_path);
	rmdir(dir);
	free(pem_path);
	free(der_path);
	free(empty_path);
	free(missing_path);
	drop(&ca);
	drop(&inter);
	drop(&srv);
	drop(&leaf2);
	drop(&self);
	drop(&old);
	drop(&client);
	return unit_done("tls");
}
