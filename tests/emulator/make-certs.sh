#!/bin/sh
# Make the TLS material the emulator and the tests use, fresh for each run:
#   ca.pem                    the test CA the client is told to trust
#   server.pem/.key           127.0.0.1 and localhost (SAN), signed by ca
#   wronghost.pem/.key        only wrong-host.invalid, signed by ca
#   unknownca.pem/.key        127.0.0.1, signed by a CA nobody trusts
#   client.pem/.key           a TLS client certificate signed by ca
# Usage: make-certs.sh DIR   (DIR is created; keys are mode 0600)
set -eu
dir=${1:?usage: make-certs.sh DIR}
openssl=${OPENSSL_BIN:-openssl}
mkdir -p "$dir"
cd "$dir"
umask 077

key() { "$openssl" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() { # name subject
	key "$1.key"
	"$openssl" req -x509 -new -key "$1.key" -out "$1.pem" -days 2 \
		-subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

leaf() { # name ca subject extensions
	key "$1.key"
	"$openssl" req -new -key "$1.key" -out "$1.csr" -subj "/CN=$3" 2>/dev/null
	printf '%s\n' "$4" >"$1.ext"
	"$openssl" x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
		-CAcreateserial -out "$1.pem" -days 2 -extfile "$1.ext" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

server_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth'

ca ca "askcred test CA"
ca otherca "askcred untrusted CA"
leaf server ca 127.0.0.1 "$server_ext
subjectAltName=IP:127.0.0.1,DNS:localhost"
leaf wronghost ca wrong-host.invalid "$server_ext
subjectAltName=DNS:wrong-host.invalid"
leaf unknownca otherca 127.0.0.1 "$server_ext
subjectAltName=IP:127.0.0.1,DNS:localhost"
leaf client ca askcred-test-client 'basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth'
rm -f ./*.srl otherca.key
chmod 0644 ./*.pem
