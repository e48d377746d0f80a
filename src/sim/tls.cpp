#include "src/sim/tls.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace mdhub::sim {
namespace {

namespace fs = std::filesystem;

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("sim tls: " + what); }

Key make_key() {
  Key k(EVP_EC_gen("P-256"));
  if (!k) fail("cannot generate an EC key");
  return k;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) fail(std::string("cannot build extension ") + value);
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (!ok) fail("cannot add extension");
}

Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca) {
  Cert c(X509_new());
  if (!c) fail("out of memory");
  unsigned char serial[8];
  if (RAND_bytes(serial, sizeof serial) != 1) fail("no randomness for the serial number");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  const bool serial_ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c.get()));
  BN_free(bn);
  if (!serial_ok) fail("cannot set the serial number");
  X509_set_version(c.get(), 2);
  X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(c.get(), key);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("mdhub simulator"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509* iss = issuer ? issuer : c.get();
  X509_set_issuer_name(c.get(), X509_get_subject_name(iss));
  add_ext(c.get(), iss, NID_subject_key_identifier, "hash");
  if (ca) {
    add_ext(c.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(c.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(c.get(), iss, NID_authority_key_identifier, "keyid:always");
    add_ext(c.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(c.get(), iss, NID_key_usage, "critical,digitalSignature");
    add_ext(c.get(), iss, NID_ext_key_usage, "serverAuth");
    add_ext(c.get(), iss, NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost");
  }
  if (!X509_sign(c.get(), issuer_key, EVP_sha256())) fail("cannot sign the certificate");
  return c;
}

template <class Write>
void write_pem(const fs::path& path, bool secret, Write write) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || !write(bio.get())) fail("cannot encode " + path.string());
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  // Written under a temporary name and renamed, so a reader never sees half a file.
  const fs::path tmp = path.string() + ".tmp" + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail("cannot write " + tmp.string());
  if (secret) fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write);
  const bool ok = std::fwrite(data, 1, static_cast<size_t>(len), f) == static_cast<size_t>(len);
  if (std::fclose(f) != 0 || !ok) fail("cannot write " + tmp.string());
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fail("cannot rename " + tmp.string() + ": " + ec.message());
}

}  // namespace

TlsFiles ensure_tls_files(const std::string& dir) {
  std::error_code ec;
  const fs::path base = fs::absolute(dir.empty() ? "." : dir, ec);
  if (ec) fail("bad directory " + dir);
  fs::create_directories(base, ec);
  TlsFiles files{(base / "sim-ca.pem").string(), (base / "sim-cert.pem").string(), (base / "sim-key.pem").string()};
  if (fs::exists(files.ca) && fs::exists(files.cert) && fs::exists(files.key)) return files;

  Key ca_key = make_key();
  Cert ca = make_cert(ca_key.get(), "mdhub simulator CA", nullptr, ca_key.get(), true);
  Key key = make_key();
  Cert cert = make_cert(key.get(), "localhost", ca.get(), ca_key.get(), false);
  // Key first and CA last: a reader that finds the CA finds the rest.
  write_pem(files.key, true, [&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
  write_pem(files.cert, false, [&](BIO* b) { return PEM_write_bio_X509(b, cert.get()) == 1; });
  write_pem(files.ca, false, [&](BIO* b) { return PEM_write_bio_X509(b, ca.get()) == 1; });
  return files;
}

}  // namespace mdhub::sim
