# SPDX-License-Identifier: BSD-3-Clause
# Throwaway certificates for the lawful-interception tests (issue 70): an
# EC P-256 CA and leaves signed by it, valid two days, in $pki (set by the
# caller, under its $TP_TMP). Sourced by test_li_*.sh.
#
#   mkca NAME                        $pki/NAME.crt, .key: a self-signed CA
#   mkcert NAME CA [EXTENSIONS [CN]] $pki/NAME.crt, .key signed by CA;
#                                    EXTENSIONS as openssl's -extfile lines
#                                    ('\n' between them), CN NAME by default
mkca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=$1" -keyout "$pki/$1.key" -out "$pki/$1.crt" 2>/dev/null
}
mkcert() {
  printf '%b\n' "${3:-}" >"$pki/$1.ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${4:-$1}" \
    -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null &&
  openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.crt" -CAkey "$pki/$2.key" \
    -CAcreateserial -days 2 -extfile "$pki/$1.ext" -out "$pki/$1.crt" 2>/dev/null
}
