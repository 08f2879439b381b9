#!/usr/bin/env bash
# Builds seed corpora for the fuzz targets (fuzz/fuzz_targets) from the shared reference corpus,
# at run time, into OUT (never into the repository: corpus data is not committed).
#   scripts/fuzz-seeds.sh OUT [CORPUS]      CORPUS defaults to $OPENDCC_CORPUS or ../shared/corpus
# Makes OUT/<target>/ for every target. CSR and CRL seeds are generated with openssl (the shared
# corpus has none); everything else comes from the DUIS templates and samples, the RTDS hex
# vectors and the RTDS/ZAZ1 certificates.
set -euo pipefail
OUT=${1:?usage: fuzz-seeds.sh OUT [CORPUS]}
CORPUS=${2:-${OPENDCC_CORPUS:-$(dirname "$0")/../../shared/corpus}}
[ -d "$CORPUS/rtds" ] || { echo "no corpus at $CORPUS" >&2; exit 1; }
mkdir -p "$OUT"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

d() { mkdir -p "$OUT/$1"; echo "$OUT/$1"; }
hex2bin() { tr -d ' \r\n\t' <"$1" | xxd -r -p >"$2"; }

# XML: DUIS requests, DUIS responses, the XXE document.
for t in duis_parse_request xmldsig_c14n xmldsig_verify duis_response; do
  o=$(d $t); cp "$CORPUS"/duis-templates/*.XML "$CORPUS"/duis-samples/* "$o"/ 2>/dev/null || true
done

# GBCS: every RTDS hex vector as bytes (whole frames).
n=0
for f in "$CORPUS"/rtds/RTDS-4.5.0/*/*.HEX; do
  n=$((n + 1)); hex2bin "$f" "$T/v$n.bin" || continue
done
for t in gbcs_frame gbcs_decode_alert gbcs_decode_command gbcs_payload mmc_render; do
  o=$(d $t); cp "$T"/v*.bin "$o"/
done
# gbcs_payload and gbcs_decode_command read a selector byte first: add prefixed copies.
for f in "$T"/v*.bin; do
  b=$(basename "$f" .bin)
  { printf '\001'; cat "$f"; } >"$OUT/gbcs_payload/$b-sel.bin"
  { printf '\007'; cat "$f"; } >"$OUT/gbcs_decode_command/$b-sel.bin"
done

# Credentials: the CS02b vectors plus every certificate in DER.
o=$(d gbcs_credentials)
for f in "$CORPUS"/rtds/RTDS-4.5.0/*CS02*/*.HEX; do hex2bin "$f" "$o/$(basename "$f").bin"; done
o2=$(d gbcs_urp_certificate)
i=0
for p in "$CORPUS"/rtds/keystore/*.pem "$CORPUS"/zaz1/*.pem; do
  i=$((i + 1))
  openssl x509 -in "$p" -outform DER -out "$o/cert$i.der" 2>/dev/null || continue
  cp "$o/cert$i.der" "$o2/"
done

# SMKI CSR and CRL seeds (openssl, P-256).
o=$(d smki_csr); c=$(d smki_crl)
openssl ecparam -name prime256v1 -genkey -noout -out "$T/k.pem" 2>/dev/null
openssl req -new -key "$T/k.pem" -subj "/CN=00db123456789001/OU=02" -outform DER -out "$o/csr1.der"
openssl req -new -key "$T/k.pem" -subj "/CN=90b3d51f30010000" -addext "keyUsage=critical,digitalSignature" \
  -outform DER -out "$o/csr2.der"
openssl req -new -x509 -key "$T/k.pem" -subj "/CN=Z1-issuing" -days 30 -out "$T/ca.pem" 2>/dev/null
mkdir -p "$T/ca/newcerts"; : >"$T/ca/index.txt"; echo 01 >"$T/ca/crlnumber"
cat >"$T/ca.cnf" <<CNF
[ca]
default_ca=c
[c]
dir=$T/ca
database=\$dir/index.txt
crlnumber=\$dir/crlnumber
new_certs_dir=\$dir/newcerts
default_md=sha256
default_crl_days=30
CNF
openssl ca -config "$T/ca.cnf" -gencrl -keyfile "$T/k.pem" -cert "$T/ca.pem" -out "$T/crl.pem" 2>/dev/null &&
  openssl crl -in "$T/crl.pem" -outform DER -out "$c/crl1.der"
echo "V	300101000000Z		0A	unknown	/CN=x" >>"$T/ca/index.txt"
openssl ca -config "$T/ca.cnf" -gencrl -keyfile "$T/k.pem" -cert "$T/ca.pem" -out "$T/crl2.pem" 2>/dev/null &&
  openssl crl -in "$T/crl2.pem" -outform DER -out "$c/crl2.der" || true
openssl ca -config "$T/ca.cnf" -revoke "$T/ca.pem" -keyfile "$T/k.pem" -cert "$T/ca.pem" 2>/dev/null &&
  openssl ca -config "$T/ca.cnf" -gencrl -keyfile "$T/k.pem" -cert "$T/ca.pem" -out "$T/crl3.pem" 2>/dev/null &&
  openssl crl -in "$T/crl3.pem" -outform DER -out "$c/crl3.der" || true

# Repository requests (DCC Boxed certificatesearch / retrievecertificate bodies).
o=$(d smki_repository_request)
printf '<?xml version="1.0" encoding="utf-8"?><CertificateSearchRequest><CertificateSubjectName>90-B3-D5-1F-30-01-00-00</CertificateSubjectName><CertificateUsage>DS</CertificateUsage><CertificateStatus>I</CertificateStatus><CertificateRole>2</CertificateRole></CertificateSearchRequest>' >"$o/search1.xml"
printf '<CertificateSearchRequest><CertificateSubjectAltName>00-DB-12-34-56-78-90-01</CertificateSubjectAltName><CertificateSerial>0a1b2c</CertificateSerial></CertificateSearchRequest>' >"$o/search2.xml"
printf '<CertificateDataRequest><CertificateSerial>5A4D2A1A7E6F1E5B</CertificateSerial></CertificateDataRequest>' >"$o/retrieve.xml"

# DUIS values: RequestIDs, command variants, response codes, dateTimes, UPRNs.
o=$(d duis_values); k=0
for v in '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A4:1000' '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A4:0' \
  1 3 8 'I0' 'E41' 'W1' '2015-04-30T12:53:10.000Z' '2026-12-06T05:00:00Z' '2026-12-06T05:00:00+01:00' '000000000012' '1234567'; do
  k=$((k + 1)); printf '%s' "$v" >"$o/v$k"
done
for t in "$OUT"/*/; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
